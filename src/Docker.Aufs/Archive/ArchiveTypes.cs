namespace Docker.Aufs.Archive;

/// <summary>Where a layer's tar comes from: as a choice (<see cref="ArchiveOptions.Source"/>) and as what happened (<see cref="LayerDigest.Source"/>).</summary>
public enum LayerSource
{
    /// <summary>As a choice only: reassemble from tar-split data when the layer has it; when there is none, or it does not match the files, regenerate.</summary>
    Auto,

    /// <summary>Reassembled from the layer's tar-split data and its files: byte-identical to the tar Docker applied. As a choice: only this; a layer without usable tar-split data is an error.</summary>
    TarSplit,

    /// <summary>Regenerated from the layer's directory with Docker's <c>Diff</c> rules: same files, its own bytes. As a choice: always this.</summary>
    Regenerated,
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

/// <summary>Options for archive work (<see cref="ImageArchiver"/>). Change with <c>with { … }</c>.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed record ArchiveOptions
{
    /// <summary>Gets the default options: layers from tar-split where possible, a docker-archive, uncompressed.</summary>
    public static ArchiveOptions Default { get; } = new();

    /// <summary>Gets which way to produce layer tars.</summary>
    public LayerSource Source { get; init; } = LayerSource.Auto;

    /// <summary>Gets the output format of <see cref="ImageArchiver.Save"/>.</summary>
    public ArchiveFormat Format { get; init; } = ArchiveFormat.DockerArchive;

    /// <summary>
    /// Gets whether <see cref="ImageArchiver.Save"/> gzip-compresses the layers: each <c>&lt;id&gt;/layer.tar</c> of a
    /// docker-archive (<c>docker load</c> and skopeo recognise compressed layers; the archive itself stays a tar, which skopeo
    /// requires), each layer blob of the OCI formats (<c>tar+gzip</c> media type). DiffIDs and image IDs do not change.
    /// </summary>
    public bool Gzip { get; init; }

    /// <summary>
    /// Gets the file system to write output files to, or <see langword="null"/> for the root's own (use it to write a root
    /// read from a <c>MockFileSystem</c> to disk, or the other way round).
    /// </summary>
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

/// <summary>A layer tar as written or hashed: one layer of <see cref="ImageDigests"/>, or the result of writing one layer's tar.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed record LayerDigest
{
    /// <summary>Gets the layer's <see cref="ImageLayer.Id"/> (the graph ID in the graph era).</summary>
    public required string Id { get; init; }

    /// <summary>Gets the DiffID, <c>sha256:…</c> of the uncompressed layer tar.</summary>
    public required string DiffId { get; init; }

    /// <summary>
    /// Gets the ChainID: the DiffID for the base layer, else <c>sha256</c> of the parent's ChainID, a space and this DiffID;
    /// <see langword="null"/> for a layer tar written by itself (its chain was not hashed).
    /// </summary>
    public string? ChainId { get; init; }

    /// <summary>Gets the length of the uncompressed layer tar in bytes.</summary>
    public long Size { get; init; }

    /// <summary>Gets where the tar came from.</summary>
    public LayerSource Source { get; init; }
}

/// <summary>
/// The content-addressed identity of an image: its config, image ID and per-layer digests (for a graph-era image, as Docker
/// 1.10's migration makes them), and, when it was saved, the tags written and the digest of its manifest.
/// </summary>
/// <threadsafety static="true" instance="true"/>
public sealed record ImageDigests
{
    /// <summary>Gets the ID of the image in its root (the top layer's graph ID in the graph era).</summary>
    public required string SourceId { get; init; }

    /// <summary>Gets the image ID, <c>sha256:</c> and the hex SHA-256 of <see cref="Config"/>.</summary>
    public required string ImageId { get; init; }

    /// <summary>Gets the image config (the bytes the image ID is the digest of).</summary>
    public ReadOnlyMemory<byte> Config { get; init; }

    /// <summary>Gets the layers, base first (the order of <c>rootfs.diff_ids</c>).</summary>
    public IReadOnlyList<LayerDigest> Layers { get; init; } = [];

    /// <summary>Gets the tags written for it by a save (<c>repo:tag</c>); empty when it was saved by ID or not saved.</summary>
    public IReadOnlyList<string> RepoTags { get; init; } = [];

    /// <summary>Gets, for a save in an OCI format, the digest of its manifest; otherwise <see langword="null"/>.</summary>
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
    public IReadOnlyList<ImageDigests> Images { get; init; } = [];

    /// <summary>Gets the number of distinct layers written.</summary>
    public int LayerCount { get; init; }
}

/// <summary>One entry to write in a tar by <see cref="ImageArchiver.ExportMembers"/>: an entry of a view and its name in the tar.</summary>
/// <param name="Name">The name in the tar: relative, <c>/</c> separators, no trailing slash.</param>
/// <param name="Entry">The entry of a view of the root.</param>
/// <threadsafety static="true" instance="true"/>
public sealed record ArchiveMember(string Name, Docker.Aufs.Union.UnionEntry Entry);
