using System.Globalization;
using System.Text;

namespace Docker.Aufs.Formats;

/// <summary>Parsing a header block, its numbers and its PAX records (the bytes Go's <c>archive/tar</c> reads).</summary>
internal sealed partial class TarStreamReader
{
    /// <summary>Parses one header block as Go 1.5's <c>readHeader</c>.</summary>
    internal static TarEntryHeader Parse(ReadOnlySpan<byte> block)
    {
        var given = Numeric(block[148..156], "checksum");
        long unsigned = 8 * ' ';
        long signed = 8 * ' ';
        for (var i = 0; i < block.Length; i++)
        {
            if (i is >= 148 and < 156)
            {
                continue;
            }

            unsigned += block[i];
            signed += (sbyte)block[i];
        }

        if (given != unsigned && given != signed)
        {
            throw new TarFormatException("a header's checksum does not match: this is not a tar archive, or it is damaged");
        }

        var header = new TarEntryHeader
        {
            Name = CString(block[..100]),
            Mode = Numeric(block[100..108], "mode"),
            Uid = Numeric(block[108..116], "uid"),
            Gid = Numeric(block[116..124], "gid"),
            Size = Numeric(block[124..136], "size"),
            ModTimeSeconds = Numeric(block[136..148], "mtime"),
            Typeflag = block[156],
            Linkname = CString(block[157..257]),
        };

        var magic = block[257..265];
        var format = magic[..6].SequenceEqual("ustar\0"u8) ? (block[508..512].SequenceEqual("tar\0"u8) ? "star" : "posix")
            : magic.SequenceEqual("ustar  \0"u8) ? "gnu"
            : null;
        if (format is not null)
        {
            header.Uname = CString(block[265..297]);
            header.Gname = CString(block[297..329]);
            if (header.Typeflag is TarType.CharDevice or TarType.BlockDevice)
            {
                header.DevMajor = Numeric(block[329..337], "devmajor");
                header.DevMinor = Numeric(block[337..345], "devminor");
            }

            var prefix = format switch
            {
                "star" => CString(block[345..476]),
                "gnu" => BuggyGnuPrefix(block),
                _ => CString(block[345..500]),
            };
            if (prefix.Length > 0)
            {
                header.Name = [.. prefix, (byte)'/', .. header.Name];
            }
        }

        if (header.Size < 0)
        {
            throw new TarFormatException("a header has a negative size");
        }

        return header;
    }

    private static long Numeric(ReadOnlySpan<byte> field, string name)
    {
        if (field.Length > 0 && (field[0] & 0x80) != 0)
        {
            long value = 0;
            for (var i = 0; i < field.Length; i++)
            {
                var b = i == 0 ? (byte)(field[i] & 0x7F) : field[i];
                value = (value << 8) | b;
            }

            return value;
        }

        var trimmed = field.Trim(" \0"u8);
        var end = trimmed.IndexOf((byte)0);
        if (end >= 0)
        {
            trimmed = trimmed[..end];
        }

        if (trimmed.IsEmpty)
        {
            return 0;
        }

        long result = 0;
        foreach (var b in trimmed)
        {
            if (b is < (byte)'0' or > (byte)'7' || result > (long.MaxValue >> 3))
            {
                throw new TarFormatException($"a header's {name} field is not an octal number");
            }

            result = (result << 3) | (uint)(b - '0');
        }

        return result;
    }

    /// <summary>
    /// The name prefix of a header with the GNU magic, read as Go 1.10+ reads it: the GNU format has no prefix (those bytes
    /// are the access and change times), but Go before 1.8 wrote a USTAR prefix under the GNU magic after a base-256 number
    /// (golang/go#12594), so when the two time fields do not parse as numbers and the bytes are ASCII they are taken as the
    /// prefix that writer meant; otherwise there is none.
    /// </summary>
    private static byte[] BuggyGnuPrefix(ReadOnlySpan<byte> block)
    {
        var accessTime = block[345..357];
        var changeTime = block[357..369];
        if (IsNumeric(accessTime) && IsNumeric(changeTime))
        {
            return [];
        }

        var prefix = CString(block[345..500]);
        return Ascii.IsValid(prefix) ? prefix : [];
    }

    /// <summary>Whether Go's <c>parseNumeric</c> accepts the field (unused, base-256, or octal with spaces and NULs around it).</summary>
    private static bool IsNumeric(ReadOnlySpan<byte> field)
    {
        if (field[0] == 0 || (field[0] & 0x80) != 0)
        {
            return true;
        }

        try
        {
            _ = Numeric(field, "time");
            return true;
        }
        catch (TarFormatException)
        {
            return false;
        }
    }

    internal static byte[] CString(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return (end >= 0 ? field[..end] : field).ToArray();
    }

