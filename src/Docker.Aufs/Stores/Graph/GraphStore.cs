using System.Collections.Concurrent;
using Docker.Aufs.Formats;
using Docker.Aufs.Logging;

namespace Docker.Aufs.Stores.Graph;

/// <summary>
/// The graph era's image store (Docker 0.7–1.9, docs/format/graph-era.md): <c>graph/&lt;id&gt;/</c>, the tag store
/// <c>repositories-&lt;driver&gt;</c> and <c>containers/&lt;id&gt;/config.json</c>. Lazy: resolving one tag reads the tag
/// store and that image's chain only. Caches are thread-safe; results are immutable.
/// </summary>
internal sealed partial class GraphStore : ImageStore
{
    private readonly Lazy<RepositoryIndex> _repositories;
    private readonly Lazy<string[]> _imageIds;
    private readonly ConcurrentDictionary<string, GraphLayer> _layers = new(StringComparer.Ordinal);

    public GraphStore(StoreContext context)
        : base(context)
    {
        GraphDirectory = FileSystem.Path.Combine(context.Root, LegacyLayout.GraphDirectory);
        _repositories = new Lazy<RepositoryIndex>(ReadRepositories, LazyThreadSafetyMode.ExecutionAndPublication);
        _imageIds = new Lazy<string[]>(ListImageIds, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public override ImageStoreKind Kind => ImageStoreKind.Graph;

    /// <inheritdoc/>
    protected override string ChainSource => "graph/";

    /// <summary>Gets the full path of <c>graph/</c>.</summary>
    public string GraphDirectory { get; }

    /// <summary>
    /// Gets the tag store <c>repositories-&lt;driver&gt;</c>. A missing, empty, truncated or corrupt file, or one that is a
    /// symbolic link (never followed), gives an empty index and a logged warning: images stay reachable by ID.
    /// </summary>
    public RepositoryIndex Repositories => _repositories.Value;

    /// <summary>Gets the path of the tag store.</summary>
    public string RepositoriesPath => FileSystem.Path.Combine(Context.Root, RepositoryIndex.FileName(Driver.Name));

    /// <summary>Returns the IDs of every directory under <c>graph/</c> that is named like an ID, sorted.</summary>
    public IReadOnlyList<string> GetImageIds() => _imageIds.Value;

    /// <summary>
    /// Resolves a reference exactly as Docker 1.9's <c>LookupImage</c>: <c>name</c>, <c>name:tag</c>, <c>name@sha256:…</c>,
    /// <c>host:port/name:tag</c>, with <c>docker.io/</c>, <c>index.docker.io/</c> and <c>library/</c> normalized; then a
    /// 12+ character short ID among the repository's images; then any unique prefix of all image IDs.
    /// </summary>
    public override string ResolveImageId(string reference)
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

    public override Image GetImage(string imageId)
    {
        var chain = WalkChain(imageId);
        var layers = new ImageLayer[chain.Count];
        for (var i = 0; i < chain.Count; i++)
        {
            // Where each layer's files are; a link the driver does not follow is refused here.
            layers[i] = ToImageLayer(chain[i], Driver.GetContent(chain[i].Id));
        }

        var top = chain[0];
        var byImage = ReferencesTo(chain.Select(l => l.Id));
        var references = byImage.GetValueOrDefault(top.Id, []);
        return new Image
        {
            Id = top.Id,
            ParentId = top.Parent,
            Config = top.GetJsonValue(),
            Created = top.Image.Created,
            Layers = layers,
            History = History(chain, byImage),
            RepoTags = [.. references.Where(e => !e.IsDigest).Select(e => e.DisplayName).Order(StringComparer.Ordinal)],
            RepoDigests = [.. references.Where(e => e.IsDigest).Select(e => e.DisplayName).Order(StringComparer.Ordinal)],
        };
    }

    public override IReadOnlyList<ImageLayer> Check(FindingSink sink) => new GraphChecker(this, sink).Run();

    public override ImageLayer GetLayer(string reference)
    {
        var layer = ReadLayer(ResolveImageId(reference));
        return ToImageLayer(layer, Driver.GetContent(layer.Id));
    }

    /// <summary>Reads the <c>graph/</c> data of one layer by its full ID (cached).</summary>
    /// <exception cref="ImageNotFoundException">There is no <c>graph/&lt;id&gt;</c>.</exception>
    /// <exception cref="DockerDataException">Its files are corrupt.</exception>
    public GraphLayer ReadLayer(string id)
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

    /// <summary>Follows the <c>graph/</c> parent chain from <paramref name="imageId"/> to the base.</summary>
    public List<GraphLayer> WalkChain(string imageId)
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

            var layer = ReadLayer(id);
            chain.Add(layer);
            child = layer;
            id = layer.Parent;
        }

        return chain;
    }

