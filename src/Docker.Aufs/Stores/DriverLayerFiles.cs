using System.IO.Abstractions;
using Docker.Aufs.Drivers;
using Docker.Aufs.IO;

namespace Docker.Aufs.Stores;

/// <summary>
/// Where a driver keeps each layer's files, as the stores' checks (fsck) need it: found once per layer, a link the driver
/// does not follow reported once as <see cref="FindingCodes.UnsafeLink"/>, and the size Docker computes for a directory.
/// </summary>
internal sealed class DriverLayerFiles(LayerDriver driver, FindingSink sink)
{
    /// <summary>Where each driver layer's files are (<see langword="null"/> when its diff directory is an unsafe link or missing).</summary>
    private readonly Dictionary<string, string?> _diffs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unsafe = new(StringComparer.Ordinal);

    private IFileSystem FileSystem => driver.FileSystem;

    /// <summary>Whether the layer's directory is a link that was reported and not followed.</summary>
    public bool IsUnsafe(string id) => _unsafe.Contains(id);

    /// <summary>
    /// The directory holding a driver layer's files: <c>diff/&lt;id&gt;</c>, or the target of Docker 0.7's migration link
    /// inside the root. Any other link there is reported once and never followed.
    /// </summary>
    public string? Directory(string id)
    {
        if (_diffs.TryGetValue(id, out var known))
        {
            return known;
        }

        string? directory = null;
        try
        {
            var content = driver.GetContent(id);
            directory = content.Path is { } path && (content.Type == UnixFileType.Directory || (content.Type is null && FileSystem.Directory.Exists(path))) ? path : null;
        }
        catch (UnsafePathException e)
        {
            _unsafe.Add(id);
            sink.AddUnsafeLink(e.Path, e.UnsafeValue);
        }
        catch (BrokenLayerChainException)
        {
            // A migration link to no real directory: reported as a missing diff directory.
        }

        _diffs[id] = directory;
        return directory;
    }

    /// <summary>Whether the driver has the layer and its files (an unsafe link counts as reported, not as missing).</summary>
    public bool IsMissing(string id) => !driver.Exists(id) || (Directory(id) is null && !IsUnsafe(id));

    /// <summary>Where the driver keeps a layer's files, for messages (without following anything).</summary>
    public string PathOf(string id)
    {
        try
        {
            return driver.GetContent(id).Path ?? driver.Directory;
        }
        catch (DockerDataException)
        {
            return driver.RecordPath(id);
        }
    }

    /// <summary>
    /// Docker's <c>directory.Size</c>: the <c>lstat</c> sizes of non-directory entries, each inode once. Never follows links.
    /// On the real file system the tree is walked by directory handle (any depth, paths beyond <c>PATH_MAX</c> included);
    /// a directory this process may not read is reported once as <see cref="FindingCodes.Unreadable"/> and the rest is counted.
    /// </summary>
    public long Size(string directory)
    {
        if (OperatingSystem.IsLinux() && sink.Metadata is LinuxMetadataProvider)
        {
            return SizeByHandle(directory);
        }

        long total = 0;
        var seen = new HashSet<(ulong, ulong)>();
        var pending = new Stack<string>();
        pending.Push(directory);
        while (pending.TryPop(out var current))
        {
            foreach (var entry in FileSystem.Directory.EnumerateFileSystemEntries(current))
            {
                if (!sink.Metadata.TryGetStatus(entry, out var status))
                {
                    continue;
                }

                if (status.Type == UnixFileType.Directory)
                {
                    pending.Push(entry);
                }
                else if (seen.Add((status.Device, status.Inode)))
                {
                    total += status.Size;
                }
            }
        }

        return total;
    }

    /// <summary><see cref="Size"/> by directory handle: one open descriptor per level of the directory being read, each opened relative to its parent.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private long SizeByHandle(string directory)
    {
        long total = 0;
        var seen = new HashSet<(ulong, ulong)>();
        var top = LinuxNative.TryOpenDirectoryQuietlyAt(null, directory, out var errno);
        if (top is null)
        {
            if (errno == LinuxNative.ErrnoAccess)
            {
                sink.AddUnreadable(AccessProblems.Describe(sink.Metadata, sink.Root, directory, new UnauthorizedAccessException($"Access to the path '{directory}' is denied.")),
                    "its size was not checked");
            }

            return 0;
        }

        // Depth first; each frame holds its directory's handle and the subdirectories still to enter.
        var frames = new Stack<(Microsoft.Win32.SafeHandles.SafeFileHandle Handle, string Path, Queue<string> Subdirectories)>();
        frames.Push((top, directory, Read(top, directory, seen, ref total)));
        try
        {
            while (frames.TryPeek(out var frame))
            {
                if (!frame.Subdirectories.TryDequeue(out var name))
                {
                    frames.Pop().Handle.Dispose();
                    continue;
                }

                var path = frame.Path + "/" + name;
                var child = LinuxNative.TryOpenDirectoryQuietlyAt(frame.Handle, name, out errno);
                if (child is null)
                {
                    if (errno == LinuxNative.ErrnoAccess)
                    {
                        sink.AddUnreadable(Denied(frame.Handle, name, path), "its size was not checked: the sizes of the files in it are not counted");
                    }

                    continue; // vanished, or replaced by something that is not a directory since it was listed
                }

                frames.Push((child, path, Read(child, path, seen, ref total)));
            }
        }
        finally
        {
            while (frames.TryPop(out var frame))
            {
                frame.Handle.Dispose();
            }
        }

        return total;
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static Queue<string> Read(Microsoft.Win32.SafeHandles.SafeFileHandle handle, string path, HashSet<(ulong, ulong)> seen, ref long total)
    {
        var subdirectories = new Queue<string>();
        foreach (var entry in LinuxNative.ListDirectoryQuietly(handle, path))
        {
            if (entry.Name is "." or "..")
            {
                continue;
            }

            if (entry.IsDirectory == true)
            {
                subdirectories.Enqueue(entry.Name);
                continue;
            }

            if (!LinuxNative.TryStatusAt(handle, entry.Name, out var status))
            {
                continue;
            }

            if ((status.Mode & UnixModes.TypeMask) == 0x4000)
            {
                subdirectories.Enqueue(entry.Name);
            }
            else if (seen.Add((((ulong)status.DevMajor << 32) | status.DevMinor, status.Inode)))
            {
                total += (long)status.Size;
            }
        }

        return subdirectories;
    }

    /// <summary>A directory that cannot be opened for listing, described from its parent's handle (its path may be longer than a path call takes).</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private PathAccessDeniedException Denied(Microsoft.Win32.SafeHandles.SafeFileHandle parent, string name, string path)
    {
        int? mode = null;
        string? owner = null;
        if (LinuxNative.TryStatusAt(parent, name, out var status))
        {
            mode = status.Mode & 0xFFF;
            owner = LinuxNative.UserName((int)status.Uid) ?? status.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return new PathAccessDeniedException(path, AccessProblems.Shown(sink.Root, path), mode, owner);
    }
}
