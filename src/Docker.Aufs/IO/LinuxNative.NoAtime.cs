using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Docker.Aufs.IO;

/// <summary>
/// Opening without touching access times (docs/hostile-input.md, "Access times"): <c>open(2)</c> with <c>O_NOATIME</c>,
/// which the kernel grants to the file's owner and to a process with <c>CAP_FOWNER</c>; for anyone else it answers
/// <c>EPERM</c> and the file is opened as usual (the mount's own atime rule applies then).
/// </summary>
internal static partial class LinuxNative
{
    // The same on every architecture .NET runs on (asm-generic/fcntl.h), but for O_DIRECTORY below.
    private const int ORdOnly = 0;
    private const int ONonBlock = 0x800;
    private const int ONoAtime = 0x40000;
    private const int OCloExec = 0x80000;
    private const int EPerm = 1;
    private const int EIntr = 4;
    private const uint StatxType = 0x1;
    private const int StatxBufferSize = 256;
    private const int StatxModeOffset = 28;

    /// <summary>
    /// Opens <paramref name="path"/> for reading without updating its access time where the kernel allows it.
    /// </summary>
    /// <param name="path">The file (links are followed, as by any open).</param>
    /// <param name="nonBlocking">Open with <c>O_NONBLOCK</c> (for what must not block in open).</param>
    /// <returns>The descriptor, or -1 with the errno in <see cref="Marshal.GetLastPInvokeError"/>.</returns>
    [SupportedOSPlatform("linux")]
    public static int OpenQuietly(string path, bool nonBlocking)
    {
        var flags = ORdOnly | OCloExec | (nonBlocking ? ONonBlock : 0);
        var descriptor = OpenRetrying(path, flags | ONoAtime);
        return descriptor < 0 && Marshal.GetLastPInvokeError() == EPerm ? OpenRetrying(path, flags) : descriptor;
    }

    /// <summary><c>open(2)</c> with <paramref name="flags"/>, retried when a signal interrupts it.</summary>
    internal static int OpenRetrying(string path, int flags)
    {
        while (true)
        {
            var descriptor = OpenNative(path, flags, 0);
            if (descriptor >= 0 || Marshal.GetLastPInvokeError() != EIntr)
            {
                return descriptor;
            }
        }
    }

    // O_DIRECTORY: 040000 (octal) on arm, arm64 and powerpc; 0200000 elsewhere (asm-generic/fcntl.h).
    private static readonly int ODirectory = RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le ? 0x4000 : 0x10000;

    /// <summary>
    /// <c>opendir(3)</c> without touching the directory's access time where the kernel allows it: <c>open(2)</c> with
    /// <c>O_DIRECTORY</c> (nothing else is opened, so no device's open routine ever runs) and <c>O_NOATIME</c>, then
    /// <c>fdopendir(3)</c>. Returns 0 with the errno in <see cref="Marshal.GetLastPInvokeError"/> on failure.
    /// </summary>
    [SupportedOSPlatform("linux")]
    private static nint OpenDirectoryQuietly(string path)
    {
        var flags = ORdOnly | OCloExec | ONonBlock | ODirectory;
        var descriptor = OpenRetrying(path, flags | ONoAtime);
        if (descriptor < 0 && Marshal.GetLastPInvokeError() == EPerm)
        {
            descriptor = OpenRetrying(path, flags);
        }

        if (descriptor < 0)
        {
            return 0;
        }

        var directory = FdOpenDirectory(descriptor);
        if (directory == 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _ = CloseNative(descriptor);
            Marshal.SetLastPInvokeError(errno);
        }

        return directory;
    }

    /// <summary>Whether the open descriptor is a regular file (anything else is left to .NET's own open, for its checks and errors).</summary>
    public static unsafe bool IsRegularFile(int descriptor)
    {
        var buffer = stackalloc byte[StatxBufferSize];
        if (Statx(descriptor, string.Empty, AtEmptyPath, StatxType, buffer) != 0)
        {
            return false;
        }

        return (*(ushort*)(buffer + StatxModeOffset) & 0xF000) == 0x8000;
    }

    [LibraryImport("libc", EntryPoint = "fdopendir", SetLastError = true)]
    private static partial nint FdOpenDirectory(int descriptor);
}
