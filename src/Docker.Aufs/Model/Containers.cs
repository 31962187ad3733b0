namespace Docker.Aufs;

/// <summary>A container's status as <c>docker ps</c> derives it from the recorded state (moby v1.9.1, v23.0.0 <c>container/state.go</c> <c>State.String</c>).</summary>
public enum ContainerStatus
{
    /// <summary>Created and never started (<c>StartedAt</c> is Go's zero time).</summary>
    Created,

    /// <summary>Running when the root was recorded (a root copied from a live host; nothing runs now).</summary>
    Running,

    /// <summary>Running and paused when recorded.</summary>
    Paused,

    /// <summary>Being restarted by its restart policy when recorded.</summary>
    Restarting,

    /// <summary>Started once, stopped since.</summary>
    Exited,

    /// <summary>Marked dead (its removal failed).</summary>
    Dead,

    /// <summary>Being removed when recorded (Docker 1.10+).</summary>
    RemovalInProgress,
}

/// <summary>The recorded state of a container (Go type <c>State</c>, moby <c>daemon/state.go</c> ≤1.9, <c>container/state.go</c> 1.10+).</summary>
/// <threadsafety static="true" instance="true"/>
public sealed record ContainerState
{
    /// <summary>Gets the state of a container created and never started.</summary>
    public static ContainerState NeverStarted { get; } = new();

    /// <summary>Gets <c>Running</c>. A root copied from a live host says <see langword="true"/> although nothing runs now.</summary>
    public bool Running { get; init; }

    /// <summary>Gets <c>Paused</c>.</summary>
    public bool Paused { get; init; }

    /// <summary>Gets <c>Restarting</c>.</summary>
    public bool Restarting { get; init; }

    /// <summary>Gets <c>OOMKilled</c>.</summary>
    public bool OomKilled { get; init; }

    /// <summary>Gets <c>Dead</c> (Docker 1.8+).</summary>
    public bool Dead { get; init; }

    /// <summary>Gets <c>RemovalInProgress</c> (Docker 1.10+).</summary>
    public bool RemovalInProgress { get; init; }

    /// <summary>Gets <c>Pid</c>, the process ID recorded (meaningless once the host is off).</summary>
    public int Pid { get; init; }

    /// <summary>Gets <c>ExitCode</c>.</summary>
    public int ExitCode { get; init; }

    /// <summary>Gets <c>Error</c>, the last error when starting; empty when none.</summary>
    public string Error { get; init; } = string.Empty;

    /// <summary>Gets <c>StartedAt</c>; <see cref="RecordedTime.Zero"/> when never started.</summary>
    public RecordedTime StartedAt { get; init; } = RecordedTime.Zero;

    /// <summary>Gets <c>FinishedAt</c>; <see cref="RecordedTime.Zero"/> when never stopped.</summary>
    public RecordedTime FinishedAt { get; init; } = RecordedTime.Zero;

    /// <summary>Gets the health status recorded (<c>starting</c>, <c>healthy</c>, <c>unhealthy</c>; Docker 1.12+), or <see langword="null"/>.</summary>
    public string? Health { get; init; }

    /// <summary>Gets the status derived as <c>docker ps</c> derives it: running (paused, restarting) first, then removal, dead, created when never started, else exited.</summary>
    public ContainerStatus Status =>
        Running ? (Paused ? ContainerStatus.Paused : Restarting ? ContainerStatus.Restarting : ContainerStatus.Running)
        : RemovalInProgress ? ContainerStatus.RemovalInProgress
        : Dead ? ContainerStatus.Dead
        : StartedAt.IsZero ? ContainerStatus.Created
        : ContainerStatus.Exited;
}

/// <summary>
/// A container read from the root — one row of <c>docker ps -a</c> — with its configuration files as stored, what they say,
/// and where its layers are.
/// </summary>
/// <threadsafety static="true" instance="true"/>
public sealed record Container
{
    /// <summary>Gets the container ID.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the name, without its leading slash; empty when the config has none.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>Gets the ID of the container's image, as stored (graph era: 64 hex; content-addressed era: <c>sha256:</c> and 64 hex).</summary>
    public required string ImageId { get; init; }

    /// <summary>Gets the image reference as the user typed it (<c>Config.Image</c>), or <see langword="null"/>.</summary>
    public string? ImageReference { get; init; }

    /// <summary>
    /// Gets the image as <c>docker ps</c> shows it: <see cref="ImageReference"/> while it still resolves to the container's
    /// image, otherwise <see cref="ImageId"/>.
    /// </summary>
    public required string Image { get; init; }

    /// <summary>Gets the command: <c>Path</c> and <c>Args</c> joined with spaces.</summary>
    public string Command { get; init; } = string.Empty;

