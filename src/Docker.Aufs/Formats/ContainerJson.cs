using System.Text.Json.Serialization;

namespace Docker.Aufs.Formats;

/// <summary>
/// <c>containers/&lt;id&gt;/config.json</c> of Docker ≤ 1.9 (Go type <c>daemon.Container</c>, moby v1.9.1
/// <c>daemon/container.go</c>, <c>container_unix.go</c>), decoded with Go's rules: keys match case-insensitively, the last
/// duplicate wins, unknown keys (such as <c>NetworkSettings</c>) are ignored. Properties are declared in Go's field order.
/// </summary>
/// <threadsafety static="true" instance="true"/>
internal sealed record ContainerJson
{
    /// <summary>Gets the saved run state (<c>State</c>); <c>docker ps</c> derives its status from it.</summary>
    public ContainerStateJson? State { get; init; }

    /// <summary>Gets the container ID (<c>ID</c>); it must equal the directory name.</summary>
    public string? ID { get; init; }

    /// <summary>Gets the creation time (<c>Created</c>).</summary>
    [JsonConverter(typeof(RecordedTimeJsonConverter))]
    public RecordedTime? Created { get; init; }

    /// <summary>Gets the program run (<c>Path</c>), the entrypoint's or command's first word.</summary>
    public string? Path { get; init; }

    /// <summary>Gets the program's arguments (<c>Args</c>).</summary>
    public IReadOnlyList<string>? Args { get; init; }

    /// <summary>Gets the run configuration (<c>Config</c>); its <c>Image</c> is the image name as the user typed it.</summary>
    public ContainerConfig? Config { get; init; }

    /// <summary>Gets the full ID of the container's image (<c>Image</c>; Go field <c>ImageID</c>).</summary>
    public string? Image { get; init; }

    /// <summary>Gets <c>ResolvConfPath</c>.</summary>
    public string? ResolvConfPath { get; init; }

    /// <summary>Gets <c>HostnamePath</c>.</summary>
    public string? HostnamePath { get; init; }

    /// <summary>Gets <c>HostsPath</c>.</summary>
    public string? HostsPath { get; init; }

    /// <summary>Gets <c>LogPath</c>, the json-file log.</summary>
    public string? LogPath { get; init; }

    /// <summary>Gets the name (<c>Name</c>) with its leading slash, e.g. <c>/determined_euclid</c>.</summary>
    public string? Name { get; init; }

    /// <summary>Gets the storage driver that owns the container's layers (<c>Driver</c>); empty means <c>aufs</c> (pre-0.7).</summary>
    public string? Driver { get; init; }

    /// <summary>Gets the exec driver (<c>ExecDriver</c>), e.g. <c>native-0.2</c>.</summary>
    public string? ExecDriver { get; init; }

    /// <summary>Gets <c>MountLabel</c>.</summary>
    public string? MountLabel { get; init; }

    /// <summary>Gets <c>ProcessLabel</c>.</summary>
    public string? ProcessLabel { get; init; }

    /// <summary>Gets <c>RestartCount</c>.</summary>
    public int RestartCount { get; init; }

    /// <summary>Gets <c>UpdateDns</c>.</summary>
    [JsonConverter(typeof(GoBoolConverter))]
    public bool UpdateDns { get; init; }

    /// <summary>Gets <c>HasBeenStartedBefore</c>.</summary>
    [JsonConverter(typeof(GoBoolConverter))]
    public bool HasBeenStartedBefore { get; init; }

    /// <summary>Gets <c>HasBeenManuallyStopped</c> (1.9).</summary>
    [JsonConverter(typeof(GoBoolConverter))]
    public bool HasBeenManuallyStopped { get; init; }

    /// <summary>Gets <c>MountPoints</c> (1.7+), keyed by the destination inside the container.</summary>
    public IReadOnlyDictionary<string, MountPointJson>? MountPoints { get; init; }

    /// <summary>Gets <c>Volumes</c> (≤ 1.6 authoritative): destination inside the container → path on the host.</summary>
    public IReadOnlyDictionary<string, string>? Volumes { get; init; }

    /// <summary>Gets <c>VolumesRW</c> (≤ 1.6): destination → writable.</summary>
    public IReadOnlyDictionary<string, bool>? VolumesRW { get; init; }

    /// <summary>Gets <c>AppArmorProfile</c>.</summary>
    public string? AppArmorProfile { get; init; }
}

