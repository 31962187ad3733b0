using Docker.Aufs.Union;

namespace Docker.Aufs.Cli.Commands;

/// <summary>One path a layer adds, changes or removes, and the bytes it holds there (removed: the bytes it hid, its content included).</summary>
internal sealed record LayerPathChange(ChangeKind Kind, string Path, long Size);

/// <summary>What one layer does to the image below it: its changes, their sizes, and the bytes of its own files that later layers overwrite or remove.</summary>
internal sealed class LayerChangeSummary(ImageLayer layer, int number)
{
    public ImageLayer Layer { get; } = layer;

    /// <summary>Gets the layer's place, 1 for the base layer.</summary>
    public int Number { get; } = number;

    public List<LayerPathChange> Changes { get; } = [];

    public long AddedBytes => Changes.Where(c => c.Kind == ChangeKind.Add).Sum(c => c.Size);

    public long ChangedBytes => Changes.Where(c => c.Kind == ChangeKind.Modify).Sum(c => c.Size);

    public long RemovedBytes => Changes.Where(c => c.Kind == ChangeKind.Delete).Sum(c => c.Size);

    public int Count(ChangeKind kind) => Changes.Count(c => c.Kind == kind);

    /// <summary>Gets or sets the bytes of this layer's files that later layers overwrite or remove (dive's wasted space, per layer).</summary>
    public long WastedBytes { get; set; }
}

/// <summary>
/// The per-layer view of an image, like dive's for a legacy root: for each layer, base first, the paths it adds (A),
/// changes (C) and removes (D) — <see cref="UnionView.GetChanges"/> of the layer against the layers below it, as
/// <c>docker diff</c> reports a container — with their sizes, and the wasted space: bytes of a layer's files that a later
/// layer overwrites or removes, so that they are still shipped but never seen.
/// </summary>
/// <remarks>
/// A hardlink to a file the same layer counted already has no bytes of its own, as in the layer's tar (busybox's hundreds
/// of names for one binary count once). One pass over the layers: each layer's changes are read once (linear in the layer), and a running map of the files
/// visible so far — path → size and the layer that wrote it — answers what a change overwrites or removes; a removed
/// directory takes its subtree out of the map through one ordered range, never a walk of every path per layer.
/// </remarks>
internal static class LayerChanges
{
    /// <exception cref="NotSupportedException">The root's driver is vfs, whose layers are whole copies that do not name their parent.</exception>
    public static List<LayerChangeSummary> Compute(IDockerRoot root, Image image, CancellationToken cancellationToken)
    {
        if (root.Driver == "vfs")
        {
            // A vfs layer is a whole copy and its directory does not say which layer it was copied from, so a layer's view
            // has nothing below it to compare with: every path would read as added.
            throw new NotSupportedException("layers --changes reads each layer against the layers below it, which vfs does not record beside the layer (its layers are whole copies): not supported on vfs");
        }

        var summaries = new List<LayerChangeSummary>();
        var visible = new Dictionary<string, (long Size, LayerChangeSummary Owner)>(StringComparer.Ordinal);
        var ordered = new SortedSet<string>(StringComparer.Ordinal);
        var bottomFirst = image.Layers.Reverse().ToList();
        for (var i = 0; i < bottomFirst.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var summary = new LayerChangeSummary(bottomFirst[i], i + 1);
            summaries.Add(summary);
            var view = root.OpenLayer(bottomFirst[i].DriverLayerId);
            var counted = new HashSet<FileIdentity>(); // hardlinked files of this layer whose bytes are counted already
            foreach (var change in view.GetChanges())
            {
                if (change.Kind == ChangeKind.Delete)
                {
                    summary.Changes.Add(new LayerPathChange(ChangeKind.Delete, change.Path, Remove(change.Path)));
                    continue;
                }

                var entry = view.GetEntry(change.Path);
                // A hardlink to a file this layer counted already ships as a link in the layer's tar: no bytes of its own.
                var size = entry.IsDirectory || (entry.Type == Docker.Aufs.IO.UnixFileType.RegularFile && entry.LinkCount > 1 && !counted.Add(entry.Identity)) ? 0 : entry.Size;
                if (!entry.IsDirectory)
                {
                    Remove(change.Path); // what this file hides below: an older file, or a directory and its content
                    visible[change.Path] = (size, summary);
                    ordered.Add(change.Path);
                }
                else if (visible.ContainsKey(change.Path))
                {
                    Remove(change.Path); // a file below became a directory
                }

                summary.Changes.Add(new LayerPathChange(change.Kind, change.Path, size));
            }
        }

        return summaries;

        // Takes a path (and everything below it) out of the visible files, charging each file's bytes to the layer that wrote it.
        long Remove(string path)
        {
            var removed = 0L;
            var hidden = ordered.GetViewBetween(path + "/", path + "0").ToList(); // '0' follows '/': exactly the paths below
            if (visible.ContainsKey(path))
            {
                hidden.Add(path);
            }

            foreach (var gone in hidden)
            {
                var (size, owner) = visible[gone];
                owner.WastedBytes += size;
                removed += size;
                visible.Remove(gone);
                ordered.Remove(gone);
            }

            return removed;
        }
    }
}
