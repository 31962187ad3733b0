using System.IO.Abstractions;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;

namespace Docker.Aufs.Stores;

/// <summary>
/// One <c>containers/&lt;id&gt;/</c> directory read and typed: its configuration (required; <c>config.json</c> in the
/// graph era, <c>config.v2.json</c> from Docker 1.10; decoded as Docker's <c>fromDisk</c> does: first JSON value,
/// case-insensitive keys) and <c>hostconfig.json</c> (optional, as in Docker). Both eras share the fields read here.
/// </summary>
/// <threadsafety static="true" instance="true"/>
internal sealed class ContainerRecord
{
    /// <summary>The name of the container configuration file of Docker ≤ 1.9.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>The name of the container configuration file of Docker 1.10 and later.</summary>
    public const string ConfigV2FileName = "config.v2.json";

    /// <summary>The name of the host configuration file.</summary>
    public const string HostConfigFileName = "hostconfig.json";

    /// <summary>The name of the directory of the root that holds one directory per container.</summary>
    public const string DirectoryName = "containers";

    private ContainerRecord(string id, string directory, ContainerJson config, HostConfigJson? hostConfig, byte[] rawConfig, byte[]? rawHostConfig, string rootPath)
    {
        Mounts = ContainerMountReader.Read(config, rootPath);
        Id = id;
        Directory = directory;
        Config = config;
        HostConfig = hostConfig;
        RawConfig = rawConfig;
        RawHostConfig = rawHostConfig;
    }

    /// <summary>Gets the configuration file as stored.</summary>
    public byte[] RawConfig { get; }

    /// <summary>Gets <c>hostconfig.json</c> as stored, or <see langword="null"/>.</summary>
    public byte[]? RawHostConfig { get; }

    /// <summary>Gets the mounts the configuration records (<see cref="ContainerMountReader"/>).</summary>
    public IReadOnlyList<ContainerMount> Mounts { get; }

    /// <summary>Gets the container ID (the directory name, equal to the config's <c>ID</c>).</summary>
    public string Id { get; }

    /// <summary>Gets the full path of <c>containers/&lt;id&gt;</c>.</summary>
    public string Directory { get; }

    /// <summary>Gets the typed configuration.</summary>
    public ContainerJson Config { get; }

    /// <summary>Gets the typed <c>hostconfig.json</c>, or <see langword="null"/> when the file does not exist.</summary>
    public HostConfigJson? HostConfig { get; }

    /// <summary>Gets the name without its leading slash (<c>determined_euclid</c>); empty when the config has none.</summary>
    public string Name => (Config.Name ?? string.Empty).TrimStart('/');

    /// <summary>Gets the full ID of the container's image, as stored (top-level <c>Image</c>).</summary>
    public string ImageId => Config.Image ?? string.Empty;

    /// <summary>Gets the storage driver of the container's layers; <c>aufs</c> when the config names none (pre-0.7).</summary>
    public string Driver => string.IsNullOrEmpty(Config.Driver) ? "aufs" : Config.Driver;

    /// <summary>Gets the creation time, or <see langword="null"/> when the config has none.</summary>
    public RecordedTime? Created => Config.Created;

    /// <summary>Gets the recorded state.</summary>
    public ContainerState State => StateOf(Config.State);

    /// <summary>Gets the command, as <c>docker ps</c> shows it: <c>Path</c> and <c>Args</c> joined with spaces.</summary>
    public string Command => string.Join(' ', new[] { Config.Path ?? string.Empty }.Concat(Config.Args ?? []).Where(s => s.Length > 0));

    /// <summary>Gets the ID of a graph-era container's init layer in the storage driver: <c>&lt;id&gt;-init</c>.</summary>
    public string LegacyInitLayerId => Id + DockerIds.InitSuffix;

    /// <summary>The public form of a saved state; a config without one is a container never started.</summary>
    public static ContainerState StateOf(ContainerStateJson? state) => state is null
        ? ContainerState.NeverStarted
        : new ContainerState
        {
            Running = state.Running,
            Paused = state.Paused,
            Restarting = state.Restarting,
            OomKilled = state.OOMKilled,
            Dead = state.Dead,
            Pid = state.Pid,
            ExitCode = state.ExitCode,
            Error = state.Error ?? string.Empty,
            StartedAt = state.StartedAt ?? RecordedTime.Zero,
            FinishedAt = state.FinishedAt ?? RecordedTime.Zero,
            RemovalInProgress = state.RemovalInProgress,
            Health = string.IsNullOrEmpty(state.Health?.Status) ? null : state.Health.Status,
        };

