using System.CommandLine;
using Docker.Aufs.Cli.Output;
using Docker.Aufs.Union;

namespace Docker.Aufs.Cli.Commands;

/// <summary>
/// <c>docker-aufs layers REF</c>: the ordered layer stack, top first, with each layer's directory; with <c>--changes</c>,
/// the per-layer view (<see cref="LayerChanges"/>): base first, what each layer adds, changes and removes, and the wasted space.
/// </summary>
internal static class LayersCommand
{
    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var reference = new Argument<string>("REF") { Description = "An image: name[:tag], name@digest, or an ID or unique ID prefix" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Show full layer IDs" };
        var changes = new Option<bool>("--changes")
        {
            Description = "Show what each layer does, base layer first: the paths it adds (A), changes (C) and removes (D) with their sizes, and the wasted space (bytes of a layer's files that later layers overwrite or remove)",
        };
        var command = new Command("layers", "Show an image's layer stack, top first, as the storage driver mounts it; with --changes, what each layer adds, changes and removes") { reference, noTrunc, changes };
        command.SetAction(parse => CliApp.Execute(parse, options, environment, session =>
        {
            var root = session.OpenRoot();
            _ = root.OpenImage(session.Value(reference)!); // the stack is shown as the driver merges it: the same check of the driver's chain
            var stack = root.ResolveImage(session.Value(reference)!);
            if (session.Value(changes))
            {
                WriteChanges(session, LayerChanges.Compute(root, stack, session.Environment.Cancellation), session.Value(noTrunc));
                return CliApp.Success;
            }

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

    /// <summary>The per-layer view: a JSON object (layers base first, each with its changes), or a section per layer and a summary line.</summary>
    private static void WriteChanges(Session session, List<LayerChangeSummary> layers, bool full)
    {
        var total = layers.Sum(l => l.AddedBytes + l.ChangedBytes);
        var wasted = layers.Sum(l => l.WastedBytes);
        if (session.Json)
        {
            JsonOutput.Write(session.Out, w =>
            {
                w.WriteStartObject();
                w.WriteNumber("totalBytes", total);
                w.WriteNumber("wastedBytes", wasted);
                w.WriteStartArray("layers");
                foreach (var layer in layers)
                {
                    w.WriteStartObject();
                    w.WriteString("id", layer.Layer.Id);
                    w.WriteString("diffId", layer.Layer.DiffId);
                    w.WriteString("driverLayerId", layer.Layer.DriverLayerId);
                    foreach (var (name, kind, bytes) in new[] { ("added", ChangeKind.Add, layer.AddedBytes), ("changed", ChangeKind.Modify, layer.ChangedBytes), ("removed", ChangeKind.Delete, layer.RemovedBytes) })
                    {
                        w.WriteStartObject(name);
                        w.WriteNumber("paths", layer.Count(kind));
                        w.WriteNumber("bytes", bytes);
                        w.WriteEndObject();
                    }

                    w.WriteNumber("wastedBytes", layer.WastedBytes);
                    w.WriteStartArray("changes");
                    foreach (var change in layer.Changes)
                    {
                        w.WriteStartObject();
                        w.WriteString("kind", new FileChange(change.Kind, change.Path).Letter);
                        w.WriteString("path", change.Path);
                        w.WriteNumber("size", change.Size);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
            return;
        }

        foreach (var layer in layers)
        {
            var id = full ? layer.Layer.Id : Ids.Shorten(layer.Layer.Id);
            session.Out.WriteEscapedLine(
                $"LAYER {layer.Number}/{layers.Count} {id}: added {layer.Count(ChangeKind.Add)} ({Humanize.Size(layer.AddedBytes)}), changed {layer.Count(ChangeKind.Modify)} ({Humanize.Size(layer.ChangedBytes)}), removed {layer.Count(ChangeKind.Delete)} ({Humanize.Size(layer.RemovedBytes)}), wasted by later layers {Humanize.Size(layer.WastedBytes)}");
            if (layer.Changes.Count > 0)
            {
                var table = new TableWriter(minWidth: 10);
                table.Add("CHANGE", "SIZE", "PATH");
                foreach (var change in layer.Changes)
                {
                    table.Add(new FileChange(change.Kind, change.Path).Letter, Humanize.Size(change.Size), change.Path);
                }

                table.WriteTo(session.Out);
            }

            session.Out.WriteLine();
        }

        var share = total == 0 ? 0 : (double)wasted / total * 100;
        session.Out.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{layers.Count} layers, {Humanize.Size(total)} of files, {Humanize.Size(wasted)} wasted ({share:0.#}%): overwritten or removed by later layers"));
    }
}
