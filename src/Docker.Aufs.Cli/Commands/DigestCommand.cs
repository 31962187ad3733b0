using System.CommandLine;
using Docker.Aufs.Cli.Output;

namespace Docker.Aufs.Cli.Commands;

/// <summary><c>docker-aufs digest REF</c>: the image ID, DiffIDs and ChainIDs Docker 1.10+ gives a legacy image.</summary>
internal static class DigestCommand
{
    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var reference = new Argument<string>("REF") { Description = "An image: name[:tag], name@digest, or an ID or unique ID prefix" };
        var layerSource = ArchiveCommandOptions.LayerSourceOption();
        var quiet = ArchiveCommandOptions.QuietOption();
        var command = new Command("digest", "Compute the image ID and each layer's DiffID and ChainID, base layer first: a 1.10+ image keeps its stored config and ID; a graph-era image gets the ID Docker 1.10's migration gave it") { reference, layerSource, quiet };
        command.SetAction((parse, cancellationToken) => Task.FromResult(CliApp.Execute(parse, options, environment, session =>
            ArchiveCommandOptions.Cancellable(session, token =>
            {
                var root = session.OpenRoot();
                Archive.ImageDigests digests;
                using (var bar = ProgressBar.Create(session, "Hashing", quiet))
                {
                    digests = new Archive.ImageArchiver(root, session.LoggerFactory).ComputeDigests(session.Value(reference)!, new Archive.ArchiveOptions { Source = ArchiveCommandOptions.Policy(session.Value(layerSource)) }, bar, token);
                }

                if (session.Json)
                {
                    JsonOutput.Write(session.Out, w =>
                    {
                        w.WriteStartObject();
                        w.WriteString("imageId", digests.ImageId);
                        w.WriteStartArray("layers");
                        foreach (var layer in digests.Layers)
                        {
                            w.WriteStartObject();
                            w.WriteString("id", layer.Id);
                            w.WriteString("diffId", layer.DiffId);
                            w.WriteString("chainId", layer.ChainId);
                            w.WriteNumber("size", layer.Size);
                            w.WriteString("source", ArchiveCommandOptions.Name(layer.Source));
                            w.WriteEndObject();
                        }

                        w.WriteEndArray();
                        w.WriteEndObject();
                    });
                    return CliApp.Success;
                }

                session.Out.WriteEscapedLine($"IMAGE ID   {digests.ImageId}");
                var table = new TableWriter("LAYER ID", "DIFF ID", "SIZE", "SOURCE");
                foreach (var layer in digests.Layers)
                {
                    table.Add(Ids.Shorten(layer.Id), layer.DiffId, Humanize.Size(layer.Size), ArchiveCommandOptions.Name(layer.Source));
                }

                table.WriteTo(session.Out);
                return CliApp.Success;
            }, cancellationToken))));
        return command;
    }
}
