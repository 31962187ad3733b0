using Docker.Aufs.Formats;

namespace Docker.Aufs.Drivers.Aufs;

/// <summary>What fsck asks of the AUFS driver beyond layers and files: mount points and leftovers (docs/format/drivers.md §1).</summary>
internal sealed partial class AufsDriver
{
    /// <summary>The names of <c>layers/</c> and of <c>diff/</c> that are layer IDs: a layer may have lost either.</summary>
    public override IEnumerable<string> ListAllLayerIds()
    {
        var ids = new SortedSet<string>(ListLayerIds(), StringComparer.Ordinal);
        if (FileSystem.Directory.Exists(DiffDirectory))
        {
            foreach (var entry in FileSystem.Directory.EnumerateFileSystemEntries(DiffDirectory))
            {
                var name = FileSystem.Path.GetFileName(entry);
                if (DockerIds.IsLayerId(name))
                {
                    ids.Add(name);
                }
            }
        }

        return ids;
    }

    /// <summary>A layer's mount point: it should exist, and be empty on a host that is off.</summary>
    public override void CheckLayer(string id, FindingSink sink)
    {
        var mount = GetMountPath(id);
        if (sink.IsUnsafeLink(mount))
        {
            return;
        }

        if (!FileSystem.Directory.Exists(mount))
        {
            sink.Add(FindingCodes.MountMissing, FindingSeverity.Info, mount, "the layer's mount point is missing", "harmless offline; Docker creates it for every layer");
        }
        else if (FileSystem.Directory.EnumerateFileSystemEntries(mount).Any())
        {
            sink.Add(FindingCodes.MountPopulated, FindingSeverity.Warning, mount,
                "the mount point holds files: this is a snapshot of a running host",
                "these are a live merged view, not layer data; read layers from aufs/diff");
        }
    }

    /// <summary>Directories left by interrupted removals: <c>diff/*-removing</c>, <c>mnt/*-removing</c> and Docker 0.7's <c>aufs/tmp</c>.</summary>
    public override void CheckOwnFiles(FindingSink sink)
    {
        foreach (var directory in new[] { DiffDirectory, MountDirectory })
        {
            if (FileSystem.Directory.Exists(directory))
            {
                foreach (var entry in FileSystem.Directory.EnumerateDirectories(directory, "*-removing"))
                {
                    sink.Add(FindingCodes.LeftoverRemoving, FindingSeverity.Info, entry, "left by an interrupted removal", "safe to ignore: the layer was being deleted");
                }
            }
        }

        var temp = FileSystem.Path.Combine(Directory, "tmp");
        if (FileSystem.Directory.Exists(temp))
        {
            sink.Add(FindingCodes.LeftoverAufsTemp, FindingSeverity.Info, temp, "left by an interrupted removal of Docker 0.7", "safe to ignore");
        }
    }
}
