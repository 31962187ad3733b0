using System.IO.Abstractions;

namespace Docker.Aufs.IO;

/// <summary>
/// The symbolic-link rule for the root's own files (docs/hostile-input.md): Docker never writes a symbolic link at the
/// places the library reads metadata from — <c>graph/</c>, <c>graph/&lt;id&gt;/</c> and its files, the driver's
/// directories and <c>aufs/layers/&lt;id&gt;</c>, the tag store, <c>containers/</c>, <c>containers/&lt;id&gt;/</c> and its
/// configuration files — so a link there is refused with <see cref="UnsafePathException"/> naming it, wherever it points,
/// before anything is opened through it. One <c>lstat</c> per entry on the real Linux file system (which also tells a
/// fifo or device from a file: opening a fifo would block); one <c>readlink</c> (<see cref="IFileSystemInfo.LinkTarget"/>)
/// on other file systems. The one link Docker does write, <c>aufs/diff/&lt;id&gt;</c> from the 0.7 migration, is
/// resolved by the AUFS driver's branch resolution instead.
/// </summary>
internal static class NoFollow
{
    private const string Reason = "it is a symbolic link, and Docker never writes one there; it is not followed, as it could lead outside the root";

    /// <summary>
    /// Checks that <paramref name="path"/>, when something exists there, is not a symbolic link and — where the file system
    /// can tell — is a regular file. A missing entry passes: opening it reports that as before.
    /// </summary>
    /// <exception cref="UnsafePathException">The entry is a symbolic link.</exception>
    /// <exception cref="CorruptFileException">The entry is a fifo, socket or device (opening a fifo would block), or a directory.</exception>
    public static void RequireRegularFile(IFileSystem fileSystem, string path) => Check(fileSystem, path);

    /// <summary>Whether a regular file is at <paramref name="path"/> (<see langword="false"/>: nothing there), with one <c>lstat</c>.</summary>
    /// <exception cref="UnsafePathException">The path is a symbolic link.</exception>
    /// <exception cref="CorruptFileException">The path is something other than a regular file.</exception>
    public static bool IsPresentRegularFile(IFileSystem fileSystem, string path)
    {
        var type = Check(fileSystem, path);

        // Without lstat (an in-memory file system), Probe sees only links: ask the file system for the rest.
        return type == UnixFileType.RegularFile || (type is null && !(OperatingSystem.IsLinux() && fileSystem is FileSystem) && RegularOrOther(fileSystem, path));
    }

    private static bool RegularOrOther(IFileSystem fileSystem, string path)
    {
        if (fileSystem.Directory.Exists(path))
        {
            throw new CorruptFileException(path, "is a directory, not a regular file");
        }

        return fileSystem.File.Exists(path);
    }

    /// <summary>The one <c>lstat</c> of both checks above: a link or anything but a regular file is refused; returns what is there (<see langword="null"/>: nothing, or a file system that cannot tell).</summary>
    private static UnixFileType? Check(IFileSystem fileSystem, string path)
    {
        var type = Probe(fileSystem, path, out var target);
        if (type == UnixFileType.SymbolicLink)
        {
            throw new UnsafePathException(path, target, Reason);
        }

        if (type is { } other && other != UnixFileType.RegularFile)
        {
            throw new CorruptFileException(path, $"is a {Describe(other)}, not a regular file");
        }

        return type;
    }

    /// <summary>Checks that <paramref name="path"/> is not a symbolic link (a directory about to be listed or read from). A missing entry passes.</summary>
    /// <exception cref="UnsafePathException">The entry is a symbolic link.</exception>
    public static void RequireNotLink(IFileSystem fileSystem, string path)
    {
        if (Probe(fileSystem, path, out var target) == UnixFileType.SymbolicLink)
        {
            throw new UnsafePathException(path, target, Reason);
        }
    }

    /// <summary>
    /// Whether a directory is at <paramref name="path"/> (<see langword="false"/>: nothing there, or something else), refusing
    /// a symbolic link as <see cref="RequireNotLink"/> does: one <c>lstat</c> on the real Linux file system for both questions.
    /// </summary>
    /// <exception cref="UnsafePathException">The entry is a symbolic link.</exception>
    public static bool IsDirectory(IFileSystem fileSystem, string path)
    {
        if (OperatingSystem.IsLinux() && fileSystem is FileSystem)
        {
            var type = Probe(fileSystem, path, out var target);
            return type == UnixFileType.SymbolicLink ? throw new UnsafePathException(path, target, Reason) : type == UnixFileType.Directory;
        }

        RequireNotLink(fileSystem, path);
        return fileSystem.Directory.Exists(path);
    }

    /// <summary>Whether anything exists at <paramref name="path"/>, without following a final link (a link counts: reading it is refused later).</summary>
    public static bool Exists(IFileSystem fileSystem, string path)
    {
        if (OperatingSystem.IsLinux() && fileSystem is FileSystem)
        {
            return LinuxNative.TryLstat(path, out _);
        }

        return fileSystem.File.Exists(path) || fileSystem.Directory.Exists(path) || Probe(fileSystem, path, out _) == UnixFileType.SymbolicLink;
    }

    /// <summary>Whether <paramref name="path"/> is a regular file itself (not a symbolic link to one, not a fifo or device).</summary>
    public static bool IsRegularFile(IFileSystem fileSystem, string path)
    {
        var type = Probe(fileSystem, path, out _);
        return type == UnixFileType.RegularFile || (type is null && fileSystem.File.Exists(path));
    }

    /// <summary>
    /// The entry's type without following a final link: <see langword="null"/> when it is missing or the file system cannot
    /// tell more than "not a link".
    /// </summary>
    private static UnixFileType? Probe(IFileSystem fileSystem, string path, out string target)
    {
        target = string.Empty;
        if (OperatingSystem.IsLinux() && fileSystem is FileSystem)
        {
            if (!LinuxNative.TryLstat(path, out var raw))
            {
                return null;
            }

            var type = UnixModes.TypeOf(raw.Mode) ?? UnixFileType.RegularFile;
            if (type == UnixFileType.SymbolicLink)
            {
                target = LinuxNative.ReadLink(path);
            }

            return type;
        }

        if (fileSystem.FileInfo.New(path).LinkTarget is { } linkTarget)
        {
            target = linkTarget;
            return UnixFileType.SymbolicLink;
        }

        return null;
    }

    private static string Describe(UnixFileType type) => type switch
    {
        UnixFileType.Directory => "directory",
        UnixFileType.CharacterDevice => "character device",
        UnixFileType.BlockDevice => "block device",
        UnixFileType.Fifo => "fifo",
        UnixFileType.Socket => "socket",
        _ => "special file",
    };
}
