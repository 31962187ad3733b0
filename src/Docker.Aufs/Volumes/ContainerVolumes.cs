using System.Collections.Concurrent;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Stores;
using Docker.Aufs.Union;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Docker.Aufs.Volumes;

/// <summary>
/// A container's files as its processes saw them: its merged view (read-write, init and image layers), with each
/// <c>local</c> volume its configuration mounts (<see cref="Container.Mounts"/>) shown at its destination, read from the root:
/// <c>volumes/&lt;name&gt;/_data</c> (Docker 1.7+) or <c>vfs/dir/&lt;id&gt;</c> (Docker 1.6 and earlier). Bind mounts are
/// host paths: they are reported, never followed or read.
/// </summary>
/// <remarks>
/// Every directory on the way to a volume's data (<c>volumes/</c>, <c>volumes/&lt;name&gt;/</c>, <c>_data</c>; <c>vfs/</c>,
/// <c>vfs/dir/</c>, <c>vfs/dir/&lt;id&gt;</c>) must be a real directory: a symbolic link there is refused, except the one
/// Docker 1.7's migration made, <c>volumes/&lt;id&gt;/_data</c> → <c>…/vfs/dir/&lt;id&gt;</c> of the same ID, which is read as
/// the root's own <c>vfs/dir/&lt;id&gt;</c>, never through the link. A volume name that is not one safe path component is
/// refused (<see cref="UnsafePathException"/> naming the configuration file). Inside a volume, symbolic links resolve inside
/// the volume, never out of it. Instances are safe for concurrent use.
/// </remarks>
/// <threadsafety static="true" instance="true"/>
public sealed class ContainerVolumes
{
    private readonly IDockerRoot _root;
    private readonly ILogger _logger;

    /// <summary>Initializes the service over <paramref name="root"/>.</summary>
    /// <param name="root">The root the containers belong to.</param>
    /// <param name="loggerFactory">Where warnings about the data go (optional).</param>
    /// <exception cref="ArgumentNullException"><paramref name="root"/> is <see langword="null"/>.</exception>
    public ContainerVolumes(IDockerRoot root, ILoggerFactory? loggerFactory = null)
    {
        _root = root ?? throw new ArgumentNullException(nameof(root));
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Docker.Aufs");
    }

    /// <summary>Opens the files of the container <paramref name="reference"/> names, with its volumes where they are mounted.</summary>
    /// <param name="reference">A container ID, name or unique ID prefix.</param>
    /// <returns>The view; volumes are opened when a path first reaches them.</returns>
    /// <exception cref="ContainerNotFoundException">No container matches.</exception>
    /// <exception cref="DockerAufsException">The container's layers cannot be merged (see <see cref="IDockerRoot.OpenContainer"/>).</exception>
    public ContainerFiles Open(string reference)
    {
        var container = _root.ResolveContainer(reference);
        return new ContainerFiles(this, container, _root.OpenContainer(container.Id));
    }

    /// <summary>Opens the data of one volume of <paramref name="container"/> as a view of its own (its root is the volume's root).</summary>
    /// <param name="container">The container.</param>
    /// <param name="mount">One of <paramref name="container"/>'s <see cref="Container.Mounts"/>.</param>
    /// <returns>A view with one branch, the volume's data directory; its entries' layer is <c>volume:&lt;name&gt;</c>.</returns>
    /// <exception cref="NotSupportedException">The mount is a bind mount or a tmpfs, or a volume of another driver than <c>local</c>: its content is not in the root.</exception>
    /// <exception cref="UnsafePathException">The volume's name is not one safe path component, or a directory on the way to its data is a symbolic link.</exception>
    /// <exception cref="CorruptFileException">A directory on the way to its data is something else than a directory.</exception>
    /// <exception cref="DirectoryNotFoundException">The volume's data directory is missing.</exception>
    public UnionView OpenVolume(Container container, ContainerMount mount)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(mount);
        var at = ImagePath.Display(GoPath.Clean("/" + mount.Destination).TrimStart('/'));
        if (mount.Kind == ContainerMountKind.Bind)
        {
            throw new NotSupportedException($"{at} is a bind mount of the host path {mount.Source} in container {container.Id}: it is not in the Docker root and is never followed or read");
        }

