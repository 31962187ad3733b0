using Docker.Aufs.Graph;

namespace Docker.Aufs;

/// <summary>One layer of an <see cref="ImageStack"/>: the <c>graph/</c> data and the driver's directory for its files.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed class StackLayer
{
    internal StackLayer(GraphLayer layer, string? diffPath)
    {
        Layer = layer;
        DiffPath = diffPath;
    }

    /// <summary>Gets the layer's <c>graph/&lt;id&gt;/</c> data.</summary>
    public GraphLayer Layer { get; }

    /// <summary>Gets the layer's ID.</summary>
    public string Id => Layer.Id;

    /// <summary>Gets the parent's ID, or <see langword="null"/> at the base.</summary>
    public string? Parent => Layer.Parent;

    /// <summary>Gets the typed image JSON.</summary>
    public ImageJson Image => Layer.Image;

    /// <summary>Gets the layer size from <c>layersize</c>, or <see langword="null"/> when unknown.</summary>
    public long? Size => Layer.Size;

    /// <summary>Gets the full path of the layer's files in the driver (<c>aufs/diff/&lt;id&gt;</c>), or <see langword="null"/> for drivers without one.</summary>
    public string? DiffPath { get; }
}

/// <summary>An image's ordered layer stack: the image's own layer first, the base last (the order of <c>aufs/layers/&lt;id&gt;</c> and <c>docker history</c>).</summary>
/// <threadsafety static="true" instance="true"/>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix",
    Justification = "An AUFS branch stack is the domain term; the type is not a Stack<T> collection.")]
public sealed class ImageStack
{
    internal ImageStack(IReadOnlyList<StackLayer> layers)
    {
        Layers = layers;
    }

    /// <summary>Gets the image ID (the top layer's ID).</summary>
    public string ImageId => Layers[0].Id;

    /// <summary>Gets the top layer: the image's own.</summary>
    public StackLayer Top => Layers[0];

    /// <summary>Gets the layers, top first, base last.</summary>
    public IReadOnlyList<StackLayer> Layers { get; }
}

/// <summary>One row of <c>docker images</c>: an image with its tags and digests, or an untagged head.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed record ImageSummary
{
    /// <summary>Gets the image ID.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the parent's ID, or <see langword="null"/> at a base.</summary>
    public string? ParentId { get; init; }

    /// <summary>Gets the creation time, or <see langword="null"/> when the JSON has none.</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Gets the size of the image's own layer, or <see langword="null"/> when unknown.</summary>
    public long? Size { get; init; }

    /// <summary>Gets the sum of the sizes of every layer of the image, or <see langword="null"/> when any is unknown.</summary>
    public long? VirtualSize { get; init; }

    /// <summary>Gets the tags, <c>repo:tag</c>, sorted; empty for an untagged head.</summary>
    public IReadOnlyList<string> RepoTags { get; init; } = [];

    /// <summary>Gets the digests, <c>repo@sha256:…</c>, sorted.</summary>
    public IReadOnlyList<string> RepoDigests { get; init; } = [];
}

/// <summary>One row of <c>docker history</c>: a layer of the image, top first.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed record ImageHistoryEntry
{
    /// <summary>Gets the layer's ID.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the layer's creation time, or <see langword="null"/> when the JSON has none.</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Gets the command that made the layer: <c>container_config.Cmd</c> joined with spaces.</summary>
    public string CreatedBy { get; init; } = string.Empty;

    /// <summary>Gets the layer's size, or <see langword="null"/> when unknown.</summary>
    public long? Size { get; init; }

    /// <summary>Gets the layer's comment.</summary>
    public string Comment { get; init; } = string.Empty;

    /// <summary>Gets the tags pointing at the layer, <c>repo:tag</c>, sorted.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
}
