namespace Docker.Aufs;

/// <summary>
/// A layer's tar cannot be reassembled from its tar-split data (<c>graph/&lt;id&gt;/tar-data.json.gz</c>) because the files in
/// its directory are not the ones the data describes: a file is missing, is no longer a regular file, has another size, or its
/// content no longer matches the stored CRC-64 (it changed since the pull), or the data names a file twice.
/// <see cref="DockerDataException.Path"/> is the file on disk; <see cref="EntryName"/> the name in the tar.
/// </summary>
/// <remarks>Regenerating the tar from the layer's directory is the fallback; it gives a different DiffID than the registry's.</remarks>
/// <threadsafety static="true" instance="true"/>
public sealed class LayerReassemblyException : DockerDataException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="layerId">The layer whose tar cannot be reassembled.</param>
    /// <param name="entryName">The tar entry's name, as the tar-split data stores it.</param>
    /// <param name="path">The file on disk that should hold the entry's content.</param>
    /// <param name="problem">What is wrong with it.</param>
    public LayerReassemblyException(string layerId, string entryName, string path, string problem)
        : base(path, $"layer {layerId}: cannot reassemble its tar from tar-split data: '{entryName}': {problem} ({path})")
    {
        LayerId = layerId;
        EntryName = entryName;
        Problem = problem;
    }

    /// <summary>Gets the ID of the layer.</summary>
    public string LayerId { get; }

    /// <summary>Gets the tar entry's name as stored in the tar-split data.</summary>
    public string EntryName { get; }

    /// <summary>Gets what is wrong, without the layer, entry and path.</summary>
    public string Problem { get; }

    /// <summary>Gets whether every file matched but the whole tar does not hash to the layer's recorded DiffID.</summary>
    internal bool IsDiffIdMismatch { get; init; }

    /// <summary>Gets what kind of divergence between the tar-split data and the layer directory this is (fsck's code).</summary>
    internal LayerReassemblyKind Kind { get; init; }
}

/// <summary>What a <see cref="LayerReassemblyException"/> found: fsck gives each kind its own code.</summary>
internal enum LayerReassemblyKind
{
    /// <summary>A file is missing, of another size or content (<c>tarsplit-mismatch</c>).</summary>
    Content,

    /// <summary>The directory holds the name as another type of file (<c>tarsplit-type-mismatch</c>).</summary>
    Type,

    /// <summary>A symbolic link points elsewhere than the recorded target (<c>tarsplit-link-mismatch</c>).</summary>
    LinkTarget,
}

/// <summary>
/// An image archive (a <c>docker save</c> tar, a docker-archive or OCI layout) that cannot be imported: not a tar, a member
/// missing, named twice or of the wrong kind, a manifest or config that does not add up, a layer whose digest differs from
/// the one the config names. <see cref="DockerDataException.Path"/> is the archive; <see cref="Member"/> the member at fault.
/// </summary>
/// <threadsafety static="true" instance="true"/>
public sealed class ArchiveFormatException : DockerDataException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="path">The archive.</param>
    /// <param name="member">The member at fault, or <see langword="null"/> when the problem is the archive as a whole.</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="innerException">The lower-level cause, if any.</param>
    public ArchiveFormatException(string path, string? member, string problem, Exception? innerException = null)
        : base(path, member is null ? $"{path}: {problem}" : $"{path}: {member}: {problem}", innerException)
    {
        Member = member;
        Problem = problem;
    }

    /// <summary>Gets the member of the archive at fault, or <see langword="null"/>.</summary>
    public string? Member { get; }

    /// <summary>Gets what is wrong, without the archive and member.</summary>
    public string Problem { get; }
}
