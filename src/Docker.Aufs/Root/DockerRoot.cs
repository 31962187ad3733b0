using System.Collections.Concurrent;
using System.IO.Abstractions;
using Docker.Aufs.Drivers.Aufs;
using Docker.Aufs.Formats;
using Docker.Aufs.Graph;
using Docker.Aufs.IO;
using Docker.Aufs.Logging;
using Docker.Aufs.Repositories;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Docker.Aufs;

/// <summary>Opens legacy Docker roots. The entry point of the library.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed partial class DockerRoot : IDockerRoot
{
    /// <summary>Docker's default root, <c>/var/lib/docker</c>.</summary>
    public const string DefaultPath = LegacyLayout.DefaultRoot;

    // Docker 1.9 daemon/graphdriver/driver_linux.go: the order in which a prior driver's state is looked for (vfs never).
    private static readonly string[] DriverPriority = ["aufs", "btrfs", "zfs", "devicemapper", "overlay"];

    private static readonly System.Buffers.SearchValues<char> DriverNameCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789_");

    private readonly ILogger _logger;
    private readonly Lazy<RepositoryIndex> _repositories;
    private readonly Lazy<string[]> _imageIds;
    private readonly ConcurrentDictionary<string, GraphLayer> _layers = new(StringComparer.Ordinal);
    private readonly bool _strictChains;

    private DockerRoot(IFileSystem fileSystem, string path, string driver, DockerRootOptions options)
    {
        FileSystem = fileSystem;
        Path = path;
        Driver = driver;
        GraphDirectory = fileSystem.Path.Combine(path, LegacyLayout.GraphDirectory);
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Docker.Aufs");
        _strictChains = options.StrictChains;
        Metadata = options.Metadata ?? DefaultMetadata(fileSystem);
        Aufs = driver == AufsDriver.Name ? new AufsDriver(fileSystem, fileSystem.Path.Combine(path, AufsDriver.Name)) : null;
        _repositories = new Lazy<RepositoryIndex>(ReadRepositories, LazyThreadSafetyMode.ExecutionAndPublication);
        _imageIds = new Lazy<string[]>(ListImageIds, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <inheritdoc/>
    public string Path { get; }

    /// <inheritdoc/>
    public string Driver { get; }

    /// <inheritdoc/>
    public IFileSystem FileSystem { get; }

    /// <inheritdoc/>
    public IUnixMetadataProvider Metadata { get; }

    /// <inheritdoc/>
    public AufsDriver? Aufs { get; }

    /// <summary>Gets the full path of <c>graph/</c>.</summary>
    public string GraphDirectory { get; }

    /// <inheritdoc/>
    public RepositoryIndex Repositories => _repositories.Value;

    /// <summary>Opens the legacy root at <paramref name="path"/> on <paramref name="fileSystem"/>.</summary>
    /// <param name="fileSystem">The file system holding the root (a <c>MockFileSystem</c> in tests).</param>
    /// <param name="path">The root; <see langword="null"/> for <c>/var/lib/docker</c>.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The opened root. Nothing but the root's top level has been read yet.</returns>
    /// <exception cref="NotALegacyRootException">The directory does not exist, has no <c>graph/</c>, or holds several drivers' data and none was named.</exception>
    /// <exception cref="UnsafePathException"><c>graph/</c>, the driver's directory or (for AUFS) its <c>layers/</c>, <c>diff/</c> or <c>mnt/</c> is a symbolic link (never followed: docs/hostile-input.md).</exception>
    /// <exception cref="ArgumentException"><see cref="DockerRootOptions.Driver"/> is not a driver name.</exception>
    public static IDockerRoot Open(IFileSystem fileSystem, string? path = null, DockerRootOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        options ??= DockerRootOptions.Default;
        var root = fileSystem.Path.GetFullPath(string.IsNullOrEmpty(path) ? DefaultPath : path);
        if (!fileSystem.Directory.Exists(root))
        {
            throw new NotALegacyRootException(root, fileSystem.File.Exists(root) ? "is a file, not a Docker root directory" : "does not exist");
        }

        var logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Docker.Aufs");
        if (!fileSystem.Directory.Exists(fileSystem.Path.Combine(root, LegacyLayout.GraphDirectory)))
        {
            var modern = fileSystem.Directory.Exists(fileSystem.Path.Combine(root, "image"));
            throw new NotALegacyRootException(root, modern
                ? "has no graph/ directory: it holds the image store of Docker 1.10 or later (image/), not the legacy graph/ layout"
                : "has no graph/ directory: it is not a legacy Docker root");
        }

        string driver;
        string how;
        if (options.Driver is { } named)
        {
            if (named.Length == 0 || named.AsSpan().ContainsAnyExcept(DriverNameCharacters))
            {
                throw new ArgumentException($"'{named}' is not a storage driver name.", nameof(options));
            }

            driver = named;
            how = "named";
        }
        else
        {
            driver = DetectDriver(fileSystem, root);
            how = "detected";
        }

        RefuseLinkedDirectories(fileSystem, root, driver);
        foreach (var entry in new[] { "image", ".migration-v1-images.json" })
        {
            if (fileSystem.Directory.Exists(fileSystem.Path.Combine(root, entry)) || fileSystem.File.Exists(fileSystem.Path.Combine(root, entry)))
            {
                Log.PostMigrationData(logger, root, entry);
            }
        }

        Log.OpenedRoot(logger, root, driver, how);
        return new DockerRoot(fileSystem, root, driver, options);
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> GetImageIds() => _imageIds.Value;

    /// <inheritdoc/>
    public string ResolveImageId(string reference)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        var parsed = ImageReference.Parse(reference);
        var repositoriesPath = RepositoriesPath;

        // 1. TagStore.GetImage(repo, ref): the exact tag or digest, then a short ID among the repository's images.
        if (TryGetRepository(parsed.LocalName, out var references))
        {
            if (references.TryGetValue(parsed.TagOrDigest, out var tagged))
            {
                var id = DockerIds.RequireId(tagged, repositoriesPath);
                return HasImage(id)
                    ? id
                    : throw new ImageNotFoundException(reference, $"{ImageReference.Format(parsed.LocalName, parsed.TagOrDigest)} points at {id}, which is not an image of this root");
            }

            var shortId = parsed.TagOrDigest;
            if (DockerIds.LooksLikeShortId(shortId))
            {
                var matches = references.Values.Where(v => v.StartsWith(shortId, StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                if (matches.Count > 1)
                {
                    // Docker returns whichever match Go's map order yields first; an error is the deterministic choice.
                    throw new AmbiguousReferenceException(reference, matches);
                }

                if (matches.Count == 1)
                {
                    var id = DockerIds.RequireId(matches[0], repositoriesPath);
                    return HasImage(id) ? id : throw new ImageNotFoundException(reference, $"it matches {id}, which is not an image of this root");
                }
            }
        }

        // 2. Graph.Get(name): the whole string as a prefix of every image ID (truncindex: no minimum length).
        var candidates = PrefixMatches(reference);
        return candidates.Count switch
        {
            0 => throw new ImageNotFoundException(reference),
            1 => candidates[0],
            _ => throw new AmbiguousReferenceException(reference, candidates),
        };
    }

    /// <inheritdoc/>
    public ImageStack Resolve(string reference)
    {
        var imageId = ResolveImageId(reference);
        var chain = WalkChain(imageId);
        var layers = new StackLayer[chain.Count];
        var aufs = Aufs;
        var branches = new ResolvedBranch[chain.Count];
        if (aufs is not null)
        {
            // Where each layer's files are; a diff/<id> link to anywhere but its Docker 0.7 migration target is refused here.
            for (var i = 0; i < chain.Count; i++)
            {
                branches[i] = aufs.ResolveBranch(chain[i].Id, Metadata, _logger);
            }

            CrossCheckAufs(aufs, chain, branches);
        }

        for (var i = 0; i < chain.Count; i++)
        {
            layers[i] = new StackLayer(chain[i], aufs is null ? null : branches[i].Path);
        }

        return new ImageStack(layers);
    }

    /// <inheritdoc/>
    public GraphLayer GetLayer(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        if (!DockerIds.IsId(id))
        {
            throw new ArgumentException($"'{id}' is not a full image ID (64 lowercase hex characters).", nameof(id));
        }

        if (_layers.TryGetValue(id, out var cached))
        {
            return cached;
        }

        if (!FileSystem.Directory.Exists(FileSystem.Path.Combine(GraphDirectory, id)))
        {
            throw new ImageNotFoundException(id, $"there is no {FileSystem.Path.Combine(GraphDirectory, id)}");
        }

        return _layers.GetOrAdd(id, GraphLayer.Read(FileSystem, GraphDirectory, id));
    }

    /// <inheritdoc/>
    public IReadOnlyList<ImageSummary> GetImages()
    {
        // Layers sorted by ID, looked up by binary search, with per-layer facts in arrays: a listing of 10,000 layers
        // allocates no dictionary or set of that size, which would land on the large object heap and cost a full
        // collection every few listings.
        var loaded = ReadLayersForListing();
        var isParent = new bool[loaded.Count];
        foreach (var layer in loaded)
        {
            if (layer.Parent is { } parent && IndexOf(loaded, parent) is var p and >= 0)
            {
                isParent[p] = true;
            }
        }

        var tags = new Dictionary<string, (List<string> Tags, List<string> Digests)>(StringComparer.Ordinal);
        foreach (var entry in Repositories.Entries)
        {
            if (IndexOf(loaded, entry.ImageId) < 0)
            {
                Log.TagTargetMissing(_logger, entry.DisplayName, DockerIds.Printable(entry.ImageId));
                continue;
            }

            if (!tags.TryGetValue(entry.ImageId, out var names))
            {
                tags[entry.ImageId] = names = ([], []);
            }

            (entry.IsDigest ? names.Digests : names.Tags).Add(entry.DisplayName);
        }

        var virtualSizes = new VirtualSizes(loaded.Count);
        var images = new List<ImageSummary>();
        for (var i = 0; i < loaded.Count; i++)
        {
            var layer = loaded[i];
            var tagged = tags.TryGetValue(layer.Id, out var names);
            if (!tagged && isParent[i])
            {
                continue; // an untagged image with children is not listed (docker images without -a)
            }

            images.Add(new ImageSummary
            {
                Id = layer.Id,
                ParentId = layer.Parent,
                Created = layer.Created,
                Size = layer.Size,
                VirtualSize = VirtualSize(i, loaded, virtualSizes),
                RepoTags = tagged ? [.. names.Tags.Order(StringComparer.Ordinal)] : [],
                RepoDigests = tagged ? [.. names.Digests.Order(StringComparer.Ordinal)] : [],
            });
        }

        images.Sort(static (a, b) =>
        {
            var byCreated = Nullable.Compare(b.Created, a.Created);
            return byCreated != 0 ? byCreated : string.CompareOrdinal(a.Id, b.Id);
        });
        return images;
    }

    /// <inheritdoc/>
    public IReadOnlyList<ImageHistoryEntry> GetHistory(string reference)
    {
        var chain = WalkChain(ResolveImageId(reference));
        var history = new List<ImageHistoryEntry>(chain.Count);
        foreach (var layer in chain)
        {
            history.Add(new ImageHistoryEntry
            {
                Id = layer.Id,
                Created = layer.Image.Created,
                CreatedBy = layer.Image.ContainerConfig?.Cmd is { } cmd ? string.Join(' ', cmd) : string.Empty,
                Size = layer.Size,
                Comment = layer.Image.Comment ?? string.Empty,
                Tags = [.. Repositories.ReferencesTo(layer.Id).Where(e => !e.IsDigest).Select(e => e.DisplayName)],
            });
        }

        return history;
    }

    /// <summary>
    /// One repository of the tag store. Until something needs the whole index, only that repository is read out of the
    /// file (a large tag store is scanned, not built); a missing or unreadable file is left to <see cref="Repositories"/>,
    /// which reports it once and holds no tags.
    /// </summary>
    private bool TryGetRepository(string repository, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IReadOnlyDictionary<string, string>? references)
    {
        if (!_repositories.IsValueCreated && FileSystem.File.Exists(RepositoriesPath))
        {
            try
            {
                return RepositoryIndex.TryReadRepository(FileSystem, RepositoriesPath, repository, out references);
            }
            catch (Exception e) when (e is CorruptFileException or UnsafePathException or FileNotFoundException)
            {
                // Fall through: the full read logs the problem (or the file gone since) once and gives an empty index.
            }
        }

        return Repositories.TryGetRepository(repository, out references);
    }

    private string RepositoriesPath => FileSystem.Path.Combine(Path, RepositoryIndex.FileName(Driver));

    /// <summary>Follows the <c>graph/</c> parent chain from <paramref name="imageId"/> to the base.</summary>
    private List<GraphLayer> WalkChain(string imageId)
    {
        var chain = new List<GraphLayer>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? id = imageId;
        GraphLayer? child = null;
        while (id is not null)
        {
            if (!seen.Add(id))
            {
                throw new BrokenLayerChainException(child!.Id, child.Directory, $"its parent chain loops back to {id}");
            }

            if (child is not null && !FileSystem.Directory.Exists(FileSystem.Path.Combine(GraphDirectory, id)))
            {
                throw new BrokenLayerChainException(child.Id, child.Directory, $"its parent {id} is missing (no {FileSystem.Path.Combine(GraphDirectory, id)})");
            }

            var layer = GetLayer(id);
            chain.Add(layer);
            child = layer;
            id = layer.Parent;
        }

        return chain;
    }

    /// <summary>Compares the graph chain with <c>aufs/layers/&lt;top&gt;</c> and checks every <c>diff/</c> directory.</summary>
    private void CrossCheckAufs(AufsDriver aufs, List<GraphLayer> chain, ResolvedBranch[] branches)
    {
        var top = chain[0];
        var layerFilePath = aufs.GetLayerFilePath(top.Id);
        if (!FileSystem.File.Exists(layerFilePath))
        {
            ChainProblem(top.Id, layerFilePath, "the aufs driver has no layer file for it");
            return;
        }

        var ancestors = aufs.ReadLayerFile(top.Id).Ancestors;
        for (var i = 1; i < Math.Max(chain.Count, ancestors.Count + 1); i++)
        {
            var fromGraph = i < chain.Count ? chain[i].Id : null;
            var fromAufs = i - 1 < ancestors.Count ? ancestors[i - 1] : null;
            if (fromGraph != fromAufs)
            {
                ChainProblem(chain[Math.Min(i, chain.Count) - 1].Id, layerFilePath,
                    $"graph/ names its parent {fromGraph ?? "(none)"}, but {layerFilePath} lists {fromAufs ?? "(nothing)"} at position {i}");
                return;
            }
        }

        for (var i = 0; i < chain.Count; i++)
        {
            if (branches[i].Type != IO.UnixFileType.Directory)
            {
                ChainProblem(chain[i].Id, aufs.GetDiffPath(chain[i].Id), "its aufs diff directory is missing");
            }
        }
    }

    private void ChainProblem(string layerId, string path, string problem)
    {
        if (_strictChains)
        {
            throw new BrokenLayerChainException(layerId, path, problem);
        }

        Log.ChainProblem(_logger, layerId, $"{problem} ({path})");
    }

    private long? VirtualSize(int index, List<ListedLayer> loaded, VirtualSizes memo)
    {
        // Iterative walk to the base (or the first memoized ancestor), then fill the memo on the way back.
        var layer = loaded[index];
        var path = new List<int>();
        var seen = new HashSet<int>();
        long? baseTotal = 0;
        var current = index;
        while (true)
        {
            if (memo.TryGet(current, out var known))
            {
                baseTotal = known;
                break;
            }

            if (!seen.Add(current))
            {
                Log.SizeUnknown(_logger, layer.Id, $"the parent chain loops at {loaded[current].Id}");
                baseTotal = null;
                break;
            }

            path.Add(current);
            if (loaded[current].Parent is not { } parentId)
            {
                break;
            }

            var parent = IndexOf(loaded, parentId);
            if (parent < 0)
            {
                Log.SizeUnknown(_logger, layer.Id, $"its ancestor {parentId} cannot be read");
                baseTotal = null;
                break;
            }

            current = parent;
        }

        for (var i = path.Count - 1; i >= 0; i--)
        {
            baseTotal = baseTotal is { } total && loaded[path[i]].Size is { } size ? total + size : null;
            memo.Set(path[i], baseTotal);
        }

        memo.TryGet(index, out var result);
        return result;
    }

    /// <summary>The position of <paramref name="id"/> in layers sorted by ID, or a negative number.</summary>
    private static int IndexOf(List<ListedLayer> sorted, string id)
    {
        int low = 0, high = sorted.Count - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var order = string.CompareOrdinal(sorted[middle].Id, id);
            if (order == 0)
            {
                return middle;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return -1;
    }

    /// <summary>The virtual sizes found so far, by layer position: known or not, and the value (unknown when null).</summary>
    private sealed class VirtualSizes(int count)
    {
        private readonly long[] _values = new long[count];
        private readonly byte[] _states = new byte[count]; // 0: not yet, 1: a size, 2: unknown

        public bool TryGet(int index, out long? value)
        {
            value = _states[index] == 1 ? _values[index] : null;
            return _states[index] != 0;
        }

        public void Set(int index, long? value)
        {
            _states[index] = value is null ? (byte)2 : (byte)1;
            _values[index] = value ?? 0;
        }
    }

    private bool HasImage(string id) =>
        FileSystem.Directory.Exists(FileSystem.Path.Combine(GraphDirectory, id)) && DriverHas(id);

    private List<string> PrefixMatches(string prefix)
    {
        // Until every ID is needed, list only the directories whose names start with the prefix: a large graph/ is still
        // read by the system, but only the few matching names become strings. Only hex can start an ID.
        var ids = _imageIds.IsValueCreated || !DockerIds.IsLowerHex(prefix) ? _imageIds.Value : ListImageIds(prefix);
        var start = Array.BinarySearch(ids, prefix, StringComparer.Ordinal);
        if (start < 0)
        {
            start = ~start;
        }

        var matches = new List<string>();
        for (var i = start; i < ids.Length && ids[i].StartsWith(prefix, StringComparison.Ordinal); i++)
        {
            if (DriverHas(ids[i]))
            {
                matches.Add(ids[i]);
            }
        }

        return matches;
    }

    /// <summary>Docker's <c>driver.Exists(id)</c>, which decides whether an image is restored at all.</summary>
    private bool DriverHas(string id)
    {
        var fs = FileSystem;
        return Driver switch
        {
            AufsDriver.Name => fs.File.Exists(Aufs!.GetLayerFilePath(id)),
            "overlay" => fs.Directory.Exists(fs.Path.Combine(Path, "overlay", id)),
            "vfs" => fs.Directory.Exists(fs.Path.Combine(Path, "vfs", "dir", id)),
            "btrfs" => fs.Directory.Exists(fs.Path.Combine(Path, "btrfs", "subvolumes", id)),
            "devicemapper" => fs.File.Exists(fs.Path.Combine(Path, "devicemapper", "metadata", id)),
            _ => true,
        };
    }

    /// <summary>The set of layer IDs the driver has, from one directory listing; <see langword="null"/> when every layer counts.</summary>
    private HashSet<string>? DriverLayerIds()
    {
        var fs = FileSystem;
        var directory = Driver switch
        {
            AufsDriver.Name => Aufs!.LayersDirectory,
            "overlay" => fs.Path.Combine(Path, "overlay"),
            "vfs" => fs.Path.Combine(Path, "vfs", "dir"),
            "btrfs" => fs.Path.Combine(Path, "btrfs", "subvolumes"),
            "devicemapper" => fs.Path.Combine(Path, "devicemapper", "metadata"),
            _ => null,
        };

        if (directory is null)
        {
            return null;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (fs.Directory.Exists(directory))
        {
            foreach (var entry in fs.Directory.EnumerateFileSystemEntries(directory))
            {
                ids.Add(fs.Path.GetFileName(entry));
            }
        }

        return ids;
    }

    private RepositoryIndex ReadRepositories()
    {
        var path = RepositoriesPath;
        if (!FileSystem.File.Exists(path))
        {
            Log.RepositoriesMissing(_logger, path);
            return RepositoryIndex.Empty;
        }

        try
        {
            return RepositoryIndex.Read(FileSystem, path);
        }
        catch (CorruptFileException e)
        {
            Log.RepositoriesUnreadable(_logger, path, e.Problem);
            return RepositoryIndex.Empty;
        }
        catch (UnsafePathException e)
        {
            // A tag store that is a symbolic link is not followed: like a corrupt one, it holds no tags.
            Log.RepositoriesUnreadable(_logger, path, e.Message);
            return RepositoryIndex.Empty;
        }
    }

    private string[] ListImageIds() => ListImageIds(prefix: null);

    private string[] ListImageIds(string? prefix)
    {
        var ids = new List<string>();
        var directories = prefix is null
            ? FileSystem.Directory.EnumerateDirectories(GraphDirectory)
            : FileSystem.Directory.EnumerateDirectories(GraphDirectory, prefix + "*");
        foreach (var directory in directories)
        {
            var name = FileSystem.Path.GetFileName(directory);
            if (DockerIds.IsId(name) && (prefix is null || name.StartsWith(prefix, StringComparison.Ordinal)))
            {
                ids.Add(name);
            }
        }

        var sorted = ids.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        return sorted;
    }

    /// <summary>The drivers whose state Docker 1.9 would find in the root, in its order of preference (vfs never counts).</summary>
    internal static List<string> PriorDrivers(IFileSystem fileSystem, string root) =>
        [.. DriverPriority.Where(d => fileSystem.Directory.Exists(fileSystem.Path.Combine(root, d)))];

    private static string DetectDriver(IFileSystem fileSystem, string root)
    {
        var prior = PriorDrivers(fileSystem, root);
        if (prior.Count > 1)
        {
            throw new NotALegacyRootException(root,
                $"holds the data of several storage drivers ({string.Join(", ", prior)}); name the one to read (DockerRootOptions.Driver, or --driver)");
        }

        if (prior.Count == 1)
        {
            return prior[0];
        }

        if (fileSystem.Directory.Exists(fileSystem.Path.Combine(root, "vfs", "dir")))
        {
            return "vfs";
        }

        throw new NotALegacyRootException(root, "has graph/ but no storage driver directory (aufs/, overlay/, …); name the driver to read only graph/");
    }

    /// <summary>The directories every read goes through must be real ones: a symbolic link there is refused, wherever it points.</summary>
    private static void RefuseLinkedDirectories(IFileSystem fileSystem, string root, string driver)
    {
        NoFollow.RequireNotLink(fileSystem, fileSystem.Path.Combine(root, LegacyLayout.GraphDirectory));
        var driverDirectory = fileSystem.Path.Combine(root, driver);
        NoFollow.RequireNotLink(fileSystem, driverDirectory);
        string[] below = driver switch
        {
            AufsDriver.Name => ["layers", "diff", "mnt"],
            "vfs" => ["dir"],
            _ => [],
        };
        foreach (var name in below)
        {
            NoFollow.RequireNotLink(fileSystem, fileSystem.Path.Combine(driverDirectory, name));
        }
    }

    private static IUnixMetadataProvider DefaultMetadata(IFileSystem fileSystem)
    {
        if (OperatingSystem.IsLinux() && fileSystem is System.IO.Abstractions.FileSystem)
        {
            return LinuxMetadataProvider.Instance;
        }

        return new FileSystemMetadataProvider(fileSystem);
    }
}
