using System.IO.Abstractions;

namespace Docker.Aufs.IO;

/// <summary>
/// Metadata derived from <see cref="IFileSystem"/> alone: type, permissions (where the file system has Unix modes), size
/// and time are real; owner is 0:0, the link count 1, and the inode a stable hash of the path, so no two paths look like
/// hardlinks of one file. The fallback for file systems that are neither real Linux nor built by the builder.
/// </summary>
/// <threadsafety static="true" instance="true"/>
internal sealed class FileSystemMetadataProvider : IUnixMetadataProvider
{
    private readonly IFileSystem _fileSystem;

    /// <summary>Initializes a new instance over <paramref name="fileSystem"/>.</summary>
    /// <param name="fileSystem">The file system to describe.</param>
    public FileSystemMetadataProvider(IFileSystem fileSystem)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        _fileSystem = fileSystem;
    }

    /// <inheritdoc/>
    public bool TryGetStatus(string path, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out UnixFileStatus? status)
    {
        ArgumentNullException.ThrowIfNull(path);
        status = null;
        IFileSystemInfo info = _fileSystem.FileInfo.New(path);
        if (!info.Exists)
        {
            info = _fileSystem.DirectoryInfo.New(path);
            if (!info.Exists)
            {
                return false;
            }
        }

        var isLink = info.LinkTarget is not null;
        var type = isLink ? UnixFileType.SymbolicLink
            : info is IDirectoryInfo || (info.Attributes & FileAttributes.Directory) != 0 ? UnixFileType.Directory
            : UnixFileType.RegularFile;
        var permissions = ReadPermissions(info, type);
        status = new UnixFileStatus
        {
            Type = type,
            Permissions = permissions,
            Size = type switch
            {
                UnixFileType.SymbolicLink => System.Text.Encoding.UTF8.GetByteCount(info.LinkTarget!),
                UnixFileType.RegularFile => ((IFileInfo)info).Length,
                _ => 0,
            },
            ModifiedTime = new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero),
            Inode = StableHash(info.FullName),
            LinkTarget = isLink ? info.LinkTarget : null,
        };
        return true;
    }

    private static int ReadPermissions(IFileSystemInfo info, UnixFileType type)
    {
        var fallback = type == UnixFileType.Directory ? 0x1ED /* 0755 */ : 0x1A4 /* 0644 */;
        if (OperatingSystem.IsWindows())
        {
            return fallback;
        }

        try
        {
            var mode = (int)info.UnixFileMode;
            return mode == 0 ? fallback : mode;
        }
        catch (NotSupportedException)
        {
            return fallback;
        }
    }

    // FNV-1a over the UTF-16 path: stable across runs, unlike string.GetHashCode.
    internal static ulong StableHash(string path)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in path)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}
