namespace Docker.Aufs;

/// <summary>
/// The base of every exception this library throws about a Docker root or a reference into it.
/// Catch this type to handle "the root cannot give me what I asked for" in one place.
/// </summary>
/// <remarks>
/// Caller mistakes (a <see langword="null"/> argument, an empty string) raise the BCL's
/// <see cref="ArgumentException"/> family instead, and I/O failures of the underlying file system
/// (<see cref="IOException"/>, <see cref="UnauthorizedAccessException"/>) pass through unchanged.
/// </remarks>
/// <threadsafety static="true" instance="true"/>
public abstract class DockerAufsException : Exception
{
    /// <summary>Initializes a new instance with a message and an optional inner exception.</summary>
    /// <param name="message">What went wrong, naming the file or reference.</param>
    /// <param name="innerException">The lower-level cause, if any.</param>
    protected DockerAufsException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Bad data in a Docker root: a file that cannot be parsed, a broken layer chain, a path that
/// would escape the root. <see cref="Path"/> names the offending file or directory.
/// </summary>
/// <threadsafety static="true" instance="true"/>
public abstract class DockerDataException : DockerAufsException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="path">The file or directory that holds the bad data.</param>
    /// <param name="message">What is wrong with it.</param>
    /// <param name="innerException">The lower-level cause, if any.</param>
    protected DockerDataException(string path, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Path = path;
    }

    /// <summary>Gets the full path of the file or directory that holds the bad data.</summary>
    public string Path { get; }
}

/// <summary>A file in the root whose content is not what Docker writes: truncated, garbage, wrong JSON types, an invalid ID.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed class CorruptFileException : DockerDataException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="path">The corrupt file.</param>
    /// <param name="problem">What is wrong, without the path (it is prefixed).</param>
    /// <param name="innerException">The parser's exception, if any.</param>
    public CorruptFileException(string path, string problem, Exception? innerException = null)
        : base(path, $"{path}: {problem}", innerException)
    {
        Problem = problem;
    }

    /// <summary>Gets what is wrong with the file, without its path.</summary>
    public string Problem { get; }
}

/// <summary>
/// A layer chain that cannot be followed: a missing parent, a loop, or <c>graph/</c> and the driver's
/// own chain (<c>aufs/layers/&lt;id&gt;</c>) disagreeing. <see cref="LayerId"/> names the layer where it breaks.
/// </summary>
/// <threadsafety static="true" instance="true"/>
public sealed class BrokenLayerChainException : DockerDataException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="layerId">The layer at which the chain breaks.</param>
    /// <param name="path">The file or directory that shows the break.</param>
    /// <param name="problem">What is wrong.</param>
    public BrokenLayerChainException(string layerId, string path, string problem)
        : base(path, $"layer {layerId}: {problem} ({path})")
    {
        LayerId = layerId;
        Problem = problem;
    }

    /// <summary>Gets the ID of the layer at which the chain breaks.</summary>
    public string LayerId { get; }

    /// <summary>Gets what is wrong, without the layer ID and path.</summary>
    public string Problem { get; }
}

/// <summary>The given directory is not a Docker root this library can read (missing, or no image store or driver data it knows), or the root cannot do what was asked of it.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed class NotADockerRootException : DockerDataException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="path">The directory that was given as the root.</param>
    /// <param name="problem">Why it is not a root that can be read.</param>
    public NotADockerRootException(string path, string problem)
        : base(path, $"{path}: {problem}")
    {
        Problem = problem;
    }

    /// <summary>Gets what is wrong, without the path.</summary>
    public string Problem { get; }
}

/// <summary>A path read from the root's data (an ID in a file, a name in an archive) would lead outside the root.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed class UnsafePathException : DockerDataException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="path">The file whose data names the unsafe path.</param>
    /// <param name="unsafeValue">The offending value as read.</param>
    public UnsafePathException(string path, string unsafeValue)
        : base(path, $"{path}: refusing '{unsafeValue}': it is not an ID and could lead outside the root")
    {
        UnsafeValue = unsafeValue;
    }

    /// <summary>Initializes a new instance that says why the value is refused (for names that are not IDs, such as archive member names).</summary>
    /// <param name="path">The file whose data names the unsafe path.</param>
    /// <param name="unsafeValue">The offending value as read.</param>
    /// <param name="reason">Why it is refused, e.g. "it leads outside the layer directory".</param>
    public UnsafePathException(string path, string unsafeValue, string reason)
        : base(path, $"{path}: refusing '{unsafeValue}': {reason}")
    {
        UnsafeValue = unsafeValue;
    }

    /// <summary>Gets the offending value as read.</summary>
    public string UnsafeValue { get; }
}

/// <summary>No image matches a reference (a tag, digest, name or ID prefix).</summary>
/// <threadsafety static="true" instance="true"/>
public sealed class ImageNotFoundException : DockerAufsException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="reference">The reference as given.</param>
    public ImageNotFoundException(string reference)
        : base($"No such image: {reference}")
    {
        Reference = reference;
    }

    /// <summary>Initializes a new instance with a detail that says why the reference leads nowhere.</summary>
    /// <param name="reference">The reference as given.</param>
    /// <param name="detail">Why, e.g. "redis:latest points at 1a2b…, which is not an image of this root".</param>
    public ImageNotFoundException(string reference, string detail)
        : base($"No such image: {reference} ({detail})")
    {
        Reference = reference;
    }

    /// <summary>Gets the reference as given.</summary>
    public string Reference { get; }
}

/// <summary>A reference (an ID prefix) matches more than one image or container; <see cref="Candidates"/> lists them.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed class AmbiguousReferenceException : DockerAufsException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="reference">The reference as given.</param>
    /// <param name="candidates">The full IDs it matches, sorted.</param>
    public AmbiguousReferenceException(string reference, IReadOnlyList<string> candidates)
        : base($"Multiple IDs found with provided prefix: {reference} ({FormatCandidates(candidates)})")
    {
        Reference = reference;
        Candidates = candidates;
    }

    /// <summary>Gets the reference as given.</summary>
    public string Reference { get; }

    /// <summary>Gets the full IDs the reference matches, sorted ordinally.</summary>
    public IReadOnlyList<string> Candidates { get; }

    private static string FormatCandidates(IReadOnlyList<string> candidates)
    {
        const int Shown = 5;
        var head = string.Join(", ", candidates.Take(Shown));
        return candidates.Count > Shown ? $"{head}, and {candidates.Count - Shown} more" : head;
    }
}