        if (mount.Kind == ContainerMountKind.Other)
        {
            throw new NotSupportedException($"{at} is a {mount.Type} mount of container {container.Id}: nothing of it is kept in the Docker root");
        }

        if (mount.Driver != ContainerMountReader.LocalDriver)
        {
            throw new NotSupportedException($"{at} is the volume {mount.Name} of the volume driver '{mount.Driver}' in container {container.Id}: only the local driver keeps its data in the Docker root");
        }

        if (mount.DataDirectory is null || !ContainerMountReader.IsVolumeName(mount.Name))
        {
            throw new UnsafePathException(ConfigPath(container), mount.Name,
                $"the volume mounted at {at} has a name that is not one path component of letters, digits, '_', '.' and '-', and could lead outside the root's volumes");
        }

        return new UnionView(_root.FileSystem, _root.Metadata, [new UnionBranch("volume:" + mount.Name, DataPath(mount))], _logger, wholeTree: new WholeTreeParent(null));
    }

    /// <summary>The full path of a local volume's data, each directory on the way checked to be a real directory.</summary>
    private string DataPath(ContainerMount mount)
    {
        var parts = mount.DataDirectory!.Split('/');
        var path = _root.Path.TrimEnd('/');
        for (var i = 0; i < parts.Length; i++)
        {
            path += "/" + parts[i];
            if (!_root.Metadata.TryGetStatus(path, out var status))
            {
                throw new DirectoryNotFoundException($"{path}: missing; it should hold the data of the volume {mount.Name} mounted at {mount.Destination}");
            }

            if (status.Type == UnixFileType.SymbolicLink)
            {
                // Docker 1.7's migration of a 1.6 volume: volumes/<id>/_data -> <old root>/vfs/dir/<id>; read the root's own copy.
                var target = status.LinkTarget ?? string.Empty;
                if (i == parts.Length - 1 && parts[0] == ContainerMountReader.VolumesDirectory
                    && target.EndsWith("/" + ContainerMountReader.LegacyVolumesDirectory + "/" + mount.Name, StringComparison.Ordinal))
                {
                    return DataPath(mount with { DataDirectory = ContainerMountReader.LegacyVolumesDirectory + "/" + mount.Name });
                }

                throw new UnsafePathException(path, target, $"a directory on the way to the data of the volume {mount.Name} is a symbolic link; it is never followed (it could lead outside the root)");
            }

            if (status.Type != UnixFileType.Directory)
            {
                throw new CorruptFileException(path, $"is a {UnionView.Describe(status.Type)}, not the directory that holds the volume {mount.Name}");
            }
        }

        return path;
    }

    /// <summary>The configuration file of <paramref name="container"/>, to name in errors.</summary>
    private string ConfigPath(Container container)
    {
        var fs = _root.FileSystem;
        var v2 = fs.Path.Combine(container.Directory, ContainerRecord.ConfigV2FileName);
        return NoFollow.Exists(fs, v2) ? v2 : fs.Path.Combine(container.Directory, ContainerRecord.ConfigFileName);
    }

    internal UnionView OpenCached(ConcurrentDictionary<string, UnionView> cache, Container container, ContainerMount mount) =>
        cache.GetOrAdd(mount.Destination, _ => OpenVolume(container, mount));
}

