using System.Text.Json.Serialization;

namespace Docker.Aufs.Formats;

/// <summary>
/// The v1 image JSON stored in <c>graph/&lt;id&gt;/json</c> (Go type <c>image.Image</c>, moby v1.9.1 <c>image/image.go</c>),
/// decoded with Go's rules: keys match case-insensitively, the last duplicate wins, unknown keys are ignored.
/// Properties are declared in Go's field order so that serializing one gives Docker's key order.
/// </summary>
/// <remarks>
/// The raw bytes of the file are kept beside it by the readers; this type is the typed view.
/// Values that Docker's own versions never wrote are still accepted where the spec allows (for example <c>Cmd</c> as a string).
/// <see cref="CasConfigJson"/> adds the fields of a Docker 1.10+ image config, so that such a config is decoded once.
/// </remarks>
/// <threadsafety static="true" instance="true"/>
internal record ImageJson
{    /// <summary>The parent the JSON names, as Docker 1.9's <c>loadImage</c> reads it: <c>parent</c>, else the hex of a valid <c>parent_id</c> (docs/format/graph-era.md §11.5).</summary>
    public string? ParentFromJson() => ParentOf(Parent, ParentId);

    /// <summary>The parent named by a JSON's <c>parent</c>, else by the hex of its <c>parent_id</c> (<c>sha256:</c> and 64 hex), else none.</summary>
    public static string? ParentOf(string? parent, string? parentId)
    {
        if (!string.IsNullOrEmpty(parent))
        {
            return parent;
        }

        return parentId is { Length: 71 } && parentId.StartsWith("sha256:", StringComparison.Ordinal) && DockerIds.IsId(parentId.AsSpan(7)) ? parentId[7..] : null;
    }


    /// <summary>Gets the image ID (<c>id</c>, 64 hex). Absent in 1.8.3+ "strong ID" JSON, where the directory name is the ID.</summary>
    [JsonPropertyName("id")]
    public string? Id { get; init; }

    /// <summary>Gets the parent's graph ID (<c>parent</c>); absent for a base layer and in strong-ID JSON.</summary>
    [JsonPropertyName("parent")]
    public string? Parent { get; init; }

    /// <summary>Gets the comment (<c>comment</c>), e.g. <c>Imported from -</c>.</summary>
    [JsonPropertyName("comment")]
    public string? Comment { get; init; }

    /// <summary>Gets the creation time (<c>created</c>), RFC 3339; fractions beyond 100 ns are truncated.</summary>
    [JsonPropertyName("created")]
    [JsonConverter(typeof(RecordedTimeJsonConverter))]
    public RecordedTime? Created { get; init; }

    /// <summary>Gets the ID of the container that was committed to make this layer (<c>container</c>).</summary>
    [JsonPropertyName("container")]
    public string? Container { get; init; }

    /// <summary>Gets the configuration of that container (<c>container_config</c>); its <c>Cmd</c> is the history's "created by".</summary>
    [JsonPropertyName("container_config")]
    public ContainerConfig? ContainerConfig { get; init; }

    /// <summary>Gets the version of the Docker engine that built the layer (<c>docker_version</c>).</summary>
    [JsonPropertyName("docker_version")]
    public string? DockerVersion { get; init; }

    /// <summary>Gets the author (<c>author</c>).</summary>
    [JsonPropertyName("author")]
    public string? Author { get; init; }

    /// <summary>Gets the image's run configuration (<c>config</c>); absent on very old and imported images.</summary>
    [JsonPropertyName("config")]
    public ContainerConfig? Config { get; init; }

    /// <summary>Gets the architecture (<c>architecture</c>): <c>amd64</c>, or <c>x86_64</c> on images of Docker ≤ 0.7.0.</summary>
    [JsonPropertyName("architecture")]
    public string? Architecture { get; init; }

    /// <summary>Gets the operating system (<c>os</c>); absent on images of Docker ≤ 0.7.0.</summary>
    [JsonPropertyName("os")]
    public string? Os { get; init; }

    /// <summary>Gets the layer size recorded in the JSON (<c>Size</c>, capitalised). Informational: <c>layersize</c> wins.</summary>
    [JsonPropertyName("Size")]
    public long? Size { get; init; }

    /// <summary>Gets the tarsum checksum Docker 1.4.x stored in the JSON (<c>checksum</c>).</summary>
    [JsonPropertyName("checksum")]
    public string? Checksum { get; init; }

    /// <summary>Gets the strong ID of the parent's config (<c>parent_id</c>, <c>sha256:…</c>), Docker 1.8.3+.</summary>
    [JsonPropertyName("parent_id")]
    public string? ParentId { get; init; }

    /// <summary>Gets the digest of the compressed layer blob (<c>layer_id</c>, <c>sha256:…</c>), Docker 1.8.3+.</summary>
    [JsonPropertyName("layer_id")]
    public string? LayerId { get; init; }

    /// <summary>Gets the <c>throwaway</c> flag that v1Compatibility JSON from 1.10+ pushers carries.</summary>
    [JsonPropertyName("throwaway")]
    public bool? Throwaway { get; init; }
}

