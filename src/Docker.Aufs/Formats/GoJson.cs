using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Docker.Aufs.Formats;

/// <summary>
/// The one place where Go's <c>encoding/json</c> decoding rules are reproduced (docs/format/graph-era.md §4.3): only the first JSON
/// value of a file is read (<c>json.NewDecoder(f).Decode</c>), trailing bytes are ignored, invalid UTF-8 becomes U+FFFD
/// byte by byte, a <c>\u</c> escape of a surrogate that is not half of a valid pair becomes U+FFFD, a top-level
/// <c>null</c> leaves the target at its zero value. Case-insensitive keys with the last duplicate winning come from the
/// serializer options of each source-generated context (same options everywhere).
/// </summary>
/// <remarks>
/// Every JSON reader of the library is made here (<see cref="Reader"/>, <see cref="Deserialize{T}"/>), with one set of
/// reader options and the surrogate repair, so a document one command accepts, every command accepts; a convention test
/// keeps other code from creating readers of its own.
/// </remarks>
internal static class GoJson
{
    /// <summary>The nesting depth every JSON reader of the library accepts (Go's decoder has a limit of 10,000; 256 covers every real file).</summary>
    public const int MaxDepth = 256;

    /// <summary>The reader options of every JSON reader of the library: the same depth limit everywhere, so a document one command accepts, every command accepts.</summary>
    public static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth };

    /// <summary><see cref="ReaderOptions"/> for a reader that stops after the first value of a file (<c>json.Decoder</c>).</summary>
    public static readonly JsonReaderOptions FirstValueOptions = new() { MaxDepth = MaxDepth, AllowMultipleValues = true };

    private static readonly byte[] Replacement = [0xEF, 0xBF, 0xBD];

    /// <summary>
    /// A reader over <paramref name="json"/> with the library's reader options and its invalid surrogate escapes read as
    /// U+FFFD (<see cref="RepairSurrogateEscapes"/>). The repair keeps every byte offset, so token positions index
    /// <paramref name="json"/> itself: raw values may be sliced from the original bytes, as Go's <c>json.RawMessage</c> keeps them.
    /// </summary>
    /// <param name="json">UTF-8 JSON (see <see cref="FirstValue"/> for data that may not be valid UTF-8).</param>
    /// <param name="firstValue">Whether the reader stops after the first value (<c>json.Decoder</c>); else trailing data is an error.</param>
    public static Utf8JsonReader Reader(ReadOnlySpan<byte> json, bool firstValue = false) =>
        new(RepairSurrogateEscapes(json), firstValue ? FirstValueOptions : ReaderOptions);

    /// <summary>
    /// Go's decoding of <c>\u</c> escapes (<c>encoding/json</c> <c>unquote</c>): a high surrogate escape followed by a low
    /// surrogate escape is one character; any other surrogate escape is U+FFFD. System.Text.Json refuses such a string
    /// when it is read, so the escape's four hex digits are rewritten to <c>FFFD</c> — the same length, so every offset
    /// stays valid. The input is returned unchanged when it holds no such escape (almost always), else a repaired copy.
    /// </summary>
    public static ReadOnlySpan<byte> RepairSurrogateEscapes(ReadOnlySpan<byte> json)
    {
        if (json.IndexOf("\\u"u8) < 0)
        {
            return json;
        }

        byte[]? copy = null;
        var i = json.IndexOf((byte)'\\');
        while (i >= 0 && i + 1 < json.Length)
        {
            var next = 2; // an escape is a backslash and one character: "\\" never starts another escape
            if (json[i + 1] == 'u' && Hex4(json, i + 2) is { } unit)
            {
                next = 6;
                if (unit is >= 0xD800 and <= 0xDFFF)
                {
                    if (unit <= 0xDBFF && i + 7 < json.Length && json[i + 6] == '\\' && json[i + 7] == 'u' && Hex4(json, i + 8) is >= 0xDC00 and <= 0xDFFF)
                    {
                        next = 12; // a valid pair
                    }
                    else
                    {
                        copy ??= json.ToArray();
                        "FFFD"u8.CopyTo(copy.AsSpan(i + 2));
                    }
                }
            }

            var rest = json[Math.Min(json.Length, i + next)..].IndexOf((byte)'\\');
            i = rest < 0 ? -1 : i + next + rest;
        }

        return copy ?? json;
    }

    private static int? Hex4(ReadOnlySpan<byte> json, int start)
    {
        if (start + 4 > json.Length)
        {
            return null;
        }

        var value = 0;
        foreach (var b in json.Slice(start, 4))
        {
            var digit = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return null;
            }

            value = (value << 4) | digit;
        }

        return value;
    }

    /// <summary>Returns the bytes of the first JSON value in <paramref name="data"/>, after making its UTF-8 valid.</summary>
    /// <exception cref="CorruptFileException">The data is empty, truncated or not JSON.</exception>
    public static ReadOnlyMemory<byte> FirstValue(ReadOnlyMemory<byte> data, string path)
    {
        var valid = System.Text.Unicode.Utf8.IsValid(data.Span) ? data : ReplaceInvalidUtf8(data.Span);
        var span = valid.Span;
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            valid = valid[3..];
            span = valid.Span;
        }

        var reader = Reader(span, firstValue: true);
        try
        {
            if (!reader.Read())
            {
                throw new CorruptFileException(path, span.IsEmpty ? "the file is empty" : "the file holds only whitespace, no JSON value");
            }

            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            return valid[start..(int)reader.BytesConsumed];
        }
        catch (JsonException e)
        {
            throw new CorruptFileException(path, $"not valid JSON ({Describe(e)})", e);
        }
    }

    /// <summary>Deserializes the first JSON value of a file as Go would decode it into a struct.</summary>
    /// <returns>The value, or <see langword="null"/> when the document is JSON <c>null</c>.</returns>
    /// <exception cref="CorruptFileException">The data is not JSON, or a value has the wrong type.</exception>
    public static T? Deserialize<T>(ReadOnlyMemory<byte> data, JsonTypeInfo<T> typeInfo, string path)
    {
        // Fast path, one pass: valid UTF-8 is deserialized straight from a reader that stops after the first value. Any
        // problem falls through to the two-pass path below, which tells a syntax error from a type error exactly as before.
        var span = data.Span;
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            span = span[3..];
        }

        if (System.Text.Unicode.Utf8.IsValid(span))
        {
            var reader = Reader(span, firstValue: true);
            try
            {
                return JsonSerializer.Deserialize(ref reader, typeInfo);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                // Reported by the careful path.
            }
        }

        return DeserializeCarefully(data, typeInfo, path);
    }

    /// <summary>The two-pass read: the first value isolated (and its UTF-8 repaired), then deserialized.</summary>
    internal static T? DeserializeCarefully<T>(ReadOnlyMemory<byte> data, JsonTypeInfo<T> typeInfo, string path)
    {
        var value = FirstValue(data, path);
        var reader = Reader(value.Span);
        try
        {
            return JsonSerializer.Deserialize(ref reader, typeInfo);
        }
        catch (JsonException e)
        {
            throw new CorruptFileException(path, $"unexpected JSON content ({Describe(e)})", e);
        }
    }

    /// <summary>Go's replacement of invalid UTF-8: every byte that does not start a valid sequence becomes U+FFFD.</summary>
    internal static ReadOnlyMemory<byte> ReplaceInvalidUtf8(ReadOnlySpan<byte> data)
    {
        var output = new ArrayBufferWriter<byte>(data.Length + 16);
        while (!data.IsEmpty)
        {
            var status = System.Text.Rune.DecodeFromUtf8(data, out _, out var consumed);
            if (status == OperationStatus.Done)
            {
                output.Write(data[..consumed]);
                data = data[consumed..];
            }
            else
            {
                output.Write(Replacement);
                data = data[1..];
            }
        }

        return output.WrittenMemory;
    }

    /// <summary>A one-line description of a parser error: what, and where (JSON path, line, byte).</summary>
    internal static string Describe(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }

        if (cut >= 0)
        {
            message = message[..cut];
        }

        var where = e.Path is { Length: > 0 } p ? $" at {p}" : string.Empty;
        var line = e.LineNumber is { } l ? $", line {l + 1}" : string.Empty;
        var position = e.BytePositionInLine is { } b ? $", byte {b + 1}" : string.Empty;
        return $"{message.TrimEnd('.')}{where}{line}{position}";
    }
}
