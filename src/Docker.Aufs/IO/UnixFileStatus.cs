namespace Docker.Aufs.IO;

/// <summary>The type of a file system entry, as <c>lstat</c> reports it.</summary>
public enum UnixFileType
{
    /// <summary>A regular file.</summary>
    RegularFile,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A symbolic link (never followed).</summary>
    SymbolicLink,

    /// <summary>A character device.</summary>
    CharacterDevice,

    /// <summary>A block device.</summary>
    BlockDevice,

    /// <summary>A named pipe.</summary>
    Fifo,

    /// <summary>A Unix domain socket.</summary>
    Socket,
}

/// <summary>
/// What <c>lstat(2)</c> tells about one entry: the facts <see cref="System.IO.Abstractions.IFileSystem"/> cannot give
/// (owner, inode, link count, device numbers) beside type, permissions, size and time.
/// </summary>
/// <threadsafety static="true" instance="true"/>
public sealed record UnixFileStatus
{
    /// <summary>Gets the entry's type.</summary>
    public required UnixFileType Type { get; init; }

    /// <summary>Gets the permission bits including set-user-ID, set-group-ID and sticky (<c>st_mode &amp; 07777</c>).</summary>
    public int Permissions { get; init; }

    /// <summary>Gets the owner's user ID (<c>uid_t</c> is unsigned: an ID above <see cref="int.MaxValue"/> reads as negative; cast to <see cref="uint"/>).</summary>
    public int Uid { get; init; }

    /// <summary>Gets the owner's group ID (above <see cref="int.MaxValue"/>: negative, as for <see cref="Uid"/>).</summary>
    public int Gid { get; init; }

    /// <summary>Gets the size in bytes (for a symbolic link: the length of its target).</summary>
    public long Size { get; init; }

    /// <summary>Gets the modification time (to 100 ns, what <see cref="DateTimeOffset"/> holds; <see cref="ModifiedTimeNanosecond"/> has the rest).</summary>
    public DateTimeOffset ModifiedTime { get; init; }

    /// <summary>
    /// Gets the nanoseconds of <see cref="ModifiedTime"/>'s second as the file system stores them (<c>st_mtim.tv_nsec</c>,
    /// 0–999 999 999): the digits <see cref="ModifiedTime"/> cannot hold. When a provider does not set it, it is
    /// <see cref="ModifiedTime"/>'s fraction of a second in nanoseconds.
    /// </summary>
    public int ModifiedTimeNanosecond
    {
        get => _modifiedTimeNanosecond ?? (int)(ModifiedTime.UtcTicks % TimeSpan.TicksPerSecond * 100);
        init => _modifiedTimeNanosecond = value is >= 0 and < 1_000_000_000 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "nanoseconds of a second: 0 to 999999999");
    }

    private readonly int? _modifiedTimeNanosecond;

    /// <summary>Gets the ID of the device holding the entry; with <see cref="Inode"/> it identifies hardlinks.</summary>
    public ulong Device { get; init; }

    /// <summary>Gets the inode number; entries with the same <see cref="Device"/> and inode are hardlinks of one file.</summary>
    public ulong Inode { get; init; }

    /// <summary>Gets the number of hardlinks to the inode.</summary>
    public uint LinkCount { get; init; } = 1;

    /// <summary>Gets the major device number of a character or block device.</summary>
    public uint DeviceMajor { get; init; }

    /// <summary>Gets the minor device number of a character or block device.</summary>
    public uint DeviceMinor { get; init; }

    /// <summary>
    /// Gets a symbolic link's target as stored, or <see langword="null"/> for other types. A byte of the target that is
    /// not part of valid UTF-8 is kept as the lone surrogate U+DC00 plus the byte (U+DC80–U+DCFF, as Python's
    /// <c>surrogateescape</c>), so the exact bytes can be recovered: tars are written from them, as Docker's Go code writes
    /// a target, and the DiffID of a regenerated tar matches.
    /// </summary>
    public string? LinkTarget { get; init; }

    /// <summary>
    /// Gets the raw value of the <c>security.capability</c> extended attribute (file capabilities) of a regular file, or
    /// <see langword="null"/> when it has none or the provider cannot tell. It is the only extended attribute Docker puts
    /// into layer tars. The on-disk provider reads it when it is first asked for (a listing never asks), not with the
    /// <c>lstat</c>.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1819:Properties should not return arrays", Justification = "A raw attribute value; records compare it by reference, which is enough for a snapshot of lstat.")]
    public byte[]? SecurityCapability
    {
        get => _deferredCapability is { } deferred ? deferred.Value : _securityCapability;
        init
        {
            _securityCapability = value;
            _deferredCapability = null;
        }
    }

    private readonly byte[]? _securityCapability;

    /// <summary>
    /// Gets, for a provider that reads <see cref="SecurityCapability"/> only when asked (the on-disk one: reading it for
    /// every entry cost a listing one <c>lgetxattr</c> per file, docs/benchmarks.md #9), how it is read; setting
    /// <see cref="SecurityCapability"/> afterwards (<c>with</c>) replaces it.
    /// </summary>
    internal DeferredAttribute? DeferredCapability
    {
        get => _deferredCapability;
        init => _deferredCapability = value;
    }

    private readonly DeferredAttribute? _deferredCapability;

    /// <summary>Gets the type and permission bits combined as <c>st_mode</c>.</summary>
    public int Mode => UnixModes.TypeBits(Type) | (Permissions & 0xFFF);
}

