using System.Globalization;
using System.IO.Abstractions;
using System.Runtime.Versioning;
using System.Text;

namespace Docker.Aufs.IO;

/// <summary>
/// The process's mounts as <c>/proc/self/mountinfo</c> lists them, to place a directory on its file system: a mount shows
/// the directory of its file system it makes visible (the <c>root</c> field: <c>/</c> for a whole file system, the bound
/// directory for a bind mount) at its mount point, so the place of a directory on its file system is that root followed by
/// the directory's path below the mount point. Two directories on the same device whose places nest are one inside the
/// other, whichever mounts show them (docs/hostile-input.md, "Outputs").
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class MountMap
{
    private readonly List<Mount> _mounts;

    private MountMap(List<Mount> mounts) => _mounts = mounts;

    /// <summary>Reads the process's mounts, or <see langword="null"/> when they cannot be read (no <c>/proc</c>).</summary>
    public static MountMap? Read(IFileSystem fileSystem)
    {
        string text;
        try
        {
            text = fileSystem.File.ReadAllText("/proc/self/mountinfo");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return Parse(text);
    }

    /// <summary>Parses the text of a <c>mountinfo</c> file; lines that are not mounts are left out.</summary>
    internal static MountMap Parse(string text)
    {
        var mounts = new List<Mount>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // ID PARENT MAJOR:MINOR ROOT MOUNT-POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER-OPTIONS
            var fields = line.Split(' ');
            if (fields.Length >= 5 && ulong.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id) && fields[3].StartsWith('/') && fields[4].StartsWith('/'))
            {
                mounts.Add(new Mount(id, fields[2], Unescape(fields[3]), Unescape(fields[4])));
            }
        }

        return new MountMap(mounts);
    }

    /// <summary>
    /// Whether the directory at <paramref name="directoryPath"/> (on the mount <paramref name="directoryMountId"/>, when the
    /// kernel tells) lies, on its file system, at or below the root at <paramref name="rootPath"/> (on
    /// <paramref name="rootMountId"/>) or below a mount made inside the root: the same directories, whatever other mount
    /// shows them.
    /// </summary>
    public bool Holds(ulong? rootMountId, string? rootPath, ulong? directoryMountId, string directoryPath)
    {
        if (rootPath is null || Find(directoryMountId, directoryPath) is not { } mount || Find(rootMountId, rootPath) is not { } rootMount)
        {
            return false;
        }

        var place = mount.PlaceOf(directoryPath);
        if (rootMount.Device == mount.Device && IsAtOrBelow(place, rootMount.PlaceOf(rootPath)))
        {
            return true;
        }

        // A file system mounted inside the root (a layer's mount, a volume) is inside it too, wherever else it is mounted.
        foreach (var inner in _mounts)
        {
            if (inner.Device == mount.Device && IsAtOrBelow(inner.MountPoint, rootPath) && IsAtOrBelow(place, inner.Root))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The mount with the id <paramref name="id"/>; without one (a kernel before 5.8), the last-mounted one whose mount point is the longest that holds <paramref name="path"/>.</summary>
    internal Mount? Find(ulong? id, string path)
    {
        if (id is { } wanted)
        {
            foreach (var mount in _mounts)
            {
                if (mount.Id == wanted && IsAtOrBelow(path, mount.MountPoint))
                {
                    return mount;
                }
            }
        }

        Mount? best = null;
        foreach (var mount in _mounts)
        {
            if (IsAtOrBelow(path, mount.MountPoint) && (best is null || mount.MountPoint.Length >= best.Value.MountPoint.Length))
            {
                best = mount;
            }
        }

        return best;
    }

    internal static bool IsAtOrBelow(string path, string top) =>
        path.StartsWith('/') && (top == "/" || path == top || (path.StartsWith(top, StringComparison.Ordinal) && path.Length > top.Length && path[top.Length] == '/'));

    /// <summary>Undoes <c>mountinfo</c>'s escapes: a space, tab, newline or backslash in a path is written as <c>\ooo</c> (octal).</summary>
    internal static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var bytes = new List<byte>(field.Length);
        var raw = Encoding.UTF8.GetBytes(field);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\\' && i + 3 < raw.Length && IsOctal(raw[i + 1]) && IsOctal(raw[i + 2]) && IsOctal(raw[i + 3]))
            {
                bytes.Add((byte)(((raw[i + 1] - '0') << 6) | ((raw[i + 2] - '0') << 3) | (raw[i + 3] - '0')));
                i += 3;
            }
            else
            {
                bytes.Add(raw[i]);
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static bool IsOctal(byte value) => value is >= (byte)'0' and <= (byte)'7';

    /// <summary>One mount: its id, device (<c>major:minor</c>), the directory of its file system it shows, and where.</summary>
    internal readonly record struct Mount(ulong Id, string Device, string Root, string MountPoint)
    {
        /// <summary>The place on this mount's file system of <paramref name="path"/>, a path at or below the mount point.</summary>
        public string PlaceOf(string path)
        {
            var below = MountPoint == "/" ? (path == "/" ? string.Empty : path) : path[MountPoint.Length..];
            return Root == "/" ? (below.Length == 0 ? "/" : below) : Root + below;
        }
    }
}