    /// <summary>The container as the facade shows it, its image shown as <paramref name="image"/>.</summary>
    /// <param name="image">How the image is shown.</param>
    /// <param name="layerId">The driver layer holding the container's changes (the container ID in the graph era, the mount-id later).</param>
    /// <param name="initLayerId">The driver layer of its init layer, or <see langword="null"/>.</param>
    public Container ToContainer(string image, string layerId, string? initLayerId) => new()
    {
        Id = Id,
        Name = Name,
        ImageId = ImageId,
        Image = image,
        ImageReference = string.IsNullOrEmpty(Config.Config?.Image) ? null : Config.Config.Image,
        Command = Command,
        Created = Created,
        State = State,
        Driver = Driver,
        Directory = Directory,
        Config = RawConfig,
        HostConfig = RawHostConfig,
        LayerId = layerId,
        InitLayerId = initLayerId,
        Mounts = Mounts,
    };

    /// <summary>Reads <c>&lt;containersDirectory&gt;/&lt;id&gt;/</c>.</summary>
    /// <param name="fileSystem">The file system holding the root.</param>
    /// <param name="containersDirectory">The full path of the root's <c>containers</c> directory.</param>
    /// <param name="id">The container ID (64 lowercase hex).</param>
    /// <param name="configFileName">The configuration file of the era: <see cref="ConfigFileName"/> or <see cref="ConfigV2FileName"/>.</param>
    /// <returns>The container.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not a valid ID.</exception>
    /// <exception cref="CorruptFileException">The configuration file is missing, not JSON, of the wrong shape, or names another ID; or <c>hostconfig.json</c> is not JSON; or either is a fifo, socket or device.</exception>
    /// <exception cref="UnsafePathException">The container directory or one of its configuration files is a symbolic link (never followed).</exception>
    /// <exception cref="DirectoryNotFoundException">There is no such container directory.</exception>
    public static ContainerRecord Read(IFileSystem fileSystem, string containersDirectory, string id, string configFileName = ConfigFileName)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(containersDirectory);
        if (!DockerIds.IsId(id))
        {
            throw new ArgumentException($"'{id}' is not a container ID (64 lowercase hex characters).", nameof(id));
        }

        var directory = fileSystem.Path.Combine(containersDirectory, id);
        NoFollow.RequireNotLink(fileSystem, directory);
        if (!fileSystem.Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"There is no container directory {directory}.");
        }

        var configPath = fileSystem.Path.Combine(directory, configFileName);
        if (!fileSystem.File.Exists(configPath))
        {
            var other = configFileName == ConfigFileName ? ConfigV2FileName : ConfigFileName;
            throw new CorruptFileException(configPath, !fileSystem.File.Exists(fileSystem.Path.Combine(directory, other)) ? "is missing"
                : other == ConfigV2FileName ? "is missing; the directory holds config.v2.json, written by Docker 1.10 or later"
                : "is missing; the directory holds only the config.json of Docker 1.9 or earlier (the container was never migrated)");
        }

        var rawConfig = SmallFile.Read(fileSystem, configPath, SmallFile.JsonLimit);
        var config = GoJson.Deserialize(rawConfig, DockerJsonContext.Default.ContainerJson, configPath)
            ?? throw new CorruptFileException(configPath, "holds JSON null, not a container");
        if (config.ID != id)
        {
            // Docker refuses it too: "Container <ID> is stored at <dir>".
            throw new CorruptFileException(configPath, $"names container '{DockerIds.Printable(config.ID ?? string.Empty)}', but is stored in the directory of {id}");
        }

        HostConfigJson? hostConfig = null;
        byte[]? rawHostConfig = null;
        var hostConfigPath = fileSystem.Path.Combine(directory, HostConfigFileName);
        if (fileSystem.File.Exists(hostConfigPath))
        {
            rawHostConfig = SmallFile.Read(fileSystem, hostConfigPath, SmallFile.JsonLimit);
            hostConfig = GoJson.Deserialize(rawHostConfig, DockerJsonContext.Default.HostConfigJson, hostConfigPath);
        }

        return new ContainerRecord(id, directory, config, hostConfig, rawConfig, rawHostConfig, fileSystem.Path.GetDirectoryName(containersDirectory.TrimEnd('/')) ?? containersDirectory);
    }
}