    internal static Dictionary<string, byte[]> ParsePax(byte[] data)
    {
        var records = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var rest = data.AsSpan();
        while (!rest.IsEmpty)
        {
            var space = rest.IndexOf((byte)' ');
            if (space <= 0 || !long.TryParse(Encoding.ASCII.GetString(rest[..space]), NumberStyles.None, CultureInfo.InvariantCulture, out var length) ||
                length < 5 || length > rest.Length)
            {
                throw new TarFormatException("a PAX header record is malformed");
            }

            var record = rest[(space + 1)..((int)length - 1)];
            rest = rest[(int)length..];
            var equals = record.IndexOf((byte)'=');
            if (equals < 0)
            {
                throw new TarFormatException("a PAX header record has no '='");
            }

            records[Encoding.UTF8.GetString(record[..equals])] = record[(equals + 1)..].ToArray();
        }

        return records;
    }

    /// <summary>
    /// Applies a PAX header's records to the header that follows it. A record Go 1.10+ refuses (<c>validPAXRecord</c>: a key
    /// with a NUL byte, or a path, link target, user or group name with one) is a format error naming the entry: no file
    /// name can hold a NUL, and Docker could never have written such an entry to disk.
    /// </summary>
    internal static void MergePax(TarEntryHeader header, Dictionary<string, byte[]> pax)
    {
        foreach (var (key, value) in pax)
        {
            if (key.Contains('\0', StringComparison.Ordinal) ||
                (key is "path" or "linkpath" or "uname" or "gname" && value.AsSpan().Contains((byte)0)))
            {
                var shown = key.Contains('\0', StringComparison.Ordinal) ? string.Empty : $" ('{Printable(value)}')";
                throw new TarFormatException($"the PAX header of the entry '{Printable(header.Name)}' has a '{DockerIds.Printable(key)}' record holding a NUL byte{shown}, which no name can hold");
            }

            switch (key)
            {
                case "path": header.Name = value; break;
                case "linkpath": header.Linkname = value; break;
                case "uname": header.Uname = value; break;
                case "gname": header.Gname = value; break;
                case "uid": header.Uid = PaxInteger(header, key, value); break;
                case "gid": header.Gid = PaxInteger(header, key, value); break;
                case "mtime": header.ModTimeSeconds = PaxTimeSeconds(header, key, value); break;
                case "atime" or "ctime": _ = PaxTimeSeconds(header, key, value); break; // checked as Go checks them, then unused
                case "size":
                    if (PaxInteger(header, key, value) != header.Size)
                    {
                        throw new TarFormatException($"'{Printable(header.Name)}' has a PAX size that differs from its header size, which Docker 1.9's reader did not support");
                    }

                    break;
                default:
                    if (key.StartsWith("SCHILY.xattr.", StringComparison.Ordinal))
                    {
                        header.Xattrs ??= new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
                        header.Xattrs[key["SCHILY.xattr.".Length..]] = value;
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// A PAX record's decimal integer, as Go's reader parses it (<c>strconv.ParseInt(v, 10, 64)</c>: an optional sign, then
    /// digits, within 64 bits); anything else is the format error Go's <c>ErrHeader</c> is, naming the entry and the record.
    /// </summary>
    private static long PaxInteger(TarEntryHeader header, string key, ReadOnlySpan<byte> value)
    {
        if (!value.IsEmpty && IsDecimal(value[(value[0] is (byte)'+' or (byte)'-' ? 1 : 0)..]) &&
            long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
        {
            return n;
        }

        throw new TarFormatException($"the PAX header of the entry '{Printable(header.Name)}' has a '{key}' record that is not a decimal integer ('{DockerIds.Printable(Encoding.UTF8.GetString(value))}')");
    }

    /// <summary>A PAX time record's whole seconds, the record checked as Go's <c>parsePAXTime</c> checks it (seconds, then an optional '.' and digits).</summary>
    private static long PaxTimeSeconds(TarEntryHeader header, string key, ReadOnlySpan<byte> value)
    {
        var dot = value.IndexOf((byte)'.');
        if (dot >= 0 && !IsDecimal(value[(dot + 1)..], allowEmpty: true))
        {
            throw new TarFormatException($"the PAX header of the entry '{Printable(header.Name)}' has a '{key}' record that is not a time ('{DockerIds.Printable(Encoding.UTF8.GetString(value))}')");
        }

        return PaxInteger(header, key, dot >= 0 ? value[..dot] : value);
    }

    private static bool IsDecimal(ReadOnlySpan<byte> digits, bool allowEmpty = false) =>
        (allowEmpty || !digits.IsEmpty) && !digits.ContainsAnyExceptInRange((byte)'0', (byte)'9');

    internal static string Printable(byte[] name) => DockerIds.Printable(Encoding.UTF8.GetString(name));
}
