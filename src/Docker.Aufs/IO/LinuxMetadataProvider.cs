using System.Runtime.Versioning;

namespace Docker.Aufs.IO;

/// <summary>
/// Metadata of a real Linux file system through <c>statx(2)</c> and <c>readlink(2)</c>, never following a final symbolic
/// link, and directory listings with the kernel's entry types (<see cref="IUnixDirectoryReader"/>). Use it with
/// <see cref="System.IO.Abstractions.FileSystem"/>; it reads the host's file system directly.
/// </summary>
/// <threadsafety static="true" instance="true"/>
[SupportedOSPlatform("linux")]
internal sealed class LinuxMetadataProvider : IUnixMetadataProvider, IUnixDirectoryReader, IExtendedAttributeReader
{
    /// <summary>Gets the shared instance.</summary>
    public static LinuxMetadataProvider Instance { get; } = new();

    /// <inheritdoc/>
    public bool TryGetStatus(string path, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out UnixFileStatus? status)
    {
        ArgumentNullException.ThrowIfNull(path);
        status = null;
        if (LinuxNative.IsBeyondPathMax(path))
        {
            return TryGetDeepStatus(path, out status);
        }

        if (!LinuxNative.TryLstat(path, out var raw))
        {
            return false;
        }

        var type = UnixModes.TypeOf(raw.Mode) ?? UnixFileType.RegularFile;
        status = Compose(raw, type, type == UnixFileType.SymbolicLink ? LinuxNative.ReadLinkBytes(path) : null, path);
        return true;
    }

    /// <inheritdoc/>
    public IEnumerable<DirectoryName> ReadDirectory(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!LinuxNative.IsBeyondPathMax(path))
        {
            return LinuxNative.ReadDirectory(path);
        }

        // Beyond PATH_MAX: the directory is opened relative to its parent's handle and listed through its own.
        using var parent = LinuxNative.TryOpenLongPathParent(path, out var name, out var errno);
        using var directory = parent is null ? null : LinuxNative.TryOpenDirectoryQuietlyAt(parent, name, out errno);
        return directory is null
            ? throw errno switch
            {
                2 or LinuxNative.ErrnoNotDirectory => new DirectoryNotFoundException($"opendir({path}) failed: no such directory"),
                LinuxNative.ErrnoAccess => new UnauthorizedAccessException($"opendir({path}) failed: permission denied"),
                _ => LinuxNative.Failure("opendir", path, errno),
            }
            : LinuxNative.ListDirectoryQuietly(directory, path);
    }

    /// <inheritdoc/>
    public AttributeAnswer TryGetAttribute(string path, string name, out byte[]? value) => TryGetListedAttribute(path, name, null, out value);

    /// <summary>
    /// The names of the extended attributes of the entry at <paramref name="path"/> this process can see (one
    /// <c>llistxattr</c>), to pass to <see cref="TryGetListedAttribute"/> for each attribute a
    /// caller wants: those not listed are answered without a call. <see langword="null"/> when they cannot be listed.
    /// </summary>
    public static string[]? ListAttributes(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!LinuxNative.IsBeyondPathMax(path))
        {
            return LinuxNative.ListAttributeNames(path);
        }

        using var parent = LinuxNative.TryOpenLongPathParent(path, out var entry, out _);
        return parent is null ? null : LinuxNative.ListAttributeNames(LinuxNative.ThroughHandle(parent, entry));
    }

    /// <summary>Like <see cref="TryGetAttribute(string, string, out byte[])"/>, knowing the entry's attribute names (<see cref="ListAttributes"/>; <see langword="null"/>: not known).</summary>
    public static AttributeAnswer TryGetListedAttribute(string path, string name, string[]? listed, out byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(name);
        value = listed is not null && Array.IndexOf(listed, name) < 0 ? null : GetAttribute(path, name);
        if (value is not null)
        {
            return AttributeAnswer.Present;
        }

        // Without CAP_SYS_ADMIN the kernel hides trusted.* attributes: "no such attribute" means nothing then.
        return name.StartsWith("trusted.", StringComparison.Ordinal) && !LinuxNative.IsRoot ? AttributeAnswer.Unknown : AttributeAnswer.Absent;
    }

    /// <summary><c>lstat</c> of a path longer than <c>PATH_MAX</c>: its parent opened piece by piece, the entry examined relative to it.</summary>
    private static bool TryGetDeepStatus(string path, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out UnixFileStatus? status)
    {
        status = null;
        using var parent = LinuxNative.TryOpenLongPathParent(path, out var name, out var errno);
        if (parent is null)
        {
            return errno is 2 or LinuxNative.ErrnoNotDirectory ? false : throw LinuxNative.Failure("statx", path, errno);
        }

        if (!LinuxNative.TryStatusAt(parent, name, out var raw))
        {
            return false;
        }

        var type = UnixModes.TypeOf(raw.Mode) ?? UnixFileType.RegularFile;
        status = Compose(raw, type, type == UnixFileType.SymbolicLink ? LinuxNative.ReadLinkAtBytes(parent, name, path) : null, path);
        return true;
    }

    /// <summary>An extended attribute of an entry by a path of any length (<see langword="null"/> without it).</summary>
    private static byte[]? GetAttribute(string path, string name)
    {
        if (!LinuxNative.IsBeyondPathMax(path))
        {
            return LinuxNative.GetAttribute(path, name);
        }

        // lgetxattr has no *at form: the entry is named through its parent's handle (/proc/self/fd/<n>/<name>).
        using var parent = LinuxNative.TryOpenLongPathParent(path, out var entry, out var errno);
        return parent is not null ? LinuxNative.GetAttribute(LinuxNative.ThroughHandle(parent, entry), name)
            : errno is 2 or LinuxNative.ErrnoNotDirectory ? null
            : throw LinuxNative.Failure("lgetxattr", path, errno);
    }

    /// <summary>What a deferred <see cref="UnixFileStatus.SecurityCapability"/> reads.</summary>
    private static readonly Func<string, byte[]?> CapabilityReader = path => GetAttribute(path, "security.capability");

    /// <summary>A status from <c>statx</c> facts; a regular file's capability is read when first asked for.</summary>
    private static UnixFileStatus Compose(LinuxNative.RawStatus raw, UnixFileType type, byte[]? target, string path) => new()
    {
        Type = type,
        Permissions = raw.Mode & 0xFFF,
        Uid = (int)raw.Uid,
        Gid = (int)raw.Gid,
        Size = (long)raw.Size,
        ModifiedTime = DateTimeOffset.FromUnixTimeSeconds(raw.MtimeSeconds).AddTicks(raw.MtimeNanoseconds / 100),
        ModifiedTimeNanosecond = (int)Math.Min(raw.MtimeNanoseconds, 999_999_999u), // the kernel never reports more; a bad value is not worth a failure
        Device = ((ulong)raw.DevMajor << 32) | raw.DevMinor,
        Inode = raw.Inode,
        LinkCount = raw.LinkCount,
        DeviceMajor = raw.RdevMajor,
        DeviceMinor = raw.RdevMinor,
        LinkTarget = target is null ? null : NativeName.Decode(target),
        DeferredCapability = type == UnixFileType.RegularFile ? new DeferredAttribute(path, CapabilityReader) : null,
    };
}
