using System.IO.Abstractions;

namespace Docker.Aufs.IO;

/// <summary>
/// An output file written under a temporary name next to its final path and renamed over it on <see cref="Commit"/>; disposed
/// without a commit (failure, cancellation) it deletes the temporary file, so nothing is left behind.
/// </summary>
internal sealed class AtomicFile : IDisposable
{
    private readonly IFileSystem _fileSystem;
    private readonly OutputPlace _place;
    private readonly string _temporaryName;
    private bool _committed;

    private AtomicFile(IFileSystem fileSystem, OutputPlace place, string temporaryName, string temporaryPath, FileSystemStream stream)
    {
        _fileSystem = fileSystem;
        _place = place;
        _temporaryName = temporaryName;
        Path = place.FullPath;
        TemporaryPath = temporaryPath;
        Stream = stream;
    }

    /// <summary>Gets the final full path.</summary>
    public string Path { get; }

    /// <summary>Gets the temporary file's path.</summary>
    public string TemporaryPath { get; }

    /// <summary>Gets the stream to write (readable and seekable).</summary>
    public FileSystemStream Stream { get; }

    /// <summary>
    /// Creates the temporary file beside <paramref name="path"/>, after the output policy's checks (<see cref="OutputGuard"/>),
    /// in the directory those checks held open (<c>openat</c> with <c>O_CREAT | O_EXCL | O_NOFOLLOW</c> on a real disk).
    /// </summary>
    /// <param name="fileSystem">Where to write.</param>
    /// <param name="path">The final path.</param>
    /// <param name="asynchronous">Whether the stream is opened for asynchronous I/O.</param>
    /// <param name="rootFileSystem">The file system of a Docker root that must not be written, or <see langword="null"/>.</param>
    /// <param name="rootPath">That root's path.</param>
    /// <exception cref="DirectoryNotFoundException">The directory of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="IOException">
    /// <paramref name="path"/> is a directory, a symbolic link, a socket, a fifo or a device (a stream is never replaced by a
    /// file: write to it instead), or inside the root.
    /// </exception>
    public static AtomicFile Create(IFileSystem fileSystem, string path, bool asynchronous, IFileSystem? rootFileSystem = null, string? rootPath = null)
    {
        var place = OutputGuard.Open(fileSystem, path, rootFileSystem, rootPath);
        try
        {
            if (place.Kind == OutputKind.Stream)
            {
                throw new IOException($"refusing to replace {place.FullPath}: it is a fifo or device, which is written as a stream, never replaced by a file");
            }

            OutputGuard.BeforeCreateForTests.Value?.Invoke();
            var name = OutputGuard.TemporaryName(place.Name);
            var temporary = fileSystem.Path.Combine(place.DirectoryPath, name);
            PendingOutputs.Add(fileSystem, temporary, isDirectory: false);
            try
            {
                return new AtomicFile(fileSystem, place, name, temporary, CreateStream(fileSystem, place, name, temporary, asynchronous));
            }
            catch
            {
                PendingOutputs.Remove(temporary);
                throw;
            }
        }
        catch
        {
            place.Dispose();
            throw;
        }
    }

    /// <summary>Flushes the file to disk and renames it to its final path (replacing a file there), unless <paramref name="cancellationToken"/> was cancelled first.</summary>
    /// <exception cref="OperationCanceledException">Cancelled before the rename: the temporary file is removed on dispose.</exception>
    public void Commit(CancellationToken cancellationToken = default)
    {
        Stream.Flush(flushToDisk: true);
        Stream.Dispose();
        // The check and the rename are one decision with a stop (PendingOutputs.Commit): a signal's stop comes wholly
        // before (nothing renamed) or wholly after (the output is reported as written).
        PendingOutputs.Commit(Path, TemporaryPath, () =>
        {
            MoveIntoPlace();
            _committed = true;
        }, cancellationToken);
    }

    public void Dispose()
    {
        if (_committed)
        {
            _place.Dispose();
            return;
        }

        Stream.Dispose();
        try
        {
            DeleteTemporary();
        }
        catch (IOException)
        {
            // Best effort: the original failure is what the caller needs to see.
        }

        PendingOutputs.Remove(TemporaryPath);
        _place.Dispose();
    }

