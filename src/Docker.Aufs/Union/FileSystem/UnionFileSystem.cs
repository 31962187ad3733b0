using System.IO.Abstractions;
using System.IO.Enumeration;
using Docker.Aufs.IO;

namespace Docker.Aufs.Union;

/// <summary>
/// A read-only <see cref="IFileSystem"/> over a <see cref="UnionView"/>, so code written against System.IO.Abstractions
/// can browse an image or a container as if it were mounted. Paths are Unix paths inside the image (<c>/etc/passwd</c>;
/// relative paths start at <c>/</c>, the only current directory). Every write raises
/// <see cref="UnauthorizedAccessException"/>; drives, watchers and version information raise <see cref="NotSupportedException"/>.
/// </summary>
/// <remarks>
/// Symbolic links are resolved inside the image, never on the host. <c>Exists</c>, opening and <c>Length</c> follow
/// them, as on Linux; <c>LinkTarget</c>, attributes, modes and times describe the entry itself (<c>lstat</c>).
/// Enumeration counts a link to a directory among the directories but never recurses into a link. Times are the
/// entries' modification times (creation and access times are not kept in a layer).
/// </remarks>
/// <threadsafety static="true" instance="true"/>
public sealed class UnionFileSystem : FileSystemBase
{
    /// <summary>Initializes a new instance over <paramref name="view"/>.</summary>
    /// <param name="view">The merged view to expose.</param>
    public UnionFileSystem(UnionView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        View = view;
        File = new UnionFile(this);
        Directory = new UnionDirectory(this);
        FileInfo = new UnionFileInfoFactory(this);
        DirectoryInfo = new UnionDirectoryInfoFactory(this);
        FileStream = new UnionFileStreamFactory(this);
        Path = new UnionPath(this);
        DriveInfo = new UnsupportedFactories(this);
        FileSystemWatcher = (UnsupportedFactories)DriveInfo;
        FileVersionInfo = (UnsupportedFactories)DriveInfo;
        RandomAccess = view.FileSystem.RandomAccess;
    }

    /// <summary>Gets the merged view behind this file system.</summary>
    public UnionView View { get; }

    /// <inheritdoc/>
    public override IDirectory Directory { get; }

    /// <inheritdoc/>
    public override IFile File { get; }

    /// <inheritdoc/>
    public override IFileInfoFactory FileInfo { get; }

    /// <inheritdoc/>
    public override IFileStreamFactory FileStream { get; }

    /// <inheritdoc/>
    public override IPath Path { get; }

    /// <inheritdoc/>
    public override IDirectoryInfoFactory DirectoryInfo { get; }

    /// <inheritdoc/>
    public override IDriveInfoFactory DriveInfo { get; }

    /// <inheritdoc/>
    public override IFileSystemWatcherFactory FileSystemWatcher { get; }

    /// <inheritdoc/>
    public override IFileVersionInfoFactory FileVersionInfo { get; }

    /// <inheritdoc/>
    public override IRandomAccess RandomAccess { get; }

    /// <summary>Normalizes a caller's path lexically to a path inside the image (no leading slash; empty for the root), as <c>Path.GetFullPath</c> would against <c>/</c>.</summary>
    internal static string Normalize(string path, string parameterName = "path")
    {
        ArgumentNullException.ThrowIfNull(path, parameterName);
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ArgumentException("The path is empty.", parameterName);
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("The path contains a NUL character.", parameterName);
        }

