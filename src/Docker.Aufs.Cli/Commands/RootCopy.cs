using System.IO.Abstractions;
using Docker.Aufs.Drivers;
using Docker.Aufs.IO;

namespace Docker.Aufs.Cli.Commands;

/// <summary>
/// Copies a root built in memory (its special files recorded, <see cref="SpecialFileMode.Recorded"/>) to the same path on
/// disk, making each entry as the builder makes it natively (<see cref="EntryWriter"/>): real symbolic links, hard links
/// (the names of one recorded inode), fifos, device nodes and owners (as root), modes, extended attributes and modification
/// times, directories' times last. Each entry is created in one step under the output gate
/// (<see cref="PendingOutputs.Step"/>), with the cancellation checked first: once a signal's token is cancelled nothing more
/// is created, and the process's own removal of the output (the 0.5 s deadline) never runs while an entry is being made.
/// </summary>
internal static class RootCopy
{
    /// <summary>Copies the tree at <paramref name="root"/> (which must exist on disk: new and empty) entry by entry.</summary>
    /// <param name="memory">The file system the root was built in.</param>
    /// <param name="metadata">What the builder recorded of it.</param>
    /// <param name="disk">The file system to write.</param>
    /// <param name="root">The root's path, the same in both.</param>
    /// <param name="cancellationToken">Checked before each entry.</param>
    /// <exception cref="OperationCanceledException">Cancelled: the caller removes what was written.</exception>
    public static void Copy(IFileSystem memory, RecordedMetadataProvider metadata, IFileSystem disk, string root, CancellationToken cancellationToken)
    {
        var writer = new EntryWriter(disk, SpecialFileMode.Auto);
        var firstNames = new Dictionary<ulong, string>();
        var directoryTimes = new List<(string Path, DateTimeOffset Time)>();
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.TryPop(out var directory))
        {
            var children = new List<string>();
            foreach (var path in memory.Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal))
            {
                PendingOutputs.Step(() => CopyEntry(memory, metadata, writer, path, firstNames, directoryTimes, children), cancellationToken);
            }

            for (var i = children.Count - 1; i >= 0; i--)
            {
                pending.Push(children[i]);
            }
        }

        // Directory times last, deepest first: creating entries inside a directory changes its modification time.
        for (var i = directoryTimes.Count - 1; i >= 0; i--)
        {
            var (path, time) = directoryTimes[i];
            PendingOutputs.Step(() => writer.SetTime(path, UnixFileType.Directory, time), cancellationToken);
        }
    }

    private static void CopyEntry(IFileSystem memory, RecordedMetadataProvider metadata, EntryWriter writer, string path, Dictionary<ulong, string> firstNames,
        List<(string, DateTimeOffset)> directoryTimes, List<string> children)
    {
        var disk = writer.FileSystem;
        if (!metadata.TryGetRecorded(path, out var status))
        {
            // What the builder writes without a record (JSON files, the driver's own directories and lists): created
            // as it is on disk, with the default mode and the time of writing.
            if (memory.Directory.Exists(path))
            {
                disk.Directory.CreateDirectory(path);
                children.Add(path);
            }
            else if (memory.FileInfo.New(path).LinkTarget is { } target)
            {
                disk.File.CreateSymbolicLink(path, target);
            }
            else
            {
                disk.File.WriteAllBytes(path, memory.File.ReadAllBytes(path));
            }

            return;
        }

        string? firstName = null;
        if (status.Type == UnixFileType.RegularFile && !firstNames.TryGetValue(status.Inode, out firstName))
        {
            firstNames[status.Inode] = path;
        }

        var entry = new LayerEntry(path, status.Type, status.Permissions, status.Uid, status.Gid, status.ModifiedTime)
        {
            Content = status.Type == UnixFileType.RegularFile && firstName is null ? memory.File.ReadAllBytes(path) : [],
            LinkTarget = status.LinkTarget,
            HardlinkTo = firstName,
            Major = status.DeviceMajor,
            Minor = status.DeviceMinor,
        };
        writer.WriteEntry(entry, path, firstName ?? path);
        foreach (var (name, value) in metadata.RecordedAttributes(path))
        {
            SetAttribute(writer, path, name, value);
        }

        // A record without a time (the drivers' own directories and links, made as Docker makes them) keeps the time of writing.
        var timed = status.ModifiedTime != default;
        if (status.Type == UnixFileType.Directory)
        {
            if (timed)
            {
                directoryTimes.Add((path, status.ModifiedTime));
            }

            children.Add(path);
        }
        else if (firstName is null && timed)
        {
            writer.SetTime(path, status.Type, status.ModifiedTime);
        }
    }

    /// <summary>
    /// Sets a recorded attribute natively (an opaque mark needs root in <c>trusted.*</c>, so without root it goes in
    /// <c>user.*</c>, as the builder writes it), or records it where the target holds no attributes (in memory).
    /// </summary>
    private static void SetAttribute(EntryWriter writer, string path, string name, byte[] value)
    {
        if (!writer.Native || !OperatingSystem.IsLinux())
        {
            writer.Metadata.RecordAttribute(path, name, value);
            return;
        }

        var native = name == OverlayBranches.OpaqueAttribute && !LinuxNative.IsRoot ? OverlayBranches.UserOpaqueAttribute : name;
        LinuxNative.SetAttribute(path, native, value);
    }
}
