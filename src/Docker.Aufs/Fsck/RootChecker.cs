using System.IO.Abstractions;
using Docker.Aufs.Containers;
using Docker.Aufs.Drivers.Aufs;
using Docker.Aufs.Formats;
using Docker.Aufs.Graph;
using Docker.Aufs.IO;
using Docker.Aufs.Json;
using Docker.Aufs.Repositories;

namespace Docker.Aufs.Fsck;

/// <summary>
/// <c>fsck</c> for a legacy root: reads everything (never writes) and reports what is missing, orphaned, inconsistent or
/// corrupt, each finding with a stable code, a severity, the path and a hint (legacy-layout §11).
/// </summary>
/// <threadsafety static="true" instance="true"/>
public static class RootChecker
{
    /// <summary>Checks the root at <paramref name="path"/>.</summary>
    /// <param name="fileSystem">The file system holding the root.</param>
    /// <param name="path">The root; <see langword="null"/> for <c>/var/lib/docker</c>.</param>
    /// <param name="options">Options (the driver to check, the metadata source); <see langword="null"/> for the defaults.</param>
    /// <param name="verifyContent">
    /// Whether to reassemble every layer that has tar-split data and check each file's CRC-64 and size against it (reads all
    /// layer contents: slow on a big root). <see langword="false"/> checks metadata only.
    /// </param>
    /// <param name="cancellationToken">Cancels the check between files.</param>
    /// <returns>The report; <see cref="FsckReport.IsClean"/> when nothing was found.</returns>
    /// <exception cref="NotALegacyRootException">The root does not exist or is not a legacy root at all.</exception>
    /// <exception cref="UnsafePathException"><c>graph/</c> or a directory of the driver is a symbolic link: the root is refused, nothing behind the link is read.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static FsckReport Check(IFileSystem fileSystem, string? path = null, DockerRootOptions? options = null, bool verifyContent = true,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        options ??= DockerRootOptions.Default;
        var rootPath = fileSystem.Path.GetFullPath(string.IsNullOrEmpty(path) ? LegacyLayout.DefaultRoot : path);
        var findings = new List<FsckFinding>();

        var prior = fileSystem.Directory.Exists(rootPath) ? DockerRoot.PriorDrivers(fileSystem, rootPath) : [];
        if (options.Driver is null && prior.Count > 1)
        {
            findings.Add(new(FindingCodes.SeveralDrivers, FindingSeverity.Warning, rootPath,
                $"the root holds the data of several storage drivers ({string.Join(", ", prior)}); {prior[0]} was checked",
                "name the driver that was in use (--driver); Docker refuses to start on such a root"));
            options = options with { Driver = prior[0] };
        }

