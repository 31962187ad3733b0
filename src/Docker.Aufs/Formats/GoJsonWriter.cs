using System.Buffers;
using System.Globalization;
using System.Text;

namespace Docker.Aufs.Formats;

/// <summary>
/// Writes JSON byte for byte as Go 1.5's <c>encoding/json</c> did (the Go of Docker 1.8–1.10, whose output decides image
/// IDs and tar-split files): strings escape <c>"</c> <c>\</c> <c>\n</c> <c>\r</c>, every other control character and
/// <c>&lt; &gt; &amp;</c> as <c>\u00xx</c> (so a tab is <c>\u0009</c>, not <c>\t</c> as Go 1.7+ writes), U+2028 and U+2029
/// as <c>\u2028</c>/<c>\u2029</c>, and each byte of invalid UTF-8 as <c>\ufffd</c>. <see cref="Compact"/> is Go's
/// <c>compact(dst, src, escapeHTML: true)</c>, which every <c>json.RawMessage</c> value passes through when marshalled.
/// </summary>
internal static class GoJsonWriter
{
    private static ReadOnlySpan<byte> Hex => "0123456789abcdef"u8;

    /// <summary>Appends <paramref name="value"/> as a Go JSON string (with quotes).</summary>
    public static void WriteString(IBufferWriter<byte> output, string value) => WriteString(output, Encoding.UTF8.GetBytes(value));

    /// <summary>Appends the bytes of a Go string (any bytes, not necessarily UTF-8) as a JSON string (with quotes).</summary>
    public static void WriteString(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        Write(output, "\""u8);
        var start = 0;
        var i = 0;
        while (i < value.Length)
        {
            var b = value[i];
            if (b < 0x80)
            {
                if (b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&')
                {
                    i++;
                    continue;
                }

                Write(output, value[start..i]);
                switch (b)
                {
                    case (byte)'"':
                    case (byte)'\\':
                        Write(output, [(byte)'\\', b]);
                        break;
                    case (byte)'\n':
                        Write(output, "\\n"u8);
                        break;
                    case (byte)'\r':
                        Write(output, "\\r"u8);
                        break;
                    default:
                        Write(output, [(byte)'\\', (byte)'u', (byte)'0', (byte)'0', Hex[b >> 4], Hex[b & 0xF]]);
                        break;
                }

                i++;
                start = i;
                continue;
            }

            var status = Rune.DecodeFromUtf8(value[i..], out var rune, out var size);
            if (status != OperationStatus.Done)
            {
                // Go decodes one byte as RuneError (width 1) and writes the escaped replacement character.
                Write(output, value[start..i]);
                Write(output, "\\ufffd"u8);
                i++;
                start = i;
                continue;
            }

            if (rune.Value is 0x2028 or 0x2029)
            {
                Write(output, value[start..i]);
                Write(output, rune.Value == 0x2028 ? "\\u2028"u8 : "\\u2029"u8);
                i += size;
                start = i;
                continue;
            }

            i += size;
        }

        Write(output, value[start..]);
        Write(output, "\""u8);
    }

    /// <summary>Appends a decimal integer.</summary>
    /// <summary>Writes a list of strings as a JSON array, or <c>null</c> for a <see langword="null"/> list, as Go marshals a nil slice.</summary>
    public static void WriteStringArray(IBufferWriter<byte> output, IReadOnlyList<string>? items)
    {
        if (items is null)
        {
            Write(output, "null"u8);
            return;
        }

        Write(output, "["u8);
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                Write(output, ","u8);
            }

            WriteString(output, items[i]);
        }

        Write(output, "]"u8);
    }

    /// <summary>
    /// Writes string pairs as a JSON object in the order given (Go marshals a map sorted by key: pass them sorted), or
    /// <c>null</c> for a <see langword="null"/> map.
    /// </summary>
    public static void WriteStringMap(IBufferWriter<byte> output, IEnumerable<KeyValuePair<string, string>>? map)
    {
        if (map is null)
        {
            Write(output, "null"u8);
            return;
        }

        Write(output, "{"u8);
        var first = true;
        foreach (var (key, value) in map)
        {
            if (!first)
            {
                Write(output, ","u8);
            }

            first = false;
            WriteString(output, key);
            Write(output, ":"u8);
            WriteString(output, value);
        }

        Write(output, "}"u8);
    }

    public static void WriteNumber(IBufferWriter<byte> output, long value) =>
        Write(output, Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Appends raw bytes.</summary>
    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        var span = output.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        output.Advance(bytes.Length);
    }

    /// <summary>
    /// Go's <c>compact</c> with HTML escaping: drops insignificant whitespace, escapes <c>&lt; &gt; &amp;</c> as
    /// <c>\u003c \u003e \u0026</c> and U+2028/U+2029 as <c>\u2028</c>/<c>\u2029</c>; everything else, including existing
    /// escapes, is copied as is. <paramref name="json"/> must be one valid JSON value.
    /// </summary>
    public static void Compact(IBufferWriter<byte> output, ReadOnlySpan<byte> json)
    {
        var inString = false;
        var escaped = false;
        var start = 0;
        for (var i = 0; i < json.Length; i++)
        {
            var c = json[i];
            if (c is (byte)'<' or (byte)'>' or (byte)'&')
            {
                Write(output, json[start..i]);
                Write(output, [(byte)'\\', (byte)'u', (byte)'0', (byte)'0', Hex[c >> 4], Hex[c & 0xF]]);
                start = i + 1;
                escaped = false;
                continue;
            }

            if (c == 0xE2 && i + 2 < json.Length && json[i + 1] == 0x80 && (json[i + 2] & ~1) == 0xA8)
            {
                Write(output, json[start..i]);
                Write(output, (json[i + 2] & 1) == 0 ? "\\u2028"u8 : "\\u2029"u8);
                i += 2;
                start = i + 1;
                escaped = false;
                continue;
            }

            if (inString)
            {
                if (escaped)
                {
                    escaped = false;
                }
                else if (c == '\\')
                {
                    escaped = true;
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            if (c == '"')
            {
                inString = true;
            }
            else if (c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
            {
                Write(output, json[start..i]);
                start = i + 1;
            }
        }

        Write(output, json[start..]);
    }
}