/// <summary>
/// The seam for what <see cref="System.IO.Abstractions.IFileSystem"/> cannot tell about an entry. Implementations:
/// <see cref="LinuxMetadataProvider"/> (<c>statx</c> on a real Linux file system), <see cref="FileSystemMetadataProvider"/>
/// (derived from <c>IFileSystem</c>: owner 0, synthetic inodes) and <see cref="RecordedMetadataProvider"/> (values recorded
/// by the builder for in-memory fixtures).
/// </summary>
public interface IUnixMetadataProvider
{
    /// <summary>Returns what <c>lstat</c> says about <paramref name="path"/>, without following a final symbolic link.</summary>
    /// <param name="path">A full path in the file system the provider serves.</param>
    /// <param name="status">The status, when the entry exists.</param>
    /// <returns><see langword="false"/> when there is no entry at <paramref name="path"/>.</returns>
    bool TryGetStatus(string path, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out UnixFileStatus? status);
}

/// <summary><c>st_mode</c> type bits.</summary>
internal static class UnixModes
{
    public const int TypeMask = 0xF000;

    public static int TypeBits(UnixFileType type) => type switch
    {
        UnixFileType.Socket => 0xC000,
        UnixFileType.SymbolicLink => 0xA000,
        UnixFileType.RegularFile => 0x8000,
        UnixFileType.BlockDevice => 0x6000,
        UnixFileType.Directory => 0x4000,
        UnixFileType.CharacterDevice => 0x2000,
        UnixFileType.Fifo => 0x1000,
        _ => 0,
    };

    public static UnixFileType? TypeOf(int mode) => (mode & TypeMask) switch
    {
        0xC000 => UnixFileType.Socket,
        0xA000 => UnixFileType.SymbolicLink,
        0x8000 => UnixFileType.RegularFile,
        0x6000 => UnixFileType.BlockDevice,
        0x4000 => UnixFileType.Directory,
        0x2000 => UnixFileType.CharacterDevice,
        0x1000 => UnixFileType.Fifo,
        _ => null,
    };
}

/// <summary>
/// An extended attribute read the first time it is asked for, then kept. Two compare equal when they hold the same value
/// (by reference, as <see cref="UnixFileStatus"/> compares <see cref="UnixFileStatus.SecurityCapability"/>: both absent),
/// so a status whose attribute is deferred equals another of the same facts.
/// </summary>
/// <threadsafety static="true" instance="true"/>
internal sealed class DeferredAttribute : IEquatable<DeferredAttribute>
{
    private readonly string _path;
    private readonly Func<string, byte[]?> _read;
    private byte[]? _value;
    private volatile bool _done;

    /// <summary>Initializes an attribute of <paramref name="path"/> that <paramref name="read"/> reads (from any thread; it may run more than once).</summary>
    public DeferredAttribute(string path, Func<string, byte[]?> read)
    {
        _path = path;
        _read = read;
    }

    /// <summary>Gets the value, reading it on first use.</summary>
    /// <exception cref="IOException">The attribute cannot be read.</exception>
    public byte[]? Value
    {
        get
        {
            if (!_done)
            {
                _value = _read(_path);
                _done = true;
            }

            return _value;
        }
    }

    /// <inheritdoc/>
    public bool Equals(DeferredAttribute? other) => other is not null && (ReferenceEquals(this, other) || ReferenceEquals(Value, other.Value));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as DeferredAttribute);

    /// <inheritdoc/>
    public override int GetHashCode() => 0;
}
