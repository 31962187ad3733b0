using System.IO.Abstractions;
using Docker.Aufs.IO;

namespace Docker.Aufs.Union;

/// <summary>The state shared by <see cref="UnionFileInfo"/> and <see cref="UnionDirectoryInfo"/>: a path and its lazily looked-up entry.</summary>
internal sealed class UnionFileSystemInfo
{
    private readonly UnionFileSystem _fs;
    private readonly object _gate = new();
    private UnionEntry? _entry;
    private bool _known;

    public UnionFileSystemInfo(UnionFileSystem fileSystem, string imagePath, UnionEntry? entry)
    {
        _fs = fileSystem;
        ImagePath = imagePath;
        _entry = entry;
        _known = entry is not null;
    }

    public string ImagePath { get; }

    public string FullName => UnionFileSystem.FullName(ImagePath);

    public string Name => ImagePath.Length == 0 ? "/" : ImagePath[(ImagePath.LastIndexOf('/') + 1)..];

    /// <summary>The extension as <c>Path.GetExtension</c> gives it: from the last dot of the name, empty when there is none or it ends the name.</summary>
    public string Extension => Name.LastIndexOf('.') is var dot && dot > 0 && dot < Name.Length - 1 ? Name[dot..] : (dot == 0 && Name.Length > 1 ? Name : string.Empty);

    /// <summary>The entry itself (<c>lstat</c>), or <see langword="null"/> when absent.</summary>
    public UnionEntry? Entry
    {
        get
        {
            lock (_gate)
            {
                if (!_known)
                {
                    _entry = _fs.Lstat(ImagePath);
                    _known = true;
                }

                return _entry;
            }
        }
    }

    /// <summary>The entry with a final link followed, or <see langword="null"/> when absent or dangling.</summary>
    public UnionEntry? Target => Entry is { Type: not UnixFileType.SymbolicLink } entry ? entry : _fs.Stat(ImagePath);

    public string? LinkTarget => Entry?.LinkTarget;

    public void Refresh()
    {
        lock (_gate)
        {
            _known = false;
            _entry = null;
        }
    }

    public FileAttributes Attributes => Entry is { } entry ? UnionFileSystem.Attributes(entry, _fs.IsDirectoryLike(entry)) : (FileAttributes)(-1);

    public DateTime Time(bool utc) => UnionFileSystem.Time(Entry, utc);

    public UnixFileMode Mode => Entry is { } entry ? (UnixFileMode)entry.Permissions : throw new FileNotFoundException($"Could not find '{FullName}' in the image.", FullName);

    public UnionDirectoryInfo? Parent => ImagePath.Length == 0 ? null : new UnionDirectoryInfo(_fs, Union.ImagePath.Parent(ImagePath));

    public IFileSystemInfo? ResolveLinkTarget(bool returnFinalTarget) => ResolveLinkTarget(_fs, ImagePath, returnFinalTarget, asDirectory: false);

    /// <summary>The info of a link's target inside the image: the immediate target, or the final one; <see langword="null"/> when the path is not a link.</summary>
    public static IFileSystemInfo? ResolveLinkTarget(UnionFileSystem fileSystem, string imagePath, bool returnFinalTarget, bool asDirectory)
    {
        var link = fileSystem.Lstat(imagePath);
        if (link is null)
        {
            throw new FileNotFoundException($"Could not find '{UnionFileSystem.FullName(imagePath)}' in the image.", UnionFileSystem.FullName(imagePath));
        }

        if (link.Type != UnixFileType.SymbolicLink)
        {
            return null;
        }

        string targetPath;
        UnionEntry? target = null;
        if (returnFinalTarget && fileSystem.Stat(imagePath) is { } final)
        {
            target = final;
            targetPath = final.Path;
        }
        else
        {
            var linkTarget = link.LinkTarget ?? string.Empty;
            targetPath = UnionFileSystem.Normalize(linkTarget.StartsWith('/') ? linkTarget : Union.ImagePath.Combine(Union.ImagePath.Parent(link.Path), linkTarget) is { Length: > 0 } p ? p : "/");
            if (linkTarget.StartsWith('/'))
            {
                targetPath = UnionFileSystem.Normalize(linkTarget);
            }
        }

        var isDirectory = target?.IsDirectory ?? fileSystem.Stat(targetPath)?.IsDirectory ?? asDirectory;
        return isDirectory ? new UnionDirectoryInfo(fileSystem, targetPath, target) : new UnionFileInfo(fileSystem, targetPath, target);
    }
}

