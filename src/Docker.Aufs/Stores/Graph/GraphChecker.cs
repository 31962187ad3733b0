using System.IO.Abstractions;
using Docker.Aufs.Drivers;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;

namespace Docker.Aufs.Stores.Graph;

/// <summary>
/// The checks of a graph-era root (docs/format/graph-era.md §11): <c>graph/</c>, its chains, the tag store and the
/// containers, and, through the driver seam, what the driver records of each layer. Reads everything, writes nothing.
/// </summary>
internal sealed partial class GraphChecker(GraphStore store, FindingSink sink)
{
    private readonly LayerDriver _driver = store.Driver;
    private readonly IFileSystem _fs = store.FileSystem;
    private readonly List<ImageLayer> _toVerify = [];
    private readonly Dictionary<string, GraphLayer> _layers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _containerIds = new(StringComparer.Ordinal);

    private readonly DriverLayerFiles _files = new(store.Driver, sink);

    /// <summary>The number of ancestors of each layer whose chain ends at a base; -1 for a chain that loops or misses a parent.</summary>
    private readonly Dictionary<string, int> _chainDepth = new(StringComparer.Ordinal);

    /// <summary>Runs every check; returns the layers whose files can be verified against their tar-split data.</summary>
    public IReadOnlyList<ImageLayer> Run()
    {
        Step(CheckTopLevel);
        Step(ReadGraph);
        Step(ReadContainerIds);
        Step(CheckChains);
        Step(CheckDriver);
        Step(CheckRepositories);
        Step(CheckTarSplit);
        Step(CheckContainers);
        Step(() => _driver.CheckOwnFiles(sink));
        return _toVerify;
    }

    /// <summary>Runs one check; a part of the root this process may not read is a finding, and the next check runs.</summary>
    private void Step(Action check) => sink.Guard(store.Context.Root, "the checks that need it were not made", check);

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
                    "images changed after the migration are only in image/, which is what this tool reads by default (--store graph reads graph/)");
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
        List<string> entries;
        try
        {
            entries = [.. _fs.Directory.EnumerateFileSystemEntries(graph).Order(StringComparer.Ordinal)];
        }
        catch (Exception e) when (AccessProblems.IsDenied(e))
        {
            sink.AddUnreadable(AccessProblems.Describe(sink.Metadata, store.Context.Root, graph, e), "no image of graph/ was checked");
            return;
        }

        foreach (var entry in entries)
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
            catch (Exception e) when (AccessProblems.IsDenied(e))
            {
                sink.AddUnreadable(AccessProblems.Describe(sink.Metadata, store.Context.Root, entry, e), $"image {name} was not checked");
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

        // A whole-tree layer (vfs, overlay's root/) holds its parents' files too: its size is its changes', which its directory cannot tell.
        if (_driver.Exists(layer.Id) && _files.Directory(layer.Id) is { } diff && _driver.GetContent(layer.Id).Format != LayerContentFormat.FullTree
            && _files.Size(diff) is var actual && actual != layer.Size)
        {
            Add(FindingCodes.LayerSizeMismatch, FindingSeverity.Warning, path,
                $"says {layer.Size} bytes, but the diff directory holds {actual}",
                "the layer's files changed after it was registered, or the size was edited");
        }
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
}
