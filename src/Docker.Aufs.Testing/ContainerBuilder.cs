using System.Text;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Testing;

/// <summary>
/// Describes one container for <see cref="DockerRootBuilder.AddContainer"/>: <c>containers/&lt;id&gt;/config.json</c> and
/// <c>hostconfig.json</c>, and its two AUFS layers: <c>&lt;id&gt;-init</c> (Docker's placeholders: <c>/dev/pts</c>,
/// <c>/dev/shm</c>, <c>/proc</c>, <c>/sys</c>, <c>/.dockerinit</c>, <c>/.dockerenv</c>, <c>/etc/resolv.conf</c>,
/// <c>/etc/hosts</c>, <c>/etc/hostname</c>, <c>/dev/console</c>, <c>/etc/mtab → /proc/mounts</c>) on the image, and the
/// read-write layer <c>&lt;id&gt;</c> on the init layer. Both carry the bookkeeping AUFS leaves in a branch that was
/// mounted read-write: <c>.wh..wh.aufs</c>, <c>.wh..wh.plnk/</c>, <c>.wh..wh.orph/</c>.
/// </summary>
/// <remarks>
/// <para>In a content-addressed root (Docker 1.10+) the configuration is <c>config.v2.json</c>, the image is given by its
/// <c>sha256:</c> ID, the layers are named by a mount ID (<c>&lt;mount-id&gt;</c> and <c>&lt;mount-id&gt;-init</c>, recorded in
/// <c>layerdb/mounts/&lt;id&gt;/</c>), and the init layer has no <c>/.dockerinit</c> (Docker 1.11+).</para>
/// <para>Not thread-safe: configure a builder from one thread.</para>
/// </remarks>
public sealed partial class ContainerBuilder
{
    /// <summary>The whiteout base AUFS keeps at the top of a read-write branch; whiteouts are hardlinks of it.</summary>
    public const string WhiteoutBase = ".wh..wh.aufs";

    private readonly LayerBuilder _initLayer;
    private readonly LayerBuilder _readWriteLayer;
    private string? _imageId;

    internal ContainerBuilder(string defaultId, DateTimeOffset defaultCreated)
    {
        ContainerId = defaultId;
        CreatedTime = defaultCreated;
        _initLayer = new LayerBuilder(defaultId + DockerIds.InitSuffix, defaultCreated);
        _readWriteLayer = new LayerBuilder(defaultId, defaultCreated);
        AddBookkeeping(_readWriteLayer);
    }

    internal string ContainerId { get; private set; }

    internal string NameText { get; private set; } = "sleepy_turing";

    internal string? TypedImage { get; private set; }

    internal DateTimeOffset CreatedTime { get; private set; }

    internal string PathText { get; private set; } = "sh";

    internal IReadOnlyList<string> ArgsList { get; private set; } = [];

    internal ContainerConfig? RunConfig { get; private set; }

    internal ContainerStateJson StateJson { get; private set; } = new() { StartedAt = RecordedTime.Zero, FinishedAt = RecordedTime.Zero };

    /// <summary>Gets the state as given (with what the graph era's JSON does not hold: <c>RemovalInProgress</c>, <c>Health</c>).</summary>
    internal ContainerState StateValue { get; private set; } = ContainerState.NeverStarted;

    internal string DriverText { get; private set; } = "aufs";

    internal HostConfigJson? HostConfigJson { get; private set; } = DefaultHostConfig;

    internal byte[]? RawConfigBytes { get; private set; }

    internal byte[]? RawHostConfigBytes { get; private set; }

    internal bool WithDriverData { get; private set; } = true;

    internal LayerBuilder InitLayer => _initLayer;

    internal LayerBuilder ReadWriteLayer => _readWriteLayer;

    internal string ImageId => _imageId ?? throw new InvalidOperationException($"Container {ContainerId} has no image: call Image(...).");

    private static HostConfigJson DefaultHostConfig => new()
    {
        NetworkMode = "default",
        RestartPolicy = new RestartPolicyJson { Name = "no" },
        LogConfig = new LogConfigJson { Type = "json-file", Config = new Dictionary<string, string>() },
        PortBindings = new Dictionary<string, IReadOnlyList<PortBindingJson>?>(),
    };

    /// <summary>Sets the container ID (64 lowercase hex). Without it, a deterministic ID is generated.</summary>
    /// <param name="id">The ID.</param>
    /// <returns>This builder.</returns>
    public ContainerBuilder Id(string id)
    {
        ContainerId = DockerIds.IsId(id) ? id : throw new ArgumentException($"'{id}' is not a container ID (64 lowercase hex characters).", nameof(id));
        return this;
    }

