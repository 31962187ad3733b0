using System.IO.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Docker.Aufs.Union;

/// <summary><see cref="IFileStreamFactory"/> of a <see cref="UnionFileSystem"/>: read-only streams of the image's files.</summary>
internal sealed class UnionFileStreamFactory(UnionFileSystem fileSystem) : IFileStreamFactory
{
    public IFileSystem FileSystem => fileSystem;

    public FileSystemStream New(SafeFileHandle handle, FileAccess access) => Handle(access, () => fileSystem.View.FileSystem.FileStream.New(handle, access));

    public FileSystemStream New(SafeFileHandle handle, FileAccess access, int bufferSize) => Handle(access, () => fileSystem.View.FileSystem.FileStream.New(handle, access, bufferSize));

    public FileSystemStream New(SafeFileHandle handle, FileAccess access, int bufferSize, bool isAsync) => Handle(access, () => fileSystem.View.FileSystem.FileStream.New(handle, access, bufferSize, isAsync));

    public FileSystemStream New(string path, FileMode mode) => fileSystem.OpenRead(path, mode, mode == FileMode.Append ? FileAccess.Write : FileAccess.ReadWrite);

    public FileSystemStream New(string path, FileMode mode, FileAccess access) => fileSystem.OpenRead(path, mode, access);

    public FileSystemStream New(string path, FileMode mode, FileAccess access, FileShare share) => fileSystem.OpenRead(path, mode, access);

    public FileSystemStream New(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize) => fileSystem.OpenRead(path, mode, access);

    public FileSystemStream New(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize, bool useAsync) => fileSystem.OpenRead(path, mode, access);

    public FileSystemStream New(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize, FileOptions options) => fileSystem.OpenRead(path, mode, access);

    public FileSystemStream New(string path, FileStreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return fileSystem.OpenRead(path, options.Mode, options.Access);
    }

    public FileSystemStream Wrap(FileStream fileStream) => throw UnionFileSystem.Unsupported("Wrapping a host FileStream");

    private static FileSystemStream Handle(FileAccess access, Func<FileSystemStream> open) =>
        (access & FileAccess.Write) != 0 ? throw UnionFileSystem.ReadOnly("handle") : open();
}

/// <summary>
/// <see cref="IPath"/> of a <see cref="UnionFileSystem"/>: the host's path rules (Unix on Linux), with <c>/</c> as the
/// current directory and temporary files refused.
/// </summary>
internal sealed class UnionPath(UnionFileSystem fileSystem) : PathWrapper(fileSystem)
{
    public override bool Exists(string? path) => fileSystem.File.Exists(path) || fileSystem.Directory.Exists(path);

    public override string GetFullPath(string path) => UnionFileSystem.FullName(UnionFileSystem.Normalize(path));

    public override string GetFullPath(string path, string basePath)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(basePath);
        return path.StartsWith('/') ? GetFullPath(path) : GetFullPath(basePath.TrimEnd('/') + "/" + path);
    }

    public override string GetTempFileName() => throw UnionFileSystem.ReadOnly("/tmp");

    public override string GetTempPath() => "/tmp/";
}

/// <summary>Drives, watchers and version information do not exist in an offline image.</summary>
internal sealed class UnsupportedFactories(UnionFileSystem fileSystem) : IDriveInfoFactory, IFileSystemWatcherFactory, IFileVersionInfoFactory
{
    public IFileSystem FileSystem => fileSystem;

    public IDriveInfo[] GetDrives() => throw UnionFileSystem.Unsupported("DriveInfo");

    IDriveInfo IDriveInfoFactory.New(string driveName) => throw UnionFileSystem.Unsupported("DriveInfo");

    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(driveInfo))]
    public IDriveInfo? Wrap(DriveInfo? driveInfo) => throw UnionFileSystem.Unsupported("DriveInfo");

    public IFileSystemWatcher New() => throw UnionFileSystem.Unsupported("Watching a read-only snapshot");

    public IFileSystemWatcher New(string path) => throw UnionFileSystem.Unsupported("Watching a read-only snapshot");

    public IFileSystemWatcher New(string path, string filter) => throw UnionFileSystem.Unsupported("Watching a read-only snapshot");

    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(fileSystemWatcher))]
    public IFileSystemWatcher? Wrap(FileSystemWatcher? fileSystemWatcher) => throw UnionFileSystem.Unsupported("Watching a read-only snapshot");

    public IFileVersionInfo GetVersionInfo(string fileName) => throw UnionFileSystem.Unsupported("FileVersionInfo");
}
