using System.Collections.Concurrent;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Logging;

namespace Docker.Aufs.Stores.ContentAddressed;

/// <summary>
/// The content-addressed image store of Docker 1.10–23.x (docs/format/content-addressed.md): <c>image/&lt;driver&gt;/</c>
/// with the reference store <c>repositories.json</c>, image configs in <c>imagedb/</c>, layers in <c>layerdb/</c> and
/// containers' <c>config.v2.json</c>. Image IDs, ChainIDs and DiffIDs are <c>sha256:</c> digests; a layer's files are in
/// the driver under its cache-id. Lazy and thread-safe: resolving one tag reads that repository, the image's config and
/// its layers only.
/// </summary>
internal sealed partial class CasStore : ImageStore
{
    private readonly ConcurrentDictionary<string, CasLayer> _layers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ImageConfigFile> _configs = new(StringComparer.Ordinal);
    private readonly Lazy<string[]> _imageHexes;

    public CasStore(StoreContext context)
        : base(context)
    {
        var path = FileSystem.Path;
        StoreDirectory = path.Combine(context.Root, CasLayout.StoreDirectory(Driver.Name));
        ContentDirectory = path.Combine(StoreDirectory, CasLayout.Content);
        MetadataDirectory = path.Combine(StoreDirectory, CasLayout.Metadata);
        LayersDirectory = path.Combine(StoreDirectory, CasLayout.Layers);
        MountsDirectory = path.Combine(StoreDirectory, CasLayout.Mounts);
        References = new ReferenceStore(FileSystem, path.Combine(StoreDirectory, CasLayout.Repositories), Logger,
            (file, e) => ReportUnreadable(file, e, TagStoreUnreadable, into: null));
        _imageHexes = new Lazy<string[]>(ListImageHexes, LazyThreadSafetyMode.ExecutionAndPublication);
        foreach (var directory in new[] { StoreDirectory, path.Combine(StoreDirectory, "imagedb"), path.Combine(StoreDirectory, "imagedb", "content"), ContentDirectory,
                     path.Combine(StoreDirectory, "imagedb", "metadata"), MetadataDirectory, path.Combine(StoreDirectory, "layerdb"), LayersDirectory, MountsDirectory })
        {
            NoFollow.RequireNotLink(FileSystem, directory);
        }
    }

    public override ImageStoreKind Kind => ImageStoreKind.ContentAddressed;

    /// <inheritdoc/>
    protected override string ChainSource => "layerdb";

    /// <summary>Gets the full path of <c>image/&lt;driver&gt;</c>.</summary>
    public string StoreDirectory { get; }

    /// <summary>Gets the full path of <c>imagedb/content/sha256</c>.</summary>
    public string ContentDirectory { get; }

    /// <summary>Gets the full path of <c>imagedb/metadata/sha256</c>.</summary>
    public string MetadataDirectory { get; }

    /// <summary>Gets the full path of <c>layerdb/sha256</c>.</summary>
    public string LayersDirectory { get; }

    /// <summary>Gets the full path of <c>layerdb/mounts</c>.</summary>
    public string MountsDirectory { get; }

    /// <summary>Gets the reference store.</summary>
    public ReferenceStore References { get; }

    /// <summary>The image configs' names; <c>imagedb/content/sha256</c> refused is the store's one error, described.</summary>
    private string[] ListImageHexes()
    {
        try
        {
            return ListDigestNames(ContentDirectory);
        }
        catch (Exception e) when (IO.AccessProblems.IsDenied(e))
        {
            throw IO.AccessProblems.Describe(Context.Metadata, Context.Root, ContentDirectory, e);
        }
    }

    /// <summary>Gets the hex names of every image config, sorted (names that are not 64 hex, such as <c>*.tmp</c>, are not images).</summary>
    public IReadOnlyList<string> ImageHexes => _imageHexes.Value;

