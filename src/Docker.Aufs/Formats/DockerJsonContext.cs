using System.Text.Json.Serialization;

namespace Docker.Aufs.Formats;

/// <summary>
/// The source-generated JSON context of Docker's own files: the image JSON, the tag store and a container's configuration
/// files (the Go models of <see cref="ImageJson"/> and <see cref="ContainerJson"/>, the one typed reading of each). Go's decoding of struct fields is case-insensitive and lets the last of
/// several matching keys win; <c>PropertyNameCaseInsensitive</c> with duplicates allowed reproduces both. First-value-only
/// reading and lenient UTF-8 live in <see cref="GoJson"/>, whose reader limits these options share.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    AllowDuplicateProperties = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow,
    AllowTrailingCommas = false,
    MaxDepth = GoJson.MaxDepth)]
[JsonSerializable(typeof(ImageJson))]
[JsonSerializable(typeof(ImageConfigJson))]
[JsonSerializable(typeof(CasConfigJson))]
[JsonSerializable(typeof(ContainerJson))]
[JsonSerializable(typeof(HostConfigJson))]
[JsonSerializable(typeof(Dictionary<string, Dictionary<string, string?>?>))]
internal sealed partial class DockerJsonContext : JsonSerializerContext
{
    private static DockerJsonContext? _goWriter;

    /// <summary>Gets a context that writes with Go's escaping (<see cref="GoJsonEncoder"/>), for files the write side produces.</summary>
    public static DockerJsonContext GoWriter => _goWriter ??= new DockerJsonContext(new System.Text.Json.JsonSerializerOptions(Default.Options!) { Encoder = GoJsonEncoder.Instance });
}
