using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.IO.Abstractions;
using Docker.Aufs.IO;
using Docker.Aufs.Logging;
using Microsoft.Extensions.Logging;

namespace Docker.Aufs.Union;

/// <summary>
/// The merged, read-only view of a stack of AUFS branches (top first), computed from the branch directories the way the
/// kernel's AUFS merges them (docs/format/graph-era.md §6, §7), without mounting anything:
/// <list type="bullet">
/// <item><c>.wh.&lt;name&gt;</c> in a branch hides <c>&lt;name&gt;</c> (a file or a whole directory) in that branch and every
/// lower one; <c>.wh..wh..opq</c> in a directory hides the lower branches' content of that directory; no name starting
/// with <c>.wh.</c> is ever shown (so the bookkeeping <c>.wh..wh.aufs</c>, <c>.wh..wh.plnk/</c>, <c>.wh..wh.orph/</c> are not).</item>
/// <item>The topmost entry of a name wins. A directory merges with the directories of the same name below it until a
/// whiteout or an opaque marker; entries of another type below a directory are ignored, as AUFS ignores them.</item>
/// <item>Symbolic links are entries: listings never follow them. Paths given by callers are resolved inside the image:
/// absolute link targets start at the image root, <c>..</c> stops there, more than 40 links end in
/// <see cref="SymbolicLinkLoopException"/>. Nothing is ever resolved against the host.</item>
/// </list>
/// Every branch entry is examined with <c>lstat</c> semantics through <see cref="IUnixMetadataProvider"/>, and a path is
/// only descended in a branch where each of its components is a real directory of that branch, so no host symbolic link
/// is followed. Listings are computed directory by directory; nothing holds the whole tree.
/// <para>
/// Like the kernel's dentry cache, a view remembers the outcome of the name lookups made while resolving callers' paths
/// (found or not; up to 65,536 of them and about 16 MB, then it starts over). Opening a path again costs no <c>lstat</c>
/// for its lookup, and opening another name in a directory already resolved costs only the lookup of that last name
/// (an <c>lstat</c> of it and of its whiteout in each branch of the directory). The view is meant for data at rest: a
/// branch changed on disk after a lookup may not be seen by that view. What a lookup learns about each branch directory
/// (a name's <c>lstat</c>, its whiteout, an opaque marker) is also shared by every view opened from the same root, as
/// the kernel's dentry cache is shared by every mount: the first open of a path on a new view of an image whose layers
/// an earlier view looked into costs no <c>lstat</c> for what was seen (open the root again to see changes).
/// </para>
/// </summary>
/// <threadsafety static="true" instance="true"/>
public sealed partial class UnionView
{
    /// <summary>The number of symbolic links Linux follows while resolving one path (<c>MAXSYMLINKS</c>).</summary>
    public const int MaxSymbolicLinks = 40;

    /// <summary>The number of name lookups a view remembers (found or not); when it is full, it forgets them all and starts over.</summary>
    internal const int LookupCacheCapacity = 65_536;

    /// <summary>
    /// The size the remembered lookups may take, in characters of their paths plus two per branch index: a bound on memory
    /// whatever the paths' lengths and the stack's depth (about 16 MB of strings).
    /// </summary>
    internal const long LookupCacheBudget = 8L * 1024 * 1024;

    private readonly UnionBranch[] _branches;
    private readonly BranchTable[] _tables;
    private readonly ConcurrentDictionary<string, Located?> _lookups = new(StringComparer.Ordinal);
    private long _lookupCount;
    private long _lookupCost;
    private readonly Located _root;
    private readonly ILogger _logger;

