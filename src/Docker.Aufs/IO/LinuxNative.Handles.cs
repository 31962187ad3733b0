using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Docker.Aufs.IO;

/// <summary>
/// Opening a file's content below an open layer directory without following any link on the way
/// (docs/hostile-input.md, "Files swapped between listing and opening"): <c>openat2(2)</c> with
/// <c>RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH</c> where the kernel has it (Linux 5.6 and later), else one <c>openat</c> per
/// component with <c>O_DIRECTORY | O_NOFOLLOW</c>; the file itself with <c>O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
/// O_CLOEXEC</c> and <c>O_NOATIME</c> where the kernel grants it.
/// </summary>
[SupportedOSPlatform("linux")]
internal static partial class LinuxNative
{
    private const long SysOpenat2 = 437; // the same number on every architecture (added after the tables were unified)
    private const ulong ResolveNoSymlinks = 0x04;
    private const ulong ResolveBeneath = 0x08;
    private const int ONoCtty = 0x100;
    private const int ENoSys = 38;

    /// <summary>0: not tried yet; 1: <c>openat2</c> works; -1: the kernel (or a seccomp filter) does not offer it.</summary>
    private static int s_openat2State;

    /// <summary>Opens the directory at <paramref name="path"/> (its last component must not be a link) as a handle to open files below.</summary>
    /// <returns>The handle, or <see langword="null"/> with <paramref name="errno"/> set.</returns>
    public static SafeFileHandle? TryOpenDirectoryNoFollow(string path, out int errno)
    {
        var flags = ORdOnly | ODirectory | NoFollowFlag() | OCloExec;
        var descriptor = OpenRetrying(path, flags);
        errno = descriptor < 0 ? Marshal.GetLastPInvokeError() : 0;
        return descriptor < 0 ? null : new SafeFileHandle(descriptor, ownsHandle: true);
    }

    /// <summary>
    /// Opens the file <paramref name="relative"/> (<c>/</c>-separated, no <c>..</c>) below <paramref name="directory"/> for
    /// reading, following no symbolic link anywhere on the way or at the end, never blocking in the open.
    /// </summary>
    /// <returns>The descriptor, or -1 with <paramref name="errno"/> set (<c>ELOOP</c>, <c>ENOTDIR</c> or <c>EXDEV</c> for a link or non-directory on the way).</returns>
    public static int OpenBeneath(SafeFileHandle directory, string relative, out int errno)
    {
        var flags = ORdOnly | NoFollowFlag() | ONonBlock | ONoCtty | OCloExec;
        if (Volatile.Read(ref s_openat2State) >= 0)
        {
            var descriptor = Openat2(directory, relative, flags | ONoAtime, out errno);
            if (descriptor < 0 && errno == EPerm)
            {
                descriptor = Openat2(directory, relative, flags, out errno);
            }

            if (descriptor >= 0 || errno != ENoSys)
            {
                Volatile.Write(ref s_openat2State, 1);
                // EPERM without O_NOATIME: a seccomp filter that answers EPERM to system calls it does not know; walk instead.
                // ENAMETOOLONG: a path below the directory longer than PATH_MAX, which the walk takes one name at a time.
                if (descriptor >= 0 || (errno != EPerm && errno != ENameTooLong))
                {
                    return descriptor;
                }
            }
            else
            {
                Volatile.Write(ref s_openat2State, -1);
            }
        }

        return OpenByComponents(directory, relative, flags, out errno);
    }

    /// <summary>Forces the component-by-component walk (tests of the path a kernel without <c>openat2</c> takes); <see langword="false"/> restores detection.</summary>
    internal static void DisableOpenat2ForTests(bool disable) => Volatile.Write(ref s_openat2State, disable ? -1 : 0);

    /// <summary>The device (as <see cref="LinuxMetadataProvider"/> composes it: major in the high half), inode and type bits of an open descriptor.</summary>
    /// <exception cref="IOException">The call failed.</exception>
    public static (ulong Device, ulong Inode, int Mode) Identify(int descriptor, string path)
    {
        var status = Fstat(descriptor, path);
        return (((ulong)status.DevMajor << 32) | status.DevMinor, status.Inode, status.Mode);
    }

    private static int NoFollowFlag() =>
        RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le ? 0x8000 : 0x20000;

    private static unsafe int Openat2(SafeFileHandle directory, string relative, int flags, out int errno)
    {
        var how = stackalloc ulong[3];
        how[0] = (ulong)flags;
        how[1] = 0;
        how[2] = ResolveNoSymlinks | ResolveBeneath;
        var name = Utf8z(relative);
        var added = false;
        try
        {
            directory.DangerousAddRef(ref added);
            fixed (byte* path = name)
            {
                while (true)
                {
                    var descriptor = (int)Syscall(SysOpenat2, directory.DangerousGetHandle(), path, how, 24);
                    errno = descriptor < 0 ? Marshal.GetLastPInvokeError() : 0;
                    if (descriptor >= 0 || errno != EIntr)
                    {
                        return descriptor;
                    }
                }
            }
        }
        finally
        {
            if (added)
            {
                directory.DangerousRelease();
            }
        }
    }

    private static int OpenByComponents(SafeFileHandle directory, string relative, int flags, out int errno)
    {
        var parts = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || Array.Exists(parts, p => p == ".."))
        {
            errno = 18; // EXDEV, as openat2 answers RESOLVE_BENEATH
            return -1;
        }

        SafeFileHandle? current = null;
        try
        {
            for (var i = 0; i < parts.Length - 1; i++)
            {
                var next = OpenAtRetrying(current ?? directory, parts[i], ORdOnly | ODirectory | NoFollowFlag() | OCloExec, out errno);
                if (next < 0)
                {
                    return -1;
                }

                current?.Dispose();
                current = new SafeFileHandle(next, ownsHandle: true);
            }

            var descriptor = OpenAtRetrying(current ?? directory, parts[^1], flags | ONoAtime, out errno);
            if (descriptor < 0 && errno == EPerm)
            {
                descriptor = OpenAtRetrying(current ?? directory, parts[^1], flags, out errno);
            }

            return descriptor;
        }
        finally
        {
            current?.Dispose();
        }
    }

    private static int OpenAtRetrying(SafeFileHandle directory, string name, int flags, out int errno)
    {
        while (true)
        {
            var descriptor = OpenAtNative(directory, name, flags, 0);
            errno = descriptor < 0 ? Marshal.GetLastPInvokeError() : 0;
            if (descriptor >= 0 || errno != EIntr)
            {
                return descriptor;
            }
        }
    }

    private static byte[] Utf8z(string text)
    {
        // The bytes the name stands for (NativeName), not its UTF-8: a name that is not UTF-8 must reach the kernel as it is.
        var bytes = new byte[NativeName.GetByteCount(text) + 1];
        _ = NativeName.GetBytes(text, bytes);
        return bytes;
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial long Syscall(long number, nint directory, byte* path, ulong* how, nuint size);
}
