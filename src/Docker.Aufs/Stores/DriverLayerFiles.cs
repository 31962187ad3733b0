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

    /// <summary>Docker's <c>directory.Size</c>: the <c>lstat</c> sizes of non-directory entries, each inode once. Never follows links.</summary>
    public long Size(string directory)
    {
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
}
