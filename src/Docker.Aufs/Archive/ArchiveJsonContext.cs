using System.Text.Json.Serialization;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Archive;

/// <summary>The source-generated JSON context of the archive members read by import: <c>manifest.json</c> and image configs. Same reader rules as every other context (<see cref="GoJson"/>).</summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    AllowDuplicateProperties = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow,
    AllowTrailingCommas = false,
    MaxDepth = GoJson.MaxDepth)]
[JsonSerializable(typeof(List<SaveManifestEntry>))]
internal sealed partial class ArchiveJsonContext : JsonSerializerContext;
