using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;

namespace Docker.Aufs.IO;

/// <summary><c>opendir</c>/<c>readdir</c>: names with the kernel's <c>d_type</c>, so a listing needs no <c>stat</c> and follows nothing; the directory is opened without touching its access time where the kernel allows it.</summary>
internal static partial class LinuxNative
{
    private const byte DtUnknown = 0;
    private const byte DtCharacterDevice = 2;
    private const byte DtDirectory = 4;
    private const byte DtSymbolicLink = 10;

    // struct dirent of glibc and musl on 64-bit Linux: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name.
    private const int DirentTypeOffset = 18;
    private const int DirentNameOffset = 19;

    [SupportedOSPlatform("linux")]
    public static IEnumerable<DirectoryName> ReadDirectory(string path) => ReadDirectory(path, null);

    /// <summary>
    /// Like <see cref="ReadDirectory(string)"/>, keeping only the names that match <paramref name="win32Expression"/>
    /// (<see cref="System.IO.Enumeration.FileSystemName.TranslateWin32Expression"/>, matched case-sensitively): the others
    /// are compared from the listing's bytes and never become strings.
    /// </summary>
    [SupportedOSPlatform("linux")]
    public static IEnumerable<DirectoryName> ReadDirectory(string path, string? win32Expression)
    {
        if (!Environment.Is64BitProcess)
        {
            throw new PlatformNotSupportedException("Directory listings with entry types need a 64-bit process.");
        }

        var directory = OpenDirectoryQuietly(path);
        if (directory == 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                2 => new DirectoryNotFoundException($"opendir({path}) failed: no such directory"),
                13 => new UnauthorizedAccessException($"opendir({path}) failed: permission denied"),
                _ => Error("opendir", path, errno),
            };
        }

        return Read(directory, path, win32Expression);
    }

    [SupportedOSPlatform("linux")]
    private static IEnumerable<DirectoryName> Read(nint directory, string path, string? expression)
    {
        try
        {
            while (true)
            {
                var entry = ReadEntry(directory, expression, out var errno);
                if (entry is null)
                {
                    if (errno != 0)
                    {
                        throw Error("readdir", path, errno);
                    }

                    yield break;
                }

                yield return entry.Value;
            }
        }
        finally
        {
            _ = CloseDirectory(directory);
        }
    }

    private static unsafe DirectoryName? ReadEntry(nint directory, string? expression, out int errno)
    {
        Span<char> decoded = stackalloc char[256]; // a name is at most 255 bytes, so at most 255 characters
        while (true)
        {
            var dirent = (byte*)NextEntry(directory);
            errno = Marshal.GetLastPInvokeError();
            if (dirent is null)
            {
                return null;
            }

            var name = new ReadOnlySpan<byte>(dirent + DirentNameOffset, 256);
            name = name[..name.IndexOf((byte)0)];
            if (name is [(byte)'.'] or [(byte)'.', (byte)'.'])
            {
                continue;
            }

            // A name that is not UTF-8 is kept whole: each invalid byte as its escape (NativeName), never U+FFFD.
            var valid = System.Text.Unicode.Utf8.IsValid(name);
            if (expression is not null &&
                !System.IO.Enumeration.FileSystemName.MatchesWin32Expression(expression, valid ? decoded[..Encoding.UTF8.GetChars(name, decoded)] : NativeName.Decode(name), ignoreCase: false))
            {
                continue;
            }

            var text = valid ? Encoding.UTF8.GetString(name) : NativeName.Decode(name);
            var type = dirent[DirentTypeOffset];
            return type == DtUnknown
                ? new DirectoryName(text, null)
                : new DirectoryName(text, type == DtDirectory, type == DtCharacterDevice) { IsSymbolicLink = type == DtSymbolicLink };
        }
    }

    [LibraryImport("libc", EntryPoint = "readdir", SetLastError = true)]
    private static partial nint NextEntry(nint directory);

    [LibraryImport("libc", EntryPoint = "closedir")]
    private static partial int CloseDirectory(nint directory);
}
