using System.IO.Abstractions;

namespace Docker.Aufs.IO;

/// <summary>
/// An output file written under a temporary name next to its final path and renamed over it on <see cref="Commit"/>; disposed
/// without a commit (failure, cancellation) it deletes the temporary file, so nothing is left behind.
/// </summary>
internal sealed class AtomicFile : IDisposable
{
    private readonly IFileSystem _fileSystem;
    private bool _committed;

    private AtomicFile(IFileSystem fileSystem, string path, string temporaryPath, FileSystemStream stream)
    {
        _fileSystem = fileSystem;
        Path = path;
        TemporaryPath = temporaryPath;
        Stream = stream;
    }

    /// <summary>Gets the final full path.</summary>
    public string Path { get; }

    /// <summary>Gets the temporary file's path.</summary>
    public string TemporaryPath { get; }

    /// <summary>Gets the stream to write (readable and seekable).</summary>
    public FileSystemStream Stream { get; }

    /// <summary>Creates the temporary file beside <paramref name="path"/>, after the output policy's checks (<see cref="OutputGuard"/>).</summary>
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
        var full = fileSystem.Path.GetFullPath(path);
        if (OutputGuard.Check(fileSystem, full, rootFileSystem, rootPath) == OutputKind.Stream)
        {
            throw new IOException($"refusing to replace {full}: it is a fifo or device, which is written as a stream, never replaced by a file");
        }

        var temporary = TemporaryName(fileSystem, full);
        PendingOutputs.Add(fileSystem, temporary, isDirectory: false);
        try
        {
            var stream = fileSystem.FileStream.New(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
                asynchronous ? FileOptions.Asynchronous : FileOptions.None);
            return new AtomicFile(fileSystem, full, temporary, stream);
        }
        catch
        {
            PendingOutputs.Remove(temporary);
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
            _fileSystem.File.Move(TemporaryPath, Path, overwrite: true);
            _committed = true;
        }, cancellationToken);
    }

    public void Dispose()
    {
        if (_committed)
        {
            return;
        }

        Stream.Dispose();
        try
        {
            _fileSystem.File.Delete(TemporaryPath);
        }
        catch (IOException)
        {
            // Best effort: the original failure is what the caller needs to see.
        }

        PendingOutputs.Remove(TemporaryPath);
    }

    internal static string TemporaryName(IFileSystem fileSystem, string full) =>
        fileSystem.Path.Combine(fileSystem.Path.GetDirectoryName(full)!, "." + fileSystem.Path.GetFileName(full) + ".tmp-" + Guid.NewGuid().ToString("N")[..12]);
}

/// <summary>
/// An output directory built under a temporary name next to its final path and renamed into place on <see cref="Commit"/>;
/// disposed without a commit it is deleted with everything in it.
/// </summary>
internal sealed class AtomicDirectory : IDisposable
{
    private readonly IFileSystem _fileSystem;
    private readonly UnixFileMode? _mode;
    private bool _committed;

    private AtomicDirectory(IFileSystem fileSystem, string path, string temporaryPath, UnixFileMode? mode)
    {
        _fileSystem = fileSystem;
        Path = path;
        TemporaryPath = temporaryPath;
        _mode = mode;
    }

    /// <summary>Gets the final full path.</summary>
    public string Path { get; }

    /// <summary>Gets the temporary directory to fill.</summary>
    public string TemporaryPath { get; }

    /// <summary>Creates the temporary directory beside <paramref name="path"/>, after the output policy's checks (<see cref="OutputGuard.CheckDirectory"/>).</summary>
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
        var full = fileSystem.Path.GetFullPath(path);
        OutputGuard.CheckDirectory(fileSystem, full, rootFileSystem, rootPath);
        if (fileSystem.File.Exists(full))
        {
            throw new IOException($"{full} is a file; give a new or empty directory");
        }

        if (fileSystem.Directory.Exists(full) && fileSystem.Directory.EnumerateFileSystemEntries(full).Any())
        {
            throw new IOException($"{full} already exists and is not empty; give a new or empty directory");
        }

        var parent = fileSystem.Path.GetDirectoryName(full) ?? throw new IOException($"{full} has no parent directory");
        if (!fileSystem.Directory.Exists(parent))
        {
            throw new DirectoryNotFoundException($"The directory {parent} does not exist.");
        }

        var temporary = AtomicFile.TemporaryName(fileSystem, full);
        PendingOutputs.Add(fileSystem, temporary, isDirectory: true);
        fileSystem.Directory.CreateDirectory(temporary);
        if (mode is not null)
        {
            SetMode(fileSystem, temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return new AtomicDirectory(fileSystem, full, temporary, mode);
    }

    /// <summary>Moves the directory into place (an empty directory there is replaced), unless <paramref name="cancellationToken"/> was cancelled first.</summary>
    /// <exception cref="OperationCanceledException">Cancelled before the move: the temporary directory is removed on dispose.</exception>
    public void Commit(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_mode is { } mode)
        {
            SetMode(_fileSystem, TemporaryPath, mode);
        }

        // The removal of an empty target and the move are one step under the gate, with the check (PendingOutputs.Commit):
        // the 0.5 s deadline cannot end the process between them, and a stop is wholly before or wholly after.
        PendingOutputs.Commit(Path, TemporaryPath, () =>
        {
            if (_fileSystem.Directory.Exists(Path))
            {
                _fileSystem.Directory.Delete(Path);
            }

            _fileSystem.Directory.Move(TemporaryPath, Path);
            _committed = true;
        }, cancellationToken);
    }

    public void Dispose()
    {
        if (_committed)
        {
            return;
        }

        for (var attempt = 0; attempt < 2 && _fileSystem.Directory.Exists(TemporaryPath); attempt++)
        {
            try
            {
                _fileSystem.Directory.Delete(TemporaryPath, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // An imported layer can hold directories without write permission (0555 and the like), which only root
                // can empty: give the owner write access to every directory, then try once more. Best effort, as above.
                MakeDirectoriesWritable(TemporaryPath);
            }
        }

        PendingOutputs.Remove(TemporaryPath);
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
