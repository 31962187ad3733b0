using System.Collections.Concurrent;
using System.IO.Abstractions;

namespace Docker.Aufs.IO;

/// <summary>What an output path names, as <see cref="OutputGuard.Check"/> found it.</summary>
internal enum OutputKind
{
    /// <summary>Nothing yet, or a regular file: written beside it and renamed into place (<see cref="AtomicFile"/>).</summary>
    File,

    /// <summary>A fifo or a device, or a link to one (<c>/dev/stdout</c>): written as a stream, never replaced.</summary>
    Stream,
}

/// <summary>
/// The output policy of every writer (docs/hostile-input.md, "Outputs"): an output inside the Docker root is refused by
/// identity — the device and inode of each directory the output lands in, from the one that holds it up to <c>/</c>, as the
/// kernel resolves it (<c>realpath</c>, then <c>statx</c> of each ancestor) compared with the root's — so no alias of the
/// root (a symbolic link, <c>..</c>, <c>//</c>, <c>/proc/self/cwd</c>, a bind mount) slips past; an output that is a
/// symbolic link to a file or directory is refused rather than followed; fifos and devices are streams; sockets and
/// directories are refused. On a file system without inodes (in memory) the root is compared by its full path.
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

    /// <summary>Decides how to write the file output <paramref name="path"/>, refusing what must not be written.</summary>
    /// <param name="fileSystem">The file system the output is written to.</param>
    /// <param name="path">The output as the user named it.</param>
    /// <param name="rootFileSystem">The Docker root's file system, or <see langword="null"/> when there is no root to protect.</param>
    /// <param name="rootPath">The Docker root's path.</param>
    /// <exception cref="IOException">The output is inside the root, a directory, a socket, or a symbolic link to a file or directory.</exception>
    /// <exception cref="DirectoryNotFoundException">The directory that would hold the output does not exist.</exception>
    public static OutputKind Check(IFileSystem fileSystem, string path, IFileSystem? rootFileSystem, string? rootPath)
    {
        var full = fileSystem.Path.GetFullPath(path);
        var parent = fileSystem.Path.GetDirectoryName(full) ?? throw new IOException($"{full} has no parent directory; give the path of a file to write");
        if (!OperatingSystem.IsLinux() || fileSystem is not FileSystem)
        {
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
            return OutputKind.File;
        }

        if (!LinuxNative.TryLstat(full, out var status))
        {
            RequireDirectory(fileSystem, parent);
            RefuseInside(fileSystem, parent, full, rootFileSystem, rootPath);
            return OutputKind.File;
        }

        switch (status.Mode & TypeMask)
        {
            case Regular:
                RefuseInside(fileSystem, parent, full, rootFileSystem, rootPath);
                return OutputKind.File;
            case BlockDevice:
                throw BlockDeviceRefused(full);
            case Fifo or CharacterDevice:
                RefuseInside(fileSystem, parent, full, rootFileSystem, rootPath);
                return OutputKind.Stream;
            case Directory:
                throw new IOException($"{full} is a directory; give the path of a file to write");
            case Socket:
                throw new IOException($"{full} is a socket, which cannot be written as a file");
            case Link:
                var target = SafeReadLink(full);
                if (!LinuxNative.TryStat(full, out var reached) || (reached.Mode & TypeMask) is not (Fifo or CharacterDevice or BlockDevice))
                {
                    throw LinkRefused(full, target);
                }

                if ((reached.Mode & TypeMask) == BlockDevice)
                {
                    throw BlockDeviceRefused(full);
                }

                // A link to a stream (/dev/stdout, /dev/null): where it really leads must not be inside the root either.
                if (LinuxNative.RealPath(full) is { } real && fileSystem.Path.GetDirectoryName(real) is { } realParent)
                {
                    RefuseInside(fileSystem, realParent, full, rootFileSystem, rootPath);
                }

                return OutputKind.Stream;
            default:
                throw new IOException($"{full} is not a regular file, fifo or device; give the path of a file to write");
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
                if (LinuxNative.RealPath("/proc/self/fd/1") is { } path && path.StartsWith('/') && fileSystem.Path.GetDirectoryName(path) is { } directory)
                {
                    RefuseInside(fileSystem, directory, $"standard output ({path})", fileSystem, rootPath);
                }

                break;
        }
    }

    /// <summary>Whether <paramref name="path"/> is a name of the process's standard output (<c>/dev/stdout</c>, <c>/dev/fd/1</c>, <c>/proc/self/fd/1</c>), which is written as <c>-</c> is.</summary>
    public static bool IsStandardOutputName(string path) => path is "/dev/stdout" or "/dev/fd/1" or "/proc/self/fd/1";

    /// <summary>Checks a directory output (a root to create): not a link, and neither it nor any directory above it the root.</summary>
    /// <exception cref="IOException">The directory is inside the root, or a symbolic link.</exception>
    public static void CheckDirectory(IFileSystem fileSystem, string path, IFileSystem? rootFileSystem, string? rootPath)
    {
        var full = fileSystem.Path.GetFullPath(path);
        if (LinkTarget(fileSystem, full) is { } target)
        {
            throw new IOException($"refusing to write {full}: it is a symbolic link (to {target}); an output is never written through a link, so name the directory itself");
        }

        var parent = fileSystem.Path.GetDirectoryName(full);
        var nearest = fileSystem.Directory.Exists(full) ? full : parent;
        if (nearest is not null && fileSystem.Directory.Exists(nearest))
        {
            RefuseInside(fileSystem, nearest, full, rootFileSystem, rootPath);
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
            if (!LinuxNative.TryStat(rootPath, out var root) || LinuxNative.RealPath(directory) is not { } canonical)
            {
                return; // no root to protect, or no directory to write in (opening it reports that)
            }

            // The canonical path has no links, '.' or '..' left: each prefix is a real ancestor, asked for its identity.
            for (var current = canonical; current is not null; current = fileSystem.Path.GetDirectoryName(current))
            {
                if (LinuxNative.TryStat(current, out var ancestor) && SameFile(ancestor, root))
                {
                    throw Inside(shown, rootPath);
                }
            }

            return;
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

    // A block device may hold the Docker root itself (the examined disk, a loop device over its image): writing an archive
    // over it would destroy the evidence, so no block device is an output, whichever one it is.
    private static IOException BlockDeviceRefused(string path) =>
        new($"refusing to write {path}: it is a block device, which may hold the Docker root or other data; write to a file, a pipe or standard output");

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static bool SameFile(LinuxNative.RawStatus a, LinuxNative.RawStatus b) =>
        a.Inode == b.Inode && a.DevMajor == b.DevMajor && a.DevMinor == b.DevMinor;

    private static IOException Inside(string shown, string rootPath) =>
        new($"refusing to write {shown}: it is inside the Docker root {rootPath}, which is only ever read");

    private static IOException LinkRefused(string full, string target) =>
        new($"refusing to write {full}: it is a symbolic link (to {target}); an output is never written through a link, so name the file itself (or '-' for standard output)");

    private static void RequireDirectory(IFileSystem fileSystem, string directory)
    {
        if (!fileSystem.Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"The directory {directory} does not exist.");
        }
    }

    private static string? LinkTarget(IFileSystem fileSystem, string full)
    {
        if (OperatingSystem.IsLinux() && fileSystem is FileSystem)
        {
            return LinuxNative.TryLstat(full, out var status) && (status.Mode & TypeMask) == Link ? SafeReadLink(full) : null;
        }

        return fileSystem.FileInfo.New(full).LinkTarget ?? fileSystem.DirectoryInfo.New(full).LinkTarget;
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
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
            Log.Value?.Add(path);

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