    /// <summary>
    /// Resolves a reference as Docker 17.03–23.0's <c>GetImage</c> does (docs/format/content-addressed.md §8.1): a full ID
    /// (64 hex, with or without <c>sha256:</c>); a reference (<c>busybox</c>, <c>library/busybox:latest</c>,
    /// <c>docker.io/library/busybox</c>, <c>host:5000/app:v1</c>, <c>name@sha256:…</c>) looked up in the reference store;
    /// the deprecated <c>name:&lt;short ID&gt;</c>; then any unique prefix of the image IDs.
    /// </summary>
    public override string ResolveImageId(string reference)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        if (DockerIds.IsId(reference) || Digests.Problem(reference) is null)
        {
            var id = DockerIds.IsId(reference) ? Digests.Sha256Prefix + reference : reference;
            return Digests.IsSha256(id) && HasImage(id) ? id : throw new ImageNotFoundException(reference);
        }

        if (!NamedReference.TryParse(reference, out var named, out var problem))
        {
            // Docker stops here too: a string that is neither an ID nor a valid reference is an invalid parameter.
            throw new ImageNotFoundException(reference, problem);
        }

        if (References.Get(named) is { } stored)
        {
            if (!Digests.IsSha256(stored))
            {
                throw new CorruptFileException(References.Path, $"{named.ForLookup().FamiliarString} points at '{DockerIds.Printable(stored)}', which is not an image ID");
            }

            return HasImage(stored)
                ? stored
                : throw new ImageNotFoundException(reference, $"{named.ForLookup().FamiliarString} points at {stored}, which is not an image of this root (no {FileSystem.Path.Combine(ContentDirectory, Digests.Hex(stored))})");
        }

        // Deprecated: repository:<short ID> (moby pull 799), when the tag starts with 12 hex characters.
        if (named.IsTagged && named.Tag.Length >= DockerIds.ShortLength && DockerIds.IsLowerHex(named.Tag.AsSpan(0, DockerIds.ShortLength)))
        {
            var byTag = PrefixMatches(named.Tag);
            if (byTag.Count == 1 && References.ReferencesTo(byTag[0]).Any(r => r.Reference.Name == named.Name))
            {
                return byTag[0];
            }
        }

