using System.IO.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Docker.Aufs.IO;

/// <summary>
/// Opens the content of regular files inside layer directories, checked against what was listed
/// (docs/hostile-input.md, "Files swapped between listing and opening (issue 15 class 10)"). On the real Linux file
/// system a layer directory is opened once, by its own path and without following a link there, and kept open for the
/// opener's life; each file is opened relative to that handle with no symbolic link followed on the way or at the end
/// (<see cref="LinuxNative.OpenBeneath"/>), without blocking (a fifo put in the file's place opens and is refused), then
/// its descriptor's type, device and inode are compared with the <c>lstat</c> facts of the listing. A link anywhere on
/// the way is an <see cref="UnsafePathException"/>, another file or type a <see cref="CorruptFileException"/>, each naming
/// the path; nothing is read through a link and nothing hangs. Other file systems (in memory) open by path as before.
/// </summary>
/// <remarks>
/// One opener per operation (an export, a layer tar, one <c>cat</c>): it is not thread-safe, and it holds at most
/// <see cref="MaxDirectories"/> layer directories open (then it closes them all and starts over), so a long chain
/// never exhausts descriptors.
/// </remarks>
internal sealed class LayerFileOpener : IDisposable
{
    /// <summary>The number of layer directories held open at once.</summary>
    public const int MaxDirectories = 64;

    private readonly IFileSystem _fileSystem;
    private readonly bool _native;
    private readonly bool _checkIdentity;
    private readonly Dictionary<string, SafeFileHandle> _directories = new(StringComparer.Ordinal);

    /// <param name="fileSystem">The file system holding the layer directories.</param>
    /// <param name="metadata">Where the listed facts come from: only the disk's own <c>lstat</c> (<see cref="LinuxMetadataProvider"/>) gives a device and inode to hold the file to; facts recorded by a writer (<see cref="RecordedMetadataProvider"/>) are checked for the type only.</param>
    public LayerFileOpener(IFileSystem fileSystem, IUnixMetadataProvider metadata)
    {
        _fileSystem = fileSystem;
        _native = OperatingSystem.IsLinux() && fileSystem is FileSystem;
        _checkIdentity = metadata is LinuxMetadataProvider;
    }

    /// <summary>
    /// A test's seam: called with the full path of each file just before it is opened (after it was listed), so a test can
    /// swap the file deterministically. Local to the async flow that sets it.
    /// </summary>
    internal static AsyncLocal<Action<string>?> BeforeOpen { get; } = new();