/// <summary><see cref="IDirectoryInfo"/> of a <see cref="UnionFileSystem"/>.</summary>
internal sealed class UnionDirectoryInfo : DirectoryInfoBase, IDirectoryInfo
{
    private readonly UnionFileSystem _fs;
    private readonly UnionFileSystemInfo _info;

    public UnionDirectoryInfo(UnionFileSystem fileSystem, string imagePath, UnionEntry? entry = null)
        : base(fileSystem)
    {
        _fs = fileSystem;
        _info = new UnionFileSystemInfo(fileSystem, imagePath, entry);
    }

    public override bool Exists => _info.Target is { IsDirectory: true };

    public override string Name => _info.Name;

    public override string FullName => _info.FullName;

    public override string Extension => _info.Extension;

    public override string? LinkTarget => _info.LinkTarget;

    public override IDirectoryInfo? Parent => _info.Parent;

    public override IDirectoryInfo Root => new UnionDirectoryInfo(_fs, string.Empty);

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

    public override IEnumerable<IDirectoryInfo> EnumerateDirectories() => Infos("*", UnionFileSystem.Compatible(), files: false, directories: true).Cast<IDirectoryInfo>();

    public override IEnumerable<IDirectoryInfo> EnumerateDirectories(string searchPattern) => Infos(searchPattern, UnionFileSystem.Compatible(), files: false, directories: true).Cast<IDirectoryInfo>();

    public override IEnumerable<IDirectoryInfo> EnumerateDirectories(string searchPattern, SearchOption searchOption) => Infos(searchPattern, UnionFileSystem.Compatible(searchOption), files: false, directories: true).Cast<IDirectoryInfo>();

    public override IEnumerable<IDirectoryInfo> EnumerateDirectories(string searchPattern, EnumerationOptions enumerationOptions) => Infos(searchPattern, enumerationOptions, files: false, directories: true).Cast<IDirectoryInfo>();

    public override IEnumerable<IFileInfo> EnumerateFiles() => Infos("*", UnionFileSystem.Compatible(), files: true, directories: false).Cast<IFileInfo>();

    public override IEnumerable<IFileInfo> EnumerateFiles(string searchPattern) => Infos(searchPattern, UnionFileSystem.Compatible(), files: true, directories: false).Cast<IFileInfo>();

    public override IEnumerable<IFileInfo> EnumerateFiles(string searchPattern, SearchOption searchOption) => Infos(searchPattern, UnionFileSystem.Compatible(searchOption), files: true, directories: false).Cast<IFileInfo>();

    public override IEnumerable<IFileInfo> EnumerateFiles(string searchPattern, EnumerationOptions enumerationOptions) => Infos(searchPattern, enumerationOptions, files: true, directories: false).Cast<IFileInfo>();

    public override IEnumerable<IFileSystemInfo> EnumerateFileSystemInfos() => Infos("*", UnionFileSystem.Compatible(), files: true, directories: true);

    public override IEnumerable<IFileSystemInfo> EnumerateFileSystemInfos(string searchPattern) => Infos(searchPattern, UnionFileSystem.Compatible(), files: true, directories: true);

    public override IEnumerable<IFileSystemInfo> EnumerateFileSystemInfos(string searchPattern, SearchOption searchOption) => Infos(searchPattern, UnionFileSystem.Compatible(searchOption), files: true, directories: true);

    public override IEnumerable<IFileSystemInfo> EnumerateFileSystemInfos(string searchPattern, EnumerationOptions enumerationOptions) => Infos(searchPattern, enumerationOptions, files: true, directories: true);

    public override IDirectoryInfo[] GetDirectories() => [.. EnumerateDirectories()];

