using System.Text.Json.Serialization;

namespace Docker.Aufs.Formats;

/// <summary>
/// The fields of an image config (<c>image.Image</c> of Docker 1.10+) that the legacy image JSON lacks: <c>rootfs</c>,
/// <c>history</c> (docs/format/content-addressed.md §4.2). The rest of a config has the legacy fields and is read as
/// <see cref="ImageJson"/>; <c>created</c> is kept here as written, for callers that tolerate a bad one.
/// </summary>
internal sealed record ImageConfigJson
{
    [JsonPropertyName("created")]
    public string? Created { get; init; }

    [JsonPropertyName("rootfs")]
    public RootFsJson? RootFs { get; init; }

    [JsonPropertyName("history")]
    public IReadOnlyList<HistoryJson?>? History { get; init; }
}

/// <summary><c>rootfs</c> of an image config (<c>image.RootFS</c>).</summary>
internal sealed record RootFsJson
{
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("diff_ids")]
    public IReadOnlyList<string?>? DiffIds { get; init; }
}

/// <summary>One <c>history</c> item of an image config (<c>image.History</c>).</summary>
internal sealed record HistoryJson
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
