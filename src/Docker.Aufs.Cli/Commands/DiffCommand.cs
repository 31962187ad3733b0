using System.CommandLine;
using Docker.Aufs.Cli.Output;

namespace Docker.Aufs.Cli.Commands;

/// <summary><c>docker-aufs diff CONTAINER</c>: like <c>docker diff</c>.</summary>
internal static class DiffCommand
{
    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var container = new Argument<string>("CONTAINER") { Description = "A container: ID, name or unique ID prefix" };
        var command = new Command("diff", "Show what a container changed against its image (A added, C changed, D deleted), as docker diff does") { container };
        command.SetAction(parse => CliApp.Execute(parse, options, environment, session =>
        {
            var changes = session.OpenRoot().OpenContainer(session.Value(container)!).GetChanges();
            if (session.Json)
            {
                JsonOutput.Write(session.Out, w =>
                {
                    w.WriteStartArray();
                    foreach (var change in changes)
                    {
                        w.WriteStartObject();
                        w.WriteString("kind", change.Letter);
                        w.WriteString("path", change.Path);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
                return CliApp.Success;
            }

            foreach (var change in changes)
            {
                session.Out.WriteEscapedLine($"{change.Letter} {change.Path}");
            }

            return CliApp.Success;
        }));
        return command;
    }
}
