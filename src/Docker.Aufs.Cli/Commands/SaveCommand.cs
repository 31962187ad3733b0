using System.CommandLine;
using Docker.Aufs.Archive;
using Docker.Aufs.Cli.Output;

namespace Docker.Aufs.Cli.Commands;

/// <summary><c>docker-aufs save REF… -o FILE</c>: images as a docker-archive or an OCI layout that current tools load.</summary>
internal static class SaveCommand
{
    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var references = new Argument<string[]>("REF")
        {
            Description = "Images: name (every tag of it), name:tag, name@digest, or an ID or unique ID prefix",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--output", "-o") { Description = "The file to write, '-' for standard output (for oci-dir: a new or empty directory)", HelpName = "FILE", Required = true };
        var format = new Option<string>("--format")
        {
            Description = "docker-archive (docker load, skopeo docker-archive:), oci (an OCI layout in a tar), or oci-dir (an OCI layout directory)",
            HelpName = "FORMAT",
            DefaultValueFactory = _ => "docker-archive",
        }.OneOf("docker-archive", "oci", "oci-dir");
        var gzip = new Option<bool>("--gzip") { Description = "Gzip the layers: each layer.tar of a docker-archive, each layer blob of the OCI formats (DiffIDs and image IDs do not change)" };
        var layerSource = ArchiveCommandOptions.LayerSourceOption();
        var quiet = ArchiveCommandOptions.QuietOption();
        var command = new Command("save", "Save images as a docker-archive or an OCI image layout, layers byte-exact where tar-split data allows")
        {
            references, output, format, gzip, layerSource, quiet,
        };
        command.SetAction((parse, cancellationToken) => Task.FromResult(CliApp.Execute(parse, options, environment, session =>
            ArchiveCommandOptions.Cancellable(session, token =>
            {
                var root = session.OpenRoot();
                var saveOptions = new ArchiveOptions
                {
                    Format = session.Value(format) switch { "oci" => ArchiveFormat.Oci, "oci-dir" => ArchiveFormat.OciDirectory, _ => ArchiveFormat.DockerArchive },
                    Gzip = session.Value(gzip),
                    Source = ArchiveCommandOptions.Policy(session.Value(layerSource)),
                    OutputFileSystem = session.Environment.FileSystem,
                };
                var archiver = new ImageArchiver(root, session.LoggerFactory);
                var value = session.Value(output)!;
                if (saveOptions.Format == ArchiveFormat.OciDirectory && value == "-")
                {
                    throw new IOException("--format oci-dir writes a directory, not a stream: give -o DIR, or --format oci for an OCI archive on standard output");
                }

                // oci-dir is a directory: the library checks it (not in the root, not a link, new or empty).
                var target = saveOptions.Format == ArchiveFormat.OciDirectory ? null : OutputTarget.Resolve(session, value, root.FileSystem, root.Path);
                SaveResult result;
                using (var bar = ProgressBar.Create(session, "Saving", quiet))
                {
                    result = target is { IsStream: true }
                        ? target.ThroughSpool(spool => archiver.Save(session.Value(references)!, spool, saveOptions, bar, token), token) with { Path = target.Path ?? "-" }
                        : archiver.Save(session.Value(references)!, target?.Path ?? value, saveOptions, bar, token);
                }

                Print(session, target?.SummaryWriter ?? session.Out, result);
                return CliApp.Success;
            }, cancellationToken))));
        return command;
    }

    private static void Print(Session session, TextWriter summary, SaveResult result)
    {
        var format = result.Format switch { ArchiveFormat.Oci => "oci", ArchiveFormat.OciDirectory => "oci-dir", _ => "docker-archive" };
        if (session.Json)
        {
            JsonOutput.Write(summary, w =>
            {
                w.WriteStartObject();
                w.WriteString("path", result.Path);
                w.WriteString("format", format);
                w.WriteNumber("layers", result.LayerCount);
                w.WriteStartArray("images");
                foreach (var image in result.Images)
                {
                    w.WriteStartObject();
                    w.WriteString("imageId", image.ImageId);
                    w.WriteString("legacyId", image.SourceId);
                    w.WriteStartArray("repoTags");
                    foreach (var tag in image.RepoTags)
                    {
                        w.WriteStringValue(tag);
                    }

                    w.WriteEndArray();
                    if (image.ManifestDigest is { } manifest)
                    {
                        w.WriteString("manifestDigest", manifest);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
            return;
        }

        var path = result.Path == "-" ? "standard output" : result.Path;
        summary.WriteEscapedLine($"Saved {result.Images.Count} image{(result.Images.Count == 1 ? "" : "s")} ({result.LayerCount} layer{(result.LayerCount == 1 ? "" : "s")}) to {path} ({format}).");
        foreach (var image in result.Images)
        {
            var tags = image.RepoTags.Count == 0 ? "<none>" : string.Join(", ", image.RepoTags);
            var regenerated = image.Layers.Count(l => l.Source == LayerSource.Regenerated);
            var note = regenerated == 0 ? "all layers byte-exact from tar-split" : $"{regenerated} of {image.Layers.Count} layers regenerated";
            summary.WriteEscapedLine($"{image.ImageId}  {tags}  ({note})");
        }
    }
}
