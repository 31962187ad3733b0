namespace Docker.Aufs.Testing;

/// <summary>How a container mount given to a <see cref="ContainerBuilder"/> is recorded.</summary>
internal enum MountForm
{
    /// <summary>A local volume of Docker 1.7+: <c>MountPoints</c>, data in <c>volumes/&lt;name&gt;/_data</c>.</summary>
    Volume,

    /// <summary>A volume of Docker 1.6 and earlier: <c>Volumes</c>/<c>VolumesRW</c> only, data in <c>vfs/dir/&lt;id&gt;</c>.</summary>
    LegacyVolume,

    /// <summary>A bind mount of a host path.</summary>
    Bind,
}

/// <summary>One mount given to a <see cref="ContainerBuilder"/>.</summary>
internal sealed record MountSpec(MountForm Form, string Name, string Destination, string HostPath, bool ReadWrite, LayerBuilder? Files);

public sealed partial class ContainerBuilder
{
    private readonly List<MountSpec> _mounts = [];

    internal IReadOnlyList<MountSpec> MountSpecs => _mounts;

    /// <summary>
    /// Mounts the local volume <paramref name="name"/> at <paramref name="destination"/> as Docker 1.7+ records it
    /// (<c>MountPoints</c>; in a graph-era root also the <c>Volumes</c>/<c>VolumesRW</c> Docker kept for compatibility), its
    /// data written to <c>volumes/&lt;name&gt;/_data</c> when the name is one safe path component (any name is recorded, so
    /// hostile names can be tested). The mount point is created in the read-write layer, as Docker creates it.
    /// </summary>
    /// <param name="name">The volume's name (64 hex for an anonymous volume).</param>
    /// <param name="destination">The absolute path inside the container.</param>
    /// <param name="files">The volume's content (entry methods of <see cref="LayerBuilder"/>), or <see langword="null"/> for an empty volume.</param>
    /// <param name="readWrite">Whether it is mounted read-write.</param>
    /// <returns>This builder.</returns>
    public ContainerBuilder Volume(string name, string destination, Action<LayerBuilder>? files = null, bool readWrite = true) =>
        AddMount(MountForm.Volume, name, destination, string.Empty, readWrite, files);

    /// <summary>
    /// Mounts a volume as Docker 1.6 and earlier recorded it (graph-era roots): <c>Volumes</c> maps the destination to
    /// <c>/var/lib/docker/vfs/dir/&lt;id&gt;</c>, <c>VolumesRW</c> to its mode, no <c>MountPoints</c>; the data is written to
    /// <c>vfs/dir/&lt;id&gt;</c> and the volume's <c>volumes/&lt;id&gt;/config.json</c> beside it.
    /// </summary>
    /// <param name="id">The volume's ID (64 hex in Docker).</param>
    /// <param name="destination">The absolute path inside the container.</param>
    /// <param name="files">The volume's content, or <see langword="null"/>.</param>
    /// <param name="readWrite">Whether it is mounted read-write.</param>
    /// <returns>This builder.</returns>
    public ContainerBuilder LegacyVolume(string id, string destination, Action<LayerBuilder>? files = null, bool readWrite = true) =>
        AddMount(MountForm.LegacyVolume, id, destination, string.Empty, readWrite, files);

    /// <summary>Bind-mounts the host path <paramref name="hostPath"/> at <paramref name="destination"/> (recorded only; nothing is written on the host).</summary>
    /// <param name="hostPath">The host path, as recorded.</param>
    /// <param name="destination">The absolute path inside the container.</param>
    /// <param name="readWrite">Whether it is mounted read-write.</param>
    /// <returns>This builder.</returns>
    public ContainerBuilder Bind(string hostPath, string destination, bool readWrite = true) =>
        AddMount(MountForm.Bind, string.Empty, destination, hostPath, readWrite, null);

    private ContainerBuilder AddMount(MountForm form, string name, string destination, string hostPath, bool readWrite, Action<LayerBuilder>? files)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentException.ThrowIfNullOrEmpty(destination);
        ArgumentNullException.ThrowIfNull(hostPath);
        LayerBuilder? layer = null;
        if (files is not null)
        {
            layer = new LayerBuilder("volume-" + _mounts.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), CreatedTime);
            files(layer);
        }

        var point = destination.Trim('/');
        if (point.Length > 0 && !point.Split('/').Any(p => p is "." or "..") && !_readWriteLayer.Entries.Any(e => e.Path == point))
        {
            _readWriteLayer.Directory(point);
        }

        _mounts.Add(new MountSpec(form, name, destination, hostPath, readWrite, layer));
        return this;
    }
}
