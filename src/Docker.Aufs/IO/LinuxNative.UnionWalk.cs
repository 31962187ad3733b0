using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Docker.Aufs.IO;

/// <summary>
/// Paths longer than the kernel takes in one call (<c>PATH_MAX</c>, 4,096 bytes with its terminating NUL) for the
/// on-disk metadata provider (docs/hostile-input.md, "Deep paths in union walks"): the entry's parent directory is opened
/// as an <c>O_PATH</c> handle in pieces that each fit in one call — the first piece from the path's start, every next one
/// relative to the handle of the one before — and the entry is then examined relative to that handle with one name:
/// <c>statx</c>, <c>readlinkat</c>, <c>openat</c> for a listing; an extended attribute, which has no <c>*at</c> call,
/// through <c>/proc/self/fd/&lt;handle&gt;/&lt;name&gt;</c>. A piece follows links in its middle exactly as the same path
/// given whole would; the last component is never followed.
/// </summary>
[SupportedOSPlatform("linux")]
internal static partial class LinuxNative
{
    /// <summary>The longest path, in bytes without its NUL, one call takes (<c>PATH_MAX</c> less one).</summary>
    public const int LongestPath = 4095;

    private const int ENameTooLong = 36;

    /// <summary>The bytes each piece of a long path may take: below <see cref="LongestPath"/> with room to spare.</summary>
    private const int PieceBytes = 3072;


    /// <summary>Whether <paramref name="path"/> is too long for one call (more than <see cref="LongestPath"/> bytes of UTF-8).</summary>
    public static bool IsBeyondPathMax(string path) =>
        path.Length > LongestPath / 3 && NativeName.GetByteCount(path) > LongestPath;

    /// <summary>
    /// Opens the parent directory of a long path as an <c>O_PATH</c> handle, piece by piece, and gives the last component.
    /// </summary>
    /// <param name="path">An absolute or working-directory path, longer than <see cref="LongestPath"/> bytes.</param>
    /// <param name="name">The last component of <paramref name="path"/>.</param>
    /// <param name="errno">The error of the open that failed, when the result is <see langword="null"/>.</param>
    /// <returns>The handle (dispose it), or <see langword="null"/> with <paramref name="errno"/> set.</returns>
    public static SafeFileHandle? TryOpenLongPathParent(string path, out string name, out int errno)
    {
        var slash = path.LastIndexOf('/');
        name = path[(slash + 1)..];
        var parent = slash <= 0 ? (slash == 0 ? "/" : ".") : path[..slash];
        SafeFileHandle? current = null;
        var start = 0;
        while (start < parent.Length)
        {
            var end = PieceEnd(parent, start);
            var piece = parent[start..end];
            var descriptor = OpenPathRetrying(current, piece.Length > 0 ? piece : current is null ? "/" : ".", out errno);
            current?.Dispose();
            if (descriptor < 0)
            {
                return null;
            }

            current = new SafeFileHandle(descriptor, ownsHandle: true);
            start = end + 1;
        }

        errno = 0;
        return current;
    }

    /// <summary><c>readlinkat</c>: the target of the symbolic link <paramref name="name"/> in <paramref name="directory"/>, as the bytes the file system holds.</summary>
    /// <exception cref="IOException">The call failed.</exception>
    public static unsafe byte[] ReadLinkAtBytes(SafeFileHandle directory, string name, string shownPath)
    {
        var size = 256;
        while (true)
        {
            var buffer = new byte[size];
            nint length;
            fixed (byte* p = buffer)
            {
                length = ReadLinkAtNative(directory, name, p, (nuint)size);
            }

            if (length < 0)
            {
                throw Error("readlinkat", shownPath, Marshal.GetLastPInvokeError());
            }

            if (length < size)
            {
                return buffer[..(int)length];
            }

            size *= 4;
        }
    }

    /// <summary>
    /// The names of an entry's extended attributes (<c>llistxattr</c>, not following a final link; those of namespaces
    /// hidden from this process are left out by the kernel), or <see langword="null"/> when the file system keeps none or
    /// the list cannot be read (a caller then reads the attributes it wants one by one).
    /// </summary>
    public static unsafe string[]? ListAttributeNames(string path)
    {
        var buffer = stackalloc byte[1024];
        var length = LListXattr(path, buffer, 1024);
        if (length < 0)
        {
            return Marshal.GetLastPInvokeError() is 2 /* ENOENT */ or ErrnoNotDirectory ? [] : null; // ERANGE and the rest: read one by one
        }

        if (length == 0)
        {
            return [];
        }

        var names = new List<string>();
        var list = new ReadOnlySpan<byte>(buffer, (int)length);
        while (list.Length > 0)
        {
            var end = list.IndexOf((byte)0);
            end = end < 0 ? list.Length : end;
            names.Add(Encoding.UTF8.GetString(list[..end]));
            list = end < list.Length ? list[(end + 1)..] : [];
        }

        return [.. names];
    }

    /// <summary>Where the piece of <paramref name="path"/> starting at <paramref name="start"/> ends: at a slash, within <see cref="PieceBytes"/> bytes (a component is at most 255 bytes, so one always fits).</summary>
    private static int PieceEnd(string path, int start)
    {
        var bytes = 0;
        var end = start;
        for (var i = start; i < path.Length; i++)
        {
            bytes += path[i] < 0x80 ? 1 : path[i] < 0x800 || char.IsLowSurrogate(path[i]) ? 2 : 3;
            if (bytes > PieceBytes)
            {
                return end > start ? end : path.IndexOf('/', start + 1) is var next && next > 0 ? next : path.Length;
            }

            if (path[i] == '/' && i > start)
            {
                end = i;
            }
        }

        return path.Length;
    }

    private static int OpenPathRetrying(SafeFileHandle? directory, string piece, out int errno)
    {
        var flags = OPath | ODirectory | OCloExec;
        while (true)
        {
            var descriptor = directory is null ? OpenAtCwd(AtFdCwd, piece, flags, 0) : OpenAtNative(directory, piece, flags, 0);
            errno = descriptor < 0 ? Marshal.GetLastPInvokeError() : 0;
            if (descriptor >= 0 || errno != EIntr)
            {
                return descriptor;
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "llistxattr", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static unsafe partial nint LListXattr(string path, byte* list, nuint size);

    [LibraryImport("libc", EntryPoint = "readlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static unsafe partial nint ReadLinkAtNative(SafeFileHandle directory, string name, byte* buffer, nuint size);
}
