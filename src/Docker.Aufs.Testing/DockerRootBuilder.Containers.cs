using System.Text.Json;
using Docker.Aufs.Drivers.Aufs;
using Docker.Aufs.Formats;
using Docker.Aufs.Stores;
using Docker.Aufs.Stores.ContentAddressed;

namespace Docker.Aufs.Testing;

public sealed partial class DockerRootBuilder
{
    private readonly List<ContainerBuilder> _containers = [];

    /// <summary>
    /// Adds a container: <c>containers/&lt;id&gt;/</c> (<c>config.json</c>, <c>hostconfig.json</c>, <c>hostname</c>,
    /// <c>hosts</c>, <c>resolv.conf</c>) and, for an AUFS container, its layers <c>&lt;id&gt;-init</c> and <c>&lt;id&gt;</c>
    /// in <c>aufs/layers</c>, <c>aufs/diff</c> and <c>aufs/mnt</c>. Containers are written after every layer, by <see cref="Build"/>.
    /// In a content-addressed root the configuration is <c>config.v2.json</c>, the read-write layer record
    /// <c>image/aufs/layerdb/mounts/&lt;id&gt;/</c>, and the AUFS layers are named by a generated mount ID
    /// (<c>&lt;mount-id&gt;-init</c> on the image's top layer, <c>&lt;mount-id&gt;</c> on it).
    /// </summary>
    /// <param name="configure">Describes the container; <see cref="ContainerBuilder.Image"/> is required.</param>
    /// <returns>The container's ID (given with <see cref="ContainerBuilder.Id"/> or generated).</returns>
    /// <exception cref="InvalidOperationException">A container with the same ID was already added.</exception>
    public string AddContainer(Action<ContainerBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var epoch = Store == ImageStoreKind.ContentAddressed ? ContentAddressedEpoch : DefaultEpoch;
        var container = new ContainerBuilder(GenerateId("container:" + _containers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)), epoch.AddDays(1).AddMinutes(_containers.Count));
        container.Driver(Driver);
        configure(container);
        _ = container.ImageId;
        if (_containers.Any(c => c.ContainerId == container.ContainerId))
        {
            throw new InvalidOperationException($"A container with ID {container.ContainerId} was already added.");
        }