    /// <summary>Initializes a view over <paramref name="branches"/>, top first. Each must be a real directory (not a symbolic link).</summary>
    /// <param name="fileSystem">The file system holding the branches.</param>
    /// <param name="metadata">The source of <c>lstat</c> facts.</param>
    /// <param name="branches">The branches, top first.</param>
    /// <param name="logger">Where warnings go.</param>
    /// <param name="facts">What earlier lookups over the same branch directories learned (the driver's, shared by its views), or <see langword="null"/> for the view's own.</param>
    /// <exception cref="BrokenLayerChainException">A branch directory is missing or is not a directory, or one is given twice.</exception>
    /// <param name="wholeTree">
    /// For a driver whose layers are whole file trees (vfs): the one branch is the whole tree, and <see cref="GetChanges"/>
    /// compares it with this parent tree (<see langword="null"/> inside: no parent, everything added).
    /// </param>
    /// <param name="naiveParent">
    /// For a driver whose changes are Docker's naive diff of two mounted views (overlay v1's container layers): the view of
    /// the parent layer, which <see cref="GetChanges"/> compares this whole view with.
    /// </param>
    internal UnionView(IFileSystem fileSystem, IUnixMetadataProvider metadata, IReadOnlyList<UnionBranch> branches, ILogger logger, BranchFacts? facts = null,
        WholeTreeParent? wholeTree = null, UnionView? naiveParent = null)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(branches);
        FileSystem = fileSystem;
        Metadata = metadata;
        _logger = logger;
        _wholeTree = wholeTree;
        _naiveParent = naiveParent;
        Facts = facts ?? new BranchFacts();
        _branches = [.. branches.Select(b => b with { Path = TrimSlash(b.Path) })];
        _tables = [.. _branches.Select(b => Facts.For(b.Path))];

