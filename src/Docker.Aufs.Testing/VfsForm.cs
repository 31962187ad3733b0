using Docker.Aufs.IO;
using Docker.Aufs.Union;

namespace Docker.Aufs.Testing;

/// <summary>
/// Writes a vfs layer as Docker does (moby v18.09 <c>daemon/graphdriver/vfs/driver.go</c>: <c>Create</c> copies the
/// parent's tree, then <c>ApplyDiff</c> unpacks the layer's tar over it): the parent's whole tree copied (owners, modes,
/// times, links, hardlinks within it), then the layer's changes, written in AUFS form in a staging directory, applied —
/// a whiteout deletes what it names, an opaque marker empties its directory first, everything else replaces what was
/// there. The layer's tar is made from the staging directory, so it is the tar Docker's naive diff gives.
/// </summary>
internal static class VfsForm
{
    /// <summary>Fills <paramref name="tree"/> (empty) with <paramref name="parentTree"/>'s copy and the changes in <paramref name="staging"/>, then removes <paramref name="staging"/>.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="staging">The layer's changes in AUFS form.</param>
    /// <param name="tree">The layer's tree, empty.</param>
    /// <param name="parentTree">The parent's tree, or <see langword="null"/>.</param>
    /// <param name="linkParent">
    /// Whether the parent's regular files are hard links rather than copies (overlay's <c>ApplyDiff</c>, <c>copyDir</c> with
    /// <c>copyHardlink</c>): on disk a real hard link; in memory a copy recorded with the parent's inode number.
    /// </param>
    public static void Apply(EntryWriter writer, string staging, string tree, string? parentTree, bool linkParent = false)
    {
        var directories = new List<(string Path, DateTimeOffset Time)>();
        var inodes = new Dictionary<(ulong, ulong), (string Path, ulong Inode)>();
        if (parentTree is not null)
        {
            Copy(writer, parentTree, tree, inodes, directories, linkParent);
        }

        inodes.Clear();
        ApplyChanges(writer, staging, tree, inodes, directories);
        SetDirectoryTimes(writer, directories);
        Delete(writer, staging);
    }

    /// <summary>Copies a whole tree with its facts (overlay's <c>copyDir</c> without hard links: a container's read-write <c>upper/</c> from its init layer's).</summary>
    public static void CopyTree(EntryWriter writer, string source, string target)
    {
        var directories = new List<(string Path, DateTimeOffset Time)>();
        Copy(writer, source, target, [], directories, linkParent: false);
        SetDirectoryTimes(writer, directories);
    }

    /// <summary>Directory times last, deepest first; a directory copied from the parent and then changed by the layer takes the layer's time.</summary>
    private static void SetDirectoryTimes(EntryWriter writer, List<(string Path, DateTimeOffset Time)> directories)
    {
        var latest = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var (path, time) in directories)
        {
            latest[path] = time;
        }

