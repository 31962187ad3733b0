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
