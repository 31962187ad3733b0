using System.CommandLine;
using Docker.Aufs.Archive;
using Docker.Aufs.Cli.Output;

namespace Docker.Aufs.Cli.Commands;

/// <summary><c>docker-aufs import ARCHIVE --into DIR</c>: a <c>docker save</c> archive as a new root of either era.</summary>
internal static class ImportCommand
{
    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var archive = new Argument<string>("ARCHIVE") { Description = "A docker save archive: pre-1.10 (no manifest.json) or with manifest.json; uncompressed or gzip; a file, a fifo, or - for standard input" };
        var into = new Option<string>("--into") { Description = "The root to create: a new or empty directory", HelpName = "DIR", Required = true };
        var dialect = new Option<string>("--tar-split")
        {
            Description = "The tar-split dialect of the layers' tar-split files: v0.9.10 (Docker 1.9 and later, default), v0.9.6 (1.8.2-1.8.3) or v0.9.4 (1.8.0-1.8.1)",
            HelpName = "VERSION",
            DefaultValueFactory = _ => "v0.9.10",
        }.OneOf("v0.9.4", "v0.9.6", "v0.9.10");
        var quiet = ArchiveCommandOptions.QuietOption();
        var command = new Command("import", "Import a docker save archive into a new AUFS root: graph/ as Docker 1.9 loaded it, or with --store content-addressed image/aufs/ as docker load of 1.10-23.x writes it (image IDs kept)") { archive, into, dialect, quiet };
        command.Validators.Add(result =>
        {
            // The archive's layers are written as AUFS writes them (aufs/diff, aufs/layers); a root of another driver
            // would need its own layer form (overlay's root/ trees, overlay2's whiteout devices and lower files), which
            // import does not write. Never a silently ignored --driver.
            if (result.GetValue(options.Driver) is { } driver && driver != "aufs")
            {
                result.AddError($"--driver {driver}: import writes AUFS roots only (aufs/diff and aufs/layers); read the new root with any command, or omit --driver");
            }
        });
        command.SetAction((parse, cancellationToken) => Task.FromResult(CliApp.Execute(parse, options, environment, session =>
            ArchiveCommandOptions.Cancellable(session, token =>
            {
                using var bar = ProgressBar.Create(session, "Importing", quiet);
                var (rootFileSystem, rootPath) = session.ProtectedRoot();
                var importOptions = new ImportOptions
                {
                    ProtectedRoot = rootFileSystem is null || rootPath is null ? null : (rootFileSystem, rootPath),
                    Progress = bar,
                    TarSplitDialect = session.Value(dialect) switch { "v0.9.4" => TarSplitDialect.Version094, "v0.9.6" => TarSplitDialect.Version096, _ => TarSplitDialect.Version0910 },
                    Store = session.Value(options.Store) ?? ImageStoreKind.Graph,
                };
                Docker.Aufs.IO.OutputGuard.CheckDirectory(session.Environment.FileSystem, session.Value(into)!, rootFileSystem, rootPath);
                var result = session.Value(archive) == "-"
                    ? ImageImporter.ImportStream(session.Environment.FileSystem, session.Environment.OpenStandardInput(), "standard input", session.Value(into)!, importOptions, token)
                    : ImageImporter.Import(session.Environment.FileSystem, session.Value(archive)!, session.Value(into)!, importOptions, token);
                bar?.Dispose(); // cleared before the summary
                var layerCount = result.LayerCount;
                if (session.Json)
                {
                    JsonOutput.Write(session.Out, w =>
                    {
                        w.WriteStartObject();
                        w.WriteString("root", result.Path);
                        w.WriteBoolean("manifest", result.HadManifest);
                        w.WriteNumber("layers", layerCount);
                        w.WriteStartArray("images");
                        foreach (var image in result.Images)
                        {
                            w.WriteStartObject();
                            w.WriteString("id", image.Id);
                            w.WriteStartArray("repoTags");
                            foreach (var tag in image.RepoTags)
                            {
                                w.WriteStringValue(tag);
                            }

                            w.WriteEndArray();
                            w.WriteEndObject();
                        }

                        w.WriteEndArray();
                        w.WriteEndObject();
                    });
                    return CliApp.Success;
                }

                session.Out.WriteEscapedLine($"Imported {result.Images.Count} image{(result.Images.Count == 1 ? "" : "s")} ({layerCount} layers) into {result.Path}.");
                foreach (var image in result.Images)
                {
                    session.Out.WriteEscapedLine($"{Ids.Shorten(image.Id)}  {(image.RepoTags.Count == 0 ? "<none>" : string.Join(", ", image.RepoTags))}");
                }

                session.Out.WriteEscapedLine($"Try: docker-aufs --root {result.Path} images");
                return CliApp.Success;
            }, cancellationToken))));
        return command;
    }
}
