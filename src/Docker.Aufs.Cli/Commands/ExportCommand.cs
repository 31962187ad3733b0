using System.CommandLine;
using Docker.Aufs.Archive;
using Docker.Aufs.Cli.Output;

namespace Docker.Aufs.Cli.Commands;

/// <summary><c>docker-aufs export REF -o FILE</c>: the merged file system as one tar, like <c>docker export</c>.</summary>
internal static class ExportCommand
{
    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var reference = ViewReference.Argument();
        var output = new Option<string>("--output", "-o") { Description = "The tar file to write ('-' for standard output)", HelpName = "FILE", Required = true };
        var layer = ViewReference.LayerOption();
        var quiet = ArchiveCommandOptions.QuietOption();
        var command = new Command("export", "Write the merged file system of a container or image as one tar, with modes, owners, times, links and hardlinks") { reference, output, layer, quiet };
        command.SetAction(parse => CliApp.Execute(parse, options, environment, session =>
        {
            var root = session.OpenRoot();
            var view = ViewReference.Open(root, session.Value(reference)!, session.Value(layer));
            var archiver = new ImageArchiver(root, session.LoggerFactory);
            var target = OutputTarget.Resolve(session, session.Value(output)!, root.FileSystem, root.Path);
            var token = session.Environment.Cancellation;
            long entries;
            using var bar = ProgressBar.Create(session, "Exporting", quiet);
            Stream Counted(Stream stream) => bar is null ? stream : new ProgressStream(stream, bar);
            if (target.IsStream)
            {
                using var stream = target.OpenStream();
                entries = archiver.Export(view, Counted(stream), token);
                stream.Flush();
            }
            else
            {
                // Written beside the target and renamed into place only when complete: a failure or a signal leaves nothing.
                using var file = Docker.Aufs.IO.AtomicFile.Create(session.Environment.FileSystem, target.Path!, asynchronous: false, root.FileSystem, root.Path);
                entries = archiver.Export(view, Counted(file.Stream), token);
                file.Commit(token);
            }

            bar?.Dispose(); // cleared before the summary

            if (session.Json)
            {
                JsonOutput.Write(target.SummaryWriter, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("output", target.Path ?? "-");
                    w.WriteNumber("entries", entries);
                    w.WriteEndObject();
                });
            }

            return CliApp.Success;
        }));
        return command;
    }
}
