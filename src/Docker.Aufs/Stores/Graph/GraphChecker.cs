using System.IO.Abstractions;
using Docker.Aufs.Drivers;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;

namespace Docker.Aufs.Stores.Graph;

/// <summary>
/// The checks of a graph-era root (docs/format/graph-era.md §11): <c>graph/</c>, its chains, the tag store and the
/// containers, and, through the driver seam, what the driver records of each layer. Reads everything, writes nothing.
/// </summary>
internal sealed class GraphChecker(GraphStore store, FindingSink sink)
{
    private readonly LayerDriver _driver = store.Driver;
    private readonly IFileSystem _fs = store.FileSystem;
    private readonly List<ImageLayer> _toVerify = [];
    private readonly Dictionary<string, GraphLayer> _layers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _containerIds = new(StringComparer.Ordinal);

    /// <summary>Where each driver layer's files are (<see langword="null"/> when its diff directory is an unsafe link or missing).</summary>
    private readonly Dictionary<string, string?> _diffs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unsafeDiffs = new(StringComparer.Ordinal);

    /// <summary>The number of ancestors of each layer whose chain ends at a base; -1 for a chain that loops or misses a parent.</summary>
    private readonly Dictionary<string, int> _chainDepth = new(StringComparer.Ordinal);

    /// <summary>Runs every check; returns the layers whose files can be verified against their tar-split data.</summary>
    public IReadOnlyList<ImageLayer> Run()
    {
        CheckTopLevel();
        ReadGraph();
        ReadContainerIds();
        CheckChains();
        CheckDriver();
        CheckRepositories();
        CheckTarSplit();
        CheckContainers();
        _driver.CheckOwnFiles(sink);
        return _toVerify;
    }

    private string Combine(params string[] parts) => _fs.Path.Combine([store.Context.Root, .. parts]);

    private void Add(string code, FindingSeverity severity, string path, string message, string hint) => sink.Add(code, severity, path, message, hint);

    private bool IsLink(string path) => sink.IsLink(path);

    private bool IsUnsafeLink(string path) => sink.IsUnsafeLink(path);

    private void AddUnsafeLink(string path, string target) => sink.AddUnsafeLink(path, target);

    private static string ProblemOf(DockerDataException e) => FindingSink.ProblemOf(e);

    private void CheckTopLevel()
    {
        foreach (var entry in new[] { "image", ".migration-v1-images.json", ".migration-v1-tags" })
        {
            var path = Combine(entry);
            if (_fs.Directory.Exists(path) || _fs.File.Exists(path))
            {
                Add(FindingCodes.MigratedRoot, FindingSeverity.Info, path,
                    "Docker 1.10 or later ran on this root and migrated it; graph/ is no longer what that Docker reads",
                    "images changed after the migration are only in image/, which this tool does not read");
                break;
            }
        }

        foreach (var file in _fs.Directory.EnumerateFiles(store.Context.Root, "repositories-*.corrupt"))
        {
            Add(FindingCodes.RepositoriesCorruptCopy, FindingSeverity.Info, file,
                "a tag store Docker found corrupt and set aside", "its tags may be recoverable by hand; the active tag store replaced it");
        }
    }

