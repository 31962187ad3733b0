using Docker.Aufs.IO;

namespace Docker.Aufs.Union;

/// <summary>
/// One entry of a merged view (<see cref="UnionView"/>): a path inside the image and what <c>lstat</c> says about the
/// branch entry that is visible there (the topmost one; for a directory, the topmost branch that has it as a directory).
/// </summary>
/// <remarks>
/// A listing knows each entry's name, branch and whether it is a directory from the directory listings alone; the rest
/// (type, mode, owner, size, time, link target, identity) is read with one <c>lstat</c> the first time any of it is asked
/// for, then kept: the entry never changes afterwards. Reading it raises <see cref="IOException"/> (a
/// <see cref="FileNotFoundException"/> if the branch entry vanished since the listing).
/// </remarks>
/// <threadsafety static="true" instance="true"/>
public sealed class UnionEntry
{
    private readonly IUnixMetadataProvider _metadata;
    private UnixFileStatus? _status;

    internal UnionEntry(string path, string layerId, string sourcePath, bool isDirectory, UnixFileStatus? status, IUnixMetadataProvider metadata)
    {
        Path = path;
        LayerId = layerId;
        SourcePath = sourcePath;
        IsDirectory = isDirectory;
        _status = status;
        _metadata = metadata;
    }

    /// <summary>Gets the path inside the image, relative to its root, with <c>/</c> separators and no leading slash; empty for the root.</summary>
    public string Path { get; }

    /// <summary>Gets the entry's name: the last component of <see cref="Path"/> (empty for the root).</summary>
    public string Name => ImagePath.NameOf(Path);

    /// <summary>Gets the ID of the layer (AUFS branch) the entry comes from.</summary>
    public string LayerId { get; }

    /// <summary>Gets the full path of the entry in its branch on the host file system (<c>…/aufs/diff/&lt;id&gt;/…</c>).</summary>
    public string SourcePath { get; }

    /// <summary>Gets whether the entry is a directory (known without reading its metadata).</summary>
    public bool IsDirectory { get; }

    /// <summary>Gets the entry's type. Symbolic links are entries of their own; nothing in a listing follows them.</summary>
    /// <exception cref="IOException">The entry's metadata cannot be read.</exception>
    public UnixFileType Type => IsDirectory ? UnixFileType.Directory : Status.Type;

    /// <summary>Gets the permission bits including set-user-ID, set-group-ID and sticky (<c>st_mode &amp; 07777</c>).</summary>
    /// <exception cref="IOException">The entry's metadata cannot be read.</exception>
    public int Permissions => Status.Permissions & 0xFFF;

    /// <summary>Gets the owner's user ID.</summary>
    /// <exception cref="IOException">The entry's metadata cannot be read.</exception>
    public int Uid => Status.Uid;

    /// <summary>Gets the owner's group ID.</summary>
    /// <exception cref="IOException">The entry's metadata cannot be read.</exception>
    public int Gid => Status.Gid;

    /// <summary>Gets the size in bytes: a regular file's length, a symbolic link's target length, 0 for every other type (directories included).</summary>
    /// <exception cref="IOException">The entry's metadata cannot be read.</exception>
    public long Size => Type is UnixFileType.RegularFile or UnixFileType.SymbolicLink ? Status.Size : 0;

    /// <summary>Gets the modification time.</summary>
    /// <exception cref="IOException">The entry's metadata cannot be read.</exception>
    public DateTimeOffset ModifiedTime => Status.ModifiedTime;

    /// <summary>Gets the nanoseconds of <see cref="ModifiedTime"/>'s second as the branch's file system stores them (0–999 999 999; <see cref="UnixFileStatus.ModifiedTimeNanosecond"/>).</summary>
    /// <exception cref="IOException">The entry's metadata cannot be read.</exception>
    public int ModifiedTimeNanosecond => Status.ModifiedTimeNanosecond;

    /// <summary>Gets a symbolic link's target exactly as stored (never resolved), or <see langword="null"/> for other types.</summary>
    /// <exception cref="IOException">The entry's metadata cannot be read.</exception>
    public string? LinkTarget => Type == UnixFileType.SymbolicLink ? Status.LinkTarget : null;

    /// <summary>Gets the major device number of a character or block device, 0 for other types.</summary>
    /// <exception cref="IOException">The entry's metadata cannot be read.</exception>
    public uint DeviceMajor => Type is UnixFileType.CharacterDevice or UnixFileType.BlockDevice ? Status.DeviceMajor : 0;

    /// <summary>Gets the minor device number of a character or block device, 0 for other types.</summary>
    /// <exception cref="IOException">The entry's metadata cannot be read.</exception>
    public uint DeviceMinor => Type is UnixFileType.CharacterDevice or UnixFileType.BlockDevice ? Status.DeviceMinor : 0;

    /// <summary>Gets the number of hardlinks to the entry's inode in its branch (hidden names such as whiteouts included).</summary>
    /// <exception cref="IOException">The entry's metadata cannot be read.</exception>
    public uint LinkCount => Status.LinkCount;

    /// <summary>Gets the identity of the file on disk: entries with equal identities are hardlinks of one file.</summary>
    /// <exception cref="IOException">The entry's metadata cannot be read.</exception>
    public FileIdentity Identity => new(Status.Device, Status.Inode);

    /// <summary>Gets the type and permission bits combined as <c>st_mode</c>.</summary>
    /// <exception cref="IOException">The entry's metadata cannot be read.</exception>
    public int Mode => UnixModes.TypeBits(Type) | Permissions;

    /// <summary>Gets what <c>lstat</c> says about the branch entry (read on first use).</summary>
    internal UnixFileStatus Status => _status ?? Load();

    /// <summary>Returns whether this entry and <paramref name="other"/> are hardlinks of the same regular file.</summary>
    /// <param name="other">Another entry of the same view.</param>
    /// <returns><see langword="true"/> when both are regular files with the same <see cref="Identity"/>.</returns>
    /// <exception cref="IOException">The entries' metadata cannot be read.</exception>
    public bool IsHardlinkOf(UnionEntry other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Type == UnixFileType.RegularFile && other.Type == UnixFileType.RegularFile && Identity == other.Identity;
    }

    /// <summary>Returns the path with a leading slash.</summary>
    /// <returns>The path inside the image, e.g. <c>/etc/passwd</c>.</returns>
    public override string ToString() => "/" + Path;

    private UnixFileStatus Load()
    {
        if (!_metadata.TryGetStatus(SourcePath, out var status))
        {
            throw new FileNotFoundException($"/{Path}: its branch entry {SourcePath} vanished since the directory was listed", SourcePath);
        }

        return Interlocked.CompareExchange(ref _status, status, null) ?? status;
    }
}

/// <summary>The identity of a file on disk: device and inode, as <c>lstat</c> reports them.</summary>
/// <param name="Device">The ID of the device holding the file.</param>
/// <param name="Inode">The inode number.</param>
/// <threadsafety static="true" instance="true"/>
public readonly record struct FileIdentity(ulong Device, ulong Inode);

/// <summary>One branch of a merged view: a layer's own files (for AUFS, <c>aufs/diff/&lt;id&gt;</c>).</summary>
/// <param name="LayerId">The layer's ID.</param>
/// <param name="Path">The full path of the branch directory on the host file system.</param>
internal sealed record UnionBranch(string LayerId, string Path);
