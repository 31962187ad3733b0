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
        // Iterative, so a deep tree costs heap rather than call stack. A directory's own "C" line comes before its content
        // but is only known after it: a slot is kept for it and filled (or left empty and dropped) when the directory is
        // done, instead of inserting into the middle of the list, which would cost the whole list's length per directory.
        var slots = new List<FileChange?>();
        var real = 0;
        var pending = new Stack<NaiveFrame>();
        pending.Push(OpenNaiveFrame(top, parent, string.Empty, parent is null ? null : string.Empty, added: false, slot: -1, real));
        while (pending.Count > 0)
        {
            var frame = pending.Peek();
            if (frame.Next == frame.All.Length)
            {
                pending.Pop();
                if (frame.Slot >= 0 && real > frame.RealAtStart && !frame.Added)
                {
                    slots[frame.Slot] = new FileChange(ChangeKind.Modify, ImagePath.Display(frame.Directory));
                    real++;
                }

                continue;
            }

            var name = frame.All[frame.Next++];
            var path = ImagePath.Combine(frame.Directory, name);
            if (!frame.NewNames.Contains(name))
            {
                slots.Add(new FileChange(ChangeKind.Delete, ImagePath.Display(path)));
                real++;
                continue;
            }

            if (!Metadata.TryGetStatus(ImagePath.InBranch(top, path), out var status))
            {
                continue; // vanished while listed
            }

            UnixFileStatus? old = null;
            if (frame.OldNames.Contains(name))
            {
                Metadata.TryGetStatus(ImagePath.InBranch(parent!, path), out old);
            }

            var childAdded = old is null;
            if (childAdded)
            {
                slots.Add(new FileChange(ChangeKind.Add, ImagePath.Display(path)));
                real++;
            }
            else if (StatDifferent(old!, status))
            {
                slots.Add(new FileChange(ChangeKind.Modify, ImagePath.Display(path)));
                real++;
                childAdded = true;
            }

            if (status.Type == UnixFileType.Directory)
            {
                // Below a path that was not a directory before, nothing of the old tree is compared.
                slots.Add(null);
                pending.Push(OpenNaiveFrame(top, parent, path, old?.Type == UnixFileType.Directory ? path : null, childAdded, slots.Count - 1, real));
            }
        }

        var changes = new List<FileChange>(real);
        foreach (var change in slots)
        {
            if (change is not null)
            {
                changes.Add(change);
            }
        }

        return changes;
    }

    private NaiveFrame OpenNaiveFrame(string top, string? parent, string directory, string? oldDirectory, bool added, int slot, int real)
    {
        var newNames = Names(ImagePath.InBranch(top, directory));
        var oldNames = oldDirectory is null || parent is null ? [] : Names(ImagePath.InBranch(parent, oldDirectory));
        var all = new SortedSet<string>(newNames, Utf8Ordinal.Instance);
        all.UnionWith(oldNames);
        return new NaiveFrame(directory, [.. all], newNames, oldNames, added, slot, real);

        HashSet<string> Names(string hostDirectory) =>
            new(DirectoryListing.Read(FileSystem, Metadata, hostDirectory).Select(e => e.Name), StringComparer.Ordinal);
    }

    /// <summary>
    /// The changes of this whole view against its parent layer's view, by the same rules as <see cref="NaiveChanges"/>: what
    /// Docker's naive <c>Changes(id, parent)</c> computes for a driver whose layers it mounts, here overlay (v1)'s container
    /// layers, whose <c>upper/</c> holds copies of the init layer's files (moby v17.03.0-ce
    /// <c>daemon/graphdriver/overlay/overlay.go</c> <c>Create</c>, <c>daemon/graphdriver/fsdiff.go</c> <c>Changes</c>). Both
    /// views are merged one directory at a time, never resolved from the top.
    /// </summary>
    private List<FileChange> NaiveViewChanges(UnionView parent)
    {
        var slots = new List<FileChange?>();
        var real = 0;
        var pending = new Stack<ViewFrame>();
        pending.Push(OpenViewFrame(parent, string.Empty, _root.Run!, parent._root.Run, added: false, slot: -1, real));
        while (pending.Count > 0)
        {
            var frame = pending.Peek();
            if (frame.Next == frame.All.Length)
            {
                pending.Pop();
                if (frame.Slot >= 0 && real > frame.RealAtStart && !frame.Added)
                {
                    slots[frame.Slot] = new FileChange(ChangeKind.Modify, ImagePath.Display(frame.Directory));
                    real++;
                }

                continue;
            }

            var name = frame.All[frame.Next++];
            var path = ImagePath.Combine(frame.Directory, name);
            if (!frame.New.TryGetValue(name, out var current))
            {
                slots.Add(new FileChange(ChangeKind.Delete, ImagePath.Display(path)));
                real++;
                continue;
            }

            frame.Old.TryGetValue(name, out var old);
            var childAdded = old.Entry is null;
            if (childAdded)
            {
                slots.Add(new FileChange(ChangeKind.Add, ImagePath.Display(path)));
                real++;
            }
            else if (!SameInode(old.Entry!, current.Entry) && StatDifferent(old.Entry!.Status, current.Entry.Status))
            {
                slots.Add(new FileChange(ChangeKind.Modify, ImagePath.Display(path)));
                real++;
                childAdded = true;
            }

            if (current.Run is not null)
            {
                slots.Add(null);
                pending.Push(OpenViewFrame(parent, path, current.Run, old.Run, childAdded, slots.Count - 1, real));
            }
        }

        var changes = new List<FileChange>(real);
        foreach (var change in slots)
        {
            if (change is not null)
            {
                changes.Add(change);
            }
        }

        return changes;
    }

    /// <summary>The same file in both views (one branch entry seen twice, or a hard link): unchanged without comparing anything.</summary>
    private static bool SameInode(UnionEntry old, UnionEntry current) =>
        !current.IsDirectory && !old.IsDirectory && old.Status.Inode != 0 && old.Status.Device == current.Status.Device && old.Status.Inode == current.Status.Inode;

    private ViewFrame OpenViewFrame(UnionView parent, string directory, int[] run, int[]? oldRun, bool added, int slot, int real)
    {
        var current = Merge(directory, run).ToDictionary(c => c.Entry.Name, StringComparer.Ordinal);
        var old = oldRun is null ? [] : parent.Merge(directory, oldRun).ToDictionary(c => c.Entry.Name, StringComparer.Ordinal);
        var all = new SortedSet<string>(current.Keys, Utf8Ordinal.Instance);
        all.UnionWith(old.Keys);
        return new ViewFrame(directory, [.. all], current, old, added, slot, real);
    }

    /// <summary>A directory being compared by <see cref="NaiveViewChanges"/>: its merged entries in both views, and where its own line goes.</summary>
    private sealed record ViewFrame(string Directory, string[] All, Dictionary<string, Child> New, Dictionary<string, Child> Old, bool Added, int Slot, int RealAtStart)
    {
        public int Next { get; set; }
    }

    /// <summary>A directory being compared by <see cref="NaiveChanges"/>: its names in both trees, and where its own line goes.</summary>
    private sealed record NaiveFrame(string Directory, string[] All, HashSet<string> NewNames, HashSet<string> OldNames, bool Added, int Slot, int RealAtStart)
    {
        public int Next { get; set; }
    }

    /// <summary>Docker's <c>statDifferent</c> plus its comparison of <c>security.capability</c>.</summary>
    private static bool StatDifferent(UnixFileStatus old, UnixFileStatus current) =>
        old.Mode != current.Mode || old.Uid != current.Uid || old.Gid != current.Gid
        || old.DeviceMajor != current.DeviceMajor || old.DeviceMinor != current.DeviceMinor
        || (old.Type != UnixFileType.Directory && (!SameFileSystemTime(old.ModifiedTime, current.ModifiedTime) || old.Size != current.Size))
        || !(old.SecurityCapability ?? []).AsSpan().SequenceEqual(current.SecurityCapability ?? []);
}