    /// <summary>Opens the regular file <paramref name="relative"/> of the layer directory <paramref name="layerDirectory"/> for reading.</summary>
    /// <param name="layerDirectory">The layer directory (a branch of a view, a layer's <c>diff</c>), a real directory.</param>
    /// <param name="relative">The file's path inside it, <c>/</c>-separated, without <c>..</c>.</param>
    /// <param name="listed">What <c>lstat</c> said about the file when it was listed: its type must be a regular file, and on disk its device and inode must still be the file's.</param>
    /// <param name="shown">How errors name the file (an image path such as <c>/etc/passwd</c>, or a tar member name).</param>
    /// <param name="bufferSize">The stream's buffer (0 or 1: none).</param>
    /// <param name="options">The stream's options in memory; on disk the stream is synchronous (reads of a regular file do not block for long, and the asynchronous path runs them as they come).</param>
    /// <returns>A read-only stream; dispose it.</returns>
    /// <exception cref="UnsafePathException">A symbolic link is now at the file's place or on the way to it.</exception>
    /// <exception cref="CorruptFileException">Something other than the listed regular file is there now (a fifo, a device, a directory, another file).</exception>
    /// <exception cref="FileNotFoundException">The file is gone.</exception>
    /// <exception cref="IOException">The open failed otherwise.</exception>
    public FileSystemStream Open(string layerDirectory, string relative, UnixFileStatus listed, string shown, int bufferSize, FileOptions options)
    {
        var path = _fileSystem.Path.Combine(layerDirectory, relative);
        BeforeOpen.Value?.Invoke(path);
        if (!_native || !OperatingSystem.IsLinux())
        {
            return _fileSystem.FileStream.New(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize, options);
        }

        var handle = OpenChecked(layerDirectory, relative, path, listed, shown);
        try
        {
            // Named by its full path, as a stream .NET opens by path is.
            return new NamedStream(new FileStream(handle, FileAccess.Read, Math.Max(bufferSize, 1), isAsync: false), path);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>As <see cref="Open"/>, giving the handle itself (a view's <see cref="IFile.OpenHandle(string, FileMode, FileAccess, FileShare, FileOptions, long)"/>).</summary>
    public SafeFileHandle OpenHandle(string layerDirectory, string relative, UnixFileStatus listed, string shown, FileShare share, FileOptions options)
    {
        var path = _fileSystem.Path.Combine(layerDirectory, relative);
        BeforeOpen.Value?.Invoke(path);
        return !_native || !OperatingSystem.IsLinux()
            ? _fileSystem.File.OpenHandle(path, FileMode.Open, FileAccess.Read, share, options)
            : OpenChecked(layerDirectory, relative, path, listed, shown);
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private SafeFileHandle OpenChecked(string layerDirectory, string relative, string path, UnixFileStatus listed, string shown)
    {
        var directory = Directory(layerDirectory, path, shown);
        var descriptor = LinuxNative.OpenBeneath(directory, relative, out var errno);
        if (descriptor < 0)
        {
            throw OpenFailure(path, shown, errno);
        }

        var handle = new SafeFileHandle(descriptor, ownsHandle: true);
        try
        {
            var (device, inode, mode) = LinuxNative.Identify(descriptor, path);
            var type = UnixModes.TypeOf(mode) ?? UnixFileType.Socket;
            if (type != UnixFileType.RegularFile)
            {
                throw new CorruptFileException(path, $"'{DisplayName(shown)}' is now a {Describe(type)}, not the regular file listed (the layer changed after it was listed); it is not read");
            }

            if (_checkIdentity && (device != listed.Device || inode != listed.Inode))
            {
                throw new CorruptFileException(path,
                    $"'{DisplayName(shown)}' is now another file (inode {inode}) than the one listed (inode {listed.Inode}): the layer changed after it was listed; it is not read");
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Opens the one file of a layer directory for a single read (<c>cat</c>, a view's <c>OpenRead</c>): an opener used once.</summary>
    public static FileSystemStream OpenOnce(IFileSystem fileSystem, IUnixMetadataProvider metadata, string layerDirectory, string relative, UnixFileStatus listed, string shown, int bufferSize, FileOptions options)
    {
        using var opener = new LayerFileOpener(fileSystem, metadata);
        return opener.Open(layerDirectory, relative, listed, shown, bufferSize, options);
    }

    public void Dispose()
    {
        foreach (var handle in _directories.Values)
        {
            handle.Dispose();
        }

        _directories.Clear();
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private SafeFileHandle Directory(string layerDirectory, string path, string shown)
    {
        if (_directories.TryGetValue(layerDirectory, out var open))
        {
            return open;
        }

        var handle = LinuxNative.TryOpenDirectoryNoFollow(layerDirectory, out var errno);
        if (handle is null)
        {
            throw errno switch
            {
                2 => new FileNotFoundException($"Could not find file '{path}': its layer directory {layerDirectory} is gone.", path),
                13 => new UnauthorizedAccessException($"Access to the path '{layerDirectory}' is denied."),
                LinuxNative.ErrnoLoop or LinuxNative.ErrnoNotDirectory => new UnsafePathException(layerDirectory, DisplayName(shown),
                    "the layer directory is now a symbolic link or not a directory (it changed after it was listed); nothing is read through it"),
                _ => LinuxNative.Failure("open", layerDirectory, errno),
            };
        }

        if (_directories.Count >= MaxDirectories)
        {
            Dispose();
        }

        _directories[layerDirectory] = handle;
        return handle;
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static Exception OpenFailure(string path, string shown, int errno)
    {
        switch (errno)
        {
            case 2:
                return new FileNotFoundException($"Could not find file '{path}': it vanished after it was listed.", path);
            case 13:
                return new UnauthorizedAccessException($"Access to the path '{path}' is denied.");
            case LinuxNative.ErrnoLoop or LinuxNative.ErrnoNotDirectory or 18 /* EXDEV */:
                return new UnsafePathException(path, DisplayName(shown),
                    "a symbolic link (or something else that is not a directory) is now at its place or on the way to it: the layer changed after it was listed, and a file's content is never read through a link");
            case 6 /* ENXIO: a socket */:
                return new CorruptFileException(path, $"'{DisplayName(shown)}' is now a socket, not the regular file listed (the layer changed after it was listed); it is not read");
            default:
                return LinuxNative.Failure("openat", path, errno);
        }
    }

    private sealed class NamedStream(FileStream stream, string path) : FileSystemStream(stream, path, isAsync: false);

    private static string DisplayName(string name) => Formats.DockerIds.Printable(name);

    /// <summary>A file type as messages name it (<c>symbolic link</c>, <c>fifo</c>).</summary>
    internal static string Describe(UnixFileType type) => type switch
    {
        UnixFileType.Directory => "directory",
        UnixFileType.SymbolicLink => "symbolic link",
        UnixFileType.CharacterDevice => "character device",
        UnixFileType.BlockDevice => "block device",
        UnixFileType.Fifo => "fifo",
        UnixFileType.Socket => "socket",
        _ => "regular file",
    };
}
