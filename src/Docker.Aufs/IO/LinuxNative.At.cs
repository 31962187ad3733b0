using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Docker.Aufs.IO;

/// <summary>
/// The <c>*at</c> calls of the write side (import's extraction, <see cref="LayerDirectoryHandle"/>): every name is one
/// component relative to an open directory descriptor, and no call follows a symbolic link at that name — <c>openat</c>
/// with <c>O_NOFOLLOW</c>, <c>fchownat</c>, <c>utimensat</c> and <c>fchmodat</c> with <c>AT_SYMLINK_NOFOLLOW</c> (glibc
/// and musl refuse a link there, through <c>O_PATH</c>), and calls on descriptors (<c>fchmod</c>, <c>fchown</c>,
/// <c>fsetxattr</c>, <c>futimens</c>) for what was just created. Each failure is an <see cref="IOException"/> whose
/// <see cref="Exception.HResult"/> is the errno.
/// </summary>
[SupportedOSPlatform("linux")]
internal static partial class LinuxNative
{
    public const int ErrnoExists = 17;
    public const int ErrnoNotDirectory = 20;
    public const int ErrnoLoop = 40;
    public const int ErrnoNotSupported = 95;
    public const int ErrnoPermission = 1;

    private const int OpenReadOnly = 0;
    private const int OpenWriteOnly = 1;
    private const int OpenCreate = 0x40;
    private const int OpenExclusive = 0x80;
    // O_DIRECTORY and O_NOFOLLOW differ on ARM and POWER (asm/fcntl.h of those architectures): the values of LinuxNative's other opens.
    private static readonly int OpenDirectoryFlag = RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le ? 0x4000 : 0x10000;
    private static readonly int OpenNoFollowFlag = RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le ? 0x8000 : 0x20000;
    private const int OpenCloseOnExec = 0x80000;
    private const int AtRemoveDir = 0x200;

    /// <summary>Opens the directory <paramref name="name"/> of <paramref name="directory"/> (<see langword="null"/>: an absolute or working-directory path) without following a link there.</summary>
    public static SafeFileHandle OpenDirectoryAt(SafeFileHandle? directory, string name) =>
        OpenAt(directory, name, OpenReadOnly | OpenDirectoryFlag | OpenNoFollowFlag | OpenCloseOnExec, 0, "openat");

    /// <summary>Creates the regular file <paramref name="name"/> in <paramref name="directory"/>, mode 0600, failing if anything (a link included) is there.</summary>
    public static SafeFileHandle CreateFileAt(SafeFileHandle directory, string name) =>
        OpenAt(directory, name, OpenWriteOnly | OpenCreate | OpenExclusive | OpenNoFollowFlag | OpenCloseOnExec, 0x180, "openat");

    public static void MakeDirectoryAt(SafeFileHandle directory, string name, int mode) =>
        CheckAt(MkdirAt(directory, name, (uint)mode), "mkdirat", name);

    public static void MakeNodeAt(SafeFileHandle directory, string name, int mode, uint major, uint minor) =>
        CheckAt(MknodAt(directory, name, (uint)mode, MakeDev(major, minor)), "mknodat", name);

    public static void SymlinkAt(string target, SafeFileHandle directory, string name) =>
        CheckAt(SymlinkAtNative(target, directory, name), "symlinkat", name);

    /// <summary>A hardlink <paramref name="name"/> in <paramref name="directory"/> to <paramref name="existing"/> in <paramref name="existingDirectory"/> (a link there is linked itself, never followed).</summary>
    public static void LinkAt(SafeFileHandle existingDirectory, string existing, SafeFileHandle directory, string name) =>
        CheckAt(LinkAtNative(existingDirectory, existing, directory, name, 0), "linkat", name);

    public static void UnlinkAt(SafeFileHandle directory, string name, bool isDirectory) =>
        CheckAt(UnlinkAtNative(directory, name, isDirectory ? AtRemoveDir : 0), "unlinkat", name);

