using Docker.Aufs.Drivers;
using Docker.Aufs.IO;
using Docker.Aufs.Union;

namespace Docker.Aufs.Testing;

/// <summary>
/// Turns a layer directory written in AUFS form into the form the overlay drivers keep, as Docker's overlay2
/// <c>ApplyDiff</c> does when it unpacks a layer tar (moby v18.09 <c>pkg/archive/archive_linux.go</c>
/// <c>overlayWhiteoutConverter.ConvertRead</c>; docs/format/drivers.md §6): a whiteout <c>.wh.x</c> becomes a character
/// device 0/0 named <c>x</c> (mode 0, the whiteout's owner), an opaque marker <c>.wh..wh..opq</c> becomes the extended
/// attribute <c>trusted.overlay.opaque=y</c> on its directory, and AUFS's own bookkeeping at the top
/// (<c>.wh..wh.aufs</c>, <c>.wh..wh.plnk</c>, <c>.wh..wh.orph</c>) goes. The layer's tar is made before the conversion,
/// so it is the AUFS-form tar Docker's overlay2 <c>Diff</c> gives.
/// </summary>
internal static class OverlayForm
{
    /// <summary>Converts <paramref name="layerDirectory"/> in place; directory times are kept.</summary>
    public static void Convert(EntryWriter writer, string layerDirectory)
    {
        var fs = writer.FileSystem;
        var metadata = writer.Metadata;
        var touched = new List<(string Path, UnixFileStatus Status)>();
        var pending = new Stack<string>();
        pending.Push(layerDirectory);
        while (pending.TryPop(out var directory))
        {
            var changed = false;
            metadata.TryGetStatus(directory, out var before); // before its entries change its time
            foreach (var entry in DirectoryListing.Read(fs, metadata, directory).ToList())
            {
                var path = directory + "/" + entry.Name;
                if (!metadata.TryGetStatus(path, out var status))
                {
                    continue;
                }

                if (!entry.Name.StartsWith(ImagePath.WhiteoutPrefix, StringComparison.Ordinal))
                {
                    if (status.Type == UnixFileType.Directory)
                    {
                        pending.Push(path);
                    }

                    continue;
                }

                changed = true;
                Remove(writer, path, status);
                if (entry.Name == ImagePath.OpaqueMarker)
                {
                    MarkOpaque(writer, directory);
                }
                else if (!entry.Name.StartsWith(ImagePath.MetaPrefix, StringComparison.Ordinal))
                {
                    var hidden = directory + "/" + entry.Name[ImagePath.WhiteoutPrefix.Length..];
                    if (metadata.TryGetStatus(hidden, out var replaced))
                    {
                        Remove(writer, hidden, replaced); // a copy of the init layer's file (overlay v1's read-write upper/), deleted by the container
                    }

                    var device = new LayerEntry(hidden, UnixFileType.CharacterDevice, 0, status.Uid, status.Gid, status.ModifiedTime);
                    writer.WriteEntry(device, hidden, hidden);
                    writer.SetTime(hidden, UnixFileType.CharacterDevice, status.ModifiedTime);
                    writer.Record(hidden, device, status.ModifiedTime, writer.NextInode(), 1);
                }
            }

            if (changed && before is not null)
            {
                touched.Add((directory, before));
            }
        }

        foreach (var (path, status) in touched)
        {
            writer.SetTime(path, UnixFileType.Directory, status.ModifiedTime);
        }
    }

    private static void Remove(EntryWriter writer, string path, UnixFileStatus status)
    {
        var fs = writer.FileSystem;
        if (status.Type == UnixFileType.Directory)
        {
            foreach (var inner in fs.Directory.EnumerateFileSystemEntries(path, "*", SearchOption.AllDirectories))
            {
                writer.Metadata.Forget(inner);
            }

            fs.Directory.Delete(path, recursive: true);
        }
        else
        {
            fs.File.Delete(path);
        }

        writer.Metadata.Forget(path);
    }

    internal static void MarkOpaque(EntryWriter writer, string directory)
    {
        if (writer.Native && OperatingSystem.IsLinux())
        {
            // Setting trusted.* needs root; rootless Docker marks with user.overlay.opaque, which readers also accept.
            LinuxNative.SetAttribute(directory, LinuxNative.IsRoot ? OverlayBranches.OpaqueAttribute : OverlayBranches.UserOpaqueAttribute, "y"u8);
        }
        else
        {
            writer.Metadata.RecordAttribute(directory, OverlayBranches.OpaqueAttribute, "y"u8.ToArray());
        }
    }
}
