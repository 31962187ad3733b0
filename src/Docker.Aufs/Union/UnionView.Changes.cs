using Docker.Aufs.Formats;
using Docker.Aufs.IO;

namespace Docker.Aufs.Union;

/// <summary>The kind of a change in <c>docker diff</c> (Docker's <c>archive.ChangeType</c>, same numbering).</summary>
public enum ChangeKind
{
    /// <summary><c>C</c>: the path existed below and was modified (or is the parent of an added or deleted path).</summary>
    Modify,

    /// <summary><c>A</c>: the path was added.</summary>
    Add,

    /// <summary><c>D</c>: the path was deleted.</summary>
    Delete,
}

/// <summary>One line of <c>docker diff</c>: a kind and an absolute path inside the image.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Path">The path inside the image, with a leading slash.</param>
/// <threadsafety static="true" instance="true"/>
public sealed record FileChange(ChangeKind Kind, string Path)
{
    /// <summary>Gets the letter <c>docker diff</c> prints: <c>A</c>, <c>C</c> or <c>D</c>.</summary>
    public string Letter => Kind switch
    {
        ChangeKind.Add => "A",
        ChangeKind.Delete => "D",
        _ => "C",
    };

    /// <summary>Returns the line as <c>docker diff</c> prints it, e.g. <c>A /data/dump.rdb</c>.</summary>
    /// <returns>The letter, a space and the path.</returns>
    public override string ToString() => Letter + " " + Path;
}

public sealed partial class UnionView
{
    /// <summary>
    /// Returns the changes of the top branch against the branches below it, as Docker 1.9's AUFS driver reports them for
    /// <c>docker diff</c> (moby v1.9.1 <c>aufs.Changes</c> → <c>archive.Changes</c>). For a container view that is the
    /// container's read-write layer against its init layer and image.
    /// </summary>
    /// <remarks>
    /// The top branch is walked in code point order, each directory before its content. Top-level <c>.wh..wh.*</c>
    /// bookkeeping is skipped with everything below it. A whiteout <c>.wh.X</c> is <c>D X</c>. Any other path is <c>A</c>,
    /// unless it exists in a lower branch directory as stored (whiteouts of lower layers do not matter, as in Docker): then
    /// it is <c>C</c>, except a directory whose size, mode and modification time equal the first lower one's, which is not
    /// reported. The parent of an added or deleted path is reported as <c>C</c> once, before it, unless it already was.
    /// One deliberate difference: Docker reports a nested opaque marker as the deletion of a file named <c>.wh..opq</c>,
    /// which never existed; here the marker becomes <c>D</c> for each entry of the lower layers' merged directory that the
    /// top branch does not have itself. Lower branches are examined with <c>lstat</c> semantics, never following links.
    /// <para>
    /// The walk is linear in the size of the tree: each directory carries down which lower branches hold it as a real
    /// directory (and, once an opaque marker asks for it, its merged lower entry), so every entry costs one <c>lstat</c> per
    /// lower branch that can hold it, never a walk from the top of each branch (docs/hostile-input.md, "Work proportional
    /// to depth").
    /// </para>
    /// </remarks>
    /// <returns>The changes, in Docker's order.</returns>
    /// <exception cref="IOException">A branch cannot be read.</exception>
    public IReadOnlyList<FileChange> GetChanges()
    {
        var changes = new List<FileChange>();
        if (_branches.Length == 0)
        {
            return changes; // a view without layers changes nothing
        }

        if (_wholeTree is { } wholeTree)
        {
            return NaiveChanges(_branches[0].Path, wholeTree.Path);
        }

        if (_naiveParent is { } naiveParent)
        {
            return NaiveViewChanges(naiveParent);
        }

        var changedDirectories = new HashSet<string>(StringComparer.Ordinal);
        UnionView? lower = null;
        var top = _branches[0].Path;

        void Record(ChangeKind kind, string path, bool isDirectory)
        {
            if (isDirectory)
            {
                changedDirectories.Add(path);
            }

            if (kind is ChangeKind.Add or ChangeKind.Delete)
            {
                var parent = ImagePath.Parent(path);
                if (parent.Length > 0 && changedDirectories.Add(parent))
                {
                    changes.Add(new FileChange(ChangeKind.Modify, ImagePath.Display(parent)));
                }
            }

            changes.Add(new FileChange(kind, ImagePath.Display(path)));
        }

        // An explicit stack, so a deep tree costs heap, not call stack; a directory's frame is pushed right after its own
        // entry is handled, so its content comes before its next sibling, as in a recursive walk.
        var pending = new Stack<ChangeFrame>();
        pending.Push(OpenFrame(top, string.Empty, [.. Enumerable.Range(1, _branches.Length - 1)], parent: null));
        while (pending.Count > 0)
        {
            var frame = pending.Peek();
            if (frame.Next == frame.Names.Length)
            {
                pending.Pop();
                continue;
            }

            var directory = frame.Directory;
            var name = frame.Names[frame.Next++];
            var path = ImagePath.Combine(directory, name);
            if (directory.Length == 0 && name.StartsWith(ImagePath.MetaPrefix, StringComparison.Ordinal) && name != ImagePath.OpaqueMarker)
            {
                continue; // .wh..wh.aufs, .wh..wh.plnk/, .wh..wh.orph/: AUFS bookkeeping, skipped with their content
            }

            if (!TryStat(ImagePath.InBranch(top, path), out var status))
            {
                continue;
            }

            if (name == ImagePath.OpaqueMarker)
            {
                lower ??= _branches.Length > 1 ? new UnionView(FileSystem, Metadata, _branches[1..], _logger, Facts) : null;
                if (lower is not null && LowerOf(lower, frame) is { Run: not null } below)
                {
                    foreach (var hidden in lower.Merge(below.Entry.Path, below.Run))
                    {
                        if (!ExistsInBranch(ImagePath.InBranch(top, hidden.Entry.Path)))
                        {
                            Record(ChangeKind.Delete, hidden.Entry.Path, isDirectory: false);
                        }
                    }
                }

                continue;
            }

            if (name.StartsWith(ImagePath.WhiteoutPrefix, StringComparison.Ordinal))
            {
                Record(ChangeKind.Delete, ImagePath.Combine(directory, name[ImagePath.WhiteoutPrefix.Length..]), isDirectory: false);
                continue;
            }

            // The first lower branch that has the path as stored decides A or C; the lower branches where it is a real
            // directory are where its own entries can exist below.
            var isDirectory = status.Type == UnixFileType.Directory;
            var kind = ChangeKind.Add;
            var unchanged = false;
            List<int>? lowerDirectories = isDirectory ? [] : null;
            foreach (var b in frame.Lower)
            {
                if (!Metadata.TryGetStatus(ImagePath.InBranch(_branches[b].Path, path), out var existing))
                {
                    continue;
                }

                if (kind == ChangeKind.Add)
                {
                    unchanged = isDirectory && existing.Type == UnixFileType.Directory && existing.Size == status.Size
                        && existing.Mode == status.Mode && SameFileSystemTime(existing.ModifiedTime, status.ModifiedTime);
                    kind = ChangeKind.Modify;
                }

                if (lowerDirectories is null)
                {
                    break; // not a directory: nothing is looked up below it
                }

                if (existing.Type == UnixFileType.Directory)
                {
                    lowerDirectories.Add(b);
                }
            }

            if (!unchanged)
            {
                Record(kind, path, isDirectory);
            }

            if (isDirectory && TryOpenFrameBelow(top, path, [.. lowerDirectories!], frame, name) is { } content)
            {
                pending.Push(content);
            }
        }

        return changes;
    }

