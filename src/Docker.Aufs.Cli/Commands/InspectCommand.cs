using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Docker.Aufs.Cli.Commands;

/// <summary><c>docker-aufs inspect REF</c>: the image's stored JSON, with Docker's own key names and order.</summary>
internal static class InspectCommand
{
    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var reference = new Argument<string>("REF") { Description = "An image: name[:tag], name@digest, or an ID or unique ID prefix" };
        var command = new Command("inspect", "Show the image configuration as stored (graph/<id>/json; with --json: the stored bytes of its JSON value, verbatim)") { reference };
        command.SetAction(parse => CliApp.Execute(parse, options, environment, session =>
        {
            var root = session.OpenRoot();
            var value = root.ResolveImage(session.Value(reference)!).Config;
            if (session.Json)
            {
                session.Out.WriteLine(System.Text.Encoding.UTF8.GetString(value.Span));
                return CliApp.Success;
            }

            using var document = JsonDocument.Parse(value);
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                document.WriteTo(writer);
            }

            session.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            return CliApp.Success;
        }));
        return command;
    }
}
