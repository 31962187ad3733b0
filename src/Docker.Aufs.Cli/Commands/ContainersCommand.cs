using System.CommandLine;
using Docker.Aufs.Cli.Output;

namespace Docker.Aufs.Cli.Commands;

/// <summary>
/// <c>docker-aufs containers</c>: like <c>docker ps -a</c> of Docker 1.9. Its alias <c>ps</c> is <c>docker ps</c>: only the
/// containers recorded as running, unless <c>-a</c>.
/// </summary>
internal static class ContainersCommand
{
    /// <summary>The alias that lists, as <c>docker ps</c> does, only the containers recorded as running unless <c>-a</c>.</summary>
    public const string PsAlias = "ps";

    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Don't truncate IDs and commands" };
        var all = new Option<bool>("--all", "-a") { Description = "Show all containers (what containers always shows; ps without it shows only those recorded as running)" };
        var command = new Command("containers", "List the containers of the root's storage driver, newest first: all of them, as docker ps -a does; as ps, only those the root recorded as running (nothing runs in an offline root), unless -a") { noTrunc, all };
        command.Aliases.Add(PsAlias);
        command.SetAction(parse => CliApp.Execute(parse, options, environment, session =>
        {
            var runningOnly = parse.CommandResult.IdentifierToken.Value == PsAlias && !session.Value(all);
            var containers = session.OpenRoot().GetContainers().Where(c => !runningOnly || c.State.Running || c.State.Paused).ToList();
            if (session.Json)
            {
                JsonOutput.Write(session.Out, w =>
                {
                    w.WriteStartArray();
                    foreach (var container in containers)
                    {
                        w.WriteStartObject();
                        w.WriteString("id", container.Id);
                        w.WriteString("name", container.Name);
                        w.WriteString("image", container.Image);
                        w.WriteString("imageId", container.ImageId);
                        w.WriteString("state", StateName(container.State.Status));
                        w.WriteString("created", Humanize.Timestamp(container.Created));
                        w.WriteString("driver", container.Driver);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
                return CliApp.Success;
            }

            var full = session.Value(noTrunc);
            var table = new TableWriter("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "NAMES");
            foreach (var container in containers)
            {
                var image = !full && Ids.IsFullId(container.Image) ? Ids.Shorten(container.Image) : container.Image;
                table.Add(
                    full ? container.Id : Ids.Shorten(container.Id),
                    image,
                    "\"" + (full ? container.Command : Humanize.Truncate(container.Command, 20)) + "\"",
                    Humanize.Ago(container.Created, session.Now),
                    Status(container, session.Now),
                    container.Name);
            }

            table.WriteTo(session.Out);
            return CliApp.Success;
        }));
        return command;
    }

    /// <summary>The state as <c>docker ps --filter status=</c> names it (Docker 1.9 <c>State.StateString</c>).</summary>
    public static string StateName(ContainerStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>
    /// The STATUS column of <c>docker ps</c> (Docker 1.9 <c>State.String</c>), for a root nothing runs in: a container the
    /// root recorded as running, paused or restarting is shown as recorded ("Running when recorded, started 2018-12-27"),
    /// never as a live "Up 7 years"; exits keep docker's "Exited (0) 3 years ago", which is a fact of the past.
    /// </summary>
    private static string Status(Container container, DateTimeOffset now)
    {
        var state = container.State;
        string Day(RecordedTime time) => time.IsZero ? "at an unrecorded time" : time.Value.ToUniversalTime().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        return state.Status switch
        {
            ContainerStatus.Running => $"Running when recorded, started {Day(state.StartedAt)}",
            ContainerStatus.Paused => $"Paused when recorded, started {Day(state.StartedAt)}",
            ContainerStatus.Restarting => $"Restarting when recorded ({state.ExitCode}), exited {Day(state.FinishedAt)}",
            ContainerStatus.Dead => "Dead",
            ContainerStatus.RemovalInProgress => "Removal In Progress",
            ContainerStatus.Created => "Created",
            _ => state.FinishedAt.IsZero ? string.Empty : $"Exited ({state.ExitCode}) {Humanize.Ago(state.FinishedAt, now)}",
        };
    }
}