    /// <summary>Sets the name (stored as <c>/name</c>, as Docker does).</summary>
    /// <param name="name">The name, with or without its leading slash.</param>
    /// <returns>This builder.</returns>
    public ContainerBuilder Name(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        NameText = name.TrimStart('/');
        return this;
    }

    /// <summary>Sets the container's image: the top-level <c>Image</c> (full ID) and <c>Config.Image</c> (the name as typed).</summary>
    /// <param name="imageId">
    /// The image's full ID (not checked: a container of a missing image is a valid fixture); in a content-addressed root the
    /// <c>sha256:</c> ID <see cref="DockerRootBuilder.AddLayer"/> returned.
    /// </param>
    /// <param name="typedName">The reference the user typed, e.g. <c>redis</c>; default: the ID.</param>
    /// <returns>This builder.</returns>
    public ContainerBuilder Image(string imageId, string? typedName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(imageId);
        _imageId = imageId;
        TypedImage = typedName;
        return this;
    }

    /// <summary>Sets <c>Created</c>; also the modification time of the init layer's entries and the default of the read-write layer's.</summary>
    /// <param name="created">The creation time.</param>
    /// <returns>This builder.</returns>
    public ContainerBuilder Created(DateTimeOffset created)
    {
        CreatedTime = created;
        _initLayer.Created(created);
        _readWriteLayer.Created(created);
        return this;
    }

