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

/// <summary>
/// An image config of a Docker 1.10+ image store (<c>image.Image</c> of moby v1.10.0) decoded in one pass: the legacy
/// fields of <see cref="ImageJson"/> and <c>rootfs</c>, <c>history</c>, with the same rules (a wrong type anywhere, a
/// <c>created</c> that is not RFC 3339, is an error, as <c>image.NewFromJSON</c> fails on it).
/// </summary>
/// <threadsafety static="true" instance="true"/>
internal sealed record CasConfigJson : ImageJson
{
    [JsonPropertyName("rootfs")]
    public RootFsJson? RootFs { get; init; }

    [JsonPropertyName("history")]
    public IReadOnlyList<HistoryJson?>? History { get; init; }
}
