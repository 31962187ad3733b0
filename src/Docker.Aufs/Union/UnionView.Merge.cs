using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Logging;

namespace Docker.Aufs.Union;

/// <summary>Merging a directory from the branches that have it, and walking the merged tree.</summary>
public sealed partial class UnionView
{
    /// <summary>
    /// Merges one directory from the branches that have it as a directory (top first). Opaque markers met on the way stop
    /// the merge after their branch, so a run computed by the parent's merge need not be cut in advance.
    /// </summary>
    internal List<Child> Merge(string directory, int[] run)
    {
        var slots = new Dictionary<string, Slot>(StringComparer.Ordinal);
        HashSet<string>? hidden = null;
        var names = new List<DirectoryName>();
        foreach (var b in run)
        {
            var hostDirectory = ImagePath.InBranch(_branches[b].Path, directory);
            names.Clear();
            var opaque = false;

            // One listing per branch directory gives the names and, where the kernel says it (d_type), which of them are
            // directories; only the others need an lstat now. Whiteouts need none.
            foreach (var listed in ReadBranchDirectory(b, directory, hostDirectory))
            {
                var name = listed.Name;
                if (!name.StartsWith(ImagePath.WhiteoutPrefix, StringComparison.Ordinal))
                {
                    names.Add(listed);
                }
                else if (name == ImagePath.OpaqueMarker)
                {
                    opaque = true;
                }
                else if (!name.StartsWith(ImagePath.MetaPrefix, StringComparison.Ordinal))
                {
                    // A whiteout hides the name in its own branch and every lower one.
                    (hidden ??= new HashSet<string>(StringComparer.Ordinal)).Add(name[ImagePath.WhiteoutPrefix.Length..]);
                }
            }

            foreach (var (name, listedAsDirectory, _) in names)
            {
                if (hidden is not null && hidden.Contains(name))
                {
                    continue;
                }

                var source = hostDirectory + "/" + name;
                if (slots.TryGetValue(name, out var slot))
                {
                    // Only a directory merges with what lies below it; another type below it is ignored.
                    if (slot.Run is not null && (listedAsDirectory ?? (TryStat(source, out var lower) && lower.Type == UnixFileType.Directory)))
                    {
                        slot.Run.Add(b);
                    }

                    continue;
                }

                UnixFileStatus? status = null;
                if ((listedAsDirectory is null || name.Contains('\uFFFD', StringComparison.Ordinal)) && !TryStat(source, out status))
                {
                    continue; // vanished, or a name that is not valid UTF-8 (logged)
                }

                var isDirectory = listedAsDirectory ?? status!.Type == UnixFileType.Directory;
                var entry = new UnionEntry(ImagePath.Combine(directory, name), _branches[b].LayerId, source, isDirectory, status, Metadata);
                slots.Add(name, new Slot(entry, isDirectory ? [b] : null));
            }

            if (opaque)
            {
                break;
            }
        }

        var ordered = slots.Keys.ToArray();
        Array.Sort(ordered, Utf8Ordinal.Instance);
        var children = new List<Child>(ordered.Length);
        foreach (var name in ordered)
        {
            var slot = slots[name];
            children.Add(new Child(slot.Entry, slot.Run?.ToArray()));
        }

        return children;
    }

    /// <summary>A branch directory's names, with what the listing says of their types.</summary>
    private IEnumerable<DirectoryName> ReadDirectory(string hostDirectory) => DirectoryListing.Read(FileSystem, Metadata, hostDirectory);

    /// <summary>
    /// A branch directory's names. On a real disk a directory below the branch's own is opened relative to a handle of the
    /// branch directory, following no symbolic link on the way or at the end (<c>openat2</c> with
    /// <c>RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH</c>, else one name at a time with <c>O_NOFOLLOW</c>), as file content is
    /// (<see cref="LayerFileOpener"/>): a directory swapped for a link after its parent was listed is refused, never listed
    /// through the link (docs/hostile-input.md, "Files swapped between listing and opening").
    /// </summary>
    private IEnumerable<DirectoryName> ReadBranchDirectory(int branch, string directory, string hostDirectory)
    {
        if (directory.Length == 0 || Metadata is not LinuxMetadataProvider || !OperatingSystem.IsLinux() || BranchHandle(branch) is not { } root)
        {
            return ReadDirectory(hostDirectory);
        }

        var descriptor = LinuxNative.OpenBeneath(root, directory.TrimStart('/'), out var errno);
        if (descriptor < 0)
        {
            throw errno switch
            {
                2 => new DirectoryNotFoundException($"opendir({hostDirectory}) failed: no such directory"),
                LinuxNative.ErrnoAccess => new UnauthorizedAccessException($"opendir({hostDirectory}) failed: permission denied"),
                LinuxNative.ErrnoLoop or LinuxNative.ErrnoNotDirectory or 18 /* EXDEV */ => new UnsafePathException(hostDirectory, ImagePath.Display(directory),
                    "a symbolic link (or something else that is not a directory) is now at its place or on the way to it: the layer changed after it was listed, and a directory is never listed through a link"),
                _ => LinuxNative.Failure("openat", hostDirectory, errno),
            };
        }

        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(descriptor, ownsHandle: true);
        return LinuxNative.ListDirectoryQuietly(handle, hostDirectory);
    }