    /// <summary>Sets <c>Path</c> and <c>Args</c>, the process the container runs.</summary>
    /// <param name="path">The program.</param>
    /// <param name="args">Its arguments.</param>
    /// <returns>This builder.</returns>
    public ContainerBuilder Command(string path, params string[] args)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(args);
        PathText = path;
        ArgsList = [.. args];
        return this;
    }

    /// <summary>Sets the run configuration (<c>Config</c>) from its JSON, as Docker decodes it; its <c>Image</c> is set from <see cref="Image"/> unless given.</summary>
    /// <param name="json">The configuration's JSON, for example <c>{"Cmd":["redis-server"],"Env":["A=b"]}</c>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="CorruptFileException">The JSON is not a container configuration.</exception>
    public ContainerBuilder Config(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Config(GoJson.Deserialize(Encoding.UTF8.GetBytes(json), DockerJsonContext.Default.ContainerConfig, "Config") ?? new ContainerConfig());
    }

    /// <summary>Sets the run configuration (<c>Config</c>).</summary>
    internal ContainerBuilder Config(ContainerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        RunConfig = config;
        return this;
    }

    /// <summary>Sets the saved state to "ran and exited" (what a stopped container looks like).</summary>
    /// <param name="exitCode">The exit code.</param>
    /// <param name="startedAt">When it was last started.</param>
    /// <param name="finishedAt">When it stopped.</param>
    /// <returns>This builder.</returns>
    public ContainerBuilder Exited(int exitCode, DateTimeOffset startedAt, DateTimeOffset finishedAt) =>
        State(new ContainerState { ExitCode = exitCode, StartedAt = RecordedTime.FromValue(startedAt), FinishedAt = RecordedTime.FromValue(finishedAt) });

    /// <summary>Sets the saved state to "running" (a root copied from a live host).</summary>
    /// <param name="startedAt">When it was started.</param>
    /// <param name="pid">The process ID recorded.</param>
    /// <returns>This builder.</returns>
    public ContainerBuilder Running(DateTimeOffset startedAt, int pid = 4242) =>
        State(new ContainerState { Running = true, Pid = pid, StartedAt = RecordedTime.FromValue(startedAt) });

    /// <summary>Sets the saved state verbatim (paused, restarting, dead, OOM-killed…). The default is "created, never started".</summary>
    /// <param name="state">The state.</param>
    /// <returns>This builder.</returns>
    public ContainerBuilder State(ContainerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        StateValue = state;
        StateJson = new ContainerStateJson
        {
            Running = state.Running,
            Paused = state.Paused,
            Restarting = state.Restarting,
            OOMKilled = state.OomKilled,
            Dead = state.Dead,
            Pid = state.Pid,
            ExitCode = state.ExitCode,
            Error = state.Error,
            StartedAt = state.StartedAt,
            FinishedAt = state.FinishedAt,
        };
        return this;
    }

    /// <summary>Sets <c>Driver</c> (default: the root's driver; empty for a pre-0.7 container). A container of another driver than the root's gets no layers.</summary>
    /// <param name="driver">The driver name.</param>
    /// <returns>This builder.</returns>
    public ContainerBuilder Driver(string driver)
    {
        ArgumentNullException.ThrowIfNull(driver);
        DriverText = driver;
        return this;
    }

    /// <summary>Sets <c>hostconfig.json</c> (default: the network mode, restart policy and log driver of a plain <c>docker run</c>).</summary>
    internal ContainerBuilder HostConfig(HostConfigJson hostConfig)
    {
        ArgumentNullException.ThrowIfNull(hostConfig);
        HostConfigJson = hostConfig;
        return this;
    }

    /// <summary>Writes no <c>hostconfig.json</c> (containers of Docker ≤ 0.5, and a case Docker tolerates).</summary>
    /// <returns>This builder.</returns>
    public ContainerBuilder WithoutHostConfig()
    {
        HostConfigJson = null;
        return this;
    }

    /// <summary>Writes these exact bytes as <c>config.json</c> (<c>config.v2.json</c> in a content-addressed root) for real documents and hostile inputs.</summary>
    /// <param name="json">The file's content.</param>
    /// <returns>This builder.</returns>
    public ContainerBuilder RawConfig(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        RawConfigBytes = Encoding.UTF8.GetBytes(json);
        return this;
    }

    /// <summary>Writes these exact bytes as <c>hostconfig.json</c>.</summary>
    /// <param name="json">The file's content.</param>
    /// <returns>This builder.</returns>
    public ContainerBuilder RawHostConfig(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        RawHostConfigBytes = Encoding.UTF8.GetBytes(json);
        return this;
    }

    /// <summary>
    /// Writes only <c>containers/&lt;id&gt;/</c>, no AUFS layers (a container whose driver data was lost); in a
    /// content-addressed root its <c>layerdb/mounts/&lt;id&gt;/</c> record is still written.
    /// </summary>
    /// <returns>This builder.</returns>
    public ContainerBuilder WithoutDriverData()
    {
        WithDriverData = false;
        return this;
    }

    /// <summary>
    /// Describes what the container changed: the files of its read-write layer <c>aufs/diff/&lt;id&gt;</c>. Use the entry
    /// methods of <see cref="LayerBuilder"/> (<c>File</c>, <c>Directory</c>, <c>Symlink</c>, <c>Hardlink</c>, <c>Whiteout</c>,
    /// <c>OpaqueDirectory</c>…); its image-JSON methods have no effect here.
    /// </summary>
    /// <param name="files">Adds entries to the read-write layer.</param>
    /// <returns>This builder.</returns>
    public ContainerBuilder Changes(Action<LayerBuilder> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        files(_readWriteLayer);
        return this;
    }

    /// <summary>
    /// Records the deletion of <paramref name="path"/> the way the kernel's AUFS does in a read-write branch: the whiteout
    /// <c>&lt;dir&gt;/.wh.&lt;name&gt;</c> as a hardlink of <c>/.wh..wh.aufs</c>.
    /// </summary>
    /// <param name="path">The path that was deleted.</param>
    /// <returns>This builder.</returns>
    public ContainerBuilder Delete(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var normalized = path.Trim('/');
        var slash = normalized.LastIndexOf('/');
        var whiteout = slash < 0 ? ".wh." + normalized : normalized[..(slash + 1)] + ".wh." + normalized[(slash + 1)..];
        _readWriteLayer.Hardlink(whiteout, WhiteoutBase);
        return this;
    }

    /// <summary>
    /// The init layer's content, added once the ID and creation time are final: Docker's <c>setupInitLayer</c> (empty
    /// directories and files, mode 0755), with <c>/.dockerinit</c> up to Docker 1.10 only.
    /// </summary>
    /// <param name="dockerInit">Whether to add <c>/.dockerinit</c>.</param>
    internal void AddInitEntries(bool dockerInit = true)
    {
        AddBookkeeping(_initLayer);
        foreach (var directory in new[] { "dev/pts", "dev/shm", "proc", "sys" })
        {
            _initLayer.Directory(directory);
        }

        foreach (var file in new[] { ".dockerinit", ".dockerenv", "etc/resolv.conf", "etc/hosts", "etc/hostname", "dev/console" })
        {
            if (dockerInit || file != ".dockerinit")
            {
                _initLayer.FileBytes(file, [], mode: "0755");
            }
        }

        _initLayer.Symlink("etc/mtab", "/proc/mounts");
    }

    private static void AddBookkeeping(LayerBuilder layer) =>
        layer.FileBytes(WhiteoutBase, [], mode: "0444").Directory(".wh..wh.plnk", mode: "0700").Directory(".wh..wh.orph", mode: "0700");
}
