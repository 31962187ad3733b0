using System.CommandLine;
using Docker.Aufs.Cli.Output;

namespace Docker.Aufs.Cli.Commands;

/// <summary><c>docker-aufs history REF</c>: like <c>docker history</c>.</summary>
internal static class HistoryCommand
{
    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var reference = new Argument<string>("REF") { Description = "An image: name[:tag], name@digest, or an ID or unique ID prefix" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Don't truncate IDs and commands" };
        var command = new Command("history", "Show the history of an image, top layer first") { reference, noTrunc };
        command.SetAction(parse => CliApp.Execute(parse, options, environment, session =>
        {
            var history = session.OpenRoot().ResolveImage(session.Value(reference)!).History;
            if (session.Json)
            {
                JsonOutput.Write(session.Out, w =>
                {
                    w.WriteStartArray();
                    foreach (var entry in history)
                    {
                        w.WriteStartObject();
                        w.WriteString("id", entry.Id);
                        w.WriteString("created", Humanize.Timestamp(entry.Created));
                        w.WriteString("createdBy", entry.CreatedBy);
                        w.WriteNullableNumber("size", entry.Size);
                        w.WriteString("comment", entry.Comment);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
                return CliApp.Success;
            }

            var full = session.Value(noTrunc);
            var table = new TableWriter("IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT");
            foreach (var entry in history)
            {
                var createdBy = entry.CreatedBy.Replace('\t', ' ').Replace('\n', ' ');
                table.Add(
                    entry.Id is not { } id ? "<missing>" : full ? id : Ids.Shorten(id),
                    Humanize.Ago(entry.Created, session.Now),
                    full ? createdBy : Humanize.Truncate(createdBy, 45),
                    Humanize.Size(entry.Size),
                    entry.Comment);
            }

            table.WriteTo(session.Out);
            return CliApp.Success;
        }));
        return command;
    }
}
