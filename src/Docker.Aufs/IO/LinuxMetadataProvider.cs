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
        if (!LinuxNative.TryLstat(path, out var raw))
        {
            return false;
        }

        var type = UnixModes.TypeOf(raw.Mode) ?? UnixFileType.RegularFile;
        var target = type == UnixFileType.SymbolicLink ? LinuxNative.ReadLinkBytes(path) : null;
        status = new UnixFileStatus
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
            SecurityCapability = type == UnixFileType.RegularFile ? LinuxNative.GetSecurityCapability(path) : null,
        };
        return true;
    }

    /// <inheritdoc/>
    public IEnumerable<DirectoryName> ReadDirectory(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return LinuxNative.ReadDirectory(path);
    }

    /// <inheritdoc/>
    public AttributeAnswer TryGetAttribute(string path, string name, out byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(name);
        value = LinuxNative.GetAttribute(path, name);
        if (value is not null)
        {
            return AttributeAnswer.Present;
        }

        // Without CAP_SYS_ADMIN the kernel hides trusted.* attributes: "no such attribute" means nothing then.
        return name.StartsWith("trusted.", StringComparison.Ordinal) && !LinuxNative.IsRoot ? AttributeAnswer.Unknown : AttributeAnswer.Absent;
    }
}
