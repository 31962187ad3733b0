using System.Globalization;
using System.Text;

namespace Docker.Aufs.Formats;

/// <summary>
/// Encodes tar headers exactly as Go 1.5's <c>archive/tar.Writer.WriteHeader</c> did — the writer behind Docker 1.9/1.10's
/// layer tars (<c>pkg/archive</c> <c>TarWithOptions</c>). USTAR fields, octal numbers zero-padded with a NUL, the
/// <c>mode</c> field carrying the file type bits (<c>0100644</c>), device numbers always written, a name over 100 bytes split
/// into prefix and name when possible, PAX records for what USTAR cannot hold (a non-ASCII or unsplittable name, a long link
/// target, extended attributes), base-256 for numbers too large for octal — after which, as in Go 1.5, every later header of
/// the same writer carries the GNU magic.
/// </summary>
/// <remarks>
/// Two choices where Go 1.5 was not deterministic: the PAX header's name uses <c>PaxHeaders.0</c> where Go put the process
/// ID, and PAX records are sorted by keyword where Go wrote them in map order (newer Go does both the same way).
/// </remarks>
internal sealed class GoTarHeaderEncoder
{
    private const int NameSize = 100;
    private const int PrefixSize = 155;

    // Go's maxTime: 11 octal digits of seconds.
    private const long MaxModTime = (1L << 33) - 1;

    private readonly bool _portable;

    private bool _usedBinary;

    /// <summary>Creates an encoder for one tar.</summary>
    /// <param name="portable">
    /// <see langword="false"/> (layer tars, whose DiffID depends on every byte): exactly Go 1.5's headers, base-256 numbers
    /// and the GNU magic that sticks after them included. <see langword="true"/> (exports, <c>cp</c>'s tar, the outer tar of
    /// a save, which no digest binds): a number octal cannot hold goes in a PAX record (<c>uid</c>, <c>gid</c>, <c>size</c>,
    /// <c>mtime</c>, as Go 1.10+ writes it) and the field holds zero, so no header carries the GNU magic beside a USTAR
    /// prefix — which GNU tar and <c>System.Formats.Tar</c> read as access and change times (docs/hostile-input.md,
    /// "Tars every reader reads alike").
    /// </param>
    public GoTarHeaderEncoder(bool portable = false) => _portable = portable;

    /// <summary>Returns the blocks for one entry's header: an optional PAX header with its padded records, then the header block.</summary>
    public byte[] Encode(TarEntryHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var pax = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        var block = Header(header, pax, allowPax: true);
        if (header.Xattrs is { } xattrs)
        {
            foreach (var (key, value) in xattrs)
            {
                pax["SCHILY.xattr." + key] = value;
            }
        }

        if (pax.Count == 0)
        {
            return block;
        }

        var records = PaxRecords(pax);
        var ext = new TarEntryHeader
        {
            Name = PaxHeaderName(header.Name),
            Typeflag = TarType.PaxHeader,
            ModTimeSeconds = header.ModTimeSeconds,
            Size = records.Length,
        };
        var extBlock = Header(ext, null, allowPax: false);
        var result = new byte[extBlock.Length + records.Length + TarType.Padding(records.Length) + block.Length];
        extBlock.CopyTo(result, 0);
        records.CopyTo(result, extBlock.Length);
        block.CopyTo(result, result.Length - block.Length);
        return result;
    }