    public override IDirectoryInfo[] GetDirectories(string searchPattern) => [.. EnumerateDirectories(searchPattern)];

    public override IDirectoryInfo[] GetDirectories(string searchPattern, SearchOption searchOption) => [.. EnumerateDirectories(searchPattern, searchOption)];

    public override IDirectoryInfo[] GetDirectories(string searchPattern, EnumerationOptions enumerationOptions) => [.. EnumerateDirectories(searchPattern, enumerationOptions)];

    public override IFileInfo[] GetFiles() => [.. EnumerateFiles()];

    public override IFileInfo[] GetFiles(string searchPattern) => [.. EnumerateFiles(searchPattern)];

    public override IFileInfo[] GetFiles(string searchPattern, SearchOption searchOption) => [.. EnumerateFiles(searchPattern, searchOption)];

    public override IFileInfo[] GetFiles(string searchPattern, EnumerationOptions enumerationOptions) => [.. EnumerateFiles(searchPattern, enumerationOptions)];

    public override IFileSystemInfo[] GetFileSystemInfos() => [.. EnumerateFileSystemInfos()];

    public override IFileSystemInfo[] GetFileSystemInfos(string searchPattern) => [.. EnumerateFileSystemInfos(searchPattern)];

    public override IFileSystemInfo[] GetFileSystemInfos(string searchPattern, SearchOption searchOption) => [.. EnumerateFileSystemInfos(searchPattern, searchOption)];

    public override IFileSystemInfo[] GetFileSystemInfos(string searchPattern, EnumerationOptions enumerationOptions) => [.. EnumerateFileSystemInfos(searchPattern, enumerationOptions)];

    // Everything below writes, and the view is read-only.
    public override void Create() => throw UnionFileSystem.ReadOnly(FullName);

    public override void CreateAsSymbolicLink(string pathToTarget) => throw UnionFileSystem.ReadOnly(FullName);

    public override IDirectoryInfo CreateSubdirectory(string path) => throw UnionFileSystem.ReadOnly(path);

    public override void Delete() => throw UnionFileSystem.ReadOnly(FullName);

    public override void Delete(bool recursive) => throw UnionFileSystem.ReadOnly(FullName);

    public override void MoveTo(string destDirName) => throw UnionFileSystem.ReadOnly(FullName);

    public override string ToString() => FullName;

    private IEnumerable<IFileSystemInfo> Infos(string searchPattern, EnumerationOptions options, bool files, bool directories) =>
        _fs.Enumerate(FullName, searchPattern, options, files, directories).Select(e => e.IsDirectory
            ? (IFileSystemInfo)new UnionDirectoryInfo(_fs, e.Entry.Path, e.Entry)
            : new UnionFileInfo(_fs, e.Entry.Path, e.Entry));
}

/// <summary>The factories of <see cref="IFileInfo"/> and <see cref="IDirectoryInfo"/> of a <see cref="UnionFileSystem"/>.</summary>
internal sealed class UnionFileInfoFactory(UnionFileSystem fileSystem) : IFileInfoFactory
{
    public IFileSystem FileSystem => fileSystem;

    public IFileInfo New(string fileName) => new UnionFileInfo(fileSystem, UnionFileSystem.Normalize(fileName, nameof(fileName)));

    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(fileInfo))]
    public IFileInfo? Wrap(FileInfo? fileInfo) => fileInfo is null ? null : throw UnionFileSystem.Unsupported("Wrapping a host FileInfo");
}

/// <summary>The factory of <see cref="IDirectoryInfo"/> of a <see cref="UnionFileSystem"/>.</summary>
internal sealed class UnionDirectoryInfoFactory(UnionFileSystem fileSystem) : IDirectoryInfoFactory
{
    public IFileSystem FileSystem => fileSystem;

    public IDirectoryInfo New(string path) => new UnionDirectoryInfo(fileSystem, UnionFileSystem.Normalize(path));

    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(directoryInfo))]
    public IDirectoryInfo? Wrap(DirectoryInfo? directoryInfo) => directoryInfo is null ? null : throw UnionFileSystem.Unsupported("Wrapping a host DirectoryInfo");
}
