using System.Text.Json.Serialization;
using Docker.Aufs.Archive;
using Docker.Aufs.Containers;
using Docker.Aufs.Graph;

namespace Docker.Aufs.Json;

/// <summary>
/// The library's one JSON serializer context. Go's decoding of struct fields is case-insensitive and lets the last of
/// several matching keys win; <c>PropertyNameCaseInsensitive</c> with duplicates allowed reproduces both.
/// First-value-only reading and lenient UTF-8 live in <see cref="Formats.GoJson"/>.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    AllowDuplicateProperties = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow,
    AllowTrailingCommas = false,
    MaxDepth = 256)]
[JsonSerializable(typeof(ImageJson))]
[JsonSerializable(typeof(ContainerJson))]
[JsonSerializable(typeof(HostConfigJson))]
[JsonSerializable(typeof(List<SaveManifestEntry>))]
[JsonSerializable(typeof(ImageConfigDocument))]
[JsonSerializable(typeof(Dictionary<string, Dictionary<string, string?>?>))]
internal sealed partial class DockerJsonContext : JsonSerializerContext
{
    /// <summary>Gets a context that writes with Go's escaping (<see cref="GoJsonEncoder"/>), for files the builder writes.</summary>
    public static DockerJsonContext GoWriter => _goWriter ??= CreateGoWriter();

    private static DockerJsonContext? _goWriter;

    private static DockerJsonContext CreateGoWriter()
    {
        var options = new System.Text.Json.JsonSerializerOptions(Default.Options!) { Encoder = GoJsonEncoder.Instance };
        return new DockerJsonContext(options);
    }
}
