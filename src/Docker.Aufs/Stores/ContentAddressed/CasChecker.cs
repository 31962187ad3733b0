using System.IO.Abstractions;
using Docker.Aufs.Drivers;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;

namespace Docker.Aufs.Stores.ContentAddressed;

/// <summary>
/// The checks of a content-addressed store (docs/format/content-addressed.md §11): every layer of <c>layerdb</c> (its
/// record, its ChainID, its size, its files in the driver and the driver's record of its chain), every image config (its
/// digest, its layers, its history), the reference store, the containers and their read-write layer records, and what
/// nothing uses. Reads everything, writes nothing.
/// </summary>
internal sealed partial class CasChecker(CasStore store, FindingSink sink)
{
    private readonly LayerDriver _driver = store.Driver;
    private readonly IFileSystem _fs = store.FileSystem;
    private readonly DriverLayerFiles _files = new(store.Driver, sink);
    private readonly List<ImageLayer> _toVerify = [];

    /// <summary>The layers whose record reads, by ChainID.</summary>
    private readonly Dictionary<string, CasLayer> _layers = new(StringComparer.Ordinal);

    /// <summary>The ChainIDs some image or container uses.</summary>
    private readonly HashSet<string> _usedLayers = new(StringComparer.Ordinal);

    /// <summary>The driver layers some layer, mount or init layer names.</summary>
    private readonly HashSet<string> _usedDriverLayers = new(StringComparer.Ordinal);

    /// <summary>The image IDs whose config verifies and decodes.</summary>
    private readonly HashSet<string> _images = new(StringComparer.Ordinal);

    /// <summary>Runs every check; returns the layers whose files can be verified against their tar-split data.</summary>
    public IReadOnlyList<ImageLayer> Run()
    {
        Step(CheckTopLevel);
        Step(ReadLayers);
        Step(CheckLayers);
        Step(CheckImages);
        Step(CheckReferences);
        Step(CheckContainers);
        Step(CheckOrphans);
        Step(CheckTarSplit);
        Step(() => _driver.CheckOwnFiles(sink));
        return _toVerify;
    }

    /// <summary>Runs one check; a part of the root this process may not read is a finding, and the next check runs.</summary>
    private void Step(Action check) => sink.Guard(store.Context.Root, "the checks that need it were not made", check);

    private void Add(string code, FindingSeverity severity, string path, string message, string hint) => sink.Add(code, severity, path, message, hint);

    private static string ProblemOf(DockerDataException e) => FindingSink.ProblemOf(e);

    private void CheckTopLevel()
    {
        var graph = _fs.Path.Combine(store.Context.Root, LegacyLayout.GraphDirectory);
        if (_fs.Directory.Exists(graph))
        {
            Add(FindingCodes.GraphNotMigrated, FindingSeverity.Info, graph,
                "the graph/ store of Docker 1.9 or earlier is still here; Docker 1.10–18.09 migrated it at every start, 19.03 and later ignore it",
                "images the migration did not carry over are only there: read them with --store graph");
        }
    }

    /// <summary>Every entry of <c>layerdb/sha256/</c> and <c>layerdb/tmp/</c>, and every layer record that reads.</summary>
    private void ReadLayers()
    {
        var staging = _fs.Path.Combine(store.StoreDirectory, CasLayout.Staging);
        if (_fs.Directory.Exists(staging) && !sink.IsUnsafeLink(staging))
        {
            foreach (var leftover in _fs.Directory.EnumerateFileSystemEntries(staging).Order(StringComparer.Ordinal))
            {
                Add(FindingCodes.LeftoverTemp, FindingSeverity.Info, leftover,
                    "a staging directory left by an interrupted layer registration", "safe to ignore; Docker never reads it");
            }
        }

        foreach (var (entry, hex) in StoreEntries(store.LayersDirectory))
        {
            var chainId = Digests.Sha256Prefix + hex;
            try
            {
                _layers[chainId] = CasLayer.Read(_fs, store.LayersDirectory, chainId);
            }
            catch (UnsafePathException e) when (sink.IsLink(e.Path))
            {
                sink.AddUnsafeLink(e.Path, e.UnsafeValue);
            }
            catch (DockerDataException e)
            {
                Add(FindingCodes.LayerRecordCorrupt, FindingSeverity.Error, e.Path, ProblemOf(e),
                    "Docker cannot load this layer, nor any image or container built on it");
                UseCacheIdOf(entry);
            }
            catch (Exception e) when (AccessProblems.IsDenied(e))
            {
                sink.AddUnreadable(AccessProblems.Describe(sink.Metadata, sink.Root, entry, e), $"layer {chainId} was not checked");
            }
        }
    }