    private void ReadGraph()
    {
        var graph = Combine(LegacyLayout.GraphDirectory);
        foreach (var entry in _fs.Directory.EnumerateFileSystemEntries(graph).Order(StringComparer.Ordinal))
        {
            var name = _fs.Path.GetFileName(entry);
            if (name == GraphFiles.TempDirectory && _fs.Directory.Exists(entry))
            {
                if (IsUnsafeLink(entry))
                {
                    continue;
                }

                foreach (var leftover in _fs.Directory.EnumerateFileSystemEntries(entry).Order(StringComparer.Ordinal))
                {
                    Add(FindingCodes.LeftoverTemp, FindingSeverity.Info, leftover,
                        "a staging directory left by an interrupted pull, load or removal", "safe to ignore; Docker deletes it on its next start");
                }

                continue;
            }

            if (name.EndsWith("-removing", StringComparison.Ordinal))
            {
                Add(FindingCodes.LeftoverRemoving, FindingSeverity.Info, entry,
                    "left by an interrupted removal", "safe to ignore: the image was being deleted");
                continue;
            }

            if (!DockerIds.IsId(name) || !_fs.Directory.Exists(entry))
            {
                Add(FindingCodes.UnexpectedGraphEntry, FindingSeverity.Warning, entry,
                    "not an image directory (only 64-hex directory names are images)", "Docker ignores it; check whether something else wrote here");
                continue;
            }

            try
            {
                var layer = store.ReadLayer(name);
                _layers[name] = layer;
                CheckLayerSize(layer);
            }
            catch (UnsafePathException e) when (IsLink(e.Path))
            {
                AddUnsafeLink(e.Path, e.UnsafeValue);
            }
            catch (DockerDataException e)
            {
                var jsonId = JsonIdOf(e.Path);
                var mismatch = !string.IsNullOrEmpty(jsonId) && jsonId != name;
                Add(mismatch ? FindingCodes.JsonIdMismatch : FindingCodes.JsonCorrupt, FindingSeverity.Error, e.Path,
                    mismatch ? $"the JSON names the image {DockerIds.Printable(jsonId!)}, not the directory's {name}" : ProblemOf(e),
                    "Docker skips this image; its layer files may still be rescued with --layer");
            }
        }
    }

    private string? JsonIdOf(string jsonPath)
    {
        try
        {
            return GoJson.Deserialize(SmallFile.Read(_fs, jsonPath, SmallFile.JsonLimit), DockerJsonContext.Default.ImageJson, jsonPath)?.Id;
        }
        catch (Exception e) when (e is DockerDataException or IOException)
        {
            return null;
        }
    }

    private void CheckLayerSize(GraphLayer layer)
    {
        var path = _fs.Path.Combine(layer.Directory, GraphFiles.LayerSize);
        switch (layer.SizeStatus)
        {
            case LayerSizeStatus.Missing:
                Add(FindingCodes.LayerSizeMissing, FindingSeverity.Info, path, "no layersize file: the size is unknown",
                    "Docker recomputes it from the diff directory on first use");
                return;
            case LayerSizeStatus.Malformed:
                Add(FindingCodes.LayerSizeMalformed, FindingSeverity.Warning, path, "not a decimal number: the size is unknown",
                    "Docker 1.9 cannot load this image; the layer's files are unaffected");
                return;
        }

        if (_driver.Exists(layer.Id) && DiffDirectory(layer.Id) is { } diff && DiffSize(diff) is var actual && actual != layer.Size)
        {
            Add(FindingCodes.LayerSizeMismatch, FindingSeverity.Warning, path,
                $"says {layer.Size} bytes, but the diff directory holds {actual}",
                "the layer's files changed after it was registered, or the size was edited");
        }
    }

    // Docker's directory.Size: the lstat sizes of non-directory entries, each inode once. Never follows links.
    private long DiffSize(string directory)
    {
        long total = 0;
        var seen = new HashSet<(ulong, ulong)>();
        var pending = new Stack<string>();
        pending.Push(directory);
        while (pending.TryPop(out var current))
        {
            foreach (var entry in _fs.Directory.EnumerateFileSystemEntries(current))
            {
                if (!sink.Metadata.TryGetStatus(entry, out var status))
                {
                    continue;
                }

                if (status.Type == UnixFileType.Directory)
                {
                    pending.Push(entry);
                }
                else if (seen.Add((status.Device, status.Inode)))
                {
                    total += status.Size;
                }
            }
        }

        return total;
    }

