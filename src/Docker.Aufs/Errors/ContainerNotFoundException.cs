namespace Docker.Aufs;

/// <summary>No container matches a reference (a full ID, a name or a unique ID prefix).</summary>
/// <threadsafety static="true" instance="true"/>
public sealed class ContainerNotFoundException : DockerAufsException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="reference">The reference as given.</param>
    public ContainerNotFoundException(string reference)
        : base($"No such container: {reference}")
    {
        Reference = reference;
    }

    /// <summary>Initializes a new instance with a detail that says why the reference leads nowhere.</summary>
    /// <param name="reference">The reference as given.</param>
    /// <param name="detail">Why, e.g. "its config.json cannot be read".</param>
    public ContainerNotFoundException(string reference, string detail)
        : base($"No such container: {reference} ({detail})")
    {
        Reference = reference;
    }

    /// <summary>Gets the reference as given.</summary>
    public string Reference { get; }
}