        var parts = new List<string>();
        foreach (var part in ImagePath.Split(path))
        {
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }
            else
            {
                parts.Add(part);
            }
        }

        return string.Join('/', parts);
    }

    internal static string FullName(string imagePath) => "/" + imagePath;

    internal static UnauthorizedAccessException ReadOnly(string path) =>
        new($"Access to the path '{path}' is denied: the merged view of an image is read-only.");

    internal static NotSupportedException Unsupported(string what) =>
        new($"{what} is not supported by the read-only merged view of an image.");

    /// <summary><c>lstat</c> inside the image; <see langword="null"/> when absent, when a component is not a directory, or when links loop.</summary>
    internal UnionEntry? Lstat(string imagePath) => TryGet(imagePath, follow: false);

    /// <summary><c>stat</c> inside the image (links followed); <see langword="null"/> when absent or dangling.</summary>
    internal UnionEntry? Stat(string imagePath) => TryGet(imagePath, follow: true);

    internal UnionEntry RequireFile(string path)
    {
        var imagePath = Normalize(path);
        var entry = View.TryGetEntry(imagePath, followSymbolicLinks: true, out var found) ? found : null;
        return entry switch
        {
            null => throw new FileNotFoundException($"Could not find file '{FullName(imagePath)}' in the image.", FullName(imagePath)),
            { Type: UnixFileType.Directory } => throw new UnauthorizedAccessException($"Access to the path '{FullName(imagePath)}' is denied: it is a directory."),
            _ => entry,
        };
    }

    internal FileSystemStream OpenRead(string path, FileMode mode = FileMode.Open, FileAccess access = FileAccess.Read)
    {
        var imagePath = Normalize(path);
        if ((access & FileAccess.Write) != 0 || mode is not (FileMode.Open or FileMode.OpenOrCreate))
        {
            throw ReadOnly(FullName(imagePath));
        }

        var entry = RequireFile(path);
        return new UnionFileSystemStream(View.OpenEntry(entry), FullName(imagePath));
    }

    internal static FileAttributes Attributes(UnionEntry? entry, bool isDirectory)
    {
        if (entry is null)
        {
            return (FileAttributes)(-1);
        }

        var attributes = (FileAttributes)0;
        if (isDirectory)
        {
            attributes |= FileAttributes.Directory;
        }

        if (entry.Type == UnixFileType.SymbolicLink)
        {
            attributes |= FileAttributes.ReparsePoint;
        }

        if (entry.Name.StartsWith('.'))
        {
            attributes |= FileAttributes.Hidden;
        }

        if ((entry.Permissions & 0x80) == 0)
        {
            attributes |= FileAttributes.ReadOnly;
        }

        return attributes == 0 ? FileAttributes.Normal : attributes;
    }

    /// <summary>The modification time, or 1601-01-01 UTC for a missing entry (what .NET reports for missing files).</summary>
    internal static DateTime Time(UnionEntry? entry, bool utc)
    {
        var time = entry?.ModifiedTime.UtcDateTime ?? DateTime.FromFileTimeUtc(0);
        return utc ? time : time.ToLocalTime();
    }

    /// <summary>Whether an entry counts as a directory for enumeration and <c>Directory.Exists</c>: a directory, or a link that resolves to one.</summary>
    internal bool IsDirectoryLike(UnionEntry entry) =>
        entry.Type == UnixFileType.Directory || (entry.Type == UnixFileType.SymbolicLink && Stat(entry.Path)?.Type == UnixFileType.Directory);

    /// <summary>Enumerates a directory of the image as Directory.Enumerate* does: full paths built on the path as given.</summary>
    internal IEnumerable<(UnionEntry Entry, string Path, bool IsDirectory)> Enumerate(string path, string searchPattern, EnumerationOptions options, bool files, bool directories)
    {
        var imagePath = Normalize(path);
        ArgumentNullException.ThrowIfNull(searchPattern);
        ArgumentNullException.ThrowIfNull(options);
        var start = Stat(imagePath);
        if (start is null || start.Type != UnixFileType.Directory)
        {
            throw new DirectoryNotFoundException($"Could not find a part of the path '{FullName(imagePath)}' in the image.");
        }

        var prefix = path.Length > 1 ? path.TrimEnd('/') : path;
        return Walk(start.Path, prefix, 0);

        IEnumerable<(UnionEntry, string, bool)> Walk(string directory, string shownDirectory, int depth)
        {
            foreach (var entry in View.ListDirectory(directory))
            {
                var isDirectory = IsDirectoryLike(entry);
                var shown = shownDirectory.EndsWith('/') ? shownDirectory + entry.Name : shownDirectory + "/" + entry.Name;
                if (!Skipped(entry, isDirectory, options) && (isDirectory ? directories : files) && Matches(searchPattern, entry.Name, options))
                {
                    yield return (entry, shown, isDirectory);
                }

                if (options.RecurseSubdirectories && entry.Type == UnixFileType.Directory && depth < options.MaxRecursionDepth && !Skipped(entry, true, options))
                {
                    foreach (var nested in Walk(entry.Path, shown, depth + 1))
                    {
                        yield return nested;
                    }
                }
            }
        }
    }

    /// <summary>The options .NET uses for the overloads without <see cref="EnumerationOptions"/>.</summary>
    internal static EnumerationOptions Compatible(SearchOption searchOption = SearchOption.TopDirectoryOnly) => searchOption switch
    {
        SearchOption.TopDirectoryOnly => new EnumerationOptions { MatchType = MatchType.Win32, AttributesToSkip = 0, IgnoreInaccessible = false },
        SearchOption.AllDirectories => new EnumerationOptions { MatchType = MatchType.Win32, AttributesToSkip = 0, IgnoreInaccessible = false, RecurseSubdirectories = true },
        _ => throw new ArgumentOutOfRangeException(nameof(searchOption)),
    };

    private static bool Skipped(UnionEntry entry, bool isDirectory, EnumerationOptions options) =>
        options.AttributesToSkip != 0 && (Attributes(entry, isDirectory) & options.AttributesToSkip) != 0;

    private static bool Matches(string pattern, string name, EnumerationOptions options)
    {
        if (pattern.Length == 0 || pattern == "*")
        {
            return true;
        }

        var ignoreCase = options.MatchCasing == MatchCasing.CaseInsensitive;
        return options.MatchType == MatchType.Win32
            ? FileSystemName.MatchesWin32Expression(FileSystemName.TranslateWin32Expression(pattern), name, ignoreCase)
            : FileSystemName.MatchesSimpleExpression(pattern, name, ignoreCase);
    }

    private UnionEntry? TryGet(string imagePath, bool follow)
    {
        try
        {
            return View.TryGetEntry(imagePath, follow, out var entry) ? entry : null;
        }
        catch (SymbolicLinkLoopException)
        {
            return null;
        }
    }
}

/// <summary>The stream of a file of the view: the branch file's own stream, named by its path inside the image.</summary>
internal sealed class UnionFileSystemStream(Stream stream, string path) : FileSystemStream(stream, path, isAsync: false);