    /// <summary>
    /// The directory holding a driver layer's files: <c>diff/&lt;id&gt;</c>, or the target of Docker 0.7's migration link
    /// inside the root. Any other link there is reported once as <see cref="FindingCodes.UnsafeLink"/> and never followed.
    /// </summary>
    private string? DiffDirectory(string id)
    {
        if (_diffs.TryGetValue(id, out var known))
        {
            return known;
        }

        string? directory = null;
        try
        {
            var content = _driver.GetContent(id);
            directory = content.Path is { } path && (content.Type == UnixFileType.Directory || (content.Type is null && _fs.Directory.Exists(path))) ? path : null;
        }
        catch (UnsafePathException e)
        {
            _unsafeDiffs.Add(id);
            AddUnsafeLink(e.Path, e.UnsafeValue);
        }
        catch (BrokenLayerChainException)
        {
            // A migration link to no real directory: reported as a missing diff directory.
        }

        _diffs[id] = directory;
        return directory;
    }

    private void ReadContainerIds()
    {
        var containers = Combine(LegacyLayout.ContainersDirectory);
        if (!_fs.Directory.Exists(containers) || IsUnsafeLink(containers))
        {
            return;
        }

        foreach (var entry in _fs.Directory.EnumerateDirectories(containers))
        {
            var name = _fs.Path.GetFileName(entry);
            if (DockerIds.IsId(name))
            {
                _containerIds.Add(name);
            }
        }
    }