    private byte[] Header(TarEntryHeader h, SortedDictionary<string, byte[]>? pax, bool allowPax)
    {
        var block = new byte[TarType.BlockSize];
        var span = block.AsSpan();
        var paxPathUsed = WriteString(span[..100], h.Name, allowPax, "path", pax);

        var modTime = h.ModTimeSeconds is >= 0 and <= MaxModTime ? h.ModTimeSeconds : 0;
        WriteOctal(span[100..108], h.Mode);
        if (_portable && pax is not null)
        {
            WritePaxNumeric(span[108..116], h.Uid, "uid", pax);
            WritePaxNumeric(span[116..124], h.Gid, "gid", pax);
            WritePaxNumeric(span[124..136], h.Size, "size", pax);
            WritePaxNumeric(span[136..148], h.ModTimeSeconds, "mtime", pax);
        }
        else
        {
            WriteNumeric(span[108..116], h.Uid);
            WriteNumeric(span[116..124], h.Gid);
            WriteNumeric(span[124..136], h.Size);
            WriteNumeric(span[136..148], modTime);
        }

        span[156] = h.Typeflag;
        WriteString(span[157..257], h.Linkname, allowPax, "linkpath", pax);
        "ustar\u000000"u8.CopyTo(span[257..265]);
        WriteString(span[265..297], h.Uname, allowPax, "uname", pax);
        WriteString(span[297..329], h.Gname, allowPax, "gname", pax);
        WriteNumeric(span[329..337], h.DevMajor);
        WriteNumeric(span[337..345], h.DevMinor);
        if (_portable)
        {
            _usedBinary = false; // device numbers beyond octal stay base-256, but set no GNU magic for this or later headers
        }

        if (_usedBinary)
        {
            "ustar  \0"u8.CopyTo(span[257..265]);
        }

        // Only the name needs PAX: try the USTAR prefix instead.
        if (paxPathUsed && pax!.Count == 1 && h.Name.Length > NameSize && IsAscii(h.Name) && TrySplit(h.Name, out var prefix, out var suffix))
        {
            pax.Remove("path");
            span[..100].Clear();
            suffix.CopyTo(span);
            prefix.CopyTo(span[345..]);
        }

        var checksum = Checksum(span);
        WriteOctal(span[148..155], checksum);
        span[155] = (byte)' ';
        return block;
    }

    /// <summary>Go's <c>cString</c>: the value if it fits and is ASCII (NUL-terminated when shorter), else a PAX record (field left empty).</summary>
    private static bool WriteString(Span<byte> field, byte[] value, bool allowPax, string paxKey, SortedDictionary<string, byte[]>? pax)
    {
        var needsPax = (allowPax && value.Length > field.Length) || !IsAscii(value);
        if (needsPax)
        {
            if (pax is null)
            {
                throw new ArgumentException($"The tar header field '{paxKey}' needs a PAX record where none is allowed.", nameof(value));
            }

            pax[paxKey] = value;
            return true;
        }

        if (value.Length > field.Length)
        {
            throw new ArgumentException($"The tar header field '{paxKey}' is longer than {field.Length} bytes.", nameof(value));
        }

        value.CopyTo(field);
        return false;
    }

    private static void WriteOctal(Span<byte> field, long value)
    {
        var digits = Convert.ToString(value, 8);
        if (digits.Length > field.Length - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "The value does not fit the tar header field.");
        }

