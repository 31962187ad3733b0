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
    /// which never existed; here the marker becomes <c>D</c> for each entry of the lower layers' directory that the top
    /// branch does not have itself. Lower branches are examined with <c>lstat</c> semantics, never following links.
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

        void WalkDirectory(string directory)
        {
            var hostDirectory = ImagePath.InBranch(top, directory);
            var names = DirectoryListing.Read(FileSystem, Metadata, hostDirectory).Select(e => e.Name).ToArray();
            Array.Sort(names, Utf8Ordinal.Instance);
            foreach (var name in names)
            {
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
                    if (lower is not null && lower.TryGetEntry(directory, followSymbolicLinks: false, out var below) && below.IsDirectory)
                    {
                        foreach (var hidden in lower.ListDirectory(directory))
                        {
                            if (!ExistsInBranch(ImagePath.InBranch(top, hidden.Path)))
                            {
                                Record(ChangeKind.Delete, hidden.Path, isDirectory: false);
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

                var isDirectory = status.Type == UnixFileType.Directory;
                var kind = ChangeKind.Add;
                var unchanged = false;
                for (var b = 1; b < _branches.Length; b++)
                {
                    if (FindInBranch(b, path) is { } existing)
                    {
                        unchanged = isDirectory && existing.Type == UnixFileType.Directory && existing.Size == status.Size
                            && existing.Mode == status.Mode && SameFileSystemTime(existing.ModifiedTime, status.ModifiedTime);
                        kind = ChangeKind.Modify;
                        break;
                    }
                }

                if (!unchanged)
                {
                    Record(kind, path, isDirectory);
                }

                if (isDirectory)
                {
                    WalkDirectory(path);
                }
            }
        }

        WalkDirectory(string.Empty);
        return changes;
    }

    /// <summary>
    /// <c>lstat</c> of a path as stored in one branch, descending only through real directories of that branch
    /// (Docker's <c>os.Stat</c> would follow links; a link in a lower layer must not lead to the host).
    /// </summary>
    private UnixFileStatus? FindInBranch(int branch, string path)
    {
        var current = _branches[branch].Path;
        var parts = path.Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            current = current + "/" + parts[i];
            if (!Metadata.TryGetStatus(current, out var status))
            {
                return null;
            }

            if (i == parts.Length - 1)
            {
                return status;
            }

            if (status.Type != UnixFileType.Directory)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>Docker's <c>sameFsTime</c>: equal, or the same second when either side has no sub-second part (tar loses it).</summary>
    private static bool SameFileSystemTime(DateTimeOffset a, DateTimeOffset b) =>
        a == b || (a.ToUnixTimeSeconds() == b.ToUnixTimeSeconds() && (a.UtcTicks % TimeSpan.TicksPerSecond == 0 || b.UtcTicks % TimeSpan.TicksPerSecond == 0));
}
