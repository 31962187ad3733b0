namespace Docker.Aufs.Archive;

/// <summary>Where a layer's tar comes from.</summary>
public enum LayerTarSource
{
    /// <summary>Reassembled from <c>tar-data.json.gz</c> and the layer's files: byte-identical to the tar Docker applied.</summary>
    TarSplit,

    /// <summary>Regenerated from the layer's directory with Docker's AUFS <c>Diff</c> rules: same files, its own bytes.</summary>
    Regenerated,
}

/// <summary>Which way to produce layer tars.</summary>
public enum LayerSourcePolicy
{
    /// <summary>Reassemble from tar-split data when the layer has it; when there is none, or it does not match the files, regenerate.</summary>
    Auto,

    /// <summary>Only reassemble; a layer without usable tar-split data is an error.</summary>
    TarSplitOnly,

    /// <summary>Always regenerate from the layer's directory.</summary>
    RegenerateOnly,
}

/// <summary>The formats <c>save</c> writes.</summary>
public enum ArchiveFormat
{
    /// <summary>A <c>docker save</c> tar: <c>manifest.json</c>, configs, <c>&lt;id&gt;/layer.tar</c>, plus the legacy <c>repositories</c>, <c>VERSION</c> and <c>json</c>.</summary>
    DockerArchive,

    /// <summary>An OCI image layout in a tar file (an "oci-archive").</summary>
    Oci,

    /// <summary>An OCI image layout as a directory.</summary>
    OciDirectory,
}

/// <summary>Options for writing one layer tar. Change with <c>with { … }</c>.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed record LayerTarOptions
{
    /// <summary>Gets the default options: <see cref="LayerSourcePolicy.Auto"/>.</summary>
    public static LayerTarOptions Default { get; } = new();

    /// <summary>Gets which way to produce the tar.</summary>
    public LayerSourcePolicy Source { get; init; } = LayerSourcePolicy.Auto;

    /// <summary>
    /// Gets the file system to write an output file to, or <see langword="null"/> for the root's own (use it to write a root
    /// read from a <c>MockFileSystem</c> to disk, or the other way round).
    /// </summary>
    public System.IO.Abstractions.IFileSystem? OutputFileSystem { get; init; }
}

/// <summary>Options for <c>save</c>. Change with <c>with { … }</c>.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed record SaveOptions
{
    /// <summary>Gets the default options: a docker-archive, uncompressed, layers from tar-split where possible.</summary>
    public static SaveOptions Default { get; } = new();

    /// <summary>Gets the output format.</summary>
    public ArchiveFormat Format { get; init; } = ArchiveFormat.DockerArchive;

    /// <summary>
    /// Gets whether to gzip-compress the layers: each <c>&lt;id&gt;/layer.tar</c> of a docker-archive (<c>docker load</c> and
    /// skopeo recognise compressed layers; the archive itself stays a tar, which skopeo requires), each layer blob of the OCI
    /// formats (<c>tar+gzip</c> media type). DiffIDs and image IDs do not change.
    /// </summary>
    public bool Gzip { get; init; }

    /// <summary>Gets which way to produce layer tars.</summary>
    public LayerSourcePolicy LayerSource { get; init; } = LayerSourcePolicy.Auto;

    /// <summary>Gets the file system to write the output to, or <see langword="null"/> for the root's own.</summary>
    public System.IO.Abstractions.IFileSystem? OutputFileSystem { get; init; }
}

/// <summary>What a long export has done so far, reported through <see cref="IProgress{T}"/>.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed record ArchiveProgress
{
    /// <summary>Gets the layer being written (full ID).</summary>
    public required string LayerId { get; init; }

    /// <summary>Gets the 1-based number of the layer being written among all layers of the export.</summary>
    public int LayerNumber { get; init; }

    /// <summary>Gets the number of distinct layers the export writes.</summary>
    public int LayerCount { get; init; }

    /// <summary>
    /// Gets the bytes of layer tars produced so far, across all layers. It goes back down when a reassembly fails and the
    /// layer is regenerated from its start instead.
    /// </summary>
    public long BytesDone { get; init; }

    /// <summary>
    /// Gets an estimate of the bytes all layer tars will take (the layers' recorded sizes), or <see langword="null"/> when a
    /// layer's size is unknown. Tars are somewhat larger than their files (headers, padding), so it is a lower bound.
    /// </summary>
    public long? BytesEstimated { get; init; }
}

