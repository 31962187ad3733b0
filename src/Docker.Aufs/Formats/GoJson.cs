using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Docker.Aufs.Formats;

/// <summary>
/// The one place where Go's <c>encoding/json</c> decoding rules are reproduced (docs/format/graph-era.md §4.3): only the first JSON
/// value of a file is read (<c>json.NewDecoder(f).Decode</c>), trailing bytes are ignored, invalid UTF-8 becomes U+FFFD
/// byte by byte, a top-level <c>null</c> leaves the target at its zero value. Case-insensitive keys with the last
/// duplicate winning come from the serializer options of each source-generated context (same options everywhere).
/// </summary>
internal static class GoJson
{
    /// <summary>The nesting depth every JSON reader of the library accepts (Go's decoder has a limit of 10,000; 256 covers every real file).</summary>
    public const int MaxDepth = 256;

    /// <summary>The reader options of every JSON reader of the library: the same depth limit everywhere, so a document one command accepts, every command accepts.</summary>
    public static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth };

    /// <summary><see cref="ReaderOptions"/> for a reader that stops after the first value of a file (<c>json.Decoder</c>).</summary>
    public static readonly JsonReaderOptions FirstValueOptions = new() { MaxDepth = MaxDepth, AllowMultipleValues = true };

    private static readonly byte[] Replacement = [0xEF, 0xBF, 0xBD];

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

        var reader = new Utf8JsonReader(span, FirstValueOptions);
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
            var reader = new Utf8JsonReader(span, FirstValueOptions);
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
        try
        {
            return JsonSerializer.Deserialize(value.Span, typeInfo);
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
