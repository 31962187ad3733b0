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

    /// <summary>The fields of a container row for <c>--format</c>, as docker/cli's <c>ContainerContext</c> names them (those an offline root records).</summary>
    private static readonly string[] Fields = ["ID", "Image", "Command", "CreatedAt", "RunningFor", "Status", "State", "Names", "Labels", "Mounts"];

    private static readonly Dictionary<string, string> Headers = new(StringComparer.Ordinal)
    {
        ["ID"] = "CONTAINER ID", ["Image"] = "IMAGE", ["Command"] = "COMMAND", ["CreatedAt"] = "CREATED AT", ["RunningFor"] = "CREATED",
        ["Status"] = "STATUS", ["State"] = "STATE", ["Names"] = "NAMES", ["Labels"] = "LABELS", ["Mounts"] = "MOUNTS",
    };

    /// <summary>The states <c>status=</c> accepts (moby <c>container.IsValidStateString</c>).</summary>
    private static readonly string[] States = ["created", "restarting", "running", "removing", "paused", "exited", "dead"];

    /// <summary>The filters of <c>docker ps</c> (moby v18.09 <c>daemon/list.go</c> <c>acceptedPsFilterTags</c>) that an offline root can answer.</summary>
    private static readonly Dictionary<string, Func<string, string?>> FilterKeys = new(StringComparer.Ordinal)
    {
        ["id"] = ListFilters.Regex,
        ["name"] = ListFilters.Regex,
        ["status"] = ListFilters.OneOf(States),
        ["exited"] = ListFilters.Integer,
        ["ancestor"] = ListFilters.NotEmpty,
        ["label"] = ListFilters.NotEmpty,
        ["before"] = ListFilters.NotEmpty,
        ["since"] = ListFilters.NotEmpty,
    };

    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var all = new Option<bool>("--all", "-a") { Description = "Show all containers (what containers always shows; ps without it shows only those recorded as running)" };
        var listing = new ListingOptions(
            "container",
            Fields,
            "{{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Names}}",
            FilterKeys,
            "status=STATE, name=REGEXP, id=REGEXP, ancestor=IMAGE, label=KEY[=VALUE], before=CONTAINER, since=CONTAINER, exited=CODE");
        var command = new Command("containers", "List the containers of the root's storage driver, newest first: all of them, as docker ps -a does; as ps, only those the root recorded as running (nothing runs in an offline root), unless -a or a status filter") { all };
        listing.AddTo(command, options);
        command.Aliases.Add(PsAlias);
        command.SetAction(parse => CliApp.Execute(parse, options, environment, session =>
        {
            var filters = listing.Filters(session);
            var runningOnly = parse.CommandResult.IdentifierToken.Value == PsAlias && !session.Value(all) && !filters.Has("status"); // a status filter implies -a, as in Docker's daemon
            var root = session.OpenRoot();
            var containers = Filter(root, root.GetContainers().Where(c => !runningOnly || c.State.Running || c.State.Paused).ToList(), filters);
            var full = session.Value(listing.NoTrunc);
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
                        w.WriteString("command", container.Command);
                        w.WriteString("state", StateName(container.State.Status));
                        w.WriteString("created", Humanize.Timestamp(container.Created));
                        w.WriteString("startedAt", container.State.StartedAt.IsZero ? null : container.State.StartedAt.Text);
                        w.WriteString("finishedAt", container.State.FinishedAt.IsZero ? null : container.State.FinishedAt.Text);
                        w.WriteNumber("exitCode", container.State.ExitCode);
                        w.WriteString("driver", container.Driver);
                        w.WriteStartArray("mounts");
                        foreach (var mount in container.Mounts)
                        {
                            w.WriteStartObject();
                            w.WriteString("type", ContainerMounts.KindName(mount.Kind));
                            w.WriteString("destination", mount.Destination);
                            w.WriteString("source", mount.Source);
                            w.WriteString("name", mount.Name.Length == 0 ? null : mount.Name);
                            w.WriteString("driver", mount.Driver.Length == 0 ? null : mount.Driver);
                            w.WriteBoolean("rw", mount.ReadWrite);
                            w.WriteEndObject();
                        }

                        w.WriteEndArray();
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
                return CliApp.Success;
            }

            if (session.Value(listing.Quiet))
            {
                foreach (var container in containers)
                {
                    session.Out.WriteLine(TerminalText.Escape(full ? container.Id : Ids.Shorten(container.Id)));
                }

                return CliApp.Success;
            }

            if (listing.Template(session) is { } template)
            {
                template.Write(session.Out, Fields, field => Headers[field], containers.Select(c => (Func<string, string>)(field => Field(field, c, full, session.Now))));
                return CliApp.Success;
            }

            var table = new TableWriter("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "NAMES");
            foreach (var container in containers)
            {
                table.Add(Fields.Where(f => f is "ID" or "Image" or "Command" or "RunningFor" or "Status" or "Names").Select(f => Field(f, container, full, session.Now)).ToArray());
            }

            table.WriteTo(session.Out);
            return CliApp.Success;
        }));
        return command;
    }

    /// <summary>One field of a row: what docker ps shows in that column (STATUS as recorded, see <see cref="Status"/>).</summary>
    private static string Field(string field, Container container, bool full, DateTimeOffset now) => field switch
    {
        "ID" => full ? container.Id : Ids.Shorten(container.Id),
        "Image" => !full && Ids.IsFullId(container.Image) ? Ids.Shorten(container.Image) : container.Image,
        "Command" => "\"" + (full ? container.Command : Humanize.Truncate(container.Command, 20)) + "\"",
        "CreatedAt" => Humanize.GoTime(container.Created),
        "RunningFor" => Humanize.Ago(container.Created, now),
        "Status" => Status(container, now),
        "State" => StateName(container.State.Status),
        "Names" => container.Name,
        "Labels" => string.Join(',', RecordedConfig.ContainerLabels(container).OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")),
        _ => string.Join(',', container.Mounts.Select(m => m.Name.Length > 0 ? m.Name : m.Source).Select(n => full ? n : Humanize.Truncate(n, 15))),
    };

    /// <summary>
    /// The containers the filters keep (moby v18.09 <c>daemon/list.go</c>): <c>id</c> and <c>name</c> as regular expressions
    /// (a name is matched with its leading slash, <c>/redis-cache</c>); <c>status</c> and <c>exited</c> any of their values;
    /// <c>ancestor</c> containers of the image or of an image built on it; <c>label</c> every label given; <c>before</c> and
    /// <c>since</c> the containers created before or after the one named, in the listing's order (the last one given counts).
    /// </summary>
    private static List<Container> Filter(IDockerRoot root, List<Container> containers, ListFilters filters)
    {
        var before = filters.Last("before") is { } b ? root.ResolveContainer(b).Id : null;
        var since = filters.Last("since") is { } s ? root.ResolveContainer(s).Id : null;
        var ancestors = filters.Values("ancestor").Select(a => root.ResolveImage(a).Id).ToHashSet(StringComparer.Ordinal);
        var parents = ancestors.Count == 0 ? null : new Dictionary<string, string?>(StringComparer.Ordinal);
        var kept = new List<Container>();
        var passedBefore = before is null;
        foreach (var container in containers) // newest first
        {
            if (container.Id == since)
            {
                break;
            }

            if (!passedBefore)
            {
                passedBefore = container.Id == before;
                continue;
            }

            if (!filters.Match("id", container.Id) || !filters.Match("name", "/" + container.Name) || !filters.Match("status", StateName(container.State.Status)))
            {
                continue;
            }

            if (filters.Has("exited") && (container.State.Running || container.State.StartedAt.IsZero
                || !filters.Values("exited").Any(code => int.Parse(code, System.Globalization.CultureInfo.InvariantCulture) == container.State.ExitCode)))
            {
                continue;
            }

            if (parents is not null && !HasAncestor(root, container.ImageId, ancestors, parents))
            {
                continue;
            }

            if (filters.Has("label") && !filters.MatchLabels(RecordedConfig.ContainerLabels(container)))
            {
                continue;
            }

            kept.Add(container);
        }

        return kept;
    }

    /// <summary>
    /// Whether <paramref name="image"/> or an image below it (its parent, the parent's parent…) is one of
    /// <paramref name="ancestors"/>; <paramref name="parents"/> keeps each image's parent once read (an image the root no
    /// longer holds has none).
    /// </summary>
    private static bool HasAncestor(IDockerRoot root, string image, HashSet<string> ancestors, Dictionary<string, string?> parents)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (string? current = image; current is not null && seen.Add(current); current = Parent(current))
        {
            if (ancestors.Contains(current))
            {
                return true;
            }
        }

        return false;

        string? Parent(string id)
        {
            if (!parents.TryGetValue(id, out var parent))
            {
                try
                {
                    parent = root.ResolveImage(id).ParentId;
                }
                catch (ImageNotFoundException)
                {
                    parent = null;
                }

                parents[id] = parent;
            }

            return parent;
        }
    }

    /// <summary>The state as <c>docker ps --filter status=</c> names it (moby <c>State.StateString</c>: <c>removing</c> for a removal in progress).</summary>
    public static string StateName(ContainerStatus status) => status == ContainerStatus.RemovalInProgress ? "removing" : status.ToString().ToLowerInvariant();

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
