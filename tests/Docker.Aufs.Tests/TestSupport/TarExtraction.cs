using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.InteropServices;
using Docker.Aufs.IO;

namespace Docker.Aufs.Tests.TestSupport;

/// <summary>
/// Extracts tars onto the real disk exactly as stored, for fixtures: symbolic links keep their targets (absolute ones
/// too, which <see cref="TarFile"/> refuses), hardlinks become real hardlinks, modes and times are kept, owners when
/// running as root. Devices are skipped unless running as root.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class TarExtraction
{
    public static void ExtractGzip(string archive, string destination)
    {
        using var file = File.OpenRead(archive);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        Extract(gzip, destination);
    }

    public static void Extract(Stream tar, string destination)
    {
        var directories = new List<(string Path, DateTimeOffset Time, UnixFileMode Mode)>();
        using var reader = new TarReader(tar);
        while (reader.GetNextEntry() is { } entry)
        {
            var name = entry.Name.TrimEnd('/');
            if (name.StartsWith("./", StringComparison.Ordinal))
            {
                name = name[2..];
            }

            if (name.Length == 0 || name == ".")
            {
                continue;
            }

            var path = Path.Combine(destination, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    Directory.CreateDirectory(path);
                    directories.Add((path, entry.ModificationTime, entry.Mode));
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                    using (var output = File.Create(path))
                    {
                        entry.DataStream?.CopyTo(output);
                    }

                    File.SetUnixFileMode(path, entry.Mode);
                    break;
                case TarEntryType.HardLink:
                    Link(Path.Combine(destination, entry.LinkName.TrimStart('.', '/')), path);
                    break;
                case TarEntryType.SymbolicLink:
                    File.CreateSymbolicLink(path, entry.LinkName);
                    break;
                case TarEntryType.Fifo:
                    MakeFifo(path, entry.Mode);
                    break;
                default:
                    continue; // devices need root; the fixtures used here have none
            }

            if (IsRoot)
            {
                ChangeOwner(path, entry.Uid, entry.Gid);
            }

            if (entry.EntryType != TarEntryType.Directory && entry.EntryType != TarEntryType.HardLink)
            {
                SetTime(path, entry.ModificationTime);
            }
        }

        // Directory modes and times last: creating entries inside a directory changes its time.
        for (var i = directories.Count - 1; i >= 0; i--)
        {
            File.SetUnixFileMode(directories[i].Path, directories[i].Mode);
            SetTime(directories[i].Path, directories[i].Time);
        }
    }

    /// <summary>The value of a PAX record (<c>"&lt;length&gt; &lt;key&gt;=&lt;value&gt;\n"</c>) in raw records, as bytes; <see langword="null"/> when absent.</summary>
    public static byte[]? PaxValue(ReadOnlySpan<byte> records, string key)
    {
        while (records.Length > 0)
        {
            var space = records.IndexOf((byte)' ');
            var length = int.Parse(System.Text.Encoding.ASCII.GetString(records[..space]), System.Globalization.CultureInfo.InvariantCulture);
            var record = records[(space + 1)..(length - 1)];
            var equals = record.IndexOf((byte)'=');
            if (System.Text.Encoding.ASCII.GetString(record[..equals]) == key)
            {
                return record[(equals + 1)..].ToArray();
            }

            records = records[length..];
        }

        return null;
    }

    /// <summary>A tar header field up to its first NUL, as bytes.</summary>
    public static byte[] CString(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return (end < 0 ? field : field[..end]).ToArray();
    }

    public static bool IsRoot => geteuid() == 0;

    public static void Link(string existing, string newPath)
    {
        if (link(existing, newPath) != 0)
        {
            throw new IOException($"link({existing}, {newPath}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>
    /// Creates an empty file whose name is given as raw bytes (which need not be valid UTF-8). .NET cannot delete such a
    /// name, so dispose the result to unlink it before the directory is removed.
    /// </summary>
    public static IDisposable CreateFileWithRawName(string directory, byte[] name) => WriteFileWithRawName(directory, name, []);

    /// <summary>Unlinks, when disposed, the file named <paramref name="name"/> (raw bytes) in <paramref name="directory"/> that something else made.</summary>
    public static IDisposable RawNameToUnlink(string directory, byte[] name) =>
        new RawName(System.Text.Encoding.UTF8.GetBytes(directory + "/").Concat(name).Append((byte)0).ToArray());

    /// <summary>Creates a symbolic link at <paramref name="path"/> whose target is given as raw bytes; dispose to unlink it.</summary>
    public static IDisposable CreateSymlinkWithRawTarget(byte[] target, string path)
    {
        var link = System.Text.Encoding.UTF8.GetBytes(path).Append((byte)0).ToArray();
        if (symlink([.. target, 0], link) != 0)
        {
            throw new IOException($"symlink {path} failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return new RawName(link);
    }

    /// <summary>
    /// Creates a file whose name is given as raw bytes (which need not be valid UTF-8) holding <paramref name="content"/>.
    /// Dispose the result to unlink it before the directory is removed.
    /// </summary>
    public static IDisposable WriteFileWithRawName(string directory, byte[] name, byte[] content)
    {
        var path = System.Text.Encoding.UTF8.GetBytes(directory + "/").Concat(name).Append((byte)0).ToArray();
        var fd = open(path, 0x41 /* O_WRONLY | O_CREAT */, 0x1A4);
        if (fd < 0)
        {
            throw new IOException($"open failed: errno {Marshal.GetLastPInvokeError()}");
        }

        if (content.Length > 0 && write(fd, content, (nuint)content.Length) != content.Length)
        {
            _ = close(fd);
            throw new IOException($"write failed: errno {Marshal.GetLastPInvokeError()}");
        }

        _ = close(fd);
        return new RawName(path);
    }

    private static void MakeFifo(string path, UnixFileMode mode)
    {
        if (mkfifo(path, (uint)mode) != 0)
        {
            throw new IOException($"mkfifo({path}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private static void ChangeOwner(string path, int uid, int gid)
    {
        if (lchown(path, uid, gid) != 0)
        {
            throw new IOException($"lchown({path}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private static void SetTime(string path, DateTimeOffset time)
    {
        if (OperatingSystem.IsLinux())
        {
            LinuxNative.SetModifiedTime(path, time);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int link(string existing, string newPath);

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo(string path, uint mode);

    [DllImport("libc", SetLastError = true)]
    private static extern int lchown(string path, int uid, int gid);

    [DllImport("libc", SetLastError = true)]
    private static extern int open(byte[] path, int flags, uint mode);

    [DllImport("libc")]
    private static extern int close(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int symlink(byte[] target, byte[] path);

    [DllImport("libc", SetLastError = true)]
    private static extern nint write(int fd, byte[] buffer, nuint count);

    [DllImport("libc")]
    private static extern int unlink(byte[] path);

    [DllImport("libc")]
    private static extern uint geteuid();

    private sealed class RawName(byte[] path) : IDisposable
    {
        public void Dispose() => _ = unlink(path);
    }
}
