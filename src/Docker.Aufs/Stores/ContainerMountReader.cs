using System.Text.RegularExpressions;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Stores;

/// <summary>
/// The one reader of a container's mounts (<see cref="Container.Mounts"/>), from its stored configuration as
/// <c>docker inspect</c> lists them (<c>daemon/inspect.go</c> <c>addMountPoints</c>): <c>MountPoints</c> (Docker 1.7+),
/// else <c>Volumes</c> and <c>VolumesRW</c> read as Docker 1.7's <c>verifyVolumesInfo</c> migrated them (a host path under
/// <c>vfs/dir/</c> is a volume named by its last component, anything else a bind mount; a destination missing from
/// <c>VolumesRW</c> is read-only, as Go's map lookup reads it). Host paths are kept as text and never followed. Sorted by
/// destination (Docker walks a Go map, in no set order).
/// </summary>
internal static partial class ContainerMountReader
{
    /// <summary>The name of the local volume driver.</summary>
    public const string LocalDriver = "local";

    /// <summary>The directory of the root holding the local driver's volumes (Docker 1.7+).</summary>
    public const string VolumesDirectory = "volumes";

    /// <summary>The directory of a local volume holding its data.</summary>
    public const string DataDirectoryName = "_data";

    /// <summary>Where Docker 1.6 and earlier kept a volume's data, below the root.</summary>
    public const string LegacyVolumesDirectory = "vfs/dir";

    /// <summary>Reads the mounts of <paramref name="config"/>; <paramref name="rootPath"/> is the root the container belongs to.</summary>
    public static IReadOnlyList<ContainerMount> Read(ContainerJson config, string rootPath)
    {
        var mounts = new List<ContainerMount>();
        if (config.MountPoints is { Count: > 0 } points)
        {
            foreach (var (key, point) in points)
            {
                if (point is null)
                {
                    continue;
                }

                var name = point.Name ?? string.Empty;
                var driver = point.Driver ?? string.Empty;
                var type = point.Type ?? string.Empty;
                var kind = type switch
                {
                    "volume" => ContainerMountKind.Volume,
                    "bind" => ContainerMountKind.Bind,
                    "" => name.Length > 0 ? ContainerMountKind.Volume : ContainerMountKind.Bind,
                    _ => ContainerMountKind.Other,
                };
                var local = kind == ContainerMountKind.Volume && driver == LocalDriver && IsVolumeName(name);
                var source = point.Source ?? string.Empty;
                if (source.Length == 0 && local)
                {
                    source = rootPath.TrimEnd('/') + "/" + VolumesDirectory + "/" + name + "/" + DataDirectoryName; // the local driver's Path()
                }

                mounts.Add(new ContainerMount
                {
                    Kind = kind,
                    Type = type,
                    Name = name,
                    Source = source,
                    Destination = string.IsNullOrEmpty(point.Destination) ? key : point.Destination,
                    Driver = driver,
                    Mode = point.Relabel ?? string.Empty,
                    ReadWrite = point.RW,
                    Propagation = point.Propagation ?? string.Empty,
                    DataDirectory = local ? VolumesDirectory + "/" + name + "/" + DataDirectoryName : null,
                });
            }
        }
        else if (config.Volumes is { Count: > 0 } volumes)
        {
            foreach (var (destination, hostPath) in volumes)
            {
                var source = hostPath ?? string.Empty;
                var id = LegacyVolumeId(source);
                mounts.Add(new ContainerMount
                {
                    Kind = id is null ? ContainerMountKind.Bind : ContainerMountKind.Volume,
                    Name = id ?? string.Empty,
                    Source = source,
                    Destination = destination,
                    Driver = id is null ? string.Empty : LocalDriver,
                    ReadWrite = config.VolumesRW is not null && config.VolumesRW.TryGetValue(destination, out var rw) && rw,
                    DataDirectory = id is not null && IsVolumeName(id) ? LegacyVolumesDirectory + "/" + id : null,
                });
            }
        }

        return [.. mounts.OrderBy(m => m.Destination, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Whether <paramref name="name"/> is a volume name the local driver accepts (<c>^[a-zA-Z0-9][a-zA-Z0-9_.-]+$</c>, moby
    /// <c>volume/local</c>), which is also one path component that cannot be <c>.</c> or <c>..</c>.
    /// </summary>
    public static bool IsVolumeName(string name) => VolumeName().IsMatch(name);

    /// <summary>The volume ID of a Docker ≤ 1.6 volume's host path (<c>…/vfs/dir/&lt;id&gt;</c>, Docker's <c>filepath.Base</c>), or <see langword="null"/> for a bind mount.</summary>
    private static string? LegacyVolumeId(string hostPath)
    {
        const string marker = "/vfs/dir/";
        var at = hostPath.LastIndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var id = hostPath[(at + marker.Length)..].TrimEnd('/');
        return id.Length > 0 ? id : null;
    }

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex VolumeName();
}