    /// <summary>Gets the creation time as recorded, or <see langword="null"/>.</summary>
    public RecordedTime? Created { get; init; }

    /// <summary>Gets the recorded state.</summary>
    public ContainerState State { get; init; } = ContainerState.NeverStarted;

    /// <summary>Gets the storage driver of the container's layers.</summary>
    public required string Driver { get; init; }

    /// <summary>Gets the full path of <c>containers/&lt;id&gt;</c>.</summary>
    public required string Directory { get; init; }

    /// <summary>Gets the container configuration exactly as stored (<c>config.json</c> before Docker 1.10, <c>config.v2.json</c> after).</summary>
    public ReadOnlyMemory<byte> Config { get; init; }

    /// <summary>Gets <c>hostconfig.json</c> exactly as stored, or <see langword="null"/> when there is none.</summary>
    public ReadOnlyMemory<byte>? HostConfig { get; init; }

    /// <summary>Gets the driver layer of the container's read-write files (the container ID in the graph era, the mount ID after).</summary>
    public required string LayerId { get; init; }

    /// <summary>Gets the driver layer of the container's init files (<c>&lt;layer&gt;-init</c>), or <see langword="null"/> when it has none.</summary>
    public string? InitLayerId { get; init; }

    /// <summary>
    /// Gets the container's mounts as its configuration records them, ordered by destination: <c>MountPoints</c> (Docker 1.7+),
    /// else <c>Volumes</c> and <c>VolumesRW</c> (Docker 1.6 and earlier, read as Docker 1.7's <c>verifyVolumesInfo</c> migrates
    /// them). Empty when it has none.
    /// </summary>
    public IReadOnlyList<ContainerMount> Mounts { get; init; } = [];
}

/// <summary>What a container's mount is.</summary>
public enum ContainerMountKind
{
    /// <summary>A volume, named or anonymous: with the <c>local</c> driver its data is in the root (<see cref="ContainerMount.DataDirectory"/>).</summary>
    Volume,

    /// <summary>A bind mount of a host path: its content is not in the root, and the path is never followed.</summary>
    Bind,

    /// <summary>Another type Docker 17.06+ records (<c>tmpfs</c>, <c>npipe</c>): nothing of it is kept in the root.</summary>
    Other,
}

/// <summary>
/// One mount of a container as its configuration records it (Go types <c>volume.MountPoint</c> stored, <c>types.MountPoint</c>
/// as <c>docker inspect</c> shows it). Host paths are reported as recorded, never followed.
/// </summary>
/// <threadsafety static="true" instance="true"/>
public sealed record ContainerMount
{
    /// <summary>Gets what the mount is: from the stored <c>Type</c> when there is one, else a volume when it has a name, else a bind mount.</summary>
    public required ContainerMountKind Kind { get; init; }

    /// <summary>Gets the stored <c>Type</c> (<c>volume</c>, <c>bind</c>, <c>tmpfs</c>; Docker 17.06+), else empty.</summary>
    public string Type { get; init; } = string.Empty;

    /// <summary>Gets the volume's name (64 hex for an anonymous volume); empty for a bind mount.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>
    /// Gets where the data lives on the host as Docker reports it: a bind mount's host path, a volume's recorded path, or,
    /// for a <c>local</c> volume recorded without one, <c>&lt;root&gt;/volumes/&lt;name&gt;/_data</c> (the local driver's <c>Path()</c>).
    /// </summary>
    public required string Source { get; init; }

    /// <summary>Gets the path inside the container, as recorded.</summary>
    public required string Destination { get; init; }

    /// <summary>Gets the volume driver (<c>local</c>); empty for a bind mount.</summary>
    public string Driver { get; init; } = string.Empty;

    /// <summary>Gets the stored mode (<c>Relabel</c>: <c>z</c>, <c>Z</c>, or empty).</summary>
    public string Mode { get; init; } = string.Empty;

    /// <summary>Gets whether it was mounted read-write.</summary>
    public bool ReadWrite { get; init; }

    /// <summary>Gets the stored bind propagation (Docker 1.10+), else empty.</summary>
    public string Propagation { get; init; } = string.Empty;

    /// <summary>
    /// Gets where a <c>local</c> volume's data is in the root, relative to it with <c>/</c> separators: <c>volumes/&lt;name&gt;/_data</c>
    /// (Docker 1.7+), or <c>vfs/dir/&lt;id&gt;</c> for a volume of Docker 1.6 and earlier; <see langword="null"/> for a bind
    /// mount, another driver's volume, or a name that is not one safe path component (such a volume is refused when opened).
    /// </summary>
    public string? DataDirectory { get; init; }
}