        for (var i = directories.Count - 1; i >= 0; i--)
        {
            if (latest.Remove(directories[i].Path, out var time))
            {
                writer.SetTime(directories[i].Path, UnixFileType.Directory, time);
            }
        }
    }

    private static void Copy(EntryWriter writer, string source, string target, Dictionary<(ulong, ulong), (string, ulong)> inodes, List<(string, DateTimeOffset)> directories,
        bool linkParent)
    {
        foreach (var entry in DirectoryListing.Read(writer.FileSystem, writer.Metadata, source).OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var from = source + "/" + entry.Name;
            var to = target + "/" + entry.Name;
            if (!writer.Metadata.TryGetStatus(from, out var status))
            {
                continue;
            }

            if (linkParent && status.Type == UnixFileType.RegularFile)
            {
                LinkEntry(writer, from, to, status);
                continue;
            }

            CopyEntry(writer, from, to, status, inodes, directories);
            if (status.Type == UnixFileType.Directory)
            {
                Copy(writer, from, to, inodes, directories, linkParent);
            }
        }
    }

    private static void ApplyChanges(EntryWriter writer, string staging, string tree, Dictionary<(ulong, ulong), (string, ulong)> inodes, List<(string, DateTimeOffset)> directories)
    {
        var names = DirectoryListing.Read(writer.FileSystem, writer.Metadata, staging).Select(e => e.Name).Order(StringComparer.Ordinal).ToList();
        if (names.Contains(ImagePath.OpaqueMarker) && writer.FileSystem.Directory.Exists(tree))
        {
            foreach (var lower in writer.FileSystem.Directory.EnumerateFileSystemEntries(tree).ToList())
            {
                Delete(writer, lower);
            }
        }

        foreach (var name in names)
        {
            if (name.StartsWith(ImagePath.WhiteoutPrefix, StringComparison.Ordinal))
            {
                if (!name.StartsWith(ImagePath.MetaPrefix, StringComparison.Ordinal))
                {
                    Delete(writer, tree + "/" + name[ImagePath.WhiteoutPrefix.Length..]);
                }

                continue; // the opaque marker was applied above; AUFS's bookkeeping is not a vfs file
            }

            var from = staging + "/" + name;
            var to = tree + "/" + name;
            if (!writer.Metadata.TryGetStatus(from, out var status))
            {
                continue;
            }

            var existing = writer.Metadata.TryGetStatus(to, out var there) ? there : null;
            if (existing is not null && !(existing.Type == UnixFileType.Directory && status.Type == UnixFileType.Directory))
            {
                Delete(writer, to);
            }

            CopyEntry(writer, from, to, status, inodes, directories);
            if (status.Type == UnixFileType.Directory)
            {
                ApplyChanges(writer, from, to, inodes, directories);
            }
        }

    }

    /// <summary>A regular file of the parent's tree given a second name: a hard link on disk, a copy with the same recorded inode in memory.</summary>
    private static void LinkEntry(EntryWriter writer, string from, string to, UnixFileStatus status)
    {
        var entry = new LayerEntry(to, status.Type, status.Permissions, status.Uid, status.Gid, status.ModifiedTime)
        {
            Content = writer.Native && OperatingSystem.IsLinux() ? [] : writer.FileSystem.File.ReadAllBytes(from),
            HardlinkTo = from,
        };
        writer.WriteEntry(entry, to, from);
        if (!(writer.Native && OperatingSystem.IsLinux()))
        {
            writer.SetTime(to, status.Type, status.ModifiedTime);
        }

        writer.Metadata.Record(to, status);
    }

    /// <summary>One entry copied with its facts; a second name of an inode seen before becomes a hardlink of the first copy.</summary>
    private static void CopyEntry(EntryWriter writer, string from, string to, UnixFileStatus status, Dictionary<(ulong, ulong), (string Path, ulong Inode)> inodes,
        List<(string, DateTimeOffset)> directories)
    {
        var fs = writer.FileSystem;
        var key = (status.Device, status.Inode);
        string? hardlinkTo = null;
        ulong inode;
        if (status.Type != UnixFileType.Directory && status.LinkCount > 1 && inodes.TryGetValue(key, out var first))
        {
            hardlinkTo = first.Path;
            inode = first.Inode;
        }
        else
        {
            inode = writer.NextInode();
            if (status.Type != UnixFileType.Directory && status.LinkCount > 1)
            {
                inodes[key] = (to, inode);
            }
        }

        var entry = new LayerEntry(to, status.Type, status.Permissions, status.Uid, status.Gid, status.ModifiedTime)
        {
            Content = status.Type == UnixFileType.RegularFile ? fs.File.ReadAllBytes(from) : [],
            LinkTarget = status.LinkTarget,
            HardlinkTo = hardlinkTo,
            Major = status.DeviceMajor,
            Minor = status.DeviceMinor,
        };
        if (status.Type == UnixFileType.Directory && fs.Directory.Exists(to))
        {
            writer.SetMode(to, status.Permissions);
        }
        else
        {
            writer.WriteEntry(entry, to, hardlinkTo ?? to);
        }

        if (status.Type == UnixFileType.Directory)
        {
            directories.Add((to, status.ModifiedTime));
        }
        else
        {
            writer.SetTime(to, status.Type, status.ModifiedTime);
        }

        writer.Record(to, entry, status.ModifiedTime, inode, status.Type == UnixFileType.Directory ? 2u : status.LinkCount);
    }

    /// <summary>Deletes an entry and what is below it, and forgets their records; never through a link.</summary>
    private static void Delete(EntryWriter writer, string path)
    {
        var fs = writer.FileSystem;
        if (!writer.Metadata.TryGetStatus(path, out var status))
        {
            return;
        }

        if (status.Type == UnixFileType.Directory)
        {
            foreach (var inner in fs.Directory.EnumerateFileSystemEntries(path).ToList())
            {
                Delete(writer, inner);
            }

            fs.Directory.Delete(path);
        }
        else
        {
            fs.File.Delete(path);
        }

        writer.Metadata.Forget(path);
    }
}
