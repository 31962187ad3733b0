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
        var output = new Option<string>("--output", "-o") { Description = "The file to write (for oci-dir: a new or empty directory)", HelpName = "FILE", Required = true };
        var format = new Option<string>("--format")
        {
            Description = "docker-archive (docker load, skopeo docker-archive:), oci (an OCI layout in a tar), or oci-dir (an OCI layout directory)",
            HelpName = "FORMAT",
            DefaultValueFactory = _ => "docker-archive",
        }.OneOf("docker-archive", "oci", "oci-dir");
        var gzip = new Option<bool>("--gzip") { Description = "Gzip the layers: each layer.tar of a docker-archive, each layer blob of the OCI formats (DiffIDs and image IDs do not change)" };
        var layerSource = ArchiveCommandOptions.LayerSourceOption();
        var command = new Command("save", "Save images as a docker-archive or an OCI image layout, layers byte-exact where tar-split data allows")
        {
            references, output, format, gzip, layerSource,
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
                SaveResult result;
                using (var bar = ProgressBar.Create(session, "Saving"))
                {
                    result = new ImageArchiver(root, session.LoggerFactory).Save(session.Value(references)!, session.Value(output)!, saveOptions, bar, token);
                }

                Print(session, result);
                return CliApp.Success;
            }, cancellationToken))));
        return command;
    }

    private static void Print(Session session, SaveResult result)
    {
        var format = result.Format switch { ArchiveFormat.Oci => "oci", ArchiveFormat.OciDirectory => "oci-dir", _ => "docker-archive" };
        if (session.Json)
        {
            JsonOutput.Write(session.Out, w =>
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

        session.Out.WriteLine($"Saved {result.Images.Count} image{(result.Images.Count == 1 ? "" : "s")} ({result.LayerCount} layer{(result.LayerCount == 1 ? "" : "s")}) to {result.Path} ({format}).");
        foreach (var image in result.Images)
        {
            var tags = image.RepoTags.Count == 0 ? "<none>" : string.Join(", ", image.RepoTags);
            var regenerated = image.Layers.Count(l => l.Source == LayerSource.Regenerated);
            var note = regenerated == 0 ? "all layers byte-exact from tar-split" : $"{regenerated} of {image.Layers.Count} layers regenerated";
            session.Out.WriteLine($"{image.ImageId}  {tags}  ({note})");
        }
    }
}
