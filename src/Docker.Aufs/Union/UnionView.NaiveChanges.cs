using Docker.Aufs.Formats;
using Docker.Aufs.IO;

namespace Docker.Aufs.Union;

/// <summary><c>docker diff</c> of a driver whose layers are whole file trees (vfs): the two trees compared.</summary>
public sealed partial class UnionView
{
    /// <summary>
    /// The changes of the top tree against its parent's whole tree, as Docker's naive diff computes them (moby v18.09
    /// <c>pkg/archive/changes.go</c> <c>ChangesDirs</c>, <c>statDifferent</c> in <c>changes_unix.go</c>): a path only
    /// in the top tree is <c>A</c> (with everything below it), a path only in the parent's is <c>D</c> (nothing below
    /// it is listed), a path in both is <c>C</c> when its mode, owner, device number or capability differ or, for
    /// anything but a directory, its size or modification time; a directory with a change inside is <c>C</c> before its
    /// content. Docker lists a directory's entries in map order; here they are in code point order.
    /// </summary>
    private List<FileChange> NaiveChanges(string top, string? parent)
    {
        var changes = new List<FileChange>();
        Compare(string.Empty, parent is null ? null : string.Empty, added: false);
        return changes;

        void Compare(string directory, string? oldDirectory, bool added)
        {
            var newNames = Names(ImagePath.InBranch(top, directory));
            var oldNames = oldDirectory is null || parent is null ? [] : Names(ImagePath.InBranch(parent, oldDirectory));
            var all = new SortedSet<string>(newNames, Utf8Ordinal.Instance);
            all.UnionWith(oldNames);
            var entryCount = changes.Count;
            foreach (var name in all)
            {
                var path = ImagePath.Combine(directory, name);
                var inNew = newNames.Contains(name);
                if (!inNew)
                {
                    changes.Add(new FileChange(ChangeKind.Delete, ImagePath.Display(path)));
                    continue;
                }

                if (!Metadata.TryGetStatus(ImagePath.InBranch(top, path), out var status))
                {
                    continue; // vanished while listed
                }

                UnixFileStatus? old = null;
                if (oldNames.Contains(name))
                {
                    Metadata.TryGetStatus(ImagePath.InBranch(parent!, path), out old);
                }

                var childAdded = old is null;
                if (childAdded)
                {
                    changes.Add(new FileChange(ChangeKind.Add, ImagePath.Display(path)));
                }
                else if (StatDifferent(old!, status))
                {
                    changes.Add(new FileChange(ChangeKind.Modify, ImagePath.Display(path)));
                    childAdded = true;
                }

                if (status.Type == UnixFileType.Directory)
                {
                    // Below a path that was not a directory before, nothing of the old tree is compared.
                    Compare(path, old?.Type == UnixFileType.Directory ? path : null, childAdded);
                }
            }

            if (changes.Count > entryCount && !added && directory.Length > 0)
            {
                changes.Insert(entryCount, new FileChange(ChangeKind.Modify, ImagePath.Display(directory)));
            }
        }

        HashSet<string> Names(string hostDirectory) =>
            new(DirectoryListing.Read(FileSystem, Metadata, hostDirectory).Select(e => e.Name), StringComparer.Ordinal);
    }

    /// <summary>Docker's <c>statDifferent</c> plus its comparison of <c>security.capability</c>.</summary>
    private static bool StatDifferent(UnixFileStatus old, UnixFileStatus current) =>
        old.Mode != current.Mode || old.Uid != current.Uid || old.Gid != current.Gid
        || old.DeviceMajor != current.DeviceMajor || old.DeviceMinor != current.DeviceMinor
        || (old.Type != UnixFileType.Directory && (!SameFileSystemTime(old.ModifiedTime, current.ModifiedTime) || old.Size != current.Size))
        || !(old.SecurityCapability ?? []).AsSpan().SequenceEqual(current.SecurityCapability ?? []);
}
