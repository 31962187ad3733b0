using System.Globalization;
using Docker.Aufs.IO;
using Docker.Aufs.Union;

namespace Docker.Aufs.Cli.Output;

/// <summary>How <c>ls</c> shows entries: type names for JSON, <c>ls -l</c> mode strings, octal modes.</summary>
internal static class FileModes
{
    /// <summary>The type as the JSON contract names it: dir, file, symlink, char, block, fifo, socket.</summary>
    public static string TypeName(UnixFileType type) => type switch
    {
        UnixFileType.Directory => "dir",
        UnixFileType.RegularFile => "file",
        UnixFileType.SymbolicLink => "symlink",
        UnixFileType.CharacterDevice => "char",
        UnixFileType.BlockDevice => "block",
        UnixFileType.Fifo => "fifo",
        _ => "socket",
    };

    /// <summary>The permission bits as an octal string of at least four digits: <c>0755</c>, <c>1777</c>, <c>4755</c>.</summary>
    public static string Octal(int permissions) => Convert.ToString(permissions & 0xFFF, 8).PadLeft(4, '0');

    /// <summary>The mode as <c>ls -l</c> prints it: <c>drwxr-xr-x</c>, <c>-rwsr-xr-x</c>, <c>drwxrwxrwt</c>.</summary>
    public static string Symbolic(UnixFileType type, int permissions)
    {
        var text = new char[10];
        text[0] = type switch
        {
            UnixFileType.Directory => 'd',
            UnixFileType.SymbolicLink => 'l',
            UnixFileType.CharacterDevice => 'c',
            UnixFileType.BlockDevice => 'b',
            UnixFileType.Fifo => 'p',
            UnixFileType.Socket => 's',
            _ => '-',
        };
        const string Letters = "rwxrwxrwx";
        for (var i = 0; i < 9; i++)
        {
            text[i + 1] = (permissions & (1 << (8 - i))) != 0 ? Letters[i] : '-';
        }

        Special(text, 3, (permissions & 0x800) != 0, 's');
        Special(text, 6, (permissions & 0x400) != 0, 's');
        Special(text, 9, (permissions & 0x200) != 0, 't');
        return new string(text);

        static void Special(char[] text, int index, bool set, char letter)
        {
            if (set)
            {
                text[index] = text[index] == 'x' ? letter : char.ToUpperInvariant(letter);
            }
        }
    }

    /// <summary>The size column of <c>ls -l</c>: bytes, or <c>major, minor</c> for a device.</summary>
    public static string Size(UnionEntry entry) => entry.Type is UnixFileType.CharacterDevice or UnixFileType.BlockDevice
        ? string.Create(CultureInfo.InvariantCulture, $"{entry.DeviceMajor}, {entry.DeviceMinor}")
        : entry.Size.ToString(CultureInfo.InvariantCulture);

    /// <summary>A modification time for tables: UTC, to the minute.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>
    /// A modification time to the nanosecond the file system stores, in UTC as Go's RFC 3339 with nanoseconds writes it
    /// (<c>2017-12-12T07:15:58.901779813Z</c>; trailing zeros of the fraction dropped, none for a whole second).
    /// </summary>
    public static string ExactTime(DateTimeOffset time, int nanosecond)
    {
        var text = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        return nanosecond == 0 ? text + "Z" : text + "." + nanosecond.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0') + "Z";
    }
}