        var matches = PrefixMatches(reference);
        return matches.Count switch
        {
            0 => throw new ImageNotFoundException(reference),
            1 => matches[0],
            _ => throw new AmbiguousReferenceException(reference, matches),
        };
    }

    /// <summary>Whether the store has a config for <paramref name="imageId"/> (<c>sha256:</c> and 64 hex).</summary>
    public bool HasImage(string imageId) => NoFollow.IsRegularFile(FileSystem, FileSystem.Path.Combine(ContentDirectory, Digests.Hex(imageId)));

    /// <summary>Reads and verifies an image's config (cached).</summary>
    /// <exception cref="ImageNotFoundException">The store has no such image.</exception>
    /// <exception cref="CorruptFileException">The config does not verify or decode.</exception>
    public ImageConfigFile ReadConfig(string imageId)
    {
        if (_configs.TryGetValue(imageId, out var cached))
        {
            return cached;
        }

        try
        {
            return _configs.GetOrAdd(imageId, ImageConfigFile.Read(FileSystem, ContentDirectory, imageId));
        }
        catch (FileNotFoundException)
        {
            throw new ImageNotFoundException(imageId, $"there is no {FileSystem.Path.Combine(ContentDirectory, Digests.Hex(imageId))}");
        }
    }

    /// <summary>Reads a layer of <c>layerdb/sha256/</c> by ChainID (cached).</summary>
    /// <exception cref="DirectoryNotFoundException">There is no such layer.</exception>
    /// <exception cref="CorruptFileException">Its files are not what Docker accepts.</exception>
    public CasLayer ReadLayer(string chainId)
    {
        if (_layers.TryGetValue(chainId, out var cached))
        {
            return cached;
        }

        return _layers.GetOrAdd(chainId, CasLayer.Read(FileSystem, LayersDirectory, chainId));
    }

    /// <summary>
    /// The layers of a chain, top first, by following <c>parent</c> from <paramref name="topChainId"/> as the layer store
    /// does (this is the stack Docker mounts).
    /// </summary>
    /// <param name="owner">The image or container the chain belongs to, for errors.</param>
    /// <param name="topChainId">The ChainID of the top layer.</param>
    /// <exception cref="BrokenLayerChainException">A layer of the chain is missing, or the chain loops.</exception>
    /// <exception cref="DockerDataException">A layer's files are corrupt.</exception>
    public List<CasLayer> WalkChain(string owner, string topChainId) => WalkChain(owner, topChainId, stopAt: null);

    /// <summary>
    /// <see cref="WalkChain(string, string)"/> that stops above the first layer <paramref name="stopAt"/> holds (a chain
    /// already walked whole, whose layers are therefore known to load and not to loop): the layers above it, top first.
    /// </summary>
    private List<CasLayer> WalkChain(string owner, string topChainId, ConcurrentDictionary<string, long>? stopAt)
    {
        var chain = new List<CasLayer>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? chainId = topChainId;
        while (chainId is not null && (stopAt is null || !stopAt.ContainsKey(chainId)))
        {
            if (!seen.Add(chainId))
            {
                throw new BrokenLayerChainException(owner, FileSystem.Path.Combine(LayersDirectory, Digests.Hex(chainId)), $"its layer chain loops back to {chainId}");
            }

            if (!Digests.IsSha256(chainId))
            {
                throw new BrokenLayerChainException(owner, chain.Count > 0 ? chain[^1].Directory : LayersDirectory, $"its layer {DockerIds.Printable(chainId)} is not a sha256 ChainID");
            }

            CasLayer layer;
            try
            {
                layer = ReadLayer(chainId);
            }
            catch (DirectoryNotFoundException)
            {
                var directory = FileSystem.Path.Combine(LayersDirectory, Digests.Hex(chainId));
                throw new BrokenLayerChainException(owner, directory, $"its layer {chainId} is missing (no {directory})");
            }

            chain.Add(layer);
            chainId = layer.Parent;
        }

        return chain;
    }

    public override Image GetImage(string imageId)
    {
        var config = ReadConfig(imageId);
        var layers = ImageLayers(config);
        var parent = ReadImageParent(imageId);
        var entries = HistoryEntries(config, layers);
        var references = References.ReferencesTo([imageId])[imageId];
        return new Image
        {
            Id = imageId,
            ParentId = parent,
            Config = config.Bytes,
            Created = config.Image.Created,
            Layers = [.. layers.Select(l => ToImageLayer(l) with { Created = entries.FirstOrDefault(h => h.LayerId == l.ChainId)?.Created })],
            History = entries.Count == 0 ? [] : new DeferredList<ImageHistoryEntry>(() => WithImageIds(imageId, entries)),
            RepoTags = [.. references.Where(r => r.Reference.IsTagged).Select(r => r.Reference.FamiliarString)],
            RepoDigests = [.. references.Where(r => r.Reference.IsDigested).Select(r => r.Reference.FamiliarString)],
        };
    }

    /// <summary>
    /// An image's layers, top first: the chain of its top ChainID as the layer store follows it, checked against the
    /// ChainIDs and DiffIDs its config lists (a disagreement is logged; the layer store's chain is what Docker mounts).
    /// </summary>
    public List<CasLayer> ImageLayers(ImageConfigFile config)
    {
        if (config.TopChainId is not { } top)
        {
            return [];
        }

        var layers = WalkChain(config.Id, top);
        var expected = config.ChainIds;
        for (var i = 0; i < Math.Max(layers.Count, expected.Count); i++)
        {
            if (i >= layers.Count || i >= expected.Count)
            {
                Log.ImageInconsistent(Logger, config.Id, $"its config lists {expected.Count} layers, but the layer store's chain of {top} has {layers.Count}");
                break;
            }

            var layer = layers[layers.Count - 1 - i];
            if (layer.ChainId != expected[i] || layer.DiffId != config.DiffIds[i])
            {
                Log.ImageInconsistent(Logger, config.Id,
                    $"layer {i + 1} of its config is {expected[i]} with DiffID {config.DiffIds[i]}, but the layer store's chain has {layer.ChainId} with DiffID {layer.DiffId} ({layer.Directory})");
                break;
            }
        }

        return layers;
    }

    /// <summary>The parent image recorded in <c>imagedb/metadata/sha256/&lt;hex&gt;/parent</c>, or <see langword="null"/>.</summary>
    public string? ReadImageParent(string imageId)
    {
        // One lstat of the directory (most pulled images have none; a link there is refused), then the file's one lstat
        // and read (SmallFile.TryRead): six system calls for a parent, one for none.
        var directory = FileSystem.Path.Combine(MetadataDirectory, Digests.Hex(imageId));
        if (!NoFollow.IsDirectory(FileSystem, directory))
        {
            return null;
        }

        var path = FileSystem.Path.Combine(directory, CasLayout.ParentFile);
        if (SmallFile.TryRead(FileSystem, path, SmallFile.LineLimit) is not { } bytes)
        {
            return null;
        }

        var text = System.Text.Encoding.UTF8.GetString(bytes);
        if (!Digests.IsSha256(text))
        {
            Log.ImageInconsistent(Logger, imageId, $"{path} holds '{DockerIds.Printable(text)}', which is not an image ID; the image is read without a parent");
            return null;
        }

        return text;
    }

    /// <summary>The public form of a layer.</summary>
    public ImageLayer ToImageLayer(CasLayer layer)
    {
        var content = Driver.GetContent(layer.CacheId);
        return new ImageLayer
        {
            Id = layer.ChainId,
            ParentId = layer.Parent,
            DriverLayerId = layer.CacheId,
            DiffId = layer.DiffId,
            Size = layer.Size,
            Directory = layer.Directory,
            TarSplitPath = layer.HasTarSplit ? layer.TarSplitPath : null,
            ContentPath = content.Path,
            ContentFormat = content.Format,
        };
    }

    public override IReadOnlyList<ImageLayer> Check(FindingSink sink) => new CasChecker(this, sink).Run();

    /// <summary>
    /// A layer by reference: an image reference names its top layer; otherwise a ChainID (full, or a unique prefix of its
    /// hex, with or without <c>sha256:</c>).
    /// </summary>
    public override ImageLayer GetLayer(string reference)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        string imageId;
        try
        {
            imageId = ResolveImageId(reference);
        }
        catch (ImageNotFoundException)
        {
            var hexes = ListDigestNames(LayersDirectory);
            var matches = PrefixMatches(hexes, reference);
            return matches.Count switch
            {
                0 => throw new ImageNotFoundException(reference, "no image or layer (ChainID) of this root matches"),
                1 => ToImageLayer(WalkChain(matches[0], matches[0])[0]),
                _ => throw new AmbiguousReferenceException(reference, matches),
            };
        }

        var layers = ImageLayers(ReadConfig(imageId));
        return layers.Count > 0 ? ToImageLayer(layers[0]) : throw new ImageNotFoundException(reference, $"image {imageId} has no layers");
    }

    /// <summary>The image IDs a prefix of their hex (with or without <c>sha256:</c>) matches.</summary>
    private List<string> PrefixMatches(string prefix) => PrefixMatches(ImageHexes, prefix);

    private static List<string> PrefixMatches(IReadOnlyList<string> sortedHexes, string prefix)
    {
        if (prefix.StartsWith(Digests.Sha256Prefix, StringComparison.Ordinal))
        {
            prefix = prefix[Digests.Sha256Prefix.Length..];
        }

        var matches = new List<string>();
        if (!DockerIds.IsLowerHex(prefix))
        {
            return matches;
        }

        int low = 0, high = sortedHexes.Count;
        while (low < high)
        {
            var middle = low + ((high - low) >> 1);
            if (string.CompareOrdinal(sortedHexes[middle], prefix) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        for (var i = low; i < sortedHexes.Count && sortedHexes[i].StartsWith(prefix, StringComparison.Ordinal); i++)
        {
            matches.Add(Digests.Sha256Prefix + sortedHexes[i]);
        }

        return matches;
    }

    /// <summary>The names of a <c>sha256</c> directory that are 64 hex characters, sorted; a missing directory has none.</summary>
    internal string[] ListDigestNames(string directory)
    {
        if (!FileSystem.Directory.Exists(directory))
        {
            return [];
        }

        var names = new List<string>();
        foreach (var entry in FileSystem.Directory.EnumerateFileSystemEntries(directory))
        {
            var name = FileSystem.Path.GetFileName(entry);
            if (DockerIds.IsId(name))
            {
                names.Add(name);
            }
        }

        var sorted = names.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        return sorted;
    }
}
