using System.Collections.Concurrent;
using System.IO.Abstractions;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Docker.Aufs.IO;

/// <summary>What an output path names, as <see cref="OutputGuard.Check(IFileSystem, string, IFileSystem?, string?)"/> found it.</summary>
internal enum OutputKind
{
    /// <summary>Nothing yet, or a regular file: written beside it and renamed into place (<see cref="AtomicFile"/>).</summary>
    File,

    /// <summary>A fifo or a device, or a link to one (<c>/dev/stdout</c>): written as a stream, never replaced.</summary>
    Stream,
}

/// <summary>
/// Where an output lands, as <see cref="OutputGuard"/> found it: the directory that holds it and the output's name in it.
/// On a real disk the directory is held open (an <c>O_PATH</c> handle the kernel resolved as the user's path says), the
/// checks were made on that handle, and the temporary output is created and renamed through it, so a directory renamed,
/// swapped or replaced by a link after the check changes nothing: the output lands in the directory that was checked.
/// </summary>
internal sealed class OutputPlace : IDisposable
{
    internal OutputPlace(SafeFileHandle? directory, string directoryPath, string name, string fullPath, OutputKind kind)
    {
        Directory = directory;
        DirectoryPath = directoryPath;
        Name = name;
        FullPath = fullPath;
        Kind = kind;
    }

    /// <summary>Gets the directory held open, or <see langword="null"/> on a file system without handles (in memory, off Linux), where the output goes by path.</summary>
    public SafeFileHandle? Directory { get; }

    /// <summary>Gets the directory's full path (on disk: where the kernel says the handle is, with no link, <c>.</c> or <c>..</c> left).</summary>
    public string DirectoryPath { get; }

    /// <summary>Gets the output's name in the directory.</summary>
    public string Name { get; }

    /// <summary>Gets the output's full path as messages show it.</summary>
    public string FullPath { get; }

    /// <summary>Gets how the output is written.</summary>
    public OutputKind Kind { get; }

    /// <summary>Closes the directory's handle.</summary>
    public void Dispose() => Directory?.Dispose();
}

/// <summary>
/// The output policy of every writer (docs/hostile-input.md, "Outputs"): an output inside the Docker root is refused by
/// identity — the device and inode of the directory the output lands in and of each directory above it up to <c>/</c>,
/// reached through <c>..</c> of a handle the kernel opened as the user's path says (so no alias of the root — a symbolic
/// link, <c>..</c> after a link, <c>//</c>, <c>/proc/self/cwd</c>, a bind mount of the root — slips past), and the place of
/// that directory on its file system (<c>/proc/self/mountinfo</c>), so that a bind mount of a directory inside the root,
/// mounted elsewhere, is refused too; an output that is a symbolic link to a file or directory is refused rather than
/// followed; fifos and devices are streams; sockets and directories are refused. On a file system without inodes (in
/// memory) the root is compared by its full path.
/// </summary>
internal static class OutputGuard
{
    private const int TypeMask = 0xF000;
    private const int Fifo = 0x1000;
    private const int CharacterDevice = 0x2000;
    private const int Directory = 0x4000;
    private const int BlockDevice = 0x6000;
    private const int Regular = 0x8000;
    private const int Link = 0xA000;
    private const int Socket = 0xC000;
    private const int NoEntry = 2;
    private const int MaximumDepth = 4096;

    /// <summary>
    /// A test seam: run by <see cref="AtomicFile.Create"/> and <see cref="AtomicDirectory.Create"/> after the checks and
    /// before the temporary output is created (where a directory swapped by someone else would be swapped), for the flow of
    /// the test that sets it only.
    /// </summary>
    internal static readonly AsyncLocal<Action?> BeforeCreateForTests = new();