        _containers.Add(container);
        return container.ContainerId;
    }

    private void WriteContainers(Drivers.LayerDriver driver)
    {
        var fs = _fileSystem;
        var contentAddressed = Store == ImageStoreKind.ContentAddressed;
        foreach (var container in _containers)
        {
            var id = container.ContainerId;
            var directory = fs.Path.Combine(RootPath, ContainerRecord.DirectoryName, id);
            fs.Directory.CreateDirectory(directory);
            if (contentAddressed)
            {
                fs.File.WriteAllBytes(fs.Path.Combine(directory, ContainerRecord.ConfigV2FileName), container.RawConfigBytes ?? ContainerConfigV2.Serialize(container, directory));
            }
            else
            {
                fs.File.WriteAllBytes(fs.Path.Combine(directory, ContainerRecord.ConfigFileName), container.RawConfigBytes ?? SerializeContainer(container, directory));
            }

            if (container.RawHostConfigBytes is { } rawHostConfig)
            {
                fs.File.WriteAllBytes(fs.Path.Combine(directory, ContainerRecord.HostConfigFileName), rawHostConfig);
            }
            else if (container.HostConfigJson is { } hostConfig)
            {
                var json = JsonSerializer.SerializeToUtf8Bytes(hostConfig, DockerJsonContext.GoWriter.HostConfigJson);
                fs.File.WriteAllBytes(fs.Path.Combine(directory, ContainerRecord.HostConfigFileName), contentAddressed ? [.. json, (byte)'\n'] : json);
            }

            fs.File.WriteAllText(fs.Path.Combine(directory, "hostname"), id[..DockerIds.ShortLength] + "\n");
            fs.File.WriteAllText(fs.Path.Combine(directory, "hosts"), $"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n172.17.0.2\t{id[..DockerIds.ShortLength]}\n");
            fs.File.WriteAllText(fs.Path.Combine(directory, "resolv.conf"), "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
            container.WriteLogs(fs, directory);
            WriteVolumes(container);
            if (contentAddressed)
            {
                WriteCasContainerLayers(container, directory);
                continue;
            }

            if (!container.WithDriverData || container.DriverText != Driver && !(driver is AufsDriver && container.DriverText.Length == 0))
            {
                continue; // another driver's container: its layers are in that driver's directory
            }

            container.AddInitEntries();
            var init = container.InitLayer.DriverIds(container.ContainerId + DockerIds.InitSuffix, container.ImageId);
            var readWrite = container.ReadWriteLayer.DriverIds(container.ContainerId, container.ContainerId + DockerIds.InitSuffix);
            if (driver is AufsDriver aufs)
            {
                WriteDriverLayer(aufs, init);
                WriteDriverLayer(aufs, readWrite);
            }
            else
            {
                WriteLayerOnDriver(init);
                WriteLayerOnDriver(readWrite);
            }
        }
    }

    /// <summary>
    /// A 1.10+ container's layers as Docker's <c>CreateRWLayer</c> makes them: a mount ID, the init layer on the image's top
    /// layer (populated by <c>setupInitLayer</c>), the read-write layer on it, and the record <c>layerdb/mounts/&lt;id&gt;/</c>.
    /// </summary>
    private void WriteCasContainerLayers(ContainerBuilder container, string directory)
    {
        var fs = _fileSystem;
        fs.Directory.CreateDirectory(fs.Path.Combine(directory, "shm"));
        if (container.DriverText != Driver && container.DriverText.Length > 0)
        {
            return; // another driver's container: its mount is in that driver's store
        }

        var image = FindImage(container.ImageId);
        var mountId = MountIdOf(container.ContainerId);
        var initId = mountId + DockerIds.InitSuffix;
        CasWriter.WriteMount(fs, CasStoreDirectory, container.ContainerId, mountId, initId, image is { ChainIds.Count: > 0 } ? image.ChainIds[^1] : null);
        if (!container.WithDriverData)
        {
            return;
        }

        container.AddInitEntries(dockerInit: false);
        WriteLayerOnDriver(container.InitLayer.DriverIds(initId, image is { CacheIds.Count: > 0 } ? image.CacheIds[0] : null));
        WriteLayerOnDriver(container.ReadWriteLayer.DriverIds(mountId, initId));
    }

    /// <summary>The mount ID of a container in a content-addressed root (random in Docker; derived from the container ID here).</summary>
    private static string MountIdOf(string containerId) => GenerateId("mount-id:" + containerId);

    /// <summary>Where Docker recorded a mount's data on the host (the root given as <c>/var/lib/docker</c>, as on the host that wrote it).</summary>
    internal static string HostPathOf(MountSpec mount, string root) => mount.Form switch
    {
        MountForm.Bind => mount.HostPath,
        MountForm.LegacyVolume => root + "/vfs/dir/" + mount.Name,
        _ => root + "/volumes/" + mount.Name + "/_data",
    };

    /// <summary>Writes the data of the container's volumes whose names are safe path components (hostile names are only recorded).</summary>
    private void WriteVolumes(ContainerBuilder container)
    {
        var fs = _fileSystem;
        foreach (var mount in container.MountSpecs.Where(m => m.Form != MountForm.Bind))
        {
            if (!Stores.ContainerMountReader.IsVolumeName(mount.Name))
            {
                continue;
            }

            var volume = fs.Path.Combine(RootPath, "volumes", mount.Name);
            var data = mount.Form == MountForm.Volume ? fs.Path.Combine(volume, "_data") : fs.Path.Combine(RootPath, "vfs", "dir", mount.Name);
            fs.Directory.CreateDirectory(data);
            if (mount.Form == MountForm.LegacyVolume)
            {
                fs.Directory.CreateDirectory(volume);
                if (Store == ImageStoreKind.ContentAddressed)
                {
                    // Docker 1.7's migrateVolume: volumes/<id>/_data -> <root>/vfs/dir/<id>, an absolute link to the host's root.
                    _writer.WriteEntry(new IO.LayerEntry("_data", IO.UnixFileType.SymbolicLink, 0x1FF, 0, 0, null) { LinkTarget = HostPathOf(mount, DockerHostRoot) },
                        fs.Path.Combine(volume, "_data"), fs.Path.Combine(volume, "_data"));
                }

                fs.File.WriteAllText(fs.Path.Combine(volume, "config.json"),
                    $"{{\"ID\":\"{mount.Name}\",\"Path\":\"{HostPathOf(mount, DockerHostRoot)}\",\"IsBindMount\":false,\"Writable\":{(mount.ReadWrite ? "true" : "false")}}}");
            }

            if (mount.Files is { } files)
            {
                WriteEntries(data, files);
            }
        }
    }

    /// <summary>The root as the host that wrote a root called it, in recorded host paths.</summary>
    internal const string DockerHostRoot = "/var/lib/docker";

    private static byte[] SerializeContainer(ContainerBuilder container, string directory)
    {
        const string root = DockerHostRoot;
        var id = container.ContainerId;
        var started = container.StateJson.StartedAt is { IsZero: false };
        var typed = container.TypedImage ?? container.ImageId;
        var config = (container.RunConfig ?? new ContainerConfig { Cmd = [container.PathText, .. container.ArgsList] }) with
        {
            Hostname = container.RunConfig?.Hostname ?? id[..DockerIds.ShortLength],
            Domainname = container.RunConfig?.Domainname ?? string.Empty,
            User = container.RunConfig?.User ?? string.Empty,
            Image = container.RunConfig?.Image ?? typed,
            WorkingDir = container.RunConfig?.WorkingDir ?? string.Empty,
        };
        var json = new ContainerJson
        {
            State = container.StateJson,
            ID = id,
            Created = RecordedTime.FromValue(container.CreatedTime),
            Path = container.PathText,
            Args = container.ArgsList,
            Config = config,
            Image = container.ImageId,
            ResolvConfPath = directory + "/resolv.conf",
            HostnamePath = directory + "/hostname",
            HostsPath = directory + "/hosts",
            LogPath = directory + "/" + id + "-json.log",
            Name = "/" + container.NameText,
            Driver = container.DriverText,
            ExecDriver = "native-0.2",
            MountLabel = string.Empty,
            ProcessLabel = string.Empty,
            HasBeenStartedBefore = started,
            MountPoints = container.MountSpecs.Any(m => m.Form == MountForm.LegacyVolume) ? new Dictionary<string, MountPointJson>() : container.MountSpecs.ToDictionary(m => m.Destination, m => new MountPointJson
            {
                Name = m.Name,
                Source = m.Form == MountForm.Bind ? m.HostPath : string.Empty,
                Destination = m.Destination,
                Driver = m.Form == MountForm.Bind ? string.Empty : "local",
                RW = m.ReadWrite,
                Relabel = string.Empty,
            }),
            Volumes = container.MountSpecs.ToDictionary(m => m.Destination, m => HostPathOf(m, root)),
            VolumesRW = container.MountSpecs.ToDictionary(m => m.Destination, m => m.ReadWrite),
            AppArmorProfile = string.Empty,
        };
        // Docker 1.9's State has no RemovalInProgress (1.10+), which the shared model writes: leave it out.
        return EditJson(JsonSerializer.SerializeToUtf8Bytes(json, DockerJsonContext.GoWriter.ContainerJson),
            o => (o["State"] as System.Text.Json.Nodes.JsonObject)?.Remove("RemovalInProgress"));
    }
}