    private ImageLayer ToImageLayer(GraphLayer layer, Drivers.LayerContent content) => ToImageLayer(FileSystem, layer, content);

    /// <summary>The public form of a graph layer whose files are where <paramref name="content"/> says.</summary>
    internal static ImageLayer ToImageLayer(System.IO.Abstractions.IFileSystem fileSystem, GraphLayer layer, Drivers.LayerContent content) => new()
    {
        Id = layer.Id,
        ParentId = layer.Parent,
        DriverLayerId = layer.Id,
        Size = layer.Size,
        Created = layer.Image.Created,
        Directory = layer.Directory,
        TarSplitPath = layer.HasTarSplit ? fileSystem.Path.Combine(layer.Directory, GraphFiles.TarSplit) : null,
        ContentPath = content.Path,
        ContentFormat = content.Format,
        LegacyJson = layer.RawJson,
    };

    private static List<ImageHistoryEntry> History(List<GraphLayer> chain, Dictionary<string, List<RepositoryEntry>> references)
    {
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
                LayerId = layer.Id,
                Tags = [.. references.GetValueOrDefault(layer.Id, []).Where(e => !e.IsDigest).Select(e => e.DisplayName)],
            });
        }

        return history;
    }

    /// <summary>
    /// The tag store's entries pointing at any of <paramref name="imageIds"/>, by image. Until something needs the whole
    /// index, only these entries are read out of the file (so resolving one image costs the same on a root of thousands of
    /// tags); a missing or unreadable file is left to <see cref="Repositories"/>, which reports it once and holds no tags.
    /// </summary>
    private Dictionary<string, List<RepositoryEntry>> ReferencesTo(IEnumerable<string> imageIds)
    {
        var wanted = new HashSet<string>(imageIds, StringComparer.Ordinal);
        IEnumerable<RepositoryEntry>? entries = null;
        if (!_repositories.IsValueCreated && FileSystem.File.Exists(RepositoriesPath))
        {
            try
            {
                entries = RepositoryIndex.ReadReferencesTo(FileSystem, RepositoriesPath, wanted);
            }
            catch (Exception e) when (e is CorruptFileException or UnsafePathException or FileNotFoundException || IO.AccessProblems.IsDenied(e))
            {
                // Fall through: the full read logs the problem (or the file gone since) once and gives an empty index.
            }
        }

        entries ??= wanted.SelectMany(Repositories.ReferencesTo);
        return entries.GroupBy(e => e.ImageId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
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
            catch (Exception e) when (e is CorruptFileException or UnsafePathException or FileNotFoundException || IO.AccessProblems.IsDenied(e))
            {
                // Fall through: the full read logs the problem (or the file gone since) once and gives an empty index.
            }
        }

        return Repositories.TryGetRepository(repository, out references);
    }

    /// <summary>Whether the store and the driver both have the image, as Docker's restore requires.</summary>
    public bool HasImage(string id) =>
        FileSystem.Directory.Exists(FileSystem.Path.Combine(GraphDirectory, id)) && Driver.Exists(id);

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
            if (Driver.Exists(ids[i]))
            {
                matches.Add(ids[i]);
            }
        }

        return matches;
    }

    private RepositoryIndex ReadRepositories()
    {
        var path = RepositoriesPath;
        if (!FileSystem.File.Exists(path))
        {
            Log.RepositoriesMissing(Logger, path);
            return RepositoryIndex.Empty;
        }

        try
        {
            return RepositoryIndex.Read(FileSystem, path);
        }
        catch (CorruptFileException e)
        {
            Log.RepositoriesUnreadable(Logger, path, e.Problem);
            return RepositoryIndex.Empty;
        }
        catch (UnsafePathException e)
        {
            // A tag store that is a symbolic link is not followed: like a corrupt one, it holds no tags.
            Log.RepositoriesUnreadable(Logger, path, e.Message);
            return RepositoryIndex.Empty;
        }
        catch (Exception e) when (IO.AccessProblems.IsDenied(e))
        {
            // Not readable by this process: no tags, images stay reachable by ID, and listings say they are partial.
            _repositoriesDenied = ReportUnreadable(path, e, TagStoreUnreadable, into: null);
            return RepositoryIndex.Empty;
        }
    }

    /// <summary>The refusal met reading the tag store, once it was read; listings report it as an unreadable part.</summary>
    private PathAccessDeniedException? _repositoriesDenied;

    private string[] ListImageIds() => ListImageIds(prefix: null);

    private string[] ListImageIds(string? prefix)
    {
        try
        {
            return ListImageIdsCore(prefix);
        }
        catch (Exception e) when (IO.AccessProblems.IsDenied(e))
        {
            // graph/ itself: nothing of the store can be listed, so this is the command's one error, not a warning.
            throw IO.AccessProblems.Describe(Context.Metadata, Context.Root, GraphDirectory, e);
        }
    }

    private string[] ListImageIdsCore(string? prefix)
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
}