        var root = DockerRoot.Open(fileSystem, rootPath, options);
        var checker = new Checker(root, findings, verifyContent, cancellationToken);
        checker.Run();
        findings.Sort(static (a, b) =>
        {
            var byPath = string.CompareOrdinal(a.Path, b.Path);
            return byPath != 0 ? byPath : string.CompareOrdinal(a.Code, b.Code);
        });
        return new FsckReport(root.Path, root.Driver, findings);
    }

    private sealed class Checker(IDockerRoot root, List<FsckFinding> findings, bool verifyContent, CancellationToken cancellationToken)
    {
        private readonly IFileSystem _fs = root.FileSystem;
        private readonly Dictionary<string, GraphLayer> _layers = new(StringComparer.Ordinal);
        private readonly HashSet<string> _containerIds = new(StringComparer.Ordinal);

        /// <summary>Where each driver layer's files are (<see langword="null"/> when its diff directory is an unsafe link or missing).</summary>
        private readonly Dictionary<string, string?> _diffs = new(StringComparer.Ordinal);
        private readonly HashSet<string> _unsafeDiffs = new(StringComparer.Ordinal);

        /// <summary>The number of ancestors of each layer whose chain ends at a base; -1 for a chain that loops or misses a parent.</summary>
        private readonly Dictionary<string, int> _chainDepth = new(StringComparer.Ordinal);

        public void Run()
        {
            CheckTopLevel();
            ReadGraph();
            ReadContainerIds();
            CheckChains();
            if (root.Aufs is { } aufs)
            {
                CheckAufs(aufs);
            }

            CheckRepositories();
            CheckTarSplit();
            CheckContainers();
        }

        private string Combine(params string[] parts) => _fs.Path.Combine([root.Path, .. parts]);

        private void Add(string code, FindingSeverity severity, string path, string message, string hint) =>
            findings.Add(new(code, severity, path, message, hint));

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

            foreach (var file in _fs.Directory.EnumerateFiles(root.Path, "repositories-*.corrupt"))
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
                    var layer = root.GetLayer(name);
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

            if (root.Aufs is { } aufs && DiffDirectory(aufs, layer.Id) is { } diff && DiffSize(diff) is var actual && actual != layer.Size)
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
                    if (!root.Metadata.TryGetStatus(entry, out var status))
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
        private string? DiffDirectory(AufsDriver aufs, string id)
        {
            if (_diffs.TryGetValue(id, out var known))
            {
                return known;
            }

            string? directory = null;
            try
            {
                var branch = aufs.ResolveBranch(id, root.Metadata, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
                directory = branch.Type == UnixFileType.Directory || (branch.Type is null && _fs.Directory.Exists(branch.Path)) ? branch.Path : null;
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

        /// <summary>
        /// Whether <paramref name="path"/> is a symbolic link: tells a link the library refused from an unsafe value read
        /// in a file (a parent ID like <c>../../etc</c>), which is reported as that file's damage.
        /// </summary>
        private bool IsLink(string path) => root.Metadata.TryGetStatus(path, out var status) && status.Type == UnixFileType.SymbolicLink;

        /// <summary>Whether <paramref name="path"/> is a symbolic link (then reported as <see cref="FindingCodes.UnsafeLink"/>, and not to be followed).</summary>
        private bool IsUnsafeLink(string path)
        {
            if (root.Metadata.TryGetStatus(path, out var status) && status.Type == UnixFileType.SymbolicLink)
            {
                AddUnsafeLink(path, status.LinkTarget ?? string.Empty);
                return true;
            }

            return false;
        }

        private void AddUnsafeLink(string path, string target) =>
            Add(FindingCodes.UnsafeLink, FindingSeverity.Error, path,
                $"a symbolic link (to {target}) where Docker never writes one; it was not followed, as it could lead outside the root",
                "damage or tampering: the data behind it is not read; look at where it points before trusting the root");

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

        private void CheckAufs(AufsDriver aufs)
        {
            foreach (var layer in _layers.Values.OrderBy(l => l.Id, StringComparer.Ordinal))
            {
                var layerFile = aufs.GetLayerFilePath(layer.Id);
                if (!_fs.File.Exists(layerFile))
                {
                    Add(FindingCodes.GraphWithoutDriverData, FindingSeverity.Warning, layer.Directory,
                        $"the aufs driver has no layer for it ({layerFile})", "Docker ignores this image; it may belong to another storage driver");
                    continue;
                }

                try
                {
                    var ancestors = aufs.ReadLayerFile(layer.Id).Ancestors;
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
                    Add(FindingCodes.LayersFileCorrupt, FindingSeverity.Error, e.Path, ProblemOf(e), "the aufs chain of this layer cannot be trusted");
                }

                if (DiffDirectory(aufs, layer.Id) is null && !_unsafeDiffs.Contains(layer.Id))
                {
                    Add(FindingCodes.DiffMissing, FindingSeverity.Error, aufs.GetDiffPath(layer.Id),
                        "the layer's files are missing", "the image cannot be assembled; restore the directory from a backup");
                }

                CheckMount(aufs, layer.Id);
            }

            foreach (var id in DriverLayerIds(aufs))
            {
                var owner = id.EndsWith(DockerIds.InitSuffix, StringComparison.Ordinal) ? id[..DockerIds.Length] : id;
                if (_layers.ContainsKey(id) || _containerIds.Contains(owner) || _fs.Directory.Exists(Combine(LegacyLayout.GraphDirectory, id)))
                {
                    if (_containerIds.Contains(owner))
                    {
                        CheckMount(aufs, id);
                    }

                    continue;
                }

                Add(FindingCodes.OrphanDriverLayer, FindingSeverity.Warning, aufs.GetDiffPath(id),
                    "a driver layer that is neither an image nor a container's layer",
                    "left by an interrupted pull or removal; its files are readable with --layer");
            }

            foreach (var directory in new[] { aufs.DiffDirectory, aufs.MountDirectory })
            {
                if (_fs.Directory.Exists(directory))
                {
                    foreach (var entry in _fs.Directory.EnumerateDirectories(directory, "*-removing"))
                    {
                        Add(FindingCodes.LeftoverRemoving, FindingSeverity.Info, entry, "left by an interrupted removal", "safe to ignore: the layer was being deleted");
                    }
                }
            }

            var aufsTemp = _fs.Path.Combine(aufs.Directory, "tmp");
            if (_fs.Directory.Exists(aufsTemp))
            {
                Add(FindingCodes.LeftoverAufsTemp, FindingSeverity.Info, aufsTemp, "left by an interrupted removal of Docker 0.7", "safe to ignore");
            }
        }

        private void CheckMount(AufsDriver aufs, string id)
        {
            var mount = aufs.GetMountPath(id);
            if (IsUnsafeLink(mount))
            {
                return;
            }

            if (!_fs.Directory.Exists(mount))
            {
                Add(FindingCodes.MountMissing, FindingSeverity.Info, mount, "the layer's mount point is missing", "harmless offline; Docker creates it for every layer");
            }
            else if (_fs.Directory.EnumerateFileSystemEntries(mount).Any())
            {
                Add(FindingCodes.MountPopulated, FindingSeverity.Warning, mount,
                    "the mount point holds files: this is a snapshot of a running host",
                    "these are a live merged view, not layer data; read layers from aufs/diff");
            }
        }

        private SortedSet<string> DriverLayerIds(AufsDriver aufs)
        {
            var ids = new SortedSet<string>(aufs.GetLayerIds(), StringComparer.Ordinal);
            if (_fs.Directory.Exists(aufs.DiffDirectory))
            {
                foreach (var entry in _fs.Directory.EnumerateFileSystemEntries(aufs.DiffDirectory))
                {
                    var name = _fs.Path.GetFileName(entry);
                    if (DockerIds.IsLayerId(name))
                    {
                        ids.Add(name);
                    }
                }
            }

            return ids;
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
            var path = Combine(RepositoryIndex.FileName(root.Driver));
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
                else if (verifyContent && root.Aufs is { } aufs && aufs.Exists(layer.Id) && DiffDirectory(aufs, layer.Id) is not null)
                {
                    VerifyContent(layer, tarData);
                }
            }
        }

        // Reassembles the layer tar from its tar-split data into nowhere: every file's size and CRC-64 is checked on the way.
        private void VerifyContent(GraphLayer layer, string tarData)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                root.WriteLayerTar(layer.Id, Stream.Null, new Archive.LayerTarOptions { Source = Archive.LayerSourcePolicy.TarSplitOnly }, cancellationToken: cancellationToken);
            }
            catch (LayerReassemblyException e)
            {
                Add(FindingCodes.TarSplitMismatch, FindingSeverity.Error, e.Path,
                    $"{e.EntryName}: {e.Problem}",
                    "the file changed after the layer was pulled; the original layer tar cannot be reassembled (it is regenerated instead)");
            }
            catch (DockerDataException e)
            {
                Add(FindingCodes.TarSplitCorrupt, FindingSeverity.Error, tarData, ProblemOf(e),
                    "the original layer tar cannot be reassembled; it is regenerated from the diff directory instead");
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

                if (container.Driver != root.Driver)
                {
                    continue; // another driver's container: Docker skips it, and so does the check
                }

                if (!DockerIds.IsId(container.ImageId) || !_layers.ContainsKey(container.ImageId))
                {
                    Add(FindingCodes.ContainerImageMissing, FindingSeverity.Warning, _fs.Path.Combine(container.Directory, LegacyContainer.ConfigFileName),
                        $"its image '{DockerIds.Printable(container.ImageId)}' is not a readable image of this root",
                        "the container's own changes (docker diff) are still readable; its full filesystem is not");
                }

                if (root.Aufs is { } aufs)
                {
                    foreach (var layerId in new[] { container.InitLayerId, container.Id })
                    {
                        if (!_fs.File.Exists(aufs.GetLayerFilePath(layerId)) || (DiffDirectory(aufs, layerId) is null && !_unsafeDiffs.Contains(layerId)))
                        {
                            Add(FindingCodes.ContainerLayerMissing, FindingSeverity.Error, aufs.GetDiffPath(layerId),
                                $"the container's {(layerId == container.Id ? "read-write" : "init")} layer is missing from the aufs driver",
                                "the container's filesystem cannot be assembled");
                        }
                    }
                }
            }
        }

        private static string ProblemOf(DockerDataException e) => e switch
        {
            CorruptFileException c => c.Problem,
            BrokenLayerChainException b => b.Problem,
            NotALegacyRootException n => n.Problem,
            _ => e.Message,
        };
    }
}
