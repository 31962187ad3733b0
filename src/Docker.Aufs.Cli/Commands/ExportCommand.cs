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
        var command = new Command("export", "Write the merged file system of a container or image as one tar, with modes, owners, times, links and hardlinks") { reference, output, layer };
        command.SetAction(parse => CliApp.Execute(parse, options, environment, session =>
        {
            var root = session.OpenRoot();
            var view = ViewReference.Open(root, session.Value(reference)!, session.Value(layer));
            var archiver = new ImageArchiver(root, session.LoggerFactory);
            var target = session.Value(output)!;
            if (target == "-")
            {
                var stdout = session.Environment.OpenStandardOutput();
                archiver.Export(view, stdout);
                stdout.Flush();
                return CliApp.Success;
            }

            var fs = session.Environment.FileSystem;
            var file = fs.Path.GetFullPath(target);
            var dockerRoot = root.Path;
            if (root.FileSystem == fs && file.StartsWith(fs.Path.TrimEndingDirectorySeparator(dockerRoot) + "/", StringComparison.Ordinal))
            {
                throw new IOException($"refusing to write {file}: it is inside the Docker root {dockerRoot}, which is only ever read");
            }

            long entries;
            using (var stream = fs.FileStream.New(file, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                entries = archiver.Export(view, stream);
            }

            if (session.Json)
            {
                JsonOutput.Write(session.Out, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("output", file);
                    w.WriteNumber("entries", entries);
                    w.WriteEndObject();
                });
            }

            return CliApp.Success;
        }));
        return command;
    }
}