/// <summary>The saved state of a container (Go type <c>daemon.State</c>, moby v1.9.1 <c>daemon/state.go</c>).</summary>
/// <threadsafety static="true" instance="true"/>
internal sealed record ContainerStateJson
{
    /// <summary>Gets <c>Running</c>. A root copied from a live host can say <see langword="true"/> although nothing runs now.</summary>
    [JsonConverter(typeof(GoBoolConverter))]
    public bool Running { get; init; }

    /// <summary>Gets <c>Paused</c>.</summary>
    [JsonConverter(typeof(GoBoolConverter))]
    public bool Paused { get; init; }

    /// <summary>Gets <c>Restarting</c>.</summary>
    [JsonConverter(typeof(GoBoolConverter))]
    public bool Restarting { get; init; }

    /// <summary>Gets <c>OOMKilled</c>.</summary>
    [JsonConverter(typeof(GoBoolConverter))]
    public bool OOMKilled { get; init; }

    /// <summary>Gets <c>Dead</c> (1.8+).</summary>
    [JsonConverter(typeof(GoBoolConverter))]
    public bool Dead { get; init; }

    /// <summary>Gets <c>Pid</c>.</summary>
    public int Pid { get; init; }

    /// <summary>Gets <c>ExitCode</c>.</summary>
    public int ExitCode { get; init; }

    /// <summary>Gets <c>Error</c>, the last error when starting.</summary>
    public string? Error { get; init; }

    /// <summary>Gets <c>StartedAt</c>; Go's zero time (<c>0001-01-01T00:00:00Z</c>) when never started.</summary>
    [JsonConverter(typeof(RecordedTimeJsonConverter))]
    public RecordedTime? StartedAt { get; init; }

    /// <summary>Gets <c>FinishedAt</c>; Go's zero time when never stopped.</summary>
    [JsonConverter(typeof(RecordedTimeJsonConverter))]
    public RecordedTime? FinishedAt { get; init; }

    /// <summary>Gets whether the container was being removed (Docker 1.10+ persists it).</summary>
    [JsonConverter(typeof(GoBoolConverter))]
    public bool RemovalInProgress { get; init; }

    /// <summary>Gets the health check state (Docker 1.12+; <see langword="null"/> without a health check).</summary>
    public ContainerHealthJson? Health { get; init; }
}

/// <summary>A container's health check state (Go type <c>container.Health</c>, moby v1.12.0): only the status is read.</summary>
internal sealed record ContainerHealthJson
{
    /// <summary>Gets the status: <c>starting</c>, <c>healthy</c> or <c>unhealthy</c>.</summary>
    public string? Status { get; init; }
}

/// <summary>One mount of a container (Go type <c>volume.MountPoint</c>, 1.7+).</summary>
/// <threadsafety static="true" instance="true"/>
internal sealed record MountPointJson
{
    /// <summary>Gets <c>Source</c>, the path on the host.</summary>
    public string? Source { get; init; }

    /// <summary>Gets <c>Destination</c>, the path inside the container.</summary>
    public string? Destination { get; init; }

    /// <summary>Gets <c>RW</c>.</summary>
    [JsonConverter(typeof(GoBoolConverter))]
    public bool RW { get; init; }

    /// <summary>Gets <c>Name</c>, the volume's name (empty for a bind mount).</summary>
    public string? Name { get; init; }

    /// <summary>Gets <c>Driver</c>, the volume driver.</summary>
    public string? Driver { get; init; }

    /// <summary>Gets <c>Type</c> (<c>volume</c>, <c>bind</c>, <c>tmpfs</c>; Docker 17.06+).</summary>
    public string? Type { get; init; }

    /// <summary>Gets <c>Relabel</c>, the SELinux relabel mode (<c>z</c>, <c>Z</c>).</summary>
    public string? Relabel { get; init; }

    /// <summary>Gets <c>Propagation</c>, a bind mount's propagation (Docker 1.10+).</summary>
    public string? Propagation { get; init; }
}

/// <summary>
/// <c>containers/&lt;id&gt;/hostconfig.json</c> (Go type <c>runconfig.HostConfig</c>, moby v1.9.1), the fields a reader of an
/// offline root is likely to want; other keys are ignored.
/// </summary>
/// <threadsafety static="true" instance="true"/>
internal sealed record HostConfigJson
{
    /// <summary>Gets <c>Binds</c>, <c>host:container[:mode]</c> strings.</summary>
    public IReadOnlyList<string>? Binds { get; init; }

    /// <summary>Gets <c>ContainerIDFile</c>.</summary>
    public string? ContainerIDFile { get; init; }

    /// <summary>Gets <c>Memory</c> (1.7+ here; before, in the config).</summary>
    public long? Memory { get; init; }

