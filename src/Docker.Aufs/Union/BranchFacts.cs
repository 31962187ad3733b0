using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Docker.Aufs.IO;

namespace Docker.Aufs.Union;

/// <summary>
/// What name lookups learned about branch directories, shared by every view opened over them — as the kernel's dentry
/// cache is shared by every mount of the same directories. A driver keeps one for its root, so a new view of an image
/// whose layers an earlier view already looked into costs no <c>lstat</c> for the names already seen. Per branch and
/// image path, one <see cref="NameFact"/>: the name's own <c>lstat</c>, whether its whiteout exists beside it, and for a
/// directory whether it holds the opaque marker.
/// <para>
/// Bounded: at most <see cref="Capacity"/> facts over all branches (about 16 MB); past that it forgets them all and starts
/// over. Meant for data at rest, like the views themselves: a branch changed on disk after a lookup may not be seen until
/// the root is opened again. Errors other than "does not exist" are never remembered.
/// </para>
/// </summary>
/// <threadsafety static="true" instance="true"/>
internal sealed class BranchFacts
{
    /// <summary>The number of facts remembered over all branches before the cache starts over.</summary>
    internal const int Capacity = 65_536;

    private readonly ConcurrentDictionary<string, BranchTable> _branches = new(StringComparer.Ordinal);
    private readonly int _capacity;
    private int _count;

    /// <summary>Initializes an empty cache that remembers at most <paramref name="capacity"/> facts.</summary>
    internal BranchFacts(int capacity = Capacity)
    {
        _capacity = capacity;
    }

    /// <summary>Gets the number of facts remembered (approximately, under concurrent use).</summary>
    internal int Count => Volatile.Read(ref _count);

    /// <summary>The facts of one branch directory (its host path, without a trailing slash).</summary>
    public BranchTable For(string branchPath) => _branches.GetOrAdd(branchPath, static (path, owner) => new BranchTable(owner, path), this);

    /// <summary>Counts a new fact; when the cache is full, forgets everything first.</summary>
    internal void Added()
    {
        if (Interlocked.Increment(ref _count) > _capacity)
        {
            // Concurrent adders may slip a few facts past the reset: the bound is approximate by that much.
            foreach (var table in _branches.Values)
            {
                table.Clear();
            }

            Interlocked.Exchange(ref _count, 1);
        }
    }
}

/// <summary>The facts of one branch directory, keyed by image path (<c>""</c> for the branch directory itself).</summary>
internal sealed class BranchTable
{
    private readonly BranchFacts _owner;
    private readonly ConcurrentDictionary<string, NameFact> _facts = new(StringComparer.Ordinal);

    internal BranchTable(BranchFacts owner, string path)
    {
        _owner = owner;
        Path = path;
    }

    /// <summary>Gets the branch directory's host path.</summary>
    public string Path { get; }

    /// <summary>
    /// The facts of the branch directory itself: its <c>lstat</c> (null when missing) and whether it holds the opaque marker.
    /// </summary>
    public NameFact Root(IUnixMetadataProvider metadata)
    {
        if (_facts.TryGetValue(string.Empty, out var fact))
        {
            return fact;
        }

        metadata.TryGetStatus(Path, out var status);
        var opaque = status?.Type == UnixFileType.Directory && Exists(metadata, Path + "/" + ImagePath.OpaqueMarker);
        return Remember(string.Empty, new NameFact(status, WhitedOut: false, opaque));
    }

    /// <summary>
    /// The facts of <paramref name="name"/> in directory <paramref name="directory"/> (image paths) of this branch, as one
    /// AUFS lookup step needs them: whether <c>.wh.&lt;name&gt;</c> exists there (then nothing else is looked at), else the
    /// name's <c>lstat</c> and, for a directory, whether it holds the opaque marker.
    /// </summary>
    /// <param name="metadata">Where <c>lstat</c> facts come from.</param>
    /// <param name="directory">The parent's image path.</param>
    /// <param name="name">The name looked up.</param>
    /// <param name="path">The child's image path (the key).</param>
    public NameFact Child(IUnixMetadataProvider metadata, string directory, string name, string path)
    {
        if (_facts.TryGetValue(path, out var fact))
        {
            return fact;
        }

        var hostDirectory = ImagePath.InBranch(Path, directory);
        if (Exists(metadata, hostDirectory + "/" + ImagePath.WhiteoutPrefix + name))
        {
            return Remember(path, new NameFact(null, WhitedOut: true, Opaque: false));
        }

        var source = hostDirectory + "/" + name;
        if (!TryStatNamed(metadata, source, name, out var status))
        {
            return Remember(path, NameFact.Absent);
        }

        var opaque = status.Type == UnixFileType.Directory && Exists(metadata, source + "/" + ImagePath.OpaqueMarker);
        return Remember(path, new NameFact(status, WhitedOut: false, opaque));
    }

    internal void Clear() => _facts.Clear();

    /// <summary>Whether <paramref name="path"/> exists, without following a final symbolic link; a name too long to exist does not.</summary>
    internal static bool Exists(IUnixMetadataProvider metadata, string path)
    {
        try
        {
            return metadata.TryGetStatus(path, out _);
        }
        catch (IOException) when (NativeName.GetByteCount(ImagePath.NameOf(path)) > 255)
        {
            // ENAMETOOLONG: a whiteout name four bytes longer than a 252+ byte name cannot exist.
            return false;
        }
    }

    /// <summary><c>lstat</c> of a name a caller asked for: a name longer than Linux allows (255 bytes) cannot exist.</summary>
    private static bool TryStatNamed(IUnixMetadataProvider metadata, string source, string name, [NotNullWhen(true)] out UnixFileStatus? status)
    {
        try
        {
            return metadata.TryGetStatus(source, out status);
        }
        catch (IOException) when (NativeName.GetByteCount(name) > 255)
        {
            status = null;
            return false;
        }
    }

    private NameFact Remember(string key, NameFact fact)
    {
        if (_facts.TryAdd(key, fact))
        {
            _owner.Added();
        }

        return fact;
    }
}

/// <summary>One name in one branch directory.</summary>
/// <param name="Status">Its <c>lstat</c>, or <see langword="null"/> when it does not exist (or is whited out).</param>
/// <param name="WhitedOut">Whether its whiteout <c>.wh.&lt;name&gt;</c> exists beside it in this branch.</param>
/// <param name="Opaque">For a directory, whether it holds the opaque marker <c>.wh..wh..opq</c>.</param>
internal sealed record NameFact(UnixFileStatus? Status, bool WhitedOut, bool Opaque)
{
    /// <summary>Neither the name nor its whiteout exists.</summary>
    public static NameFact Absent { get; } = new(null, WhitedOut: false, Opaque: false);
}
