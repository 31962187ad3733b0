using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Docker.Aufs.IO;

/// <summary>
/// Walking a tree by directory handle (docs/hostile-input.md, "Partly readable roots"): each directory is opened relative
/// to its parent's descriptor (<c>openat</c> with <c>O_DIRECTORY | O_NOFOLLOW</c>, and <c>O_NOATIME</c> where the kernel
/// grants it), listed through that descriptor and its entries examined with <c>statx</c> relative to it, so no call ever
/// takes a path longer than one name: a tree deeper than <c>PATH_MAX</c> (4,096 bytes) is walked like any other.
/// </summary>
[SupportedOSPlatform("linux")]
internal static partial class LinuxNative
{
    /// <summary>
    /// Opens the directory <paramref name="name"/> of <paramref name="directory"/> (<see langword="null"/>: a path from the
    /// working directory) for listing, without following a link there and without touching its access time where allowed.
    /// </summary>
    /// <returns>The handle, or <see langword="null"/> with <paramref name="errno"/> set.</returns>
    public static SafeFileHandle? TryOpenDirectoryQuietlyAt(SafeFileHandle? directory, string name, out int errno)
    {
        var flags = OpenReadOnly | OpenDirectoryFlag | OpenNoFollowFlag | OpenCloseOnExec;
        var descriptor = OpenDirectoryAtRetrying(directory, name, flags | ONoAtime);
        if (descriptor < 0 && Marshal.GetLastPInvokeError() == EPerm)
        {
            descriptor = OpenDirectoryAtRetrying(directory, name, flags);
        }

        errno = descriptor < 0 ? Marshal.GetLastPInvokeError() : 0;
        return descriptor < 0 ? null : new SafeFileHandle(descriptor, ownsHandle: true);
    }

    /// <summary>The names in an open directory, read through a duplicate of its descriptor that shares its open flags (so <c>O_NOATIME</c> holds).</summary>
    public static List<DirectoryName> ListDirectoryQuietly(SafeFileHandle directory, string shownPath)
    {
        var duplicate = Dup(directory);
        if (duplicate < 0)
        {
            throw Error("dup", shownPath, Marshal.GetLastPInvokeError());
        }

        var stream = FdOpenDir(duplicate);
        if (stream == 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _ = CloseDescriptor(duplicate);
            throw Error("fdopendir", shownPath, errno);
        }

        // The shared offset starts where the last listing of this descriptor left it: start over.
        RewindDirectory(stream);
        return ReadAndCloseDirectory(stream, shownPath);
    }

    /// <summary>The <c>lstat</c> facts of <paramref name="name"/> in <paramref name="directory"/>; <see langword="false"/> when it vanished.</summary>
    public static unsafe bool TryStatusAt(SafeFileHandle directory, string name, out RawStatus status)
    {
        var buffer = stackalloc byte[256];
        if (StatxAt(directory, name, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            status = default;
            return errno is 2 or ErrnoNotDirectory ? false : throw Error("statx", name, errno);
        }

        status = Parse(buffer);
        return true;
    }

    private static int OpenDirectoryAtRetrying(SafeFileHandle? directory, string name, int flags)
    {
        while (true)
        {
            var descriptor = directory is null ? OpenAtCwd(AtFdCwd, name, flags, 0) : OpenAtNative(directory, name, flags, 0);
            if (descriptor >= 0 || Marshal.GetLastPInvokeError() != EIntr)
            {
                return descriptor;
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(SafeFileHandle descriptor);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int CloseDescriptor(int descriptor);

    [LibraryImport("libc", EntryPoint = "rewinddir")]
    private static partial void RewindDirectory(nint stream);
}
