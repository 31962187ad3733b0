using System.IO.Abstractions;

namespace Docker.Aufs.Union;

/// <summary><see cref="IDirectory"/> of a <see cref="UnionFileSystem"/>: lists the image, refuses every write.</summary>
internal sealed class UnionDirectory(UnionFileSystem fileSystem) : DirectoryBase(fileSystem)
{
    private readonly UnionFileSystem _fs = fileSystem;

    public override bool Exists(string? path)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0', StringComparison.Ordinal))
        {
            return false;
        }

        return _fs.Stat(UnionFileSystem.Normalize(path))?.IsDirectory == true;
    }

    public override string GetCurrentDirectory() => "/";

    public override string GetDirectoryRoot(string path)
    {
        UnionFileSystem.Normalize(path);
        return "/";
    }

    public override string[] GetLogicalDrives() => ["/"];

    public override IDirectoryInfo? GetParent(string path)
    {
        var imagePath = UnionFileSystem.Normalize(path);
        return imagePath.Length == 0 ? null : new UnionDirectoryInfo(_fs, ImagePath.Parent(imagePath));
    }

    public override DateTime GetCreationTime(string path) => Time(path, utc: false);

    public override DateTime GetCreationTimeUtc(string path) => Time(path, utc: true);

    public override DateTime GetLastAccessTime(string path) => Time(path, utc: false);

    public override DateTime GetLastAccessTimeUtc(string path) => Time(path, utc: true);

    public override DateTime GetLastWriteTime(string path) => Time(path, utc: false);

    public override DateTime GetLastWriteTimeUtc(string path) => Time(path, utc: true);

    public override IFileSystemInfo? ResolveLinkTarget(string linkPath, bool returnFinalTarget) =>
        UnionFileSystemInfo.ResolveLinkTarget(_fs, UnionFileSystem.Normalize(linkPath, nameof(linkPath)), returnFinalTarget, asDirectory: true);

    public override IEnumerable<string> EnumerateDirectories(string path) => Names(path, "*", UnionFileSystem.Compatible(), files: false, directories: true);

    public override IEnumerable<string> EnumerateDirectories(string path, string searchPattern) => Names(path, searchPattern, UnionFileSystem.Compatible(), files: false, directories: true);

    public override IEnumerable<string> EnumerateDirectories(string path, string searchPattern, SearchOption searchOption) => Names(path, searchPattern, UnionFileSystem.Compatible(searchOption), files: false, directories: true);

    public override IEnumerable<string> EnumerateDirectories(string path, string searchPattern, EnumerationOptions enumerationOptions) => Names(path, searchPattern, enumerationOptions, files: false, directories: true);

    public override IEnumerable<string> EnumerateFiles(string path) => Names(path, "*", UnionFileSystem.Compatible(), files: true, directories: false);

    public override IEnumerable<string> EnumerateFiles(string path, string searchPattern) => Names(path, searchPattern, UnionFileSystem.Compatible(), files: true, directories: false);

    public override IEnumerable<string> EnumerateFiles(string path, string searchPattern, SearchOption searchOption) => Names(path, searchPattern, UnionFileSystem.Compatible(searchOption), files: true, directories: false);

    public override IEnumerable<string> EnumerateFiles(string path, string searchPattern, EnumerationOptions enumerationOptions) => Names(path, searchPattern, enumerationOptions, files: true, directories: false);

    public override IEnumerable<string> EnumerateFileSystemEntries(string path) => Names(path, "*", UnionFileSystem.Compatible(), files: true, directories: true);

    public override IEnumerable<string> EnumerateFileSystemEntries(string path, string searchPattern) => Names(path, searchPattern, UnionFileSystem.Compatible(), files: true, directories: true);

    public override IEnumerable<string> EnumerateFileSystemEntries(string path, string searchPattern, SearchOption searchOption) => Names(path, searchPattern, UnionFileSystem.Compatible(searchOption), files: true, directories: true);

    public override IEnumerable<string> EnumerateFileSystemEntries(string path, string searchPattern, EnumerationOptions enumerationOptions) => Names(path, searchPattern, enumerationOptions, files: true, directories: true);

    public override string[] GetDirectories(string path) => [.. EnumerateDirectories(path)];

    public override string[] GetDirectories(string path, string searchPattern) => [.. EnumerateDirectories(path, searchPattern)];

    public override string[] GetDirectories(string path, string searchPattern, SearchOption searchOption) => [.. EnumerateDirectories(path, searchPattern, searchOption)];

    public override string[] GetDirectories(string path, string searchPattern, EnumerationOptions enumerationOptions) => [.. EnumerateDirectories(path, searchPattern, enumerationOptions)];

    public override string[] GetFiles(string path) => [.. EnumerateFiles(path)];

    public override string[] GetFiles(string path, string searchPattern) => [.. EnumerateFiles(path, searchPattern)];

    public override string[] GetFiles(string path, string searchPattern, SearchOption searchOption) => [.. EnumerateFiles(path, searchPattern, searchOption)];

    public override string[] GetFiles(string path, string searchPattern, EnumerationOptions enumerationOptions) => [.. EnumerateFiles(path, searchPattern, enumerationOptions)];

    public override string[] GetFileSystemEntries(string path) => [.. EnumerateFileSystemEntries(path)];

    public override string[] GetFileSystemEntries(string path, string searchPattern) => [.. EnumerateFileSystemEntries(path, searchPattern)];

    public override string[] GetFileSystemEntries(string path, string searchPattern, SearchOption searchOption) => [.. EnumerateFileSystemEntries(path, searchPattern, searchOption)];

    public override string[] GetFileSystemEntries(string path, string searchPattern, EnumerationOptions enumerationOptions) => [.. EnumerateFileSystemEntries(path, searchPattern, enumerationOptions)];

    // Everything below writes, and the view is read-only.
    public override IDirectoryInfo CreateDirectory(string path) => throw UnionFileSystem.ReadOnly(path);

    public override IDirectoryInfo CreateDirectory(string path, UnixFileMode unixCreateMode) => throw UnionFileSystem.ReadOnly(path);

    public override IFileSystemInfo CreateSymbolicLink(string path, string pathToTarget) => throw UnionFileSystem.ReadOnly(path);

    public override IDirectoryInfo CreateTempSubdirectory(string? prefix = null) => throw UnionFileSystem.ReadOnly("/tmp");

    public override void Delete(string path) => throw UnionFileSystem.ReadOnly(path);

    public override void Delete(string path, bool recursive) => throw UnionFileSystem.ReadOnly(path);

    public override void Move(string sourceDirName, string destDirName) => throw UnionFileSystem.ReadOnly(sourceDirName);

    public override void SetCreationTime(string path, DateTime creationTime) => throw UnionFileSystem.ReadOnly(path);

    public override void SetCreationTimeUtc(string path, DateTime creationTimeUtc) => throw UnionFileSystem.ReadOnly(path);

    public override void SetCurrentDirectory(string path) => throw UnionFileSystem.Unsupported("Changing the current directory");

    public override void SetLastAccessTime(string path, DateTime lastAccessTime) => throw UnionFileSystem.ReadOnly(path);

    public override void SetLastAccessTimeUtc(string path, DateTime lastAccessTimeUtc) => throw UnionFileSystem.ReadOnly(path);

    public override void SetLastWriteTime(string path, DateTime lastWriteTime) => throw UnionFileSystem.ReadOnly(path);

    public override void SetLastWriteTimeUtc(string path, DateTime lastWriteTimeUtc) => throw UnionFileSystem.ReadOnly(path);

    private IEnumerable<string> Names(string path, string searchPattern, EnumerationOptions options, bool files, bool directories) =>
        _fs.Enumerate(path, searchPattern, options, files, directories).Select(e => e.Path);

    private DateTime Time(string path, bool utc) => UnionFileSystem.Time(_fs.Lstat(UnionFileSystem.Normalize(path)), utc);
}