    /// <summary>
    /// The driver layer a record that does not load still names (its <c>cache-id</c>, when that reads): its files are the
    /// damaged layer's, not an orphan's.
    /// </summary>
    private void UseCacheIdOf(string recordDirectory)
    {
        try
        {
            if (CasLayer.ReadDriverId(_fs, _fs.Path.Combine(recordDirectory, CasLayout.CacheIdFile), required: false, init: false) is { } cacheId)
            {
                _usedDriverLayers.Add(cacheId);
            }
        }
        catch (DockerDataException)
        {
            // Nothing readable names a driver layer: reported with the record already.
        }
    }

    /// <summary>
    /// The entries of a <c>sha256</c> directory that are named like a digest; the others are reported (leftovers of
    /// interrupted writes and removals as such) and skipped, as Docker skips them.
    /// </summary>
    private IEnumerable<(string Path, string Hex)> StoreEntries(string directory)
    {
        if (!_fs.Directory.Exists(directory) || sink.IsUnsafeLink(directory))
        {
            yield break;
        }

        foreach (var entry in _fs.Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal))
        {
            var name = _fs.Path.GetFileName(entry);
            if (DockerIds.IsId(name))
            {
                yield return (entry, name);
            }
            else if (name.EndsWith("-removing", StringComparison.Ordinal))
            {
                Add(FindingCodes.LeftoverRemoving, FindingSeverity.Info, entry, "left by an interrupted removal", "safe to ignore: it was being deleted");
            }
            else if (name.EndsWith(".tmp", StringComparison.Ordinal) || name.StartsWith(".tmp-", StringComparison.Ordinal))
            {
                Add(FindingCodes.LeftoverTemp, FindingSeverity.Info, entry, "a temporary file left by an interrupted write", "safe to ignore; Docker never reads it");
            }
            else
            {
                Add(FindingCodes.UnexpectedStoreEntry, FindingSeverity.Warning, entry,
                    "not named like a digest (64 hex characters), so Docker ignores it", "check whether something else wrote here");
            }
        }
    }

    /// <summary>Each layer's ChainID, size, files in the driver and the driver's record of its chain.</summary>
    private void CheckLayers()
    {
        foreach (var layer in _layers.Values.OrderBy(l => l.ChainId, StringComparer.Ordinal))
        {
            // One layer refused to this process is a finding; the other layers are still checked.
            _usedDriverLayers.Add(layer.CacheId);
            sink.Guard(layer.Directory, $"layer {layer.ChainId} was not fully checked", () => CheckLayer(layer));
        }
    }

    /// <summary>One layer's ChainID, size, files in the driver and the driver's record of its chain.</summary>
    private void CheckLayer(CasLayer layer)
    {
        _usedDriverLayers.Add(layer.CacheId);
        var expected = layer.Parent is null ? layer.DiffId : Digests.ChainIds([layer.Parent, layer.DiffId])[1];

        if (expected != layer.ChainId)
        {
            Add(FindingCodes.ChainIdMismatch, FindingSeverity.Error, layer.Directory,
                $"its parent {layer.Parent ?? "(none)"} and DiffID {layer.DiffId} give the ChainID {expected}, not the directory's {layer.ChainId}",
                "the record was edited or damaged: images that name this ChainID get other content than their config says");
        }

        if (layer.Parent is { } parent && !_layers.ContainsKey(parent))
        {
            Add(FindingCodes.MissingParent, FindingSeverity.Error, _fs.Path.Combine(layer.Directory, CasLayout.ParentFile),
                $"names the parent layer {parent}, which is not a loadable layer of layerdb", "Docker cannot load this layer, nor anything built on it");
        }

        if (_files.IsMissing(layer.CacheId))
        {
            if (store.Refusal(_files.PathOf(layer.CacheId)) is { } denied)
            {
                throw denied; // not missing: this process may not look (reported as unreadable by the caller)
            }

            Add(FindingCodes.DiffMissing, FindingSeverity.Error, _files.PathOf(layer.CacheId),
                $"the files of layer {layer.ChainId} (cache-id {layer.CacheId}) are missing from the {_driver.Name} driver",
                "images with this layer cannot be assembled; restore the directory from a backup");
            return;
        }

        // A whole-tree layer (vfs) holds its parents' files too: its size is its changes', which its directory cannot tell.
        if (_files.Directory(layer.CacheId) is { } directory && _driver.GetContent(layer.CacheId).Format != LayerContentFormat.FullTree
            && _files.Size(directory) is var actual && actual != layer.Size)
        {
            Add(FindingCodes.LayerSizeMismatch, FindingSeverity.Warning, _fs.Path.Combine(layer.Directory, CasLayout.SizeFile),
                $"says {layer.Size} bytes, but the layer's directory holds {actual}",
                "the layer's files changed after it was registered, or the size was edited");
        }

        CheckDriverChain(layer);
        _driver.CheckLayer(layer.CacheId, sink);
        if (layer.HasTarSplit)
        {
            foreach (var opaque in _driver.LostOpaqueMarks(layer.CacheId, layer.TarSplitPath))
            {
                Add(FindingCodes.OpaqueAttributeLost, FindingSeverity.Error, _files.PathOf(layer.CacheId) + (opaque.Length == 0 ? string.Empty : "/" + opaque),
                    $"the original tar of layer {layer.ChainId} marks /{opaque} opaque, but the directory has no opaque attribute: this copy of the root lost its extended attributes",
                    "Docker on this copy would show files of the layers below the directory; this tool's views use the tar-split data and show it opaque. Copy the root again keeping extended attributes (cp -a, rsync -X, tar --xattrs)");
            }
        }
    }

    /// <summary>The driver's record of a layer's ancestors must be the cache-ids of its layerdb chain.</summary>
    private void CheckDriverChain(CasLayer layer)
    {
        if (!_driver.RecordsAncestors)
        {
            return;
        }

        var expected = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { layer.ChainId };
        for (var parent = layer.Parent; parent is not null;)
        {
            if (!_layers.TryGetValue(parent, out var ancestor) || !seen.Add(parent))
            {
                return; // reported as a missing parent (or a loop, through the images)
            }

            expected.Add(ancestor.CacheId);
            parent = ancestor.Parent;
        }

        var recordPath = _driver.RecordPath(layer.CacheId);
        try
        {
            var recorded = _driver.ReadRecord(layer.CacheId) ?? [];
            if (LayerDriver.Duplicate(layer.CacheId, recorded) is { } duplicate)
            {
                Add(FindingCodes.DuplicateBranch, FindingSeverity.Error, recordPath, _driver.DescribeDuplicate(duplicate),
                    "neither the kernel nor Docker mounts such a chain: views of this layer are refused; the layerdb chain is intact if no other finding says otherwise");
            }
            else if (!recorded.SequenceEqual(expected, StringComparer.Ordinal))
            {
                Add(FindingCodes.ChainMismatch, FindingSeverity.Error, recordPath,
                    $"lists {recorded.Count} ancestors that differ from the {expected.Count} cache-ids of the layer's layerdb chain",
                    "the mounted image would not be the one layerdb describes; read it with --lenient to follow layerdb");
            }
        }
        catch (UnsafePathException e) when (sink.IsLink(e.Path))
        {
            sink.AddUnsafeLink(e.Path, e.UnsafeValue);
        }
        catch (DockerDataException e)
        {
            Add(FindingCodes.LayersFileCorrupt, FindingSeverity.Error, e.Path, ProblemOf(e), $"the {_driver.Name} chain of this layer cannot be trusted");
        }
    }

    /// <summary>Every image config: its digest, its layers, its history and its parent.</summary>
    private void CheckImages()
    {
        foreach (var (entry, hex) in StoreEntries(store.ContentDirectory))
        {
            var id = Digests.Sha256Prefix + hex;
            ImageConfigFile config;
            try
            {
                config = ImageConfigFile.Read(_fs, store.ContentDirectory, id);
            }
            catch (UnsafePathException e) when (sink.IsLink(e.Path))
            {
                sink.AddUnsafeLink(e.Path, e.UnsafeValue);
                continue;
            }
            catch (Exception e) when (AccessProblems.IsDenied(e))
            {
                sink.AddUnreadable(AccessProblems.Describe(sink.Metadata, sink.Root, entry, e), $"image {id} was not checked");
                continue;
            }
            catch (CorruptFileException e)
            {
                var digest = e.Problem.StartsWith("its SHA-256 is", StringComparison.Ordinal);
                Add(digest ? FindingCodes.ConfigDigestMismatch : FindingCodes.ConfigCorrupt, FindingSeverity.Error, entry, e.Problem,
                    "Docker skips this image; its layers may still be rescued by ChainID (layers, --layer)");
                continue;
            }

            _images.Add(id);
            CheckImageLayers(config);
            var nonEmpty = config.History.Count(h => h.EmptyLayer != true);
            if (nonEmpty > config.DiffIds.Count)
            {
                Add(FindingCodes.HistoryMismatch, FindingSeverity.Warning, entry,
                    $"its history has {nonEmpty} entries that are not empty layers, but it has {config.DiffIds.Count} layers",
                    "docker history refuses this image (\"too many non-empty layers in History section\"); its layers are unaffected");
            }
        }

        foreach (var id in _images.Order(StringComparer.Ordinal))
        {
            var path = _fs.Path.Combine(store.MetadataDirectory, Digests.Hex(id), CasLayout.ParentFile);
            if (!NoFollow.Exists(_fs, path))
            {
                continue;
            }

            string? parent;
            try
            {
                parent = store.ReadImageParent(id);
            }
            catch (DockerDataException e)
            {
                Add(FindingCodes.ImageParentMissing, FindingSeverity.Info, e.Path, ProblemOf(e), "Docker reads the image without a parent");
                continue;
            }

            if (parent is null || !_images.Contains(parent))
            {
                Add(FindingCodes.ImageParentMissing, FindingSeverity.Info, path,
                    $"names the parent image {DockerIds.Printable(parent ?? System.Text.Encoding.UTF8.GetString(SmallFile.Read(_fs, path, SmallFile.LineLimit)))}, which is not an image of this store",
                    "normal after the parent was deleted; Docker tolerates it");
            }
        }
    }

    /// <summary>An image's layers: each of its ChainIDs must be a loaded layer whose DiffID is the config's, chained by <c>parent</c>.</summary>
    private void CheckImageLayers(ImageConfigFile config)
    {
        var chainIds = config.ChainIds;
        for (var i = 0; i < chainIds.Count; i++)
        {
            var chainId = chainIds[i];
            _usedLayers.Add(chainId);
            if (!_layers.TryGetValue(chainId, out var layer))
            {
                Add(FindingCodes.ImageLayerMissing, FindingSeverity.Error, config.Path,
                    $"its layer {i + 1} (ChainID {chainId}) is not a loadable layer of layerdb ({_fs.Path.Combine(store.LayersDirectory, Digests.Hex(chainId))})",
                    "Docker skips this image; the layers below it may still be rescued by ChainID");
                return;
            }

            var expectedParent = i == 0 ? null : chainIds[i - 1];
            if (layer.DiffId != config.DiffIds[i] || layer.Parent != expectedParent)
            {
                Add(FindingCodes.ImageLayerMissing, FindingSeverity.Error, layer.Directory,
                    $"layer {i + 1} of image {config.Id} should have DiffID {config.DiffIds[i]} and parent {expectedParent ?? "(none)"}, but has {layer.DiffId} and {layer.Parent ?? "(none)"}",
                    "the layer record was edited or damaged: the image's files are not the ones its config describes");
            }
        }
    }
}