    /// <summary>A handle of a branch's own directory (opened once per view, not through a link), or <see langword="null"/> when it cannot be opened (the listing by path then says why).</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private Microsoft.Win32.SafeHandles.SafeFileHandle? BranchHandle(int branch)
    {
        var handles = _branchHandles ??= new Microsoft.Win32.SafeHandles.SafeFileHandle?[_branches.Length];
        if (handles[branch] is { IsInvalid: false, IsClosed: false } held)
        {
            return held;
        }

        var opened = LinuxNative.TryOpenDirectoryNoFollow(_branches[branch].Path, out _);
        if (opened is not null && Interlocked.CompareExchange(ref handles[branch], opened, null) is { } other)
        {
            opened.Dispose();
            return other;
        }

        return opened;
    }

    private IEnumerable<UnionEntry> Walk(Located start)
    {
        var stack = new Stack<Frame>();
        stack.Push(new Frame(Merge(start.Entry.Path, start.Run!)));
        while (stack.Count > 0)
        {
            var frame = stack.Peek();
            if (frame.Next == frame.Children.Count)
            {
                stack.Pop();
                continue;
            }

            var child = frame.Children[frame.Next];
            frame.Children[frame.Next++] = default; // let the entry go once it is handed out
            yield return child.Entry;
            if (child.Run is not null && TryMergeBelow(child.Entry.Path, child.Run) is { } children)
            {
                stack.Push(new Frame(children));
            }
        }
    }

    /// <summary>
    /// Merges a directory below the start of a walk; one this process may not read is left out with a warning (event 1101,
    /// <see cref="SkipUnreadable"/>) and the walk goes on (docs/hostile-input.md, "Partly readable roots").
    /// </summary>
    private List<Child>? TryMergeBelow(string directory, int[] run)
    {
        try
        {
            return Merge(directory, run);
        }
        catch (Exception e) when (SkipUnreadable(directory, run[0], e))
        {
            return null;
        }
    }

    /// <summary>
    /// Whether <paramref name="e"/> is the operating system refusing to read the image directory <paramref name="directory"/>
    /// (in branch <paramref name="branch"/> or one below it); if so, logs it once as a warning naming the refused host
    /// directory (relative to the Docker root), its mode and owner, and what the walk leaves out. Anything else is not
    /// skipped.
    /// </summary>
    private bool SkipUnreadable(string directory, int branch, Exception e)
    {
        if (!AccessProblems.IsDenied(e))
        {
            return false;
        }

        var host = ImagePath.InBranch(_branches[branch].Path, directory);
        var denied = AccessProblems.Describe(Metadata, DockerRootOf(_branches[branch].Path), host, e);
        Log.Unreadable(_logger, denied.Message, $"{ImagePath.Display(directory)} is left out with everything in it");
        return true;
    }

    /// <summary>
    /// The Docker root a branch directory lies in, to show refused paths relative to it: three levels up from every
    /// driver's layer directory (<c>aufs/diff/&lt;id&gt;</c>, <c>overlay2/&lt;id&gt;/diff</c>, <c>vfs/dir/&lt;id&gt;</c>,
    /// <c>volumes/&lt;name&gt;/_data</c>); <c>/</c> for a shallower one.
    /// </summary>
    private static string DockerRootOf(string branchPath)
    {
        var end = branchPath.Length;
        for (var level = 0; level < 3; level++)
        {
            end = end > 0 ? branchPath.LastIndexOf('/', end - 1) : -1;
            if (end <= 0)
            {
                return "/";
            }
        }

        return branchPath[..end];
    }

    /// <summary>The branch directories' handles, opened as listings below them need them (their descriptors close with the view's collection).</summary>
    private Microsoft.Win32.SafeHandles.SafeFileHandle?[]? _branchHandles;

    internal readonly record struct Child(UnionEntry Entry, int[]? Run);

    private sealed record Slot(UnionEntry Entry, List<int>? Run);

    private sealed class Frame(List<Child> children)
    {
        public List<Child> Children { get; } = children;

        public int Next { get; set; }
    }
}