/// <summary>The result of writing one layer tar.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed record LayerTarResult
{
    /// <summary>Gets the layer's ID.</summary>
    public required string LayerId { get; init; }

    /// <summary>Gets the DiffID: <c>sha256:</c> and the hex SHA-256 of the uncompressed tar.</summary>
    public required string DiffId { get; init; }

    /// <summary>Gets the length of the uncompressed tar in bytes.</summary>
    public long Size { get; init; }

    /// <summary>Gets where the tar came from.</summary>
    public LayerTarSource Source { get; init; }
}

/// <summary>One layer of <see cref="ImageDigests"/>.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed record LayerDigest
{
    /// <summary>Gets the legacy layer ID (the <c>graph/</c> directory name).</summary>
    public required string Id { get; init; }

    /// <summary>Gets the DiffID, <c>sha256:…</c> of the uncompressed layer tar.</summary>
    public required string DiffId { get; init; }

    /// <summary>Gets the ChainID: the DiffID for the base layer, else <c>sha256</c> of the parent's ChainID, a space and this DiffID.</summary>
    public required string ChainId { get; init; }

    /// <summary>Gets the length of the uncompressed layer tar in bytes.</summary>
    public long Size { get; init; }

    /// <summary>Gets where the tar came from.</summary>
    public LayerTarSource Source { get; init; }
}

/// <summary>The content-addressed identity Docker 1.10+ gives a legacy image: its v2 config, image ID and per-layer digests.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed class ImageDigests
{
    internal ImageDigests(string legacyId, ReadOnlyMemory<byte> config, string imageId, IReadOnlyList<LayerDigest> layers)
    {
        LegacyId = legacyId;
        Config = config;
        ImageId = imageId;
        Layers = layers;
    }

    /// <summary>Gets the legacy ID of the image (its top layer).</summary>
    public string LegacyId { get; }

    /// <summary>Gets the image ID, <c>sha256:</c> and the hex SHA-256 of <see cref="Config"/>.</summary>
    public string ImageId { get; }

    /// <summary>Gets the v2 image config as Docker 1.10's migration builds it (the bytes the image ID is the digest of).</summary>
    public ReadOnlyMemory<byte> Config { get; }

    /// <summary>Gets the layers, base first (the order of <c>rootfs.diff_ids</c>).</summary>
    public IReadOnlyList<LayerDigest> Layers { get; }
}

/// <summary>One image written by <c>save</c>.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed record SavedImage
{
    /// <summary>Gets the image's digests (image ID, config, layers).</summary>
    public required ImageDigests Digests { get; init; }

    /// <summary>Gets the tags written for it (<c>repo:tag</c>); empty when it was saved by ID.</summary>
    public IReadOnlyList<string> RepoTags { get; init; } = [];

    /// <summary>Gets, for the OCI formats, the digest of its manifest; <see langword="null"/> for a docker-archive.</summary>
    public string? ManifestDigest { get; init; }
}

/// <summary>The result of <c>save</c>.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed record SaveResult
{
    /// <summary>Gets the full path written.</summary>
    public required string Path { get; init; }

    /// <summary>Gets the format written.</summary>
    public ArchiveFormat Format { get; init; }

    /// <summary>Gets the images written, in the order they were asked for (each once).</summary>
    public IReadOnlyList<SavedImage> Images { get; init; } = [];

    /// <summary>Gets the number of distinct layers written.</summary>
    public int LayerCount { get; init; }
}
