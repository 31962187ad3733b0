using System.Text.Encodings.Web;
using System.Text.Json;

namespace Docker.Aufs.Cli.Output;

/// <summary>JSON output: indented, UTF-8 without needless escaping, one document per command, then a newline.</summary>
internal static class JsonOutput
{
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            write(writer);
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>
    /// Writes a stored JSON document as it is (<c>inspect --json</c>), except that a control character written raw — DEL and
    /// C1 (U+007F–U+009F), which JSON allows unescaped inside a string, and any C0 character other than the white space
    /// JSON allows between tokens — is written as its <c>\u00XX</c> escape: the same JSON value, and no byte a terminal
    /// would act on (docs/hostile-input.md, "Text on a terminal").
    /// </summary>
    public static void WriteStored(TextWriter output, ReadOnlySpan<byte> document)
    {
        var text = System.Text.Encoding.UTF8.GetString(document);
        output.WriteLine(EscapeControls(text));
    }

    /// <summary>Replaces each raw control character of <paramref name="json"/> (but the tab, line feed and carriage return between tokens) by its JSON escape.</summary>
    internal static string EscapeControls(string json)
    {
        var first = json.AsSpan().IndexOfAnyInRange('\u0000', '\u001f');
        var firstHigh = json.AsSpan().IndexOfAnyInRange('\u007f', '\u009f');
        if (first < 0 && firstHigh < 0)
        {
            return json;
        }

        var builder = new System.Text.StringBuilder(json.Length + 16);
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var c = json[i];
            if (inString && c == '\\' && i + 1 < json.Length)
            {
                builder.Append(c).Append(json[++i]); // an escape already: keep it whole
                continue;
            }

            if (c == '"')
            {
                inString = !inString;
            }

            var whiteSpaceBetweenTokens = !inString && c is '\t' or '\n' or '\r';
            if ((c < ' ' && !whiteSpaceBetweenTokens) || c is >= '\u007f' and <= '\u009f')
            {
                builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    public static void WriteNullableNumber(this Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