    /// <summary>Gets <c>MemorySwap</c>.</summary>
    public long? MemorySwap { get; init; }

    /// <summary>Gets <c>CpuShares</c>.</summary>
    public long? CpuShares { get; init; }

    /// <summary>Gets <c>Privileged</c>.</summary>
    [JsonConverter(typeof(GoBoolConverter))]
    public bool Privileged { get; init; }

    /// <summary>Gets <c>PortBindings</c>: <c>6379/tcp</c> → host bindings.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<PortBindingJson>?>? PortBindings { get; init; }

    /// <summary>Gets <c>Links</c>.</summary>
    public IReadOnlyList<string>? Links { get; init; }

    /// <summary>Gets <c>PublishAllPorts</c>.</summary>
    [JsonConverter(typeof(GoBoolConverter))]
    public bool PublishAllPorts { get; init; }

    /// <summary>Gets <c>Dns</c>.</summary>
    [JsonConverter(typeof(StringOrArrayConverter))]
    public IReadOnlyList<string>? Dns { get; init; }

    /// <summary>Gets <c>DnsSearch</c>.</summary>
    [JsonConverter(typeof(StringOrArrayConverter))]
    public IReadOnlyList<string>? DnsSearch { get; init; }

    /// <summary>Gets <c>ExtraHosts</c>.</summary>
    public IReadOnlyList<string>? ExtraHosts { get; init; }

    /// <summary>Gets <c>VolumesFrom</c>.</summary>
    public IReadOnlyList<string>? VolumesFrom { get; init; }

    /// <summary>Gets <c>NetworkMode</c>, e.g. <c>default</c>, <c>bridge</c>, <c>host</c>.</summary>
    public string? NetworkMode { get; init; }

    /// <summary>Gets <c>IpcMode</c>.</summary>
    public string? IpcMode { get; init; }

    /// <summary>Gets <c>PidMode</c>.</summary>
    public string? PidMode { get; init; }

    /// <summary>Gets <c>UTSMode</c>.</summary>
    public string? UTSMode { get; init; }

    /// <summary>Gets <c>CapAdd</c>; a string is read as one capability (<c>StrSlice</c>).</summary>
    [JsonConverter(typeof(StringOrArrayConverter))]
    public IReadOnlyList<string>? CapAdd { get; init; }

    /// <summary>Gets <c>CapDrop</c>; a string is read as one capability.</summary>
    [JsonConverter(typeof(StringOrArrayConverter))]
    public IReadOnlyList<string>? CapDrop { get; init; }

    /// <summary>Gets <c>RestartPolicy</c>.</summary>
    public RestartPolicyJson? RestartPolicy { get; init; }

    /// <summary>Gets <c>SecurityOpt</c>.</summary>
    public IReadOnlyList<string>? SecurityOpt { get; init; }

    /// <summary>Gets <c>ReadonlyRootfs</c>.</summary>
    [JsonConverter(typeof(GoBoolConverter))]
    public bool ReadonlyRootfs { get; init; }

    /// <summary>Gets <c>LogConfig</c>.</summary>
    public LogConfigJson? LogConfig { get; init; }

    /// <summary>Gets <c>CgroupParent</c>.</summary>
    public string? CgroupParent { get; init; }

    /// <summary>Gets <c>VolumeDriver</c> (1.9; before, in the config).</summary>
    public string? VolumeDriver { get; init; }
}

/// <summary>One host binding of a published port.</summary>
/// <threadsafety static="true" instance="true"/>
internal sealed record PortBindingJson
{
    /// <summary>Gets <c>HostIp</c>.</summary>
    public string? HostIp { get; init; }

    /// <summary>Gets <c>HostPort</c>.</summary>
    public string? HostPort { get; init; }
}

/// <summary>A container's restart policy.</summary>
/// <threadsafety static="true" instance="true"/>
internal sealed record RestartPolicyJson
{
    /// <summary>Gets <c>Name</c>: <c>no</c>, <c>always</c>, <c>on-failure</c>, <c>unless-stopped</c>.</summary>
    public string? Name { get; init; }

    /// <summary>Gets <c>MaximumRetryCount</c>.</summary>
    public int MaximumRetryCount { get; init; }
}

/// <summary>A container's log driver configuration.</summary>
/// <threadsafety static="true" instance="true"/>
internal sealed record LogConfigJson
{
    /// <summary>Gets <c>Type</c>, e.g. <c>json-file</c>.</summary>
    public string? Type { get; init; }

    /// <summary>Gets <c>Config</c>, the driver's options.</summary>
    public IReadOnlyDictionary<string, string>? Config { get; init; }
}
