using System.Text.Json;
using Docker.Aufs.Stores.Graph;
using Docker.Aufs.Drivers.Aufs;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Testing;

public sealed partial class DockerRootBuilder
{
    private readonly List<ContainerBuilder> _containers = [];

    /// <summary>
    /// Adds a container: <c>containers/&lt;id&gt;/</c> (<c>config.json</c>, <c>hostconfig.json</c>, <c>hostname</c>,
    /// <c>hosts</c>, <c>resolv.conf</c>) and, for an AUFS container, its layers <c>&lt;id&gt;-init</c> and <c>&lt;id&gt;</c>
    /// in <c>aufs/layers</c>, <c>aufs/diff</c> and <c>aufs/mnt</c>. Containers are written after every layer.
    /// </summary>
    /// <param name="configure">Describes the container; <see cref="ContainerBuilder.Image"/> is required.</param>
    /// <returns>The container's ID (given with <see cref="ContainerBuilder.Id"/> or generated).</returns>
    /// <exception cref="InvalidOperationException">A container with the same ID was already added.</exception>
    public string AddContainer(Action<ContainerBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var container = new ContainerBuilder(GenerateId("container:" + _containers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)), DefaultEpoch.AddDays(1).AddMinutes(_containers.Count));
        configure(container);
        _ = container.ImageId;
        if (_containers.Any(c => c.ContainerId == container.ContainerId))
        {
            throw new InvalidOperationException($"A container with ID {container.ContainerId} was already added.");
        }

        _containers.Add(container);
        return container.ContainerId;
    }

    private void WriteContainers(AufsDriver aufs)
    {
        var fs = _fileSystem;
        foreach (var container in _containers)
        {
            var id = container.ContainerId;
            var directory = fs.Path.Combine(RootPath, LegacyContainer.DirectoryName, id);
            fs.Directory.CreateDirectory(directory);
            fs.File.WriteAllBytes(fs.Path.Combine(directory, LegacyContainer.ConfigFileName), container.RawConfigBytes ?? SerializeContainer(container, directory));
            if (container.RawHostConfigBytes is { } rawHostConfig)
            {
                fs.File.WriteAllBytes(fs.Path.Combine(directory, LegacyContainer.HostConfigFileName), rawHostConfig);
            }
            else if (container.HostConfigJson is { } hostConfig)
            {
                fs.File.WriteAllBytes(fs.Path.Combine(directory, LegacyContainer.HostConfigFileName),
                    JsonSerializer.SerializeToUtf8Bytes(hostConfig, DockerJsonContext.GoWriter.HostConfigJson));
            }

            fs.File.WriteAllText(fs.Path.Combine(directory, "hostname"), id[..DockerIds.ShortLength] + "\n");
            fs.File.WriteAllText(fs.Path.Combine(directory, "hosts"), $"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n172.17.0.2\t{id[..DockerIds.ShortLength]}\n");
            fs.File.WriteAllText(fs.Path.Combine(directory, "resolv.conf"), "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
            if (!container.WithDriverData)
            {
                continue;
            }

            container.AddInitEntries();
            WriteDriverLayer(aufs, container.InitLayer.DriverIds(container.ContainerId + DockerIds.InitSuffix, container.ImageId));
            WriteDriverLayer(aufs, container.ReadWriteLayer.DriverIds(container.ContainerId, container.ContainerId + DockerIds.InitSuffix));
        }
    }

    private static byte[] SerializeContainer(ContainerBuilder container, string directory)
    {
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
            MountPoints = new Dictionary<string, MountPointJson>(),
            Volumes = new Dictionary<string, string>(),
            VolumesRW = new Dictionary<string, bool>(),
            AppArmorProfile = string.Empty,
        };
        return JsonSerializer.SerializeToUtf8Bytes(json, DockerJsonContext.GoWriter.ContainerJson);
    }
}