    /// <summary>The temporary file, created in the held directory (on disk: by handle, never through a link, 0666 less the umask).</summary>
    private static FileSystemStream CreateStream(IFileSystem fileSystem, OutputPlace place, string name, string temporary, bool asynchronous)
    {
        if (!OperatingSystem.IsLinux() || place.Directory is not { } directory)
        {
            return fileSystem.FileStream.New(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
                asynchronous ? FileOptions.Asynchronous : FileOptions.None);
        }

        Microsoft.Win32.SafeHandles.SafeFileHandle handle;
        try
        {
            handle = LinuxNative.CreateOutputFileAt(directory, name);
        }
        catch (IOException e) when (e.HResult is 13 or 1 or 30 /* EACCES, EPERM, EROFS */)
        {
            throw CannotWrite(place, e);
        }

        try
        {
            return fileSystem.FileStream.New(handle, FileAccess.ReadWrite, 64 * 1024, asynchronous);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Renames the temporary file over the target (on disk: <c>renameat</c> within the held directory).</summary>
    /// <summary>
    /// The error for an output whose directory this process may not write (or a read-only file system): it names the output
    /// and its directory, so that it is never taken for a refusal met reading the Docker root (review of issue 15, R8).
    /// </summary>
    internal static IOException CannotWrite(OutputPlace place, IOException e)
    {
        var target = place.FullPath;
        var why = e.HResult == 30 ? "it is on a read-only file system" : "this process may not create files there";
        return new IOException($"cannot write {target}: {why} (an output is written beside its target in {place.DirectoryPath}, then renamed into place); choose a directory you can write", e);
    }

    private void MoveIntoPlace()
    {
        if (OperatingSystem.IsLinux() && _place.Directory is { } directory)
        {
            LinuxNative.RenameAt(directory, _temporaryName, _place.Name);
            return;
        }

        _fileSystem.File.Move(TemporaryPath, Path, overwrite: true);
    }

    private void DeleteTemporary()
    {
        if (OperatingSystem.IsLinux() && _place.Directory is { } directory)
        {
            LinuxNative.UnlinkAt(directory, _temporaryName, isDirectory: false);
            return;
        }

        _fileSystem.File.Delete(TemporaryPath);
    }
}

/// <summary>
/// An output directory built under a temporary name next to its final path and renamed into place on <see cref="Commit"/>;
/// disposed without a commit it is deleted with everything in it.
/// </summary>
internal sealed class AtomicDirectory : IDisposable
{
    private readonly IFileSystem _fileSystem;
    private readonly OutputPlace _place;
    private readonly string _temporaryName;
    private readonly UnixFileMode? _mode;
    private bool _committed;

    private AtomicDirectory(IFileSystem fileSystem, OutputPlace place, string temporaryName, string temporaryPath, UnixFileMode? mode)
    {
        _fileSystem = fileSystem;
        _place = place;
        _temporaryName = temporaryName;
        Path = place.FullPath;
        TemporaryPath = temporaryPath;
        _mode = mode;
    }

    /// <summary>Gets the final full path.</summary>
    public string Path { get; }

    /// <summary>Gets the temporary directory to fill.</summary>
    public string TemporaryPath { get; }

    /// <summary>
    /// Creates the temporary directory beside <paramref name="path"/>, after the output policy's checks
    /// (<see cref="OutputGuard.CheckDirectory"/>), in the parent those checks held open (<c>mkdirat</c> on a real disk).
    /// </summary>
    /// <param name="fileSystem">Where to write.</param>
    /// <param name="path">The final path: a new or empty directory.</param>
    /// <param name="rootFileSystem">The file system of a Docker root that must not be written, or <see langword="null"/>.</param>
    /// <param name="rootPath">That root's path.</param>
    /// <param name="mode">
    /// The directory's mode once committed, or <see langword="null"/> for the default (the umask's). With a mode, the
    /// temporary directory is its owner's alone (0700) while it is filled, so no other user reaches what is written into it
    /// before it is complete.
    /// </param>
    /// <exception cref="IOException"><paramref name="path"/> is a file, a symbolic link, a directory that is not empty, or inside the root.</exception>
    /// <exception cref="DirectoryNotFoundException">Its parent does not exist.</exception>
    public static AtomicDirectory Create(IFileSystem fileSystem, string path, IFileSystem? rootFileSystem = null, string? rootPath = null, UnixFileMode? mode = null)
    {
        var place = OutputGuard.OpenDirectory(fileSystem, path, rootFileSystem, rootPath);
        try
        {
            var full = place.FullPath;
            var existing = ThroughPlace(fileSystem, place, place.Name);
            if (fileSystem.File.Exists(existing))
            {
                throw new IOException($"{full} is a file; give a new or empty directory");
            }

            if (fileSystem.Directory.Exists(existing) && fileSystem.Directory.EnumerateFileSystemEntries(existing).Any())
            {
                throw new IOException($"{full} already exists and is not empty; give a new or empty directory");
            }

            if (place.Directory is null && !fileSystem.Directory.Exists(place.DirectoryPath))
            {
                throw new DirectoryNotFoundException($"The directory {place.DirectoryPath} does not exist.");
            }

            OutputGuard.BeforeCreateForTests.Value?.Invoke();
            var name = OutputGuard.TemporaryName(place.Name);
            var temporary = fileSystem.Path.Combine(place.DirectoryPath, name);
            PendingOutputs.Add(fileSystem, temporary, isDirectory: true);
            try
            {
                if (OperatingSystem.IsLinux() && place.Directory is { } directory)
                {
                    // Its owner's alone from the start when a mode is to be set at the commit; else the umask's.
                    try
                    {
                        LinuxNative.MakeDirectoryAt(directory, name, mode is null ? 0x1FF : 0x1C0);
                    }
                    catch (IOException e) when (e.HResult is 13 or 1 or 30 /* EACCES, EPERM, EROFS */)
                    {
                        throw AtomicFile.CannotWrite(place, e);
                    }
                }
                else
                {
                    fileSystem.Directory.CreateDirectory(temporary);
                    if (mode is not null)
                    {
                        SetMode(fileSystem, temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                    }
                }
            }
            catch
            {
                PendingOutputs.Remove(temporary);
                throw;
            }

            return new AtomicDirectory(fileSystem, place, name, temporary, mode);
        }
        catch
        {
            place.Dispose();
            throw;
        }
    }

    /// <summary>Moves the directory into place (an empty directory there is replaced), unless <paramref name="cancellationToken"/> was cancelled first.</summary>
    /// <exception cref="OperationCanceledException">Cancelled before the move: the temporary directory is removed on dispose.</exception>
    public void Commit(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_mode is { } mode)
        {
            SetTemporaryMode(mode);
        }

        // The move (one renameat on disk, which replaces an empty target directory in the same step) is one decision
        // with a stop, under the gate with the check (PendingOutputs.Commit): a stop is wholly before or wholly after.
        PendingOutputs.Commit(Path, TemporaryPath, () =>
        {
            MoveIntoPlace();
            _committed = true;
        }, cancellationToken);
    }

    public void Dispose()
    {
        if (_committed)
        {
            _place.Dispose();
            return;
        }

        // Through the held parent: the temporary tree removed is the one created, whatever was renamed since.
        var temporary = ThroughPlace(_fileSystem, _place, _temporaryName);
        for (var attempt = 0; attempt < 2 && _fileSystem.Directory.Exists(temporary); attempt++)
        {
            try
            {
                _fileSystem.Directory.Delete(temporary, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // An imported layer can hold directories without write permission (0555 and the like), which only root
                // can empty: give the owner write access to every directory, then try once more. Best effort, as above.
                MakeDirectoriesWritable(temporary);
            }
        }

        PendingOutputs.Remove(TemporaryPath);
        _place.Dispose();
    }

    /// <summary>Sets a directory's mode where the file system holds modes (not on Windows, nor on a file system that cannot).</summary>
    internal static void SetMode(IFileSystem fileSystem, string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            fileSystem.File.SetUnixFileMode(path, mode);
        }
        catch (NotSupportedException)
        {
            // A file system without modes.
        }
    }

    /// <summary>The path of <paramref name="name"/> in the held directory: through its handle on disk (<c>/proc/self/fd/N/name</c>), else by path.</summary>
    private static string ThroughPlace(IFileSystem fileSystem, OutputPlace place, string name) =>
        OperatingSystem.IsLinux() && place.Directory is { } directory ? LinuxNative.ThroughHandle(directory, name) : fileSystem.Path.Combine(place.DirectoryPath, name);

    private void SetTemporaryMode(UnixFileMode mode)
    {
        if (OperatingSystem.IsLinux() && _place.Directory is { } directory)
        {
            LinuxNative.ChangeModeAt(directory, _temporaryName, (int)mode);
            return;
        }

        SetMode(_fileSystem, TemporaryPath, mode);
    }

    /// <summary>
    /// Moves the temporary directory to the target: on disk one <c>renameat</c> within the held parent, which replaces an
    /// empty directory there in the same step and fails on anything else; in memory, the empty directory removed first.
    /// </summary>
    private void MoveIntoPlace()
    {
        if (OperatingSystem.IsLinux() && _place.Directory is { } directory)
        {
            try
            {
                LinuxNative.RenameAt(directory, _temporaryName, _place.Name);
            }
            catch (IOException e) when (e.HResult is 39 /* ENOTEMPTY */ or LinuxNative.ErrnoExists)
            {
                throw new IOException($"{Path} already exists and is not empty; give a new or empty directory", e);
            }
            catch (IOException e) when (e.HResult == LinuxNative.ErrnoNotDirectory)
            {
                throw new IOException($"{Path} is a file; give a new or empty directory", e);
            }

            return;
        }

        if (_fileSystem.Directory.Exists(Path))
        {
            _fileSystem.Directory.Delete(Path);
        }

        _fileSystem.Directory.Move(TemporaryPath, Path);
    }

    private void MakeDirectoriesWritable(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            var mode = _fileSystem.File.GetUnixFileMode(directory);
            _fileSystem.File.SetUnixFileMode(directory, mode | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            foreach (var child in _fileSystem.Directory.EnumerateDirectories(directory))
            {
                if (_fileSystem.FileInfo.New(child).LinkTarget is null)
                {
                    MakeDirectoriesWritable(child);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            // Nothing more can be done here.
        }
    }
}