        digits = digits.PadLeft(field.Length - 1, '0');
        Encoding.ASCII.GetBytes(digits, field);
        field[^1] = 0;
    }

    /// <summary>Go's <c>numeric</c>: octal when it fits, else base-256 (big-endian, high bit set) and the GNU magic from now on.</summary>
    private void WriteNumeric(Span<byte> field, long value)
    {
        if (value >= 0 && Convert.ToString(value, 8).Length < field.Length)
        {
            WriteOctal(field, value);
            return;
        }

        _usedBinary = true;
        field.Clear();
        for (var i = field.Length - 1; value > 0 && i >= 0; i--)
        {
            field[i] = (byte)value;
            value >>= 8;
        }

        field[0] |= 0x80;
    }

    /// <summary>A number octal holds in the field, else zero there and its decimal value in a PAX record (Go 1.10+'s PAX format).</summary>
    private static void WritePaxNumeric(Span<byte> field, long value, string paxKey, SortedDictionary<string, byte[]> pax)
    {
        if (value >= 0 && Convert.ToString(value, 8).Length < field.Length)
        {
            WriteOctal(field, value);
            return;
        }

        pax[paxKey] = Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));
        WriteOctal(field, 0);
    }

    private static int Checksum(ReadOnlySpan<byte> block)
    {
        var sum = 8 * ' ';
        for (var i = 0; i < block.Length; i++)
        {
            if (i is >= 148 and < 156)
            {
                continue;
            }

            sum += block[i];
        }

        return sum;
    }

    /// <summary>Go's <c>splitUSTARLongName</c>: cut at a slash so the name part is at most 100 bytes and the prefix at most 155.</summary>
    private static bool TrySplit(byte[] name, out byte[] prefix, out byte[] suffix)
    {
        prefix = [];
        suffix = [];
        var length = name.Length;
        if (length > PrefixSize + 1)
        {
            length = PrefixSize + 1;
        }
        else if (name[length - 1] == '/')
        {
            length--;
        }

        var i = name.AsSpan(0, length).LastIndexOf((byte)'/');
        var nameLength = name.Length - i - 1;
        if (i <= 0 || nameLength > NameSize || nameLength == 0 || i > PrefixSize)
        {
            return false;
        }

        prefix = name[..i];
        suffix = name[(i + 1)..];
        return true;
    }

    private static byte[] PaxHeaderName(byte[] name)
    {
        // Go: dir, file := path.Split(name); path.Join(dir, "PaxHeaders.<pid>", file), non-ASCII dropped, cut to 100 bytes.
        var text = Encoding.UTF8.GetString(name);
        var slash = text.LastIndexOf('/');
        var dir = slash >= 0 ? text[..(slash + 1)] : string.Empty;
        var file = text[(slash + 1)..];
        var joined = CleanJoin(dir, "PaxHeaders.0", file);
        var ascii = new StringBuilder(joined.Length);
        foreach (var c in joined)
        {
            if (c < 0x80)
            {
                ascii.Append(c);
            }
        }

        var bytes = Encoding.ASCII.GetBytes(ascii.ToString());
        return bytes.Length > NameSize ? bytes[..NameSize] : bytes;
    }

    /// <summary>Go's <c>path.Join</c>: join the non-empty parts with <c>/</c> and clean the result.</summary>
    private static string CleanJoin(params string[] parts)
    {
        var joined = string.Join('/', parts.Where(p => p.Length > 0));
        var absolute = joined.StartsWith('/');
        var stack = new List<string>();
        foreach (var part in joined.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (stack.Count > 0 && stack[^1] != "..")
                {
                    stack.RemoveAt(stack.Count - 1);
                }
                else if (!absolute)
                {
                    stack.Add(part);
                }

                continue;
            }

            stack.Add(part);
        }

        var cleaned = string.Join('/', stack);
        return absolute ? "/" + cleaned : cleaned.Length == 0 ? "." : cleaned;
    }

    /// <summary>PAX records <c>"%d %s=%s\n"</c>, the length counting itself.</summary>
    private static byte[] PaxRecords(SortedDictionary<string, byte[]> pax)
    {
        using var buffer = new MemoryStream();
        foreach (var (key, value) in pax)
        {
            var keyBytes = Encoding.UTF8.GetBytes(key);
            var body = keyBytes.Length + 1 + value.Length + 2; // ' ' + '=' + '\n' around key and value
            var size = body + body.ToString(CultureInfo.InvariantCulture).Length;
            if ((body + size.ToString(CultureInfo.InvariantCulture).Length) != size)
            {
                size = body + size.ToString(CultureInfo.InvariantCulture).Length;
            }

            buffer.Write(Encoding.ASCII.GetBytes(size.ToString(CultureInfo.InvariantCulture) + " "));
            buffer.Write(keyBytes);
            buffer.WriteByte((byte)'=');
            buffer.Write(value);
            buffer.WriteByte((byte)'\n');
        }

        return buffer.ToArray();
    }

    private static bool IsAscii(ReadOnlySpan<byte> value)
    {
        foreach (var b in value)
        {
            if (b >= 0x80)
            {
                return false;
            }
        }

        return true;
    }
}
