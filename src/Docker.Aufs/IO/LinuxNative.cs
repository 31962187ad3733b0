using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Docker.Aufs.IO;

/// <summary>
/// The few libc calls .NET does not expose: <c>statx</c> (owner, inode, link count, device numbers), <c>readlink</c>, an
/// <c>open</c> that never follows a final link and never blocks (with <c>read</c> and <c>close</c>: small metadata files), and
/// for the builder on a real disk <c>link</c>, <c>mkfifo</c>, <c>mknod</c>, <c>lchown</c>, <c>utimensat</c>.
/// <c>statx</c> is used rather than <c>lstat</c> because its struct layout is the same on every architecture.
/// </summary>
[SupportedOSPlatform("linux")]
internal static partial class LinuxNative
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7FF;
    private const int AtEmptyPath = 0x1000;

    /// <summary>
    /// <c>O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW</c>. <c>O_NOFOLLOW</c> is 0100000 on ARM and POWER
    /// (<c>asm/fcntl.h</c> of those architectures) and 0400000 elsewhere (the generic value); the other flags are the same on
    /// every architecture .NET runs on.
    /// </summary>
    private static readonly int OpenReadOnlyNoFollow = 0x100 | 0x800 | 0x80000 |
        (RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le ? 0x8000 : 0x20000);

    public readonly record struct RawStatus(
        int Mode, uint Uid, uint Gid, ulong Size, long MtimeSeconds, uint MtimeNanoseconds,
        ulong Inode, uint LinkCount, uint DevMajor, uint DevMinor, uint RdevMajor, uint RdevMinor);

    public static bool TryLstat(string path, out RawStatus status) => TryStatx(path, AtSymlinkNoFollow, out status);

    /// <summary>Like <see cref="TryLstat"/>, but following symbolic links: what the kernel reaches through <paramref name="path"/>.</summary>
    public static bool TryStat(string path, out RawStatus status) => TryStatx(path, 0, out status);

    /// <summary>The canonical path of <paramref name="path"/> (every link, <c>.</c>, <c>..</c> resolved by <c>realpath</c>), or <see langword="null"/> when it names nothing a path can reach (a pipe behind <c>/proc/self/fd/1</c>).</summary>
    public static unsafe string? RealPath(string path)
    {
        var resolved = RealPathNative(path, null);
        if (resolved == 0)
        {
            return null;
        }

        try
        {
            return NativeName.Decode(MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)resolved));
        }
        finally
        {
            Free(resolved);
        }
    }

    /// <summary>
    /// Writes all of <paramref name="data"/> to the open descriptor <paramref name="descriptor"/> with <c>write(2)</c> at its
    /// own offset (shared with whoever opened it: a shell's <c>&gt;</c> and <c>&gt;&gt;</c> keep their meaning), retrying
    /// interrupted and partial writes.
    /// </summary>
    /// <exception cref="IOException">The write failed; <see cref="Exception.HResult"/> is the errno (32: EPIPE, the reader has gone).</exception>
    public static unsafe void WriteAll(int descriptor, ReadOnlySpan<byte> data)
    {
        fixed (byte* start = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var written = WriteNative(descriptor, start + done, (nuint)(data.Length - done));
                if (written >= 0)
                {
                    done += (int)written;
                    continue;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == 4 /* EINTR */)
                {
                    continue;
                }

                if (errno == 11 /* EAGAIN: a non-blocking descriptor that is full */)
                {
                    Thread.Sleep(1);
                    continue;
                }

                throw Error("write", $"descriptor {descriptor}", errno);
            }
        }
    }

    /// <summary>
    /// Opens <paramref name="path"/> for reading with <c>O_NOFOLLOW</c> (a final symbolic link fails with <c>ELOOP</c>),
    /// <c>O_NONBLOCK</c> (a fifo does not block the open), <c>O_NOCTTY</c> and <c>O_CLOEXEC</c>: the one <c>open</c> of a
    /// small metadata file, without the two <c>fstat</c> and the <c>flock</c> pair of a <see cref="FileStream"/>; and with
    /// <c>O_NOATIME</c> where the kernel allows it.
    /// </summary>
    /// <returns>The descriptor, or -1 with <paramref name="errno"/> set.</returns>
    public static int OpenNoFollow(string path, out int errno)
    {
        // With O_NOATIME where the kernel allows it (docs/hostile-input.md, "Access times"); EPERM: the usual open.
        var descriptor = OpenRetrying(path, OpenReadOnlyNoFollow | ONoAtime);
        if (descriptor < 0 && Marshal.GetLastPInvokeError() == EPerm)
        {
            descriptor = OpenRetrying(path, OpenReadOnlyNoFollow);
        }

        errno = descriptor < 0 ? Marshal.GetLastPInvokeError() : 0;
        return descriptor;
    }

    /// <summary>The status of an open descriptor (<c>statx</c> with <c>AT_EMPTY_PATH</c>).</summary>
    /// <exception cref="IOException">The call failed.</exception>
    public static unsafe RawStatus Fstat(int descriptor, string path)
    {
        var buffer = stackalloc byte[256];
        return Statx(descriptor, string.Empty, AtEmptyPath, StatxBasicStats, buffer) == 0
            ? Parse(buffer)
            : throw Error("statx", path, Marshal.GetLastPInvokeError());
    }

    /// <summary>Reads from the descriptor's offset until <paramref name="buffer"/> is full or the file ends, retrying interrupted reads.</summary>
    /// <returns>The number of bytes read.</returns>
    /// <exception cref="IOException">A read failed.</exception>
    public static unsafe int ReadFull(int descriptor, Span<byte> buffer, string path)
    {
        var done = 0;
        fixed (byte* start = buffer)
        {
            while (done < buffer.Length)
            {
                var read = ReadNative(descriptor, start + done, (nuint)(buffer.Length - done));
                if (read > 0)
                {
                    done += (int)read;
                }
                else if (read == 0)
                {
                    break;
                }
                else if (Marshal.GetLastPInvokeError() is var errno && errno != 4 /* EINTR */)
                {
                    throw Error("read", path, errno);
                }
            }
        }

        return done;
    }

    /// <summary>Closes a descriptor this class opened.</summary>
    public static void Close(int descriptor) => _ = CloseNative(descriptor);

    /// <summary>Describes an <c>errno</c> as the other calls here do, for a caller that maps a failed call to an exception.</summary>
    public static IOException Failure(string call, string path, int errno) => Error(call, path, errno);

    private static unsafe bool TryStatx(string path, int flags, out RawStatus status)
    {
        var buffer = stackalloc byte[256];
        if (Statx(AtFdCwd, path, flags, StatxBasicStats, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            status = default;
            return errno is 2 /* ENOENT */ or 20 /* ENOTDIR */ ? false : throw Error("statx", path, errno);
        }

        status = Parse(buffer);
        return true;
    }

    private static unsafe RawStatus Parse(byte* buffer) =>
        new(
            Mode: *(ushort*)(buffer + 28),
            Uid: *(uint*)(buffer + 20),
            Gid: *(uint*)(buffer + 24),
            Size: *(ulong*)(buffer + 40),
            MtimeSeconds: *(long*)(buffer + 112),
            MtimeNanoseconds: *(uint*)(buffer + 120),
            Inode: *(ulong*)(buffer + 32),
            LinkCount: *(uint*)(buffer + 16),
            DevMajor: *(uint*)(buffer + 136),
            DevMinor: *(uint*)(buffer + 140),
            RdevMajor: *(uint*)(buffer + 128),
            RdevMinor: *(uint*)(buffer + 132));

    /// <summary>A symbolic link's target as a string that keeps bytes which are not UTF-8 (<see cref="NativeName"/>).</summary>
    public static string ReadLink(string path) => NativeName.Decode(ReadLinkBytes(path));

    /// <summary>A symbolic link's target as the bytes the file system holds (not necessarily UTF-8).</summary>
    public static unsafe byte[] ReadLinkBytes(string path)
    {
        var size = 256;
        while (true)
        {
            var buffer = new byte[size];
            nint length;
            fixed (byte* p = buffer)
            {
                length = ReadLinkNative(path, p, (nuint)size);
            }

            if (length < 0)
            {
                throw Error("readlink", path, Marshal.GetLastPInvokeError());
            }

            if (length < size)
            {
                return buffer[..(int)length];
            }

            size *= 4;
        }
    }

    /// <summary>The <c>security.capability</c> attribute of a file (not following a final symbolic link), or <see langword="null"/> without one.</summary>
    public static byte[]? GetSecurityCapability(string path) => GetAttribute(path, "security.capability");

    /// <summary>An extended attribute of an entry (not following a final symbolic link), or <see langword="null"/> without one (or when the file system keeps none).</summary>
    public static unsafe byte[]? GetAttribute(string path, string name)
    {
        // A VFS capability is 20 or 24 bytes and an overlay marker one byte: 256 covers what we read.
        var buffer = stackalloc byte[256];
        var length = LGetXattr(path, name, buffer, 256);
        if (length < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is 61 /* ENODATA */ or 95 /* EOPNOTSUPP */ or 2 /* ENOENT */ or 34 /* ERANGE */ ? null : throw Error("lgetxattr", path, errno);
        }

        return new ReadOnlySpan<byte>(buffer, (int)length).ToArray();
    }

    /// <summary>Sets an extended attribute of an entry (not following a final symbolic link).</summary>
    public static unsafe void SetAttribute(string path, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* data = value)
        {
            Check(LSetXattr(path, name, data, (nuint)value.Length, 0), "lsetxattr", path);
        }
    }

    public static void Link(string existing, string newPath) => Check(LinkNative(existing, newPath), "link", newPath);

    public static void MakeFifo(string path, int permissions) => Check(MkFifo(path, (uint)permissions), "mkfifo", path);

    public static void MakeNode(string path, int mode, uint major, uint minor) =>
        Check(MkNod(path, (uint)mode, MakeDev(major, minor)), "mknod", path);

    public static void ChangeOwner(string path, int uid, int gid) => Check(LChown(path, uid, gid), "lchown", path);

    public static bool IsRoot => GetEffectiveUserId() == 0;

    public static unsafe void SetModifiedTime(string path, DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rest);
        var times = stackalloc long[4];
        times[0] = seconds; // atime = mtime
        times[1] = rest * 100;
        times[2] = seconds;
        times[3] = rest * 100;
        Check(UtimensAt(AtFdCwd, path, times, AtSymlinkNoFollow), "utimensat", path);
    }

    private static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0xFFFFF000) << 32) | ((ulong)(major & 0xFFF) << 8) | ((ulong)(minor & 0xFFFFFF00) << 12) | (minor & 0xFF);

    private static void Check(int result, string call, string path)
    {
        if (result != 0)
        {
            throw Error(call, path, Marshal.GetLastPInvokeError());
        }
    }

    private static IOException Error(string call, string path, int errno) =>
        new($"{call}({path}) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static partial int OpenNative(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint ReadNative(int descriptor, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int CloseNative(int descriptor);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint WriteNative(int descriptor, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static unsafe partial nint RealPathNative(string path, byte* resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(nint pointer);

    [LibraryImport("libc", EntryPoint = "readlink", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static unsafe partial nint ReadLinkNative(string path, byte* buffer, nuint size);

    [LibraryImport("libc", EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static unsafe partial nint LGetXattr(string path, string name, byte* value, nuint size);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static partial int LinkNative(string existing, string newPath);

    [LibraryImport("libc", EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static unsafe partial int LSetXattr(string path, string name, byte* value, nuint size, int flags);

    [LibraryImport("libc", EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static partial int MkFifo(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "mknod", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static partial int MkNod(string path, uint mode, ulong device);

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static partial int LChown(string path, int uid, int gid);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static unsafe partial int UtimensAt(int dirfd, string path, long* times, int flags);
}