    /// <summary>A directory of the top branch being walked by <see cref="GetChanges"/>: its sorted names and the lower branches where it is a real directory.</summary>
    private ChangeFrame OpenFrame(string top, string directory, int[] lower, ChangeFrame? parent, string name = "")
    {
        var names = DirectoryListing.Read(FileSystem, Metadata, ImagePath.InBranch(top, directory)).Select(e => e.Name).ToArray();
        Array.Sort(names, Utf8Ordinal.Instance);
        return new ChangeFrame(directory, name, names, lower, parent);
    }

    /// <summary>A directory below the top of <see cref="GetChanges"/>'s walk; one this process may not read is left out with a warning, as in listings.</summary>
    private ChangeFrame? TryOpenFrameBelow(string top, string directory, int[] lower, ChangeFrame parent, string name)
    {
        try
        {
            return OpenFrame(top, directory, lower, parent, name);
        }
        catch (Exception e) when (SkipUnreadable(directory, 0, e))
        {
            return null;
        }
    }

    /// <summary>
    /// The merged entry of the lower branches at a walked directory, looked up one name below its parent's (itself computed
    /// the same way, once): no path is resolved from the top. Links are not followed; <see langword="null"/> when the lower
    /// branches do not have the path.
    /// </summary>
    private static Located? LowerOf(UnionView lower, ChangeFrame frame)
    {
        var unresolved = new Stack<ChangeFrame>();
        for (var f = frame; f is not null && !f.LowerKnown; f = f.Parent)
        {
            unresolved.Push(f);
        }

        while (unresolved.TryPop(out var f))
        {
            if (f.Parent is not { } parent)
            {
                f.LowerEntry = lower._root;
            }
            else
            {
                f.LowerEntry = parent.LowerEntry is { Run: not null } above ? lower.LookupChild(above, f.Name, f.Directory) : null;
            }

            f.LowerKnown = true;
        }

        return frame.LowerEntry;
    }

    private sealed class ChangeFrame(string directory, string name, string[] names, int[] lower, ChangeFrame? parent)
    {
        public string Directory { get; } = directory;

        public string Name { get; } = name;

        public string[] Names { get; } = names;

        /// <summary>The lower branches (indices) where the directory is a real directory, as stored.</summary>
        public int[] Lower { get; } = lower;

        public ChangeFrame? Parent { get; } = parent;

        public int Next { get; set; }

        public bool LowerKnown { get; set; }

        public Located? LowerEntry { get; set; }
    }

    /// <summary>Docker's <c>sameFsTime</c>: equal, or the same second when either side has no sub-second part (tar loses it).</summary>
    private static bool SameFileSystemTime(DateTimeOffset a, DateTimeOffset b) =>
        a == b || (a.ToUnixTimeSeconds() == b.ToUnixTimeSeconds() && (a.UtcTicks % TimeSpan.TicksPerSecond == 0 || b.UtcTicks % TimeSpan.TicksPerSecond == 0));
}