    /// <summary>Decides how to write the file output <paramref name="path"/>, refusing what must not be written.</summary>
    /// <param name="fileSystem">The file system the output is written to.</param>
    /// <param name="path">The output as the user named it.</param>
    /// <param name="rootFileSystem">The Docker root's file system, or <see langword="null"/> when there is no root to protect.</param>
    /// <param name="rootPath">The Docker root's path.</param>
    /// <exception cref="IOException">The output is inside the root, a directory, a socket, or a symbolic link to a file or directory.</exception>
    /// <exception cref="DirectoryNotFoundException">The directory that would hold the output does not exist.</exception>
    public static OutputKind Check(IFileSystem fileSystem, string path, IFileSystem? rootFileSystem, string? rootPath) =>
        Check(fileSystem, path, rootFileSystem, rootPath, out _);

    /// <summary>As <see cref="Check(IFileSystem, string, IFileSystem?, string?)"/>, and gives the output's full path (<c>..</c> resolved as the kernel resolves it).</summary>
    /// <exception cref="IOException">The output is inside the root, a directory, a socket, or a symbolic link to a file or directory.</exception>
    /// <exception cref="DirectoryNotFoundException">The directory that would hold the output does not exist.</exception>
    public static OutputKind Check(IFileSystem fileSystem, string path, IFileSystem? rootFileSystem, string? rootPath, out string fullPath)
    {
        using var place = Open(fileSystem, path, rootFileSystem, rootPath);
        fullPath = place.FullPath;
        return place.Kind;
    }