        // A branch given twice: AUFS refuses the mount ("%s duplicated", EINVAL) and overlayfs too (ELOOP), so no view has one.
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < _branches.Length; i++)
        {
            if (!positions.TryAdd(_branches[i].Path, i))
            {
                throw new BrokenLayerChainException(_branches[i].LayerId, _branches[i].Path,
                    $"the chain gives this branch twice (positions {positions[_branches[i].Path] + 1} and {i + 1}, top first); a union mount refuses a duplicated branch");
            }
        }

        UnixFileStatus? top = null;
        var run = new List<int>();
        var opaque = false;
        for (var i = 0; i < _branches.Length; i++)
        {
            var branch = _branches[i];
            var fact = _tables[i].Root(metadata);
            if (fact.Status is not { } status)
            {
                throw new BrokenLayerChainException(branch.LayerId, branch.Path, "its AUFS branch directory is missing");
            }

            if (status.Type != UnixFileType.Directory)
            {
                throw new BrokenLayerChainException(branch.LayerId, branch.Path, $"its AUFS branch is a {Describe(status.Type)}, not a directory");
            }

            top ??= status;
            if (!opaque)
            {
                run.Add(i);
                opaque = fact.Opaque;
            }
        }

        Branches = _branches;

        // No branch: an image without layers (a FROM scratch build that only set metadata), whose file system is an empty directory.
        _root = _branches.Length == 0
            ? new Located(new UnionEntry(string.Empty, string.Empty, string.Empty, true, EmptyRoot, metadata), [])
            : new Located(MakeEntry(string.Empty, top!, 0, _branches[0].Path), [.. run]);
    }

    /// <summary>Gets the file system holding the branches.</summary>
    internal IFileSystem FileSystem { get; }

    /// <summary>Gets the source of <c>lstat</c> facts.</summary>
    internal IUnixMetadataProvider Metadata { get; }

    /// <summary>Gets what lookups learned about the branch directories (shared with the other views of the same driver).</summary>
    internal BranchFacts Facts { get; }

    /// <summary>Gets the branches, top first.</summary>
    internal IReadOnlyList<UnionBranch> Branches { get; }

    /// <summary>Gets the IDs of the driver layers merged, top first.</summary>
    public IReadOnlyList<string> LayerIds => [.. _branches.Select(b => b.LayerId)];

    /// <summary>Gets the root directory of the image (its metadata is the top branch's root directory).</summary>
    public UnionEntry Root => _root.Entry;

    /// <summary>Looks up a path inside the image.</summary>
    /// <param name="path">The path, absolute or relative to the image root (<c>/etc/passwd</c>, <c>etc/passwd</c>).</param>
    /// <param name="followSymbolicLinks">Whether a symbolic link at the end of the path is followed (<c>stat</c>) or returned itself (<c>lstat</c>). Links in the middle of the path are always followed, inside the image.</param>
    /// <param name="entry">The entry, when there is one.</param>
    /// <returns>Whether the path exists in the image.</returns>
    /// <exception cref="SymbolicLinkLoopException">Resolving the path meets more than <see cref="MaxSymbolicLinks"/> links.</exception>
    public bool TryGetEntry(string path, bool followSymbolicLinks, [NotNullWhen(true)] out UnionEntry? entry)
    {
        ArgumentNullException.ThrowIfNull(path);
        var status = Resolve(path, followSymbolicLinks, out var located);
        entry = status == Lookup.Found ? located!.Entry : null;
        return entry is not null;
    }

    /// <summary>Returns the entry at a path inside the image.</summary>
    /// <param name="path">The path, absolute or relative to the image root.</param>
    /// <param name="followSymbolicLinks">Whether a symbolic link at the end of the path is followed.</param>
    /// <returns>The entry; its <see cref="UnionEntry.Path"/> is the canonical path (links in the middle resolved).</returns>
    /// <exception cref="FileNotFoundException">Nothing exists at the path in the image.</exception>
    /// <exception cref="IOException">A component in the middle of the path is not a directory.</exception>
    /// <exception cref="SymbolicLinkLoopException">Resolving the path meets more than <see cref="MaxSymbolicLinks"/> links.</exception>
    public UnionEntry GetEntry(string path, bool followSymbolicLinks = false) => Require(path, followSymbolicLinks).Entry;

    /// <summary>Lists a directory of the image: its merged entries, sorted by name in code point order (the order of Go's <c>filepath.Walk</c>).</summary>
    /// <param name="path">The directory, absolute or relative to the image root; symbolic links on the way (the last one included) are followed inside the image.</param>
    /// <returns>The entries; symbolic links among them are not followed.</returns>
    /// <exception cref="FileNotFoundException">Nothing exists at the path in the image.</exception>
    /// <exception cref="IOException">The path, or a component on the way, is not a directory.</exception>
    /// <exception cref="SymbolicLinkLoopException">Resolving the path meets more than <see cref="MaxSymbolicLinks"/> links.</exception>
    public IReadOnlyList<UnionEntry> ListDirectory(string path)
    {
        var directory = RequireDirectory(path);
        return [.. Merge(directory.Entry.Path, directory.Run!).Select(c => c.Entry)];
    }

    /// <summary>
    /// Lists everything below a directory of the image, depth first, each directory's entries in code point order, every
    /// directory before its content (the order of Docker's tars). Computed lazily, one directory at a time.
    /// </summary>
    /// <param name="path">The directory to start from (default: the image root, which itself is not returned).</param>
    /// <returns>The entries below the directory; symbolic links are returned, never followed.</returns>
    /// <exception cref="FileNotFoundException">Nothing exists at the path in the image.</exception>
    /// <exception cref="IOException">The path, or a component on the way, is not a directory; or a branch directory vanished while being listed.</exception>
    /// <exception cref="SymbolicLinkLoopException">Resolving the path meets more than <see cref="MaxSymbolicLinks"/> links.</exception>
    public IEnumerable<UnionEntry> EnumerateRecursive(string path = "")
    {
        var start = RequireDirectory(path);
        return Walk(start);
    }

    /// <summary>
    /// Opens a regular file of the image for reading. Symbolic links are followed inside the image; the returned stream is
    /// the branch file itself, opened directly, with nothing copied in between.
    /// </summary>
    /// <param name="path">The file, absolute or relative to the image root.</param>
    /// <returns>A read-only stream; dispose it.</returns>
    /// <exception cref="FileNotFoundException">Nothing exists at the path in the image, or a symbolic link on the way dangles.</exception>
    /// <exception cref="UnauthorizedAccessException">The path is a directory.</exception>
    /// <exception cref="IOException">The path is a device, fifo or socket, or a component on the way is not a directory.</exception>
    /// <exception cref="SymbolicLinkLoopException">Resolving the path meets more than <see cref="MaxSymbolicLinks"/> links.</exception>
    public Stream OpenRead(string path)
    {
        var file = Require(path, followSymbolicLinks: true).Entry;
        return OpenEntry(file);
    }

    /// <summary>
    /// Opens the content of an entry of this view (a regular file) directly from its branch. On the real Linux file system
    /// the file is opened relative to its branch directory with no symbolic link followed on the way or at its place, and
    /// must still be the file that was listed (type, device and inode): a file swapped for a link, a fifo or another file
    /// after it was listed is refused, never read through (docs/hostile-input.md, "Files swapped between listing and
    /// opening").
    /// </summary>
    /// <param name="entry">An entry returned by this view.</param>
    /// <returns>A read-only stream; dispose it.</returns>
    /// <exception cref="UnauthorizedAccessException">The entry is a directory.</exception>
    /// <exception cref="IOException">The entry is not a regular file, or its branch file cannot be opened.</exception>
    /// <exception cref="UnsafePathException">A symbolic link is now at the file's place in its branch or on the way to it.</exception>
    /// <exception cref="CorruptFileException">Something other than the listed regular file is at its place now (a fifo, a device, another file).</exception>
    public Stream OpenEntry(UnionEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Type switch
        {
            UnixFileType.RegularFile => OpenBranchFile(null, entry, 4096, FileOptions.SequentialScan),
            UnixFileType.Directory => throw new UnauthorizedAccessException($"{ImagePath.Display(entry.Path)}: is a directory"),
            _ => throw new IOException($"{ImagePath.Display(entry.Path)}: is a {Describe(entry.Type)}, not a regular file"),
        };
    }

    /// <summary>Opens a regular file's content from its branch through <paramref name="opener"/> (<see langword="null"/>: one used once), checked against the entry's listed status.</summary>
    internal FileSystemStream OpenBranchFile(LayerFileOpener? opener, UnionEntry entry, int bufferSize, FileOptions options)
    {
        var (directory, relative) = SplitSource(entry);
        var shown = ImagePath.Display(entry.Path);
        return opener is null
            ? LayerFileOpener.OpenOnce(FileSystem, Metadata, directory, relative, entry.Status, shown, bufferSize, options)
            : opener.Open(directory, relative, entry.Status, shown, bufferSize, options);
    }

    /// <summary>The branch directory an entry's source lies in and its path there (for an entry of another view: its parent directory and name).</summary>
    internal (string Directory, string Relative) SplitSource(UnionEntry entry)
    {
        var source = entry.SourcePath;
        foreach (var branch in _branches)
        {
            if (branch.LayerId == entry.LayerId && source.Length > branch.Path.Length + 1
                && source.StartsWith(branch.Path, StringComparison.Ordinal) && source[branch.Path.Length] == '/')
            {
                return (branch.Path, source[(branch.Path.Length + 1)..]);
            }
        }

        return SplitByParent(source);
    }

    /// <summary>A source path as its parent directory and its name there.</summary>
    internal static (string Directory, string Relative) SplitByParent(string source)
    {
        var slash = source.LastIndexOf('/');
        return slash <= 0 ? ("/", source.TrimStart('/')) : (source[..slash], source[(slash + 1)..]);
    }

    internal static string Describe(UnixFileType type) => type switch
    {
        UnixFileType.RegularFile => "regular file",
        UnixFileType.Directory => "directory",
        UnixFileType.SymbolicLink => "symbolic link",
        UnixFileType.CharacterDevice => "character device",
        UnixFileType.BlockDevice => "block device",
        UnixFileType.Fifo => "fifo",
        _ => "socket",
    };

    /// <summary>Whether <paramref name="path"/> exists in a branch, without following a final symbolic link.</summary>
    internal bool ExistsInBranch(string path) => BranchTable.Exists(Metadata, path);

    private bool TryStat(string source, [NotNullWhen(true)] out UnixFileStatus? status)
    {
        if (Metadata.TryGetStatus(source, out status))
        {
            return true;
        }

        Log.EntryVanished(_logger, source);

        return false;
    }

    private UnionEntry MakeEntry(string path, UnixFileStatus status, int branch, string source) =>
        new(path, _branches[branch].LayerId, source, status.Type == UnixFileType.Directory, status, Metadata);

    /// <summary>For a view of whole trees (vfs), the parent tree its changes are computed against.</summary>
    private readonly WholeTreeParent? _wholeTree;

    /// <summary>For a view whose changes are the naive diff of two views (overlay v1's container layers), the parent's view.</summary>
    private readonly UnionView? _naiveParent;

    /// <summary>The root of a view without branches: an empty directory owned by root, mode 0755.</summary>
    private static readonly UnixFileStatus EmptyRoot = new() { Type = UnixFileType.Directory, Permissions = 0x1ED, LinkCount = 2 };

    private static string Display(string path) => "/" + string.Join('/', ImagePath.Split(path));

    private static string TrimSlash(string path) => path.Length > 1 ? path.TrimEnd('/') : path;
}

/// <summary>The parent tree a whole-tree view (vfs) is compared with for <c>docker diff</c>.</summary>
/// <param name="Path">The parent layer's whole tree, or <see langword="null"/> for a base layer (everything is added).</param>
internal sealed record WholeTreeParent(string? Path);
