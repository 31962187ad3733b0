using System.Text.Json.Serialization;

namespace Docker.Aufs.Archive;

/// <summary>One entry of a save archive's <c>manifest.json</c> (moby v1.10.0 <c>image/tarexport</c> <c>manifestItem</c>).</summary>
internal sealed record SaveManifestEntry
{
    [JsonPropertyName("Config")]
    public string? Config { get; init; }

    [JsonPropertyName("RepoTags")]
    public IReadOnlyList<string?>? RepoTags { get; init; }

    [JsonPropertyName("Layers")]
    public IReadOnlyList<string?>? Layers { get; init; }
}

/// <summary>The parts of an image config (<c>image.Image</c> of Docker 1.10+) an import needs.</summary>
internal sealed record ImageConfigDocument
{
    [JsonPropertyName("created")]
    public string? Created { get; init; }

    [JsonPropertyName("rootfs")]
    public RootFsDocument? RootFs { get; init; }

    [JsonPropertyName("history")]
    public IReadOnlyList<HistoryDocument?>? History { get; init; }
}

/// <summary><c>rootfs</c> of an image config (<c>image.RootFS</c>).</summary>
internal sealed record RootFsDocument
{
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("diff_ids")]
    public IReadOnlyList<string?>? DiffIds { get; init; }
}

/// <summary>One <c>history</c> item of an image config (<c>image.History</c>).</summary>
internal sealed record HistoryDocument
{
    [JsonPropertyName("created")]
    public string? Created { get; init; }

    [JsonPropertyName("author")]
    public string? Author { get; init; }

    [JsonPropertyName("created_by")]
    public string? CreatedBy { get; init; }

    [JsonPropertyName("comment")]
    public string? Comment { get; init; }

    [JsonPropertyName("empty_layer")]
    public bool? EmptyLayer { get; init; }
}