    /// <summary>
    /// Walks every parent chain once (iteratively, each layer visited once whatever the depth): reports missing parents
    /// and every layer of a cycle, and records the depth of each chain that ends at a base layer (what the aufs/layers
    /// comparison needs).
    /// </summary>
    private void CheckChains()
    {
        const int Broken = -1;
        var path = new List<GraphLayer>();
        var onPath = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var layer in _layers.Values.OrderBy(l => l.Id, StringComparer.Ordinal))
        {
            if (layer.Parent is { } parent && !_layers.ContainsKey(parent) && !_fs.Directory.Exists(Combine(LegacyLayout.GraphDirectory, parent)))
            {
                Add(FindingCodes.MissingParent, FindingSeverity.Error, layer.Directory,
                    $"its parent {parent} is missing", "the image cannot be assembled; its own layer's files are still readable with --layer");
            }

            if (_chainDepth.ContainsKey(layer.Id))
            {
                continue;
            }

            // Walk up until a layer whose chain is known, a base, a missing parent or a layer already on this walk.
            path.Clear();
            onPath.Clear();
            var depth = Broken;
            for (var current = layer; ;)
            {
                onPath[current.Id] = path.Count;
                path.Add(current);
                if (current.Parent is not { } up)
                {
                    depth = 0;
                    break;
                }

                if (_chainDepth.TryGetValue(up, out var known))
                {
                    depth = known == Broken ? Broken : known + 1;
                    break;
                }

                if (onPath.TryGetValue(up, out var start))
                {
                    // A loop: every layer on it is met twice, whichever one a walk starts from.
                    foreach (var member in path.Skip(start).OrderBy(l => l.Id, StringComparer.Ordinal))
                    {
                        Add(FindingCodes.ChainCycle, FindingSeverity.Error, member.Directory,
                            $"the parent chain loops back to {member.Id}", "a chain cannot loop in data Docker wrote; the parent or parent_id of a layer was altered");
                    }

                    break;
                }

                if (!_layers.TryGetValue(up, out var next))
                {
                    break; // a missing parent
                }

                current = next;
            }

            for (var i = path.Count - 1; i >= 0; i--)
            {
                _chainDepth[path[i].Id] = depth;
                depth = depth == Broken ? Broken : depth + 1;
            }
        }
    }

    /// <summary>The driver's side of every graph layer: its record of the chain, its directory, and its layers nobody names.</summary>
    private void CheckDriver()
    {
        if (!_driver.RecordsAncestors)
        {
            return;
        }

        foreach (var layer in _layers.Values.OrderBy(l => l.Id, StringComparer.Ordinal))
        {
            var layerFile = _driver.RecordPath(layer.Id);
            if (!_driver.Exists(layer.Id))
            {
                Add(FindingCodes.GraphWithoutDriverData, FindingSeverity.Warning, layer.Directory,
                    $"the {_driver.Name} driver has no layer for it ({layerFile})", "Docker ignores this image; it may belong to another storage driver");
                continue;
            }

            try
            {
                var ancestors = _driver.ReadAncestors(layer.Id) ?? [];
                if (_chainDepth.GetValueOrDefault(layer.Id, -1) is var expected and >= 0 && !MatchesGraphChain(layer, ancestors))
                {
                    Add(FindingCodes.ChainMismatch, FindingSeverity.Error, layerFile,
                        $"lists {ancestors.Count} ancestors that differ from the graph/ chain of {expected}",
                        "the mounted image would not be the one graph/ describes; read it with --lenient to follow graph/");
                }
            }
            catch (UnsafePathException e) when (IsLink(e.Path))
            {
                AddUnsafeLink(e.Path, e.UnsafeValue);
            }
            catch (DockerDataException e)
            {
                Add(FindingCodes.LayersFileCorrupt, FindingSeverity.Error, e.Path, ProblemOf(e), $"the {_driver.Name} chain of this layer cannot be trusted");
            }

            if (DiffDirectory(layer.Id) is null && !_unsafeDiffs.Contains(layer.Id))
            {
                Add(FindingCodes.DiffMissing, FindingSeverity.Error, ContentPathOf(layer.Id),
                    "the layer's files are missing", "the image cannot be assembled; restore the directory from a backup");
            }

            _driver.CheckLayer(layer.Id, sink);
        }

        foreach (var id in _driver.ListAllLayerIds())
        {
            var owner = id.EndsWith(DockerIds.InitSuffix, StringComparison.Ordinal) ? id[..DockerIds.Length] : id;
            if (_layers.ContainsKey(id) || _containerIds.Contains(owner) || _fs.Directory.Exists(Combine(LegacyLayout.GraphDirectory, id)))
            {
                if (_containerIds.Contains(owner))
                {
                    _driver.CheckLayer(id, sink);
                }

                continue;
            }

            Add(FindingCodes.OrphanDriverLayer, FindingSeverity.Warning, ContentPathOf(id),
                "a driver layer that is neither an image nor a container's layer",
                "left by an interrupted pull or removal; its files are readable with --layer");
        }
    }

    /// <summary>Where the driver keeps a layer's files, for messages (without following anything).</summary>
    private string ContentPathOf(string id)
    {
        try
        {
            return _driver.GetContent(id).Path ?? _driver.Directory;
        }
        catch (DockerDataException)
        {
            return _driver.RecordPath(id);
        }
    }

    /// <summary>
    /// Whether <paramref name="ancestors"/> is the graph/ chain of a layer whose chain ends at a base; costs at most one
    /// step more than the list is long, so reading every layer of a deep chain stays linear in what was read.
    /// </summary>
    private bool MatchesGraphChain(GraphLayer layer, IReadOnlyList<string> ancestors)
    {
        var parent = layer.Parent;
        foreach (var ancestor in ancestors)
        {
            if (parent is null || !string.Equals(parent, ancestor, StringComparison.Ordinal))
            {
                return false;
            }

            parent = _layers[parent].Parent;
        }

        return parent is null;
    }

    private void CheckRepositories()
    {
        var path = Combine(RepositoryIndex.FileName(_driver.Name));
        if (IsUnsafeLink(path))
        {
            return;
        }

        if (!_fs.File.Exists(path))
        {
            Add(FindingCodes.RepositoriesMissing, FindingSeverity.Info, path, "there is no tag store: no image has a name",
                "images stay reachable by ID");
            return;
        }

        RepositoryIndex index;
        try
        {
            index = RepositoryIndex.Read(_fs, path);
        }
        catch (CorruptFileException e)
        {
            var empty = _fs.FileInfo.New(path).Length == 0;
            Add(empty ? FindingCodes.RepositoriesEmpty : FindingCodes.RepositoriesCorrupt, FindingSeverity.Warning, path,
                empty ? "the tag store is empty (written while the disk was full)" : e.Problem,
                "all tags are lost; images stay reachable by ID, and the tags may be rebuilt from the images' history");
            return;
        }

        foreach (var entry in index.Entries)
        {
            if (!DockerIds.IsId(entry.ImageId))
            {
                Add(FindingCodes.TagTargetInvalid, FindingSeverity.Error, path,
                    $"{entry.DisplayName} points at '{DockerIds.Printable(entry.ImageId)}', which is not an image ID", "the tag cannot be used; remove or fix it");
            }
            else if (!_layers.ContainsKey(entry.ImageId))
            {
                Add(FindingCodes.TagTargetMissing, FindingSeverity.Warning, path,
                    $"{entry.DisplayName} points at {entry.ImageId}, which is not a readable image of this root",
                    "the image was deleted or its graph/ directory is damaged");
            }
        }
    }

    private void CheckTarSplit()
    {
        // Docker 1.8+ writes tar-split data for every layer it registers; its absence is only telling beside layers that have it.
        if (!_layers.Values.Any(l => l.HasTarSplit))
        {
            return;
        }

        foreach (var layer in _layers.Values.OrderBy(l => l.Id, StringComparer.Ordinal))
        {
            var tarData = _fs.Path.Combine(layer.Directory, GraphFiles.TarSplit);
            if (!layer.HasTarSplit)
            {
                Add(FindingCodes.TarSplitMissing, FindingSeverity.Info, tarData,
                    "no tar-split data while other layers have it: the original layer tar cannot be reassembled byte for byte",
                    "the layer tar is regenerated from the diff directory instead; its DiffID will differ from the registry's");
            }
            else if (_driver.Exists(layer.Id) && DiffDirectory(layer.Id) is { } diff)
            {
                _toVerify.Add(GraphStore.ToImageLayer(_fs, layer, new LayerContent(diff, _driver.GetContent(layer.Id).Format, UnixFileType.Directory)));
            }
        }
    }

    private void CheckContainers()
    {
        var containers = Combine(LegacyLayout.ContainersDirectory);
        foreach (var id in _containerIds.Order(StringComparer.Ordinal))
        {
            LegacyContainer container;
            try
            {
                container = LegacyContainer.Read(_fs, containers, id);
            }
            catch (UnsafePathException e) when (IsLink(e.Path))
            {
                AddUnsafeLink(e.Path, e.UnsafeValue);
                continue;
            }
            catch (DockerDataException e)
            {
                Add(FindingCodes.ContainerConfigCorrupt, FindingSeverity.Error, e.Path, ProblemOf(e),
                    "Docker skips this container; its read-write layer is still readable with --layer");
                continue;
            }

            if (container.Driver != _driver.Name)
            {
                continue; // another driver's container: Docker skips it, and so does the check
            }

            if (!DockerIds.IsId(container.ImageId) || !_layers.ContainsKey(container.ImageId))
            {
                Add(FindingCodes.ContainerImageMissing, FindingSeverity.Warning, _fs.Path.Combine(container.Directory, LegacyContainer.ConfigFileName),
                    $"its image '{DockerIds.Printable(container.ImageId)}' is not a readable image of this root",
                    "the container's own changes (docker diff) are still readable; its full filesystem is not");
            }

            if (_driver.RecordsAncestors)
            {
                foreach (var layerId in new[] { container.InitLayerId, container.Id })
                {
                    if (!_driver.Exists(layerId) || (DiffDirectory(layerId) is null && !_unsafeDiffs.Contains(layerId)))
                    {
                        Add(FindingCodes.ContainerLayerMissing, FindingSeverity.Error, ContentPathOf(layerId),
                            $"the container's {(layerId == container.Id ? "read-write" : "init")} layer is missing from the {_driver.Name} driver",
                            "the container's filesystem cannot be assembled");
                    }
                }
            }
        }
    }
}