/// <summary>
/// A container configuration as it appears in image JSON (<c>config</c>, <c>container_config</c>; Go type
/// <c>runconfig.Config</c>). Every field any legacy version wrote is here; absent fields are <see langword="null"/>
/// (booleans: <see langword="false"/>, as Go's zero value).
/// </summary>
/// <threadsafety static="true" instance="true"/>
internal sealed record ContainerConfig
{
    /// <summary>Gets <c>Hostname</c>.</summary>
    public string? Hostname { get; init; }

    /// <summary>Gets <c>Domainname</c>.</summary>
    public string? Domainname { get; init; }

    /// <summary>Gets <c>User</c>.</summary>
    public string? User { get; init; }

    /// <summary>Gets <c>Memory</c> (≤ 1.6; later in the host config).</summary>
    public long? Memory { get; init; }

    /// <summary>Gets <c>MemorySwap</c> (≤ 1.6).</summary>
    public long? MemorySwap { get; init; }

    /// <summary>Gets <c>CpuShares</c> (≤ 1.6).</summary>
    public long? CpuShares { get; init; }

    /// <summary>Gets <c>Cpuset</c> (0.12–1.6).</summary>
    public string? Cpuset { get; init; }

    /// <summary>Gets <c>AttachStdin</c>.</summary>
    [JsonConverter(typeof(GoBoolConverter))]
    public bool AttachStdin { get; init; }

    /// <summary>Gets <c>AttachStdout</c>.</summary>
    [JsonConverter(typeof(GoBoolConverter))]
    public bool AttachStdout { get; init; }

    /// <summary>Gets <c>AttachStderr</c>.</summary>
    [JsonConverter(typeof(GoBoolConverter))]
    public bool AttachStderr { get; init; }

    /// <summary>Gets <c>PortSpecs</c> (deprecated, ≤ 1.7).</summary>
    public IReadOnlyList<string>? PortSpecs { get; init; }

    /// <summary>Gets the keys of <c>ExposedPorts</c>, such as <c>6379/tcp</c>.</summary>
    [JsonConverter(typeof(GoSetConverter))]
    public IReadOnlyList<string>? ExposedPorts { get; init; }

    /// <summary>Gets <c>PublishService</c> (1.8–1.9).</summary>
    public string? PublishService { get; init; }

    /// <summary>Gets <c>Tty</c>.</summary>
    [JsonConverter(typeof(GoBoolConverter))]
    public bool Tty { get; init; }

    /// <summary>Gets <c>OpenStdin</c>.</summary>
    [JsonConverter(typeof(GoBoolConverter))]
    public bool OpenStdin { get; init; }

    /// <summary>Gets <c>StdinOnce</c>.</summary>
    [JsonConverter(typeof(GoBoolConverter))]
    public bool StdinOnce { get; init; }

    /// <summary>Gets <c>Env</c>, <c>NAME=value</c> strings.</summary>
    public IReadOnlyList<string>? Env { get; init; }

    /// <summary>Gets <c>Cmd</c>; a JSON string is read as a one-element list (Docker 1.7+ <c>StrSlice</c>).</summary>
    [JsonConverter(typeof(StringOrArrayConverter))]
    public IReadOnlyList<string>? Cmd { get; init; }

    /// <summary>Gets <c>Dns</c> (≤ 0.9).</summary>
    [JsonConverter(typeof(StringOrArrayConverter))]
    public IReadOnlyList<string>? Dns { get; init; }

    /// <summary>Gets <c>VolumesFrom</c> (≤ 0.9).</summary>
    public string? VolumesFrom { get; init; }

    /// <summary>Gets <c>Image</c>: the name as typed, a parent ID, or <c>sha256:…</c>.</summary>
    public string? Image { get; init; }

    /// <summary>Gets the keys of <c>Volumes</c>, such as <c>/data</c>.</summary>
    [JsonConverter(typeof(GoSetConverter))]
    public IReadOnlyList<string>? Volumes { get; init; }

    /// <summary>Gets <c>VolumeDriver</c> (1.7–1.8).</summary>
    public string? VolumeDriver { get; init; }

    /// <summary>Gets <c>WorkingDir</c>.</summary>
    public string? WorkingDir { get; init; }

    /// <summary>Gets <c>Entrypoint</c>; a JSON string is read as a one-element list.</summary>
    [JsonConverter(typeof(StringOrArrayConverter))]
    public IReadOnlyList<string>? Entrypoint { get; init; }

    /// <summary>Gets <c>NetworkDisabled</c>.</summary>
    [JsonConverter(typeof(GoBoolConverter))]
    public bool NetworkDisabled { get; init; }

    /// <summary>Gets <c>MacAddress</c> (1.4+).</summary>
    public string? MacAddress { get; init; }

    /// <summary>Gets <c>OnBuild</c> (0.8+).</summary>
    public IReadOnlyList<string>? OnBuild { get; init; }

    /// <summary>Gets <c>SecurityOpt</c> (1.3 only).</summary>
    public IReadOnlyList<string>? SecurityOpt { get; init; }

    /// <summary>Gets <c>Labels</c> (1.6+); keys are case-sensitive.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>Gets <c>StopSignal</c> (1.9).</summary>
    public string? StopSignal { get; init; }
}
