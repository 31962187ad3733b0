using System.CommandLine;
using Docker.Aufs.Archive;
using Docker.Aufs.Cli.Output;

namespace Docker.Aufs.Cli.Commands;

/// <summary><c>docker-aufs layer-tar LAYER-ID -o FILE</c>: one layer's tar, reassembled from tar-split data or regenerated.</summary>
internal static class LayerTarCommand
{
    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var layer = new Argument<string>("LAYER-ID") { Description = "A layer: a full ID, a unique ID prefix, or an image reference (its top layer)" };
        var output = new Option<string>("--output", "-o") { Description = "The tar file to write", HelpName = "FILE", Required = true };
        var layerSource = ArchiveCommandOptions.LayerSourceOption();
        var command = new Command("layer-tar", "Write one layer's uncompressed tar and print its DiffID") { layer, output, layerSource };
        command.SetAction((parse, cancellationToken) => Task.FromResult(CliApp.Execute(parse, options, environment, session =>
            ArchiveCommandOptions.Cancellable(session, token =>
            {
                var root = session.OpenRoot();
                var tarOptions = new ArchiveOptions { Source = ArchiveCommandOptions.Policy(session.Value(layerSource)), OutputFileSystem = session.Environment.FileSystem };
                LayerDigest result;
                using (var bar = ProgressBar.Create(session, "Writing"))
                {
                    result = new ImageArchiver(root, session.LoggerFactory).ExportLayerTar(session.Value(layer)!, session.Value(output)!, tarOptions, bar, token);
                }

                var path = session.Environment.FileSystem.Path.GetFullPath(session.Value(output)!);
                if (session.Json)
                {
                    JsonOutput.Write(session.Out, w =>
                    {
                        w.WriteStartObject();
                        w.WriteString("id", result.Id);
                        w.WriteString("diffId", result.DiffId);
                        w.WriteNumber("size", result.Size);
                        w.WriteString("source", ArchiveCommandOptions.Name(result.Source));
                        w.WriteString("path", path);
                        w.WriteEndObject();
                    });
                }
                else
                {
                    session.Out.WriteEscapedLine($"Wrote {path}: {result.Size} bytes, {result.DiffId} ({ArchiveCommandOptions.Name(result.Source)})");
                }

                return CliApp.Success;
            }, cancellationToken))));
        return command;
    }
}
