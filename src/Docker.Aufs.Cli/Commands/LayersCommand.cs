using System.CommandLine;
using Docker.Aufs.Cli.Output;

namespace Docker.Aufs.Cli.Commands;

/// <summary><c>docker-aufs layers REF</c>: the ordered layer stack, top first, with each layer's AUFS directory.</summary>
internal static class LayersCommand
{
    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var reference = new Argument<string>("REF") { Description = "An image: name[:tag], name@digest, or an ID or unique ID prefix" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Show full layer IDs" };
        var command = new Command("layers", "Show an image's layer stack, top first, as the storage driver mounts it") { reference, noTrunc };
        command.SetAction(parse => CliApp.Execute(parse, options, environment, session =>
        {
            var root = session.OpenRoot();
            _ = root.OpenImage(session.Value(reference)!); // the stack is shown as the driver merges it: the same check of the driver's chain
            var stack = root.ResolveImage(session.Value(reference)!);
            if (session.Json)
            {
                JsonOutput.Write(session.Out, w =>
                {
                    w.WriteStartArray();
                    foreach (var layer in stack.Layers)
                    {
                        w.WriteStartObject();
                        w.WriteString("id", layer.Id);
                        w.WriteString("parent", layer.ParentId);
                        w.WriteString("diffId", layer.DiffId);
                        w.WriteString("driverLayerId", layer.DriverLayerId);
                        w.WriteNullableNumber("size", layer.Size);
                        w.WriteString("diffPath", layer.ContentPath);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
                return CliApp.Success;
            }

            var full = session.Value(noTrunc);
            string Id(string? id) => id is null ? "-" : full ? id : Ids.Shorten(id);
            var contentAddressed = root.Store == ImageStoreKind.ContentAddressed;
            var table = contentAddressed
                ? new TableWriter("CHAIN ID", "DIFF ID", "SIZE", "DIFF PATH")
                : new TableWriter("LAYER ID", "PARENT", "SIZE", "DIFF PATH");
            foreach (var layer in stack.Layers)
            {
                table.Add(Id(layer.Id), contentAddressed ? Id(layer.DiffId) : Id(layer.ParentId), Humanize.Size(layer.Size), layer.ContentPath ?? "-");
            }

            table.WriteTo(session.Out);
            return CliApp.Success;
        }));
        return command;
    }
}