    /// <summary>The type and mode of <paramref name="name"/> in <paramref name="directory"/>, not following a link; <see langword="null"/> when nothing is there.</summary>
    public static unsafe int? ModeAt(SafeFileHandle directory, string name)
    {
        var buffer = stackalloc byte[256];
        if (StatxAt(directory, name, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is 2 or ErrnoNotDirectory ? null : throw Error("statx", name, errno);
        }

        return *(ushort*)(buffer + 28);
    }

    /// <summary>The type and mode of an open descriptor.</summary>
    public static unsafe int ModeOf(SafeFileHandle file)
    {
        var buffer = stackalloc byte[256];
        if (StatxAt(file, string.Empty, AtEmptyPath | AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            throw Error("statx", "descriptor", Marshal.GetLastPInvokeError());
        }

        return *(ushort*)(buffer + 28);
    }

    /// <summary>Sets the owner of an entry of <paramref name="directory"/> (a symbolic link itself).</summary>
    public static void ChangeOwnerAt(SafeFileHandle directory, string name, int uid, int gid) =>
        CheckAt(FchownAt(directory, name, uid, gid, AtSymlinkNoFollow), "fchownat", name);

    /// <summary>Sets the owner of an open descriptor.</summary>
    public static void ChangeOwner(SafeFileHandle file, int uid, int gid, string name) => CheckAt(Fchown(file, uid, gid), "fchown", name);

    /// <summary>Sets the permission bits of an entry of <paramref name="directory"/>; a symbolic link there is refused (<c>EOPNOTSUPP</c>), never followed.</summary>
    public static void ChangeModeAt(SafeFileHandle directory, string name, int mode) =>
        CheckAt(FchmodAt(directory, name, (uint)mode, AtSymlinkNoFollow), "fchmodat", name);

    /// <summary>Sets the permission bits of an open (not <c>O_PATH</c>) descriptor.</summary>
    public static void ChangeMode(SafeFileHandle file, int mode, string name) => CheckAt(Fchmod(file, (uint)mode), "fchmod", name);

    /// <summary>Sets an extended attribute of an open (not <c>O_PATH</c>) descriptor.</summary>
    public static unsafe void SetAttribute(SafeFileHandle file, string attribute, ReadOnlySpan<byte> value, string name)
    {
        fixed (byte* data = value)
        {
            CheckAt(Fsetxattr(file, attribute, data, (nuint)value.Length, 0), "fsetxattr", name);
        }
    }

    /// <summary>Sets access and modification time of an entry of <paramref name="directory"/> (a symbolic link itself).</summary>
    public static unsafe void SetModifiedTimeAt(SafeFileHandle directory, string name, DateTimeOffset time)
    {
        var times = stackalloc long[4];
        Times(times, time);
        CheckAt(UtimensAtHandle(directory, name, times, AtSymlinkNoFollow), "utimensat", name);
    }

    /// <summary>Sets access and modification time of an open descriptor.</summary>
    public static unsafe void SetModifiedTime(SafeFileHandle file, DateTimeOffset time, string name)
    {
        var times = stackalloc long[4];
        Times(times, time);
        CheckAt(Futimens(file, times), "futimens", name);
    }

    /// <summary>
    /// Sets an extended attribute of the entry <paramref name="name"/> of an open directory, not following a link there:
    /// <c>lsetxattr</c> on <c>/proc/self/fd/&lt;directory&gt;/&lt;name&gt;</c>, where only the descriptor's own magic link is
    /// resolved (for symbolic links and device nodes, which have no descriptor to write through).
    /// </summary>
    public static void SetAttributeAt(SafeFileHandle directory, string name, string attribute, ReadOnlySpan<byte> value) =>
        SetAttribute($"/proc/self/fd/{directory.DangerousGetHandle()}/{name}", attribute, value);

    /// <summary>The names in an open directory, read through a duplicate of its descriptor (the handle stays open).</summary>
    public static List<DirectoryName> ReadDirectory(SafeFileHandle directory, string name)
    {
        var duplicate = OpenAt(directory, ".", OpenReadOnly | OpenDirectoryFlag | OpenCloseOnExec, 0, "openat");
        var stream = FdOpenDir(duplicate.DangerousGetHandle());
        if (stream == 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            duplicate.Dispose();
            throw Error("fdopendir", name, errno);
        }

        duplicate.SetHandleAsInvalid(); // closedir closes it
        return ReadAndCloseDirectory(stream, name);
    }

    /// <summary>Every entry of an open directory stream, in the kernel's order; the stream is closed however it ends.</summary>
    /// <exception cref="IOException">readdir failed.</exception>
    private static List<DirectoryName> ReadAndCloseDirectory(nint stream, string shownPath)
    {
        var names = new List<DirectoryName>();
        try
        {
            while (true)
            {
                if (ReadEntry(stream, null, out var errno) is not { } entry)
                {
                    return errno == 0 ? names : throw Error("readdir", shownPath, errno);
                }

                names.Add(entry);
            }
        }
        finally
        {
            _ = CloseDirectory(stream);
        }
    }

    private static unsafe void Times(long* times, DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rest);
        times[0] = seconds; // atime = mtime
        times[1] = rest * 100;
        times[2] = seconds;
        times[3] = rest * 100;
    }

    private static SafeFileHandle OpenAt(SafeFileHandle? directory, string name, int flags, int mode, string call)
    {
        var descriptor = directory is null ? OpenAtCwd(AtFdCwd, name, flags, (uint)mode) : OpenAtNative(directory, name, flags, (uint)mode);
        if (descriptor < 0)
        {
            throw Error(call, name, Marshal.GetLastPInvokeError());
        }

        return new SafeFileHandle(descriptor, ownsHandle: true);
    }

    private static void CheckAt(int result, string call, string name)
    {
        if (result != 0)
        {
            throw Error(call, name, Marshal.GetLastPInvokeError());
        }
    }

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static partial int OpenAtNative(SafeFileHandle directory, string name, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static partial int OpenAtCwd(int directory, string name, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static partial int MkdirAt(SafeFileHandle directory, string name, uint mode);

    [LibraryImport("libc", EntryPoint = "mknodat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static partial int MknodAt(SafeFileHandle directory, string name, uint mode, ulong device);

    [LibraryImport("libc", EntryPoint = "symlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static partial int SymlinkAtNative(string target, SafeFileHandle directory, string name);

    [LibraryImport("libc", EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static partial int LinkAtNative(SafeFileHandle existingDirectory, string existing, SafeFileHandle directory, string name, int flags);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static partial int UnlinkAtNative(SafeFileHandle directory, string name, int flags);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static unsafe partial int StatxAt(SafeFileHandle directory, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "fchownat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static partial int FchownAt(SafeFileHandle directory, string name, int uid, int gid, int flags);

    [LibraryImport("libc", EntryPoint = "fchmodat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static partial int FchmodAt(SafeFileHandle directory, string name, uint mode, int flags);

    [LibraryImport("libc", EntryPoint = "fchown", SetLastError = true)]
    private static partial int Fchown(SafeFileHandle file, int uid, int gid);

    [LibraryImport("libc", EntryPoint = "futimens", SetLastError = true)]
    private static unsafe partial int Futimens(SafeFileHandle file, long* times);

    [LibraryImport("libc", EntryPoint = "fchmod", SetLastError = true)]
    private static partial int Fchmod(SafeFileHandle file, uint mode);

    [LibraryImport("libc", EntryPoint = "fsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static unsafe partial int Fsetxattr(SafeFileHandle file, string name, byte* value, nuint size, int flags);

    [LibraryImport("libc", EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static unsafe partial int UtimensAtHandle(SafeFileHandle directory, string name, long* times, int flags);

    [LibraryImport("libc", EntryPoint = "fdopendir", SetLastError = true)]
    private static partial nint FdOpenDir(nint descriptor);
}
