using System.CommandLine;

namespace Docker.Aufs.Cli.Commands;

/// <summary><c>docker-aufs cat REF PATH</c>: a file of the merged view, as raw bytes on standard output.</summary>
internal static class CatCommand
{
    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var reference = ViewReference.Argument();
        var path = new Argument<string>("PATH") { Description = "The file inside the image; symbolic links are followed inside the image, never on the host" };
        var layer = ViewReference.LayerOption();
        var volumes = ViewSource.VolumesOption();
        var command = new Command("cat", "Write a file of an image or container to standard output, byte for byte") { reference, path, layer, volumes };
        command.SetAction(parse => CliApp.Execute(parse, options, environment, session =>
        {
            var at = ViewSource.Open(session, session.OpenRoot(), session.Value(reference)!, session.Value(layer), session.Value(volumes)).Locate(session.Value(path)!);
            using var file = at.View.OpenRead(at.Path);
            // Step by step, so that a signal stops it, and a reader who left (EPIPE) stops it at the first failed write.
            IO.StepCopy.Copy(file, session.Environment.OpenStandardOutput(), session.Environment.Cancellation);
            return CliApp.Success;
        }));
        return command;
    }
}
