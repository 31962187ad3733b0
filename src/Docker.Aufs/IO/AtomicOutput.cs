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

    /// <exception cref="DirectoryNotFoundException">The directory of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="IOException"><paramref name="path"/> is a directory.</exception>
    public static AtomicFile Create(IFileSystem fileSystem, string path, bool asynchronous)
    {
        var full = fileSystem.Path.GetFullPath(path);
        if (fileSystem.Directory.Exists(full))
        {
            throw new IOException($"{full} is a directory; give the path of a file to write");
        }

        var directory = fileSystem.Path.GetDirectoryName(full) ?? throw new IOException($"{full} has no parent directory");
        if (!fileSystem.Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"The directory {directory} does not exist.");
        }

        var temporary = TemporaryName(fileSystem, full);
        var stream = fileSystem.FileStream.New(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
            asynchronous ? FileOptions.Asynchronous : FileOptions.None);
        return new AtomicFile(fileSystem, full, temporary, stream);
    }

    /// <summary>Flushes the file to disk and renames it to its final path (replacing a file there).</summary>
    public void Commit()
    {
        Stream.Flush(flushToDisk: true);
        Stream.Dispose();
        _fileSystem.File.Move(TemporaryPath, Path, overwrite: true);
        _committed = true;
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
    private bool _committed;

    private AtomicDirectory(IFileSystem fileSystem, string path, string temporaryPath)
    {
        _fileSystem = fileSystem;
        Path = path;
        TemporaryPath = temporaryPath;
    }

    /// <summary>Gets the final full path.</summary>
    public string Path { get; }

    /// <summary>Gets the temporary directory to fill.</summary>
    public string TemporaryPath { get; }

    /// <exception cref="IOException"><paramref name="path"/> is a file, or a directory that is not empty.</exception>
    /// <exception cref="DirectoryNotFoundException">Its parent does not exist.</exception>
    public static AtomicDirectory Create(IFileSystem fileSystem, string path)
    {
        var full = fileSystem.Path.GetFullPath(path);
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
        fileSystem.Directory.CreateDirectory(temporary);
        return new AtomicDirectory(fileSystem, full, temporary);
    }

    /// <summary>Moves the directory into place (an empty directory there is replaced).</summary>
    public void Commit()
    {
        if (_fileSystem.Directory.Exists(Path))
        {
            _fileSystem.Directory.Delete(Path);
        }

        _fileSystem.Directory.Move(TemporaryPath, Path);
        _committed = true;
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
