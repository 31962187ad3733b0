namespace Docker.Aufs;

/// <summary>Which of Docker's two image stores a root holds.</summary>
public enum ImageStoreKind
{
    /// <summary>The graph era, Docker 0.7–1.9: <c>graph/&lt;id&gt;/</c> and <c>repositories-&lt;driver&gt;</c>.</summary>
    Graph,

    /// <summary>The content-addressed era, Docker 1.10–23.x: <c>image/&lt;driver&gt;/{repositories.json,imagedb,layerdb}</c>.</summary>
    ContentAddressed,
}

/// <summary>How a layer's files lie in its driver directory, which decides how its tar is regenerated.</summary>
public enum LayerContentFormat
{
    /// <summary>The layer's own changes, whiteouts as <c>.wh.</c> files and opaque markers (AUFS <c>diff/</c>).</summary>
    AufsChanges,

    /// <summary>The layer's own changes, whiteouts as 0/0 character devices and opaque directories by extended attribute (overlay, overlay2).</summary>
    OverlayChanges,

    /// <summary>The whole file system of the image up to this layer (overlay v1 <c>root/</c>, vfs): enough to reassemble from tar-split data, not to regenerate.</summary>
    FullTree,
}

/// <summary>One layer of an image: what the image store records about it and where the driver keeps its files.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed record ImageLayer
{
    /// <summary>Gets the layer's ID in the image store: the graph ID (graph era) or the ChainID <c>sha256:…</c> (content-addressed era).</summary>
    public required string Id { get; init; }

    /// <summary>Gets the parent layer's <see cref="Id"/>, or <see langword="null"/> at the base.</summary>
    public string? ParentId { get; init; }

    /// <summary>Gets the layer's ID in the storage driver (the directory name under the driver's folder): the graph ID, or the cache ID.</summary>
    public required string DriverLayerId { get; init; }

    /// <summary>Gets the DiffID the store records (<c>sha256:</c> of the layer tar), or <see langword="null"/> when the store records none (graph era).</summary>
    public string? DiffId { get; init; }

    /// <summary>Gets the size the store records, or <see langword="null"/> when unknown.</summary>
    public long? Size { get; init; }

    /// <summary>Gets the creation time of the layer, when the store records one (graph era), else <see langword="null"/>.</summary>
    public RecordedTime? Created { get; init; }

    /// <summary>Gets the full path of the store's directory for the layer (<c>graph/&lt;id&gt;</c>, <c>layerdb/sha256/&lt;chain&gt;</c>).</summary>
    public required string Directory { get; init; }

    /// <summary>Gets the full path of the tar-split data that rebuilds the layer's tar byte for byte, or <see langword="null"/> when there is none.</summary>
    public string? TarSplitPath { get; init; }

    /// <summary>Gets the full path of the driver directory holding the layer's files, or <see langword="null"/> when the driver keeps none readable.</summary>
    public string? ContentPath { get; init; }

    /// <summary>Gets how the layer's files lie in <see cref="ContentPath"/>.</summary>
    public LayerContentFormat ContentFormat { get; init; }

    /// <summary>Gets the graph era's image JSON of the layer exactly as stored (<c>graph/&lt;id&gt;/json</c>); empty in the content-addressed era.</summary>
    public ReadOnlyMemory<byte> LegacyJson { get; init; }
}

/// <summary>One entry of an image's history as <c>docker history</c> shows it, newest first.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed record ImageHistoryEntry
{
    /// <summary>Gets the ID <c>docker history</c> shows: the layer's graph ID (graph era), the image ID for the top entry, or <see langword="null"/> (<c>&lt;missing&gt;</c>).</summary>
    public string? Id { get; init; }

    /// <summary>Gets the creation time as recorded, or <see langword="null"/>.</summary>
    public RecordedTime? Created { get; init; }

    /// <summary>Gets the command that made the step.</summary>
    public string CreatedBy { get; init; } = string.Empty;

    /// <summary>Gets the size of the layer the step made (0 for an empty step), or <see langword="null"/> when unknown.</summary>
    public long? Size { get; init; }

    /// <summary>Gets the step's comment.</summary>
    public string Comment { get; init; } = string.Empty;

    /// <summary>Gets whether the step made no layer (<c>empty_layer</c> of the content-addressed era).</summary>
    public bool EmptyLayer { get; init; }

    /// <summary>Gets the <see cref="ImageLayer.Id"/> of the layer the step made, or <see langword="null"/> for an empty step.</summary>
    public string? LayerId { get; init; }

    /// <summary>Gets the tags pointing at the entry's image, <c>repo:tag</c>, sorted.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
}

/// <summary>An image resolved from a reference: its identity, its configuration as stored, its layers and its history.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed record Image
{
    /// <summary>Gets the image ID: the top layer's graph ID (graph era) or <c>sha256:</c> and the digest of the config (content-addressed era).</summary>
    public required string Id { get; init; }

    /// <summary>Gets the parent image's ID, or <see langword="null"/>.</summary>
    public string? ParentId { get; init; }

    /// <summary>Gets the configuration exactly as stored: the top layer's JSON (graph era) or the config whose digest is the image ID.</summary>
    public ReadOnlyMemory<byte> Config { get; init; }

    /// <summary>Gets the creation time as recorded, or <see langword="null"/>.</summary>
    public RecordedTime? Created { get; init; }

    /// <summary>Gets the layers, top first, base last (the order of <c>aufs/layers/&lt;id&gt;</c> and <c>docker history</c>).</summary>
    public IReadOnlyList<ImageLayer> Layers { get; init; } = [];

    /// <summary>Gets the history, newest first, as <c>docker history</c> shows it.</summary>
    public IReadOnlyList<ImageHistoryEntry> History { get; init; } = [];

    /// <summary>Gets the tags, <c>repo:tag</c>, sorted.</summary>
    public IReadOnlyList<string> RepoTags { get; init; } = [];

    /// <summary>Gets the digest references, <c>repo@sha256:…</c>, sorted.</summary>
    public IReadOnlyList<string> RepoDigests { get; init; } = [];

    /// <summary>Gets the sum of the recorded sizes of every layer, or <see langword="null"/> when any is unknown.</summary>
    public long? VirtualSize
    {
        get
        {
            long total = 0;
            foreach (var layer in Layers)
            {
                if (layer.Size is not { } size)
                {
                    return null;
                }

                total += size;
            }

            return total;
        }
    }
}

/// <summary>One row of <c>docker images</c>: an image with its tags and digests, or an untagged head.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed record ImageSummary
{
    /// <summary>Gets the image ID.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the parent's ID, or <see langword="null"/>.</summary>
    public string? ParentId { get; init; }

    /// <summary>Gets the creation time as recorded, or <see langword="null"/> when the configuration has none.</summary>
    public RecordedTime? Created { get; init; }

    /// <summary>Gets the size of the image's own layer, or <see langword="null"/> when unknown.</summary>
    public long? Size { get; init; }

    /// <summary>Gets the sum of the sizes of every layer of the image, or <see langword="null"/> when any is unknown.</summary>
    public long? VirtualSize { get; init; }

    /// <summary>Gets the tags, <c>repo:tag</c>, sorted; empty for an untagged head.</summary>
    public IReadOnlyList<string> RepoTags { get; init; } = [];

    /// <summary>Gets the digests, <c>repo@sha256:…</c>, sorted.</summary>
    public IReadOnlyList<string> RepoDigests { get; init; } = [];
}
