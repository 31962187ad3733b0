using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Docker.Aufs.IO;

/// <summary>
/// The calls of the output side (docs/hostile-input.md, "Outputs"): the directory an output lands in is opened once as an
/// <c>O_PATH</c> handle, resolved by the kernel as the user's path says; its identity, its ancestors (through <c>..</c> of
/// the handle) and its mount (<c>statx</c>'s <c>STATX_MNT_ID</c>) are read from that handle; the temporary file or
/// directory is created in it (<c>openat</c> with <c>O_CREAT | O_EXCL | O_NOFOLLOW</c>, <c>mkdirat</c>) and renamed
/// within it (<c>renameat</c>), so a directory swapped for another (or for a link) after the check changes nothing.
/// </summary>
[SupportedOSPlatform("linux")]
internal static partial class LinuxNative
{
    private const int OPath = 0x200000; // the generic value, used by every architecture .NET runs on
    private const int ORdWr = 2;
    private const uint StatxMountId = 0x1000;
    private const int StatxMountIdOffset = 144;
    private const int StatxMaskOffset = 0;

    /// <summary>
    /// Opens the directory <paramref name="path"/> as an <c>O_PATH</c> handle, following links as the path says (the
    /// last component too); <paramref name="directory"/>: relative to that handle instead of the working directory.
    /// </summary>
    /// <returns>The handle, or <see langword="null"/> with <paramref name="errno"/> set.</returns>
    public static SafeFileHandle? TryOpenPlace(SafeFileHandle? directory, string path, bool followLast, out int errno)
    {
        var flags = OPath | OpenDirectoryFlag | OpenCloseOnExec | (followLast ? 0 : OpenNoFollowFlag);
        while (true)
        {
            var descriptor = directory is null ? OpenAtCwd(AtFdCwd, path, flags, 0) : OpenAtNative(directory, path, flags, 0);
            errno = descriptor < 0 ? Marshal.GetLastPInvokeError() : 0;
            if (descriptor >= 0)
            {
                return new SafeFileHandle(descriptor, ownsHandle: true);
            }

            if (errno != EIntr)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// Where the kernel says an open handle is (<c>/proc/self/fd/N</c>), or <see langword="null"/> when it cannot say
    /// (no <c>/proc</c>, or a directory that is no longer reachable: removed, or outside the process's root).
    /// </summary>
    public static string? PathOf(SafeFileHandle handle)
    {
        string target;
        try
        {
            target = ReadLink(ProcPath(handle));
        }
        catch (IOException)
        {
            return null;
        }

        return target.StartsWith('/') && !target.EndsWith(" (deleted)", StringComparison.Ordinal) ? target : null;
    }

    /// <summary>The path that reaches <paramref name="name"/> in the directory held by <paramref name="handle"/> whatever has been renamed since (<c>/proc/self/fd/N/name</c>).</summary>
    public static string ThroughHandle(SafeFileHandle handle, string name) => ProcPath(handle) + "/" + name;

    /// <summary>The status of an open handle (an <c>O_PATH</c> one too).</summary>
    /// <exception cref="IOException">The call failed.</exception>
    public static unsafe RawStatus StatusOf(SafeFileHandle handle, string shown)
    {
        var buffer = stackalloc byte[256];
        return StatxAt(handle, string.Empty, AtEmptyPath, StatxBasicStats, buffer) == 0
            ? Parse(buffer)
            : throw Error("statx", shown, Marshal.GetLastPInvokeError());
    }

    /// <summary>What <paramref name="name"/> in <paramref name="directory"/> leads to, following links; <see langword="false"/> when it leads nowhere.</summary>
    public static unsafe bool TryStatusAtFollowing(SafeFileHandle directory, string name, out RawStatus status)
    {
        var buffer = stackalloc byte[256];
        if (StatxAt(directory, name, 0, StatxBasicStats, buffer) != 0)
        {
            status = default;
            return false;
        }

        status = Parse(buffer);
        return true;
    }

    /// <summary>The mount id of the mount an open handle is on (the first field of <c>/proc/self/mountinfo</c>), or <see langword="null"/> where the kernel does not tell (before Linux 5.8).</summary>
    public static unsafe ulong? MountIdOf(SafeFileHandle handle)
    {
        var buffer = stackalloc byte[256];
        if (StatxAt(handle, string.Empty, AtEmptyPath, StatxMountId, buffer) != 0 || (*(uint*)(buffer + StatxMaskOffset) & StatxMountId) == 0)
        {
            return null;
        }

        return *(ulong*)(buffer + StatxMountIdOffset);
    }

    /// <summary>
    /// Creates the regular file <paramref name="name"/> in <paramref name="directory"/> for reading and writing, mode 0666
    /// less the umask (as a <see cref="FileStream"/> creates one), failing if anything, a link included, is there.
    /// </summary>
    /// <exception cref="IOException">The call failed; <see cref="Exception.HResult"/> is the errno.</exception>
    public static SafeFileHandle CreateOutputFileAt(SafeFileHandle directory, string name) =>
        OpenAt(directory, name, ORdWr | OpenCreate | OpenExclusive | OpenNoFollowFlag | OpenCloseOnExec, 0x1B6, "openat");

    /// <summary>Renames <paramref name="from"/> to <paramref name="to"/>, both in <paramref name="directory"/> (a file there is replaced, as an empty directory is by a directory).</summary>
    /// <exception cref="IOException">The call failed; <see cref="Exception.HResult"/> is the errno.</exception>
    public static void RenameAt(SafeFileHandle directory, string from, string to) =>
        CheckAt(RenameAtNative(directory, from, directory, to), "renameat", to);

    private static string ProcPath(SafeFileHandle handle) => "/proc/self/fd/" + handle.DangerousGetHandle().ToString(System.Globalization.CultureInfo.InvariantCulture);

    [LibraryImport("libc", EntryPoint = "renameat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static partial int RenameAtNative(SafeFileHandle fromDirectory, string from, SafeFileHandle toDirectory, string to);
}
