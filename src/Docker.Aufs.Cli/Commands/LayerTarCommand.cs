using System.CommandLine;
using Docker.Aufs.Archive;
using Docker.Aufs.Cli.Output;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Cli.Commands;

/// <summary><c>docker-aufs layer-tar LAYER-ID -o FILE</c>: one layer's tar, reassembled from tar-split data or regenerated.</summary>
internal static class LayerTarCommand
{
    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var layer = new Argument<string>("LAYER-ID") { Description = "A layer: a full ID, a unique ID prefix, or an image reference (its top layer)" };
        layer.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => !string.IsNullOrWhiteSpace(t.Value) && !t.Value.Any(char.IsControl) && ValueRules.EmptyPart(t.Value) is null))
            {
                if (NotALayerOrImage(token.Value) is { } problem)
                {
                    result.AddError($"{ValueRules.Printable(token.Value)} is neither a layer ID (hexadecimal, or a layer directory's name) nor an image reference ({problem})");
                }
            }
        });
        var output = new Option<string>("--output", "-o") { Description = "The tar file to write ('-' for standard output)", HelpName = "FILE", Required = true };
        var layerSource = ArchiveCommandOptions.LayerSourceOption();
        var quiet = ArchiveCommandOptions.QuietOption();
        var command = new Command("layer-tar", "Write one layer's uncompressed tar and print its DiffID") { layer, output, layerSource, quiet };
        command.SetAction((parse, cancellationToken) => Task.FromResult(CliApp.Execute(parse, options, environment, session =>
            ArchiveCommandOptions.Cancellable(session, token =>
            {
                var root = session.OpenRoot();
                var target = OutputTarget.Resolve(session, session.Value(output)!, root.FileSystem, root.Path);
                var tarOptions = new ArchiveOptions { Source = ArchiveCommandOptions.Policy(session.Value(layerSource)), OutputFileSystem = session.Environment.FileSystem };
                var archiver = new ImageArchiver(root, session.LoggerFactory);
                LayerDigest result;
                using (var bar = ProgressBar.Create(session, "Writing", quiet))
                {
                    result = target.IsStream
                        ? target.ThroughSpool(spool => archiver.ExportLayerTar(session.Value(layer)!, spool, tarOptions, bar, token), token)
                        : archiver.ExportLayerTar(session.Value(layer)!, target.Path!, tarOptions, bar, token);
                }

                var summary = target.SummaryWriter;
                if (session.Json)
                {
                    JsonOutput.Write(summary, w =>
                    {
                        w.WriteStartObject();
                        w.WriteString("id", result.Id);
                        w.WriteString("diffId", result.DiffId);
                        w.WriteNumber("size", result.Size);
                        w.WriteString("source", ArchiveCommandOptions.Name(result.Source));
                        w.WriteString("path", target.Path ?? "-");
                        w.WriteEndObject();
                    });
                }
                else
                {
                    summary.WriteEscapedLine($"Wrote {target.Shown}: {result.Size} bytes, {result.DiffId} ({ArchiveCommandOptions.Name(result.Source)})");
                }

                return CliApp.Success;
            }, cancellationToken))));
        return command;
    }

    /// <summary>
    /// Why <paramref name="value"/> names no layer and no image, by its form alone: it is no hexadecimal ID or prefix (with or
    /// without <c>sha256:</c>), no layer directory's name (an ID with <c>-init</c>), and Docker's reference grammar refuses it;
    /// <see langword="null"/> when it could name one (whether it does is for the root to say).
    /// </summary>
    internal static string? NotALayerOrImage(string value)
    {
        var id = value.StartsWith("sha256:", StringComparison.Ordinal) ? value["sha256:".Length..] : value;
        if (DockerIds.IsLowerHex(id) || DockerIds.IsLayerId(value))
        {
            return null;
        }

        return NamedReference.TryParse(value, out _, out var problem) ? null : problem;
    }
}