    /// <summary>Checks the file output <paramref name="path"/> as <see cref="Check(IFileSystem, string, IFileSystem?, string?)"/> does and holds the directory it lands in (the caller disposes it).</summary>
    /// <exception cref="IOException">The output is inside the root, a directory, a socket, or a symbolic link to a file or directory.</exception>
    /// <exception cref="DirectoryNotFoundException">The directory that would hold the output does not exist.</exception>
    public static OutputPlace Open(IFileSystem fileSystem, string path, IFileSystem? rootFileSystem, string? rootPath)
    {
        if (!OperatingSystem.IsLinux() || fileSystem is not FileSystem)
        {
            var full = fileSystem.Path.GetFullPath(path);
            var parent = fileSystem.Path.GetDirectoryName(full) ?? throw new IOException($"{full} has no parent directory; give the path of a file to write");
            if (fileSystem.Directory.Exists(full))
            {
                throw new IOException($"{full} is a directory; give the path of a file to write");
            }

            if (fileSystem.FileInfo.New(full) is { Exists: true, LinkTarget: { } target })
            {
                throw LinkRefused(full, target);
            }

            RequireDirectory(fileSystem, parent);
            RefuseInside(fileSystem, parent, full, rootFileSystem, rootPath);
            return new OutputPlace(null, parent, fileSystem.Path.GetFileName(full), full, OutputKind.File);
        }

        var (handle, directoryPath, name, shown) = Locate(fileSystem, path, directoryOutput: false);
        try
        {
            var kind = Classify(fileSystem, handle, directoryPath, name, shown, rootFileSystem, rootPath);
            return new OutputPlace(handle, directoryPath, name, shown, kind);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks the process's standard output (descriptor 1) before an output is written to it: the shell may have opened a
    /// file inside the root for it (<c>-o - &gt; ROOT/x</c>), which is refused like <c>-o ROOT/x</c>, by where the kernel
    /// says the open file is; a block device is refused as an output always is. Pipes, terminals and character devices
    /// elsewhere pass; a descriptor the kernel cannot place (a deleted file, a socket) is left to the write.
    /// </summary>
    /// <exception cref="IOException">Standard output is a file, fifo or device inside the root, or a block device.</exception>
    public static void CheckStandardOutput(IFileSystem? rootFileSystem, string? rootPath)
    {
        if (!OperatingSystem.IsLinux() || rootFileSystem is not FileSystem fileSystem || rootPath is null)
        {
            return;
        }

        LinuxNative.RawStatus status;
        try
        {
            status = LinuxNative.Fstat(1, "standard output");
        }
        catch (IOException)
        {
            return; // closed: the first write reports it
        }

        switch (status.Mode & TypeMask)
        {
            case BlockDevice:
                throw new IOException("refusing to write to standard output: it is a block device, which may hold the Docker root or other data; write to a file, a pipe or a terminal");
            case Regular or Fifo or CharacterDevice:
                RefuseHardLinked(status, "standard output", fileSystem, rootPath);
                if (LinuxNative.RealPath("/proc/self/fd/1") is { } path && path.StartsWith('/') && fileSystem.Path.GetDirectoryName(path) is { } directory)
                {
                    RefuseInside(fileSystem, directory, $"standard output ({path})", fileSystem, rootPath);
                }

                break;
        }
    }

    /// <summary>Whether <paramref name="path"/> is a name of the process's standard output (<c>/dev/stdout</c>, <c>/dev/fd/1</c>, <c>/proc/self/fd/1</c>), which is written as <c>-</c> is.</summary>
    public static bool IsStandardOutputName(string path) => path is "/dev/stdout" or "/dev/fd/1" or "/proc/self/fd/1";

    /// <summary>
    /// Checks a directory output (a root to create, a directory to copy into): not a link, and neither it nor any directory
    /// above it inside the root. A directory whose parents do not exist yet is checked through the nearest one that does.
    /// </summary>
    /// <exception cref="IOException">The directory is inside the root, or a symbolic link.</exception>
    public static void CheckDirectory(IFileSystem fileSystem, string path, IFileSystem? rootFileSystem, string? rootPath)
    {
        if (!OperatingSystem.IsLinux() || fileSystem is not FileSystem)
        {
            var full = fileSystem.Path.GetFullPath(path);
            if (LinkTarget(fileSystem, full) is { } target)
            {
                throw DirectoryLinkRefused(full, target);
            }

            var parent = fileSystem.Path.GetDirectoryName(full);
            var nearest = fileSystem.Directory.Exists(full) ? full : parent;
            if (nearest is not null && fileSystem.Directory.Exists(nearest))
            {
                RefuseInside(fileSystem, nearest, full, rootFileSystem, rootPath);
            }

            return;
        }

        try
        {
            using var place = OpenDirectory(fileSystem, path, rootFileSystem, rootPath);
        }
        catch (DirectoryNotFoundException)
        {
            // Its parents are still to be made: what exists of them must not be inside the root.
            var text = TrimTrailingSlashes(path);
            for (var slash = text.LastIndexOf('/'); ; slash = text.LastIndexOf('/'))
            {
                text = slash < 0 ? "." : slash == 0 ? "/" : text[..slash];
                using var existing = LinuxNative.TryOpenPlace(null, text, followLast: true, out _);
                if (existing is not null)
                {
                    var existingPath = LinuxNative.PathOf(existing) ?? LinuxNative.RealPath(text) ?? text;
                    RefuseInside(fileSystem, existing, existingPath, Shown(fileSystem, path), rootFileSystem, rootPath);
                    return;
                }

                if (slash <= 0)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Checks the directory output <paramref name="path"/> as <see cref="CheckDirectory"/> does and holds its parent (the caller disposes it).</summary>
    /// <exception cref="IOException">The directory is inside the root, or a symbolic link.</exception>
    /// <exception cref="DirectoryNotFoundException">Its parent does not exist.</exception>
    public static OutputPlace OpenDirectory(IFileSystem fileSystem, string path, IFileSystem? rootFileSystem, string? rootPath)
    {
        if (!OperatingSystem.IsLinux() || fileSystem is not FileSystem)
        {
            CheckDirectory(fileSystem, path, rootFileSystem, rootPath);
            var full = fileSystem.Path.GetFullPath(path);
            var parent = fileSystem.Path.GetDirectoryName(full) ?? throw new IOException($"{full} has no parent directory");
            return new OutputPlace(null, parent, fileSystem.Path.GetFileName(full), full, OutputKind.File);
        }

        var (handle, directoryPath, name, shown) = Locate(fileSystem, path, directoryOutput: true);
        try
        {
            if (LinuxNative.TryStatusAt(handle, name, out var status))
            {
                if ((status.Mode & TypeMask) == Link)
                {
                    throw DirectoryLinkRefused(shown, SafeReadLink(LinuxNative.ThroughHandle(handle, name)));
                }

                if ((status.Mode & TypeMask) == Directory && LinuxNative.TryOpenPlace(handle, name, followLast: false, out _) is { } itself)
                {
                    using (itself)
                    {
                        RefuseInside(fileSystem, itself, Join(directoryPath, name), shown, rootFileSystem, rootPath);
                    }
                }
            }

            RefuseInside(fileSystem, handle, directoryPath, shown, rootFileSystem, rootPath);
            return new OutputPlace(handle, directoryPath, name, shown, OutputKind.File);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Refuses <paramref name="shown"/> when <paramref name="directory"/> is the root or below it.</summary>
    /// <exception cref="IOException">It is.</exception>
    public static void RefuseInside(IFileSystem fileSystem, string directory, string shown, IFileSystem? rootFileSystem, string? rootPath)
    {
        if (rootFileSystem is null || rootPath is null)
        {
            return;
        }

        if (OperatingSystem.IsLinux() && fileSystem is FileSystem && rootFileSystem is FileSystem)
        {
            using var handle = LinuxNative.TryOpenPlace(null, directory, followLast: true, out _);
            if (handle is not null)
            {
                RefuseInside(fileSystem, handle, LinuxNative.PathOf(handle) ?? LinuxNative.RealPath(directory) ?? directory, shown, rootFileSystem, rootPath);
            }

            return; // else no directory to write in: opening it reports that
        }

        if (!ReferenceEquals(fileSystem, rootFileSystem))
        {
            return; // the root lives elsewhere (the in-memory sample): nothing written here can reach it
        }

        var rootFull = fileSystem.Path.TrimEndingDirectorySeparator(fileSystem.Path.GetFullPath(rootPath));
        var directoryFull = fileSystem.Path.TrimEndingDirectorySeparator(fileSystem.Path.GetFullPath(directory));
        if (directoryFull == rootFull || directoryFull.StartsWith(rootFull + "/", StringComparison.Ordinal))
        {
            throw Inside(shown, rootPath);
        }
    }

    /// <summary>
    /// The full path of an output as the kernel reaches it: in a path with a <c>..</c> step, the longest leading part that
    /// names an existing directory is resolved by the kernel (a <c>..</c> after a symbolic link goes up from where the link
    /// led, not back along the text, as .NET's path calls would take it) and the rest appended; any other path is made
    /// full as text.
    /// </summary>
    public static string FullPath(IFileSystem fileSystem, string path)
    {
        if (!OperatingSystem.IsLinux() || fileSystem is not FileSystem || !HasParentStep(path))
        {
            return fileSystem.Path.GetFullPath(path);
        }

        var text = TrimTrailingSlashes(path);
        var rest = string.Empty;
        while (true)
        {
            using var existing = LinuxNative.TryOpenPlace(null, text, followLast: true, out _);
            if (existing is not null && (LinuxNative.PathOf(existing) ?? LinuxNative.RealPath(text)) is { } real)
            {
                return rest.Length == 0 ? real : fileSystem.Path.GetFullPath(Join(real, rest));
            }

            if (text is "." or "/")
            {
                return fileSystem.Path.GetFullPath(path); // no working directory, or no /proc: as text
            }

            var slash = text.LastIndexOf('/');
            rest = rest.Length == 0 ? text[(slash + 1)..] : text[(slash + 1)..] + "/" + rest;
            text = slash < 0 ? "." : slash == 0 ? "/" : text[..slash];
        }
    }

    /// <summary>The name of a temporary output beside <paramref name="name"/>: hidden, and unique.</summary>
    internal static string TemporaryName(string name) => "." + name + ".tmp-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>
    /// Opens the directory the output <paramref name="path"/> lands in, as the kernel resolves the path's text up to its
    /// last component (every link followed, a <c>..</c> after a link going up from where the link led, never collapsed as
    /// text), and names the output in it.
    /// </summary>
    [SupportedOSPlatform("linux")]
    private static (SafeFileHandle Handle, string DirectoryPath, string Name, string Shown) Locate(IFileSystem fileSystem, string path, bool directoryOutput)
    {
        var text = directoryOutput ? TrimTrailingSlashes(path) : path;
        var slash = text.LastIndexOf('/');
        var directoryText = slash < 0 ? "." : slash == 0 ? "/" : text[..slash];
        var name = text[(slash + 1)..];
        if (name is "" or "." or "..")
        {
            if (!directoryOutput)
            {
                throw new IOException($"{Shown(fileSystem, path)} is a directory; give the path of a file to write");
            }

            // A directory named by '.' or '..' (or '/'): the place the kernel gives it, whose parent is then held.
            using var itself = LinuxNative.TryOpenPlace(null, text, followLast: true, out var error)
                ?? throw NotFound(fileSystem, text, error);
            var real = LinuxNative.PathOf(itself) ?? throw Unplaceable(path, text);
            return real == "/" ? throw new IOException($"{real} has no parent directory") : Locate(fileSystem, real, directoryOutput: true);
        }

        var handle = LinuxNative.TryOpenPlace(null, directoryText, followLast: true, out var errno) ?? throw NotFound(fileSystem, directoryText, errno);
        var directoryPath = LinuxNative.PathOf(handle) ?? LinuxNative.RealPath(directoryText);
        if (directoryPath is null)
        {
            handle.Dispose();
            throw Unplaceable(path, directoryText);
        }

        return (handle, directoryPath, name, HasParentStep(text) ? Join(directoryPath, name) : fileSystem.Path.GetFullPath(text));
    }

    /// <summary>What a file output's name in its held directory is, and whether it may be written.</summary>
    [SupportedOSPlatform("linux")]
    private static OutputKind Classify(IFileSystem fileSystem, SafeFileHandle directory, string directoryPath, string name, string shown, IFileSystem? rootFileSystem, string? rootPath)
    {
        if (!LinuxNative.TryStatusAt(directory, name, out var status))
        {
            RefuseInside(fileSystem, directory, directoryPath, shown, rootFileSystem, rootPath);
            return OutputKind.File;
        }

        switch (status.Mode & TypeMask)
        {
            case Regular:
                RefuseInside(fileSystem, directory, directoryPath, shown, rootFileSystem, rootPath);
                RefuseHardLinked(status, shown, rootFileSystem, rootPath);
                return OutputKind.File;
            case BlockDevice:
                throw BlockDeviceRefused(shown);
            case Fifo or CharacterDevice:
                RefuseInside(fileSystem, directory, directoryPath, shown, rootFileSystem, rootPath);
                RefuseHardLinked(status, shown, rootFileSystem, rootPath);
                return OutputKind.Stream;
            case Directory:
                throw new IOException($"{shown} is a directory; give the path of a file to write");
            case Socket:
                throw new IOException($"{shown} is a socket, which cannot be written as a file");
            case Link:
                var through = LinuxNative.ThroughHandle(directory, name);
                var target = SafeReadLink(through);
                if (!LinuxNative.TryStatusAtFollowing(directory, name, out var reached) || (reached.Mode & TypeMask) is not (Fifo or CharacterDevice or BlockDevice))
                {
                    throw LinkRefused(shown, target);
                }

                if ((reached.Mode & TypeMask) == BlockDevice)
                {
                    throw BlockDeviceRefused(shown);
                }

                RefuseHardLinked(reached, shown, rootFileSystem, rootPath);

                // A link to a stream (/dev/stdout, /dev/null): where it really leads must not be inside the root either.
                if (LinuxNative.RealPath(through) is { } real && fileSystem.Path.GetDirectoryName(real) is { } realParent)
                {
                    RefuseInside(fileSystem, realParent, shown, rootFileSystem, rootPath);
                }

                return OutputKind.Stream;
            default:
                throw new IOException($"{shown} is not a regular file, fifo or device; give the path of a file to write");
        }
    }

    /// <summary>
    /// Refuses <paramref name="shown"/> when the directory held by <paramref name="directory"/> is inside the root: it or a
    /// directory above it (each reached through <c>..</c> of a handle, never by a path that could be swapped) is the root,
    /// or its place on its file system lies at or below the root's there (a bind mount of a directory inside the root).
    /// </summary>
    [SupportedOSPlatform("linux")]
    private static void RefuseInside(IFileSystem fileSystem, SafeFileHandle directory, string directoryPath, string shown, IFileSystem? rootFileSystem, string? rootPath)
    {
        if (rootFileSystem is not FileSystem || rootPath is null)
        {
            return; // no root, or one in memory that nothing on the disk can reach
        }

        using var root = LinuxNative.TryOpenPlace(null, rootPath, followLast: true, out _);
        if (root is null)
        {
            return; // no root to protect
        }

        var rootStatus = LinuxNative.StatusOf(root, rootPath);
        var status = LinuxNative.StatusOf(directory, directoryPath);
        var current = directory;
        SafeFileHandle? held = null;
        try
        {
            for (var depth = 0; depth < MaximumDepth; depth++)
            {
                if (SameFile(status, rootStatus))
                {
                    throw Inside(shown, rootPath);
                }

                var parent = LinuxNative.TryOpenPlace(current, "..", followLast: false, out _);
                if (parent is null)
                {
                    break;
                }

                var parentStatus = LinuxNative.StatusOf(parent, directoryPath + "/..");
                if (SameFile(parentStatus, status))
                {
                    parent.Dispose();
                    break; // '/': its own parent
                }

                held?.Dispose();
                held = parent;
                current = parent;
                status = parentStatus;
            }
        }
        finally
        {
            held?.Dispose();
        }

        // On the root's own mount, the ancestors above tell it all; on another, only the places on the file system do.
        var mountId = LinuxNative.MountIdOf(directory);
        var rootMountId = LinuxNative.MountIdOf(root);
        if ((mountId is null || mountId != rootMountId) && MountMap.Read(fileSystem) is { } mounts &&
            mounts.Holds(rootMountId, LinuxNative.PathOf(root) ?? LinuxNative.RealPath(rootPath), mountId, directoryPath))
        {
            throw Inside(shown, rootPath);
        }
    }

    /// <summary>
    /// Refuses an existing output (a file to replace, a fifo or device to write, standard output) that has more than one
    /// hard link on the root's file system: its other names are in no ancestor chain, so only its inode could say whether
    /// one of them is a file of the root — writing it, or replacing a link to it, would change the root (its content, or
    /// its times and link count). Review of issue 15, R1 and R2.
    /// </summary>
    [SupportedOSPlatform("linux")]
    private static void RefuseHardLinked(LinuxNative.RawStatus status, string shown, IFileSystem? rootFileSystem, string? rootPath)
    {
        if (status.LinkCount <= 1 || rootFileSystem is not FileSystem || rootPath is null)
        {
            return;
        }

        using var root = LinuxNative.TryOpenPlace(null, rootPath, followLast: true, out _);
        if (root is null)
        {
            return;
        }

        var rootStatus = LinuxNative.StatusOf(root, rootPath);
        if (rootStatus.DevMajor == status.DevMajor && rootStatus.DevMinor == status.DevMinor)
        {
            throw new IOException($"refusing to write {shown}: it has {status.LinkCount} hard links on the file system of the Docker root {rootPath}, so another of its names may be a file of the root; write to a new file, a pipe or a terminal");
        }
    }

    private static string TrimTrailingSlashes(string path)
    {
        var trimmed = path.TrimEnd('/');
        return trimmed.Length == 0 && path.Length > 0 ? "/" : trimmed;
    }

    private static bool HasParentStep(string path) => path.Split('/').Contains("..");

    private static string Join(string directory, string name) => directory == "/" ? "/" + name : directory + "/" + name;

    private static string Shown(IFileSystem fileSystem, string path) => HasParentStep(path) ? path : fileSystem.Path.GetFullPath(path);

    [SupportedOSPlatform("linux")]
    private static Exception NotFound(IFileSystem fileSystem, string directory, int errno) =>
        errno is NoEntry or LinuxNative.ErrnoNotDirectory
            ? new DirectoryNotFoundException($"The directory {Shown(fileSystem, directory)} does not exist.")
            : LinuxNative.Failure("open", directory, errno);

    private static IOException Unplaceable(string path, string directory) =>
        new($"refusing to write {path}: the kernel cannot say where the directory {directory} is (removed while in use, or /proc is not mounted), so whether it is inside the Docker root cannot be told");

    // A block device may hold the Docker root itself (the examined disk, a loop device over its image): writing an archive
    // over it would destroy the evidence, so no block device is an output, whichever one it is.
    private static IOException BlockDeviceRefused(string path) =>
        new($"refusing to write {path}: it is a block device, which may hold the Docker root or other data; write to a file, a pipe or standard output");

    [SupportedOSPlatform("linux")]
    private static bool SameFile(LinuxNative.RawStatus a, LinuxNative.RawStatus b) =>
        a.Inode == b.Inode && a.DevMajor == b.DevMajor && a.DevMinor == b.DevMinor;

    private static IOException Inside(string shown, string rootPath) =>
        new($"refusing to write {shown}: it is inside the Docker root {rootPath}, which is only ever read");

    private static IOException LinkRefused(string full, string target) =>
        new($"refusing to write {full}: it is a symbolic link (to {target}); an output is never written through a link, so name the file itself (or '-' for standard output)");

    private static IOException DirectoryLinkRefused(string full, string target) =>
        new($"refusing to write {full}: it is a symbolic link (to {target}); an output is never written through a link, so name the directory itself");

    private static void RequireDirectory(IFileSystem fileSystem, string directory)
    {
        if (!fileSystem.Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"The directory {directory} does not exist.");
        }
    }

    private static string? LinkTarget(IFileSystem fileSystem, string full) =>
        fileSystem.FileInfo.New(full).LinkTarget ?? fileSystem.DirectoryInfo.New(full).LinkTarget;

    [SupportedOSPlatform("linux")]
    private static string SafeReadLink(string path)
    {
        try
        {
            return LinuxNative.ReadLink(path);
        }
        catch (IOException)
        {
            return "?";
        }
    }
}

/// <summary>
/// The temporary files and directories of outputs not yet committed, process-wide, so that a process stopped by a signal
/// can remove them before it exits even when the writer cannot be reached (blocked in a system call); and the one gate
/// that makes "commit" and "stop" a single decision (docs/hostile-input.md, "Outputs appear whole or not at all").
/// </summary>
/// <remarks>
/// A commit (<see cref="Commit"/>) takes the gate, checks the cancellation, puts the output in place and records it in the
/// run's log (<see cref="Log"/>), then releases it; the stop paths take the same gate (<see cref="DeleteAll"/>,
/// <see cref="Committed"/>). So a stop either comes before a commit (which then sees the cancellation and puts nothing in
/// place) or after it (and knows the output was written). Once <see cref="DeleteAll"/> ran (the process is about to exit)
/// no commit or step runs at all, whatever token it was given.
/// </remarks>
internal static class PendingOutputs
{
    private static readonly ConcurrentDictionary<string, (IFileSystem FileSystem, PendingKind Kind)> Pending = new(StringComparer.Ordinal);

    /// <summary>The gate: held by a commit from its check to its record, and by each stop path.</summary>
    private static readonly Lock Gate = new();

    /// <summary>Whether <see cref="DeleteAll"/> ran: the process is stopping, nothing more is put in place.</summary>
    private static bool s_stopped;

    /// <summary>
    /// The list the outputs committed in this flow are added to (the CLI sets one per run, <c>CliEnvironment</c>'s), so a
    /// stop can say whether the output was written; none: not recorded.
    /// </summary>
    internal static readonly AsyncLocal<List<string>?> Log = new();

    /// <summary>
    /// A test seam: run inside the gate right after the cancellation check, before a commit's move or a step's work, on the
    /// thread (and flow) that set it; it lets a test land a "signal" (or the deadline's removal) exactly there.
    /// </summary>
    internal static readonly AsyncLocal<Action?> InsideGate = new();

    private enum PendingKind
    {
        File,
        Directory,
        DirectoryContents,
    }

    public static void Add(IFileSystem fileSystem, string path, bool isDirectory) => Pending[path] = (fileSystem, isDirectory ? PendingKind.Directory : PendingKind.File);

    /// <summary>Registers what is written inside an existing (empty) directory: a stop removes it and leaves the directory as it was.</summary>
    public static void AddContents(IFileSystem fileSystem, string directory) => Pending[directory] = (fileSystem, PendingKind.DirectoryContents);

    public static void Remove(string path) => Pending.TryRemove(path, out _);

    /// <summary>
    /// Puts an output in place as one decision with the stop: under the gate, throws when <paramref name="cancellationToken"/>
    /// was cancelled, else runs <paramref name="move"/>, records <paramref name="path"/> as committed and stops tracking
    /// <paramref name="temporaryPath"/>.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled first: nothing was moved.</exception>
    public static void Commit(string path, string? temporaryPath, Action move, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            ThrowIfStopped(cancellationToken);
            InsideGate.Value?.Invoke();
            move();

            // An output committed inside another output's temporary directory (a file cp writes into the directory it
            // builds whole) is not yet the user's: only the directory's own commit makes it appear.
            if (!Pending.Any(e => e.Value.Kind == PendingKind.Directory && path.StartsWith(e.Key + "/", StringComparison.Ordinal)))
            {
                Log.Value?.Add(path);
            }

            if (temporaryPath is not null)
            {
                Pending.TryRemove(temporaryPath, out _);
            }
        }
    }

    /// <summary>
    /// Runs one step of an output written in place (<c>sample DIR</c>'s copy, file by file) under the gate, unless
    /// <paramref name="cancellationToken"/> was cancelled: then nothing is created, and nothing will be once a stop path ran.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled first: the step did not run.</exception>
    public static void Step(Action step, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            ThrowIfStopped(cancellationToken);
            InsideGate.Value?.Invoke();
            step();
        }
    }

    /// <summary>
    /// A copy of <paramref name="log"/> (a run's <see cref="Log"/>), read under the gate: no commit is half done, and once
    /// the run's token is cancelled (a stop path runs only then) no more can be added, so the answer is final.
    /// </summary>
    public static IReadOnlyList<string> Committed(List<string> log)
    {
        lock (Gate)
        {
            return [.. log];
        }
    }

    private static void ThrowIfStopped(CancellationToken cancellationToken)
    {
        if (s_stopped)
        {
            throw new OperationCanceledException("the process is stopping", cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Deletes every temporary output still pending, under the gate (after a commit in progress, before any that has not checked yet); best effort, never throws.</summary>
    public static void DeleteAll()
    {
        lock (Gate)
        {
            s_stopped = true;
            DeleteAllUnder(null);
        }
    }

    /// <summary>
    /// Like <see cref="DeleteAll"/> without marking the process stopping, for the pending outputs under
    /// <paramref name="directory"/> only (all of them when <see langword="null"/>): tests run side by side in one process.
    /// </summary>
    internal static void DeleteAllUnder(string? directory)
    {
        lock (Gate)
        {
            foreach (var (path, (fileSystem, kind)) in Pending)
            {
                if (directory is not null && !path.StartsWith(directory + "/", StringComparison.Ordinal))
                {
                    continue;
                }

                try
                {
                    switch (kind)
                    {
                        case PendingKind.Directory:
                            fileSystem.Directory.Delete(path, recursive: true);
                            break;
                        case PendingKind.DirectoryContents:
                            DeleteContents(fileSystem, path);
                            break;
                        default:
                            fileSystem.File.Delete(path);
                            break;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Best effort: the process is stopping.
                }

                Pending.TryRemove(path, out _);
            }
        }
    }

    /// <summary>Deletes everything inside <paramref name="directory"/> (without following links), leaving it empty.</summary>
    internal static void DeleteContents(IFileSystem fileSystem, string directory)
    {
        foreach (var entry in fileSystem.Directory.EnumerateFileSystemEntries(directory))
        {
            if (fileSystem.Directory.Exists(entry) && fileSystem.FileInfo.New(entry).LinkTarget is null)
            {
                fileSystem.Directory.Delete(entry, recursive: true);
            }
            else
            {
                fileSystem.File.Delete(entry);
            }
        }
    }
}
