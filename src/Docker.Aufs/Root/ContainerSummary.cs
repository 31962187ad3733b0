using Docker.Aufs.Containers;

namespace Docker.Aufs;

/// <summary>One row of <c>docker ps -a</c>: a container of the root's storage driver.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed record ContainerSummary
{
    /// <summary>Gets the container ID.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the name, without its leading slash.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// Gets the image as <c>docker ps</c> shows it: the name the container was created from (<c>Config.Image</c>) while
    /// it still resolves to the container's image, otherwise the image ID.
    /// </summary>
    public required string Image { get; init; }

    /// <summary>Gets the full ID of the container's image, as stored.</summary>
    public required string ImageId { get; init; }

    /// <summary>Gets the command: <c>Path</c> and <c>Args</c> joined with spaces.</summary>
    public string Command { get; init; } = string.Empty;

    /// <summary>Gets the creation time, or <see langword="null"/> when the config has none.</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Gets the status derived from the saved state, as <c>docker ps</c> derives it.</summary>
    public ContainerStatus Status { get; init; }

    /// <summary>Gets the saved state (exit code, start and finish times), or <see langword="null"/> when the config has none.</summary>
    public ContainerStateJson? State { get; init; }

    /// <summary>Gets the storage driver of the container's layers.</summary>
    public required string Driver { get; init; }
}