/// <summary>Where a path of a container's files is read from: a view and the path inside it.</summary>
/// <param name="View">The container's own view, or a volume's.</param>
/// <param name="Path">The path inside <paramref name="View"/>, relative, with <c>/</c> separators (empty for its root).</param>
/// <param name="Prefix">What to put before an entry's <see cref="UnionEntry.Path"/> of <paramref name="View"/> to have its path in the container (the volume's destination without its leading slash; empty for the container's own view).</param>
/// <param name="Mount">The volume the path is in, or <see langword="null"/>.</param>
/// <threadsafety static="true" instance="true"/>
public sealed record ContainerPath(UnionView View, string Path, string Prefix, ContainerMount? Mount)
{
    /// <summary>Returns the path in the container of an entry of <see cref="View"/>.</summary>
    /// <param name="entry">An entry of <see cref="View"/>.</param>
    /// <returns>The path, relative to the container's root, with <c>/</c> separators.</returns>
    public string InContainer(UnionEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Prefix.Length == 0 ? entry.Path : entry.Path.Length == 0 ? Prefix : Prefix + "/" + entry.Path;
    }
}

/// <summary>
/// The files of one container with its volumes (<see cref="ContainerVolumes.Open"/>): a path at or below a <c>local</c>
/// volume's destination is read from the volume; a path below a bind mount is refused (never read on the host).
/// </summary>
/// <threadsafety static="true" instance="true"/>
public sealed class ContainerFiles
{
    private readonly ContainerVolumes _service;
    private readonly ConcurrentDictionary<string, UnionView> _volumes = new(StringComparer.Ordinal);
    private readonly (string Destination, ContainerMount Mount)[] _mounts;

    internal ContainerFiles(ContainerVolumes service, Container container, UnionView view)
    {
        _service = service;
        Container = container;
        View = view;
        _mounts = [.. container.Mounts
            .Select(m => (Destination: GoPath.Clean("/" + m.Destination).TrimStart('/'), Mount: m))
            .Where(m => m.Destination.Length > 0)
            .OrderByDescending(m => m.Destination.Length)];
    }

    /// <summary>Gets the container.</summary>
    public Container Container { get; }

    /// <summary>Gets the container's own merged view (read-write, init and image layers), without its volumes.</summary>
    public UnionView View { get; }

    /// <summary>Gets the container's mounts.</summary>
    public IReadOnlyList<ContainerMount> Mounts => Container.Mounts;

    /// <summary>
    /// Finds where <paramref name="path"/> is read from. The path is cleaned as Go cleans it; when it is not at or below a
    /// mount's destination, its directory is resolved in the container's own view (links inside the container followed) and
    /// the mounts are looked up again with that path.
    /// </summary>
    /// <param name="path">A path inside the container, absolute or relative to its root.</param>
    /// <returns>The view and the path in it.</returns>
    /// <exception cref="NotSupportedException">The path is at or below a bind mount or tmpfs, or a volume of another driver.</exception>
    /// <exception cref="UnsafePathException">The volume's name or a directory on the way to its data is refused (<see cref="ContainerVolumes.OpenVolume"/>).</exception>
    /// <exception cref="CorruptFileException">A directory on the way to a volume's data is not a directory.</exception>
    /// <exception cref="DirectoryNotFoundException">The volume's data directory is missing.</exception>
    public ContainerPath Locate(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var clean = GoPath.Clean("/" + path).TrimStart('/');
        if (Find(clean) is { } found)
        {
            return found;
        }

        // A link on the way may lead into a volume: resolve the directory in the container's layers, then look again.
        var slash = clean.LastIndexOf('/');
        if (slash > 0 && View.TryGetEntry(clean[..slash], followSymbolicLinks: true, out var directory) && directory.IsDirectory)
        {
            var canonical = ImagePath.Combine(directory.Path, clean[(slash + 1)..]);
            if (canonical != clean && Find(canonical) is { } through)
            {
                return through;
            }
        }

        return new ContainerPath(View, clean, string.Empty, null);
    }

    /// <summary>The mount whose destination is <paramref name="clean"/> or above it, as a location; <see langword="null"/> for none.</summary>
    private ContainerPath? Find(string clean)
    {
        foreach (var (destination, mount) in _mounts)
        {
            if (clean == destination || clean.StartsWith(destination + "/", StringComparison.Ordinal))
            {
                var view = _service.OpenCached(_volumes, Container, mount);
                return new ContainerPath(view, clean == destination ? string.Empty : clean[(destination.Length + 1)..], destination, mount);
            }
        }

        return null;
    }
}
