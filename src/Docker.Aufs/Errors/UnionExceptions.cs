namespace Docker.Aufs;

/// <summary>No layer of the storage driver matches a layer ID or unique ID prefix.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed class LayerNotFoundException : DockerAufsException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="reference">The layer ID or prefix as given.</param>
    /// <param name="directory">The driver directory that was searched.</param>
    public LayerNotFoundException(string reference, string directory)
        : base($"No such layer: {reference} (nothing in {directory} matches)")
    {
        Reference = reference;
    }

    /// <summary>Gets the layer ID or prefix as given.</summary>
    public string Reference { get; }
}

/// <summary>
/// Resolving a path inside an image met more symbolic links than Linux follows (40, <c>ELOOP</c>): the links form a loop.
/// An <see cref="IOException"/>, as the same condition is on a real file system.
/// </summary>
/// <threadsafety static="true" instance="true"/>
public sealed class SymbolicLinkLoopException : IOException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="imagePath">The path inside the image that was being resolved.</param>
    /// <param name="lastLink">The path inside the image of the last symbolic link followed.</param>
    public SymbolicLinkLoopException(string imagePath, string lastLink)
        : base($"/{imagePath}: too many levels of symbolic links (the links loop; last one followed: /{lastLink})")
    {
        ImagePath = imagePath;
        LastLink = lastLink;
    }

    /// <summary>Gets the path inside the image that was being resolved, without a leading slash.</summary>
    public string ImagePath { get; }

    /// <summary>Gets the path inside the image of the last symbolic link followed, without a leading slash.</summary>
    public string LastLink { get; }
}
