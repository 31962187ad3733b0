using System.IO.Abstractions;

namespace Docker.Aufs.Union;

/// <summary><see cref="IFileInfo"/> of a <see cref="UnionFileSystem"/>.</summary>
internal sealed class UnionFileInfo : FileInfoBase, IFileInfo
{
    private readonly UnionFileSystem _fs;
    private readonly UnionFileSystemInfo _info;

    public UnionFileInfo(UnionFileSystem fileSystem, string imagePath, UnionEntry? entry = null)
        : base(fileSystem)
    {
        _fs = fileSystem;
        _info = new UnionFileSystemInfo(fileSystem, imagePath, entry);
    }

    public override bool Exists => _info.Target is { IsDirectory: false };

    public override long Length => _info.Target is { IsDirectory: false } target
        ? target.Size
        : throw new FileNotFoundException($"Could not find file '{FullName}' in the image.", FullName);

    public override string Name => _info.Name;

    public override string FullName => _info.FullName;

    public override string Extension => _info.Extension;

    public override string? LinkTarget => _info.LinkTarget;

    public override string? DirectoryName => _info.Parent?.FullName;

    public override IDirectoryInfo? Directory => _info.Parent;

    public override bool IsReadOnly
    {
        get => true;
        set => throw UnionFileSystem.ReadOnly(FullName);
    }

    public override FileAttributes Attributes
    {
        get => _info.Attributes;
        set => throw UnionFileSystem.ReadOnly(FullName);
    }

    public override DateTime CreationTime
    {
        get => _info.Time(utc: false);
        set => throw UnionFileSystem.ReadOnly(FullName);
    }

    public override DateTime CreationTimeUtc
    {
        get => _info.Time(utc: true);
        set => throw UnionFileSystem.ReadOnly(FullName);
    }

    public override DateTime LastAccessTime
    {
        get => _info.Time(utc: false);
        set => throw UnionFileSystem.ReadOnly(FullName);
    }

    public override DateTime LastAccessTimeUtc
    {
        get => _info.Time(utc: true);
        set => throw UnionFileSystem.ReadOnly(FullName);
    }

    public override DateTime LastWriteTime
    {
        get => _info.Time(utc: false);
        set => throw UnionFileSystem.ReadOnly(FullName);
    }

    public override DateTime LastWriteTimeUtc
    {
        get => _info.Time(utc: true);
        set => throw UnionFileSystem.ReadOnly(FullName);
    }

    UnixFileMode IFileSystemInfo.UnixFileMode
    {
        get => _info.Mode;
        set => throw UnionFileSystem.ReadOnly(FullName);
    }

    public override void Refresh() => _info.Refresh();

    public override IFileSystemInfo? ResolveLinkTarget(bool returnFinalTarget) => _info.ResolveLinkTarget(returnFinalTarget);

    public override FileSystemStream Open(FileMode mode) => _fs.OpenRead(FullName, mode, mode == FileMode.Append ? FileAccess.Write : FileAccess.ReadWrite);

    public override FileSystemStream Open(FileMode mode, FileAccess access) => _fs.OpenRead(FullName, mode, access);

    public override FileSystemStream Open(FileMode mode, FileAccess access, FileShare share) => _fs.OpenRead(FullName, mode, access);

    public override FileSystemStream Open(FileStreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return _fs.OpenRead(FullName, options.Mode, options.Access);
    }

    public override FileSystemStream OpenRead() => _fs.OpenRead(FullName);

    public override StreamReader OpenText() => _fs.File.OpenText(FullName);

    // Everything below writes, and the view is read-only.
    public override StreamWriter AppendText() => throw UnionFileSystem.ReadOnly(FullName);

    public override IFileInfo CopyTo(string destFileName) => throw UnionFileSystem.ReadOnly(destFileName);

    public override IFileInfo CopyTo(string destFileName, bool overwrite) => throw UnionFileSystem.ReadOnly(destFileName);

    public override FileSystemStream Create() => throw UnionFileSystem.ReadOnly(FullName);

    public override void CreateAsSymbolicLink(string pathToTarget) => throw UnionFileSystem.ReadOnly(FullName);

    public override StreamWriter CreateText() => throw UnionFileSystem.ReadOnly(FullName);

    public override void Decrypt() => throw UnionFileSystem.ReadOnly(FullName);

    public override void Delete() => throw UnionFileSystem.ReadOnly(FullName);

    public override void Encrypt() => throw UnionFileSystem.ReadOnly(FullName);

    public override void MoveTo(string destFileName) => throw UnionFileSystem.ReadOnly(FullName);

    public override void MoveTo(string destFileName, bool overwrite) => throw UnionFileSystem.ReadOnly(FullName);

    public override FileSystemStream OpenWrite() => throw UnionFileSystem.ReadOnly(FullName);

    public override IFileInfo Replace(string destinationFileName, string? destinationBackupFileName) => throw UnionFileSystem.ReadOnly(destinationFileName);

    public override IFileInfo Replace(string destinationFileName, string? destinationBackupFileName, bool ignoreMetadataErrors) => throw UnionFileSystem.ReadOnly(destinationFileName);

    public override string ToString() => FullName;
}
