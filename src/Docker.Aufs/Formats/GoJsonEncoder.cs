namespace Docker.Aufs.Formats;

/// <summary>Go's <c>encoding/json</c> escaping: <c>&lt; &gt; &amp;</c> and U+2028/U+2029 escaped, other non-ASCII text written as UTF-8.</summary>
internal sealed class GoJsonEncoder : System.Text.Encodings.Web.JavaScriptEncoder
{
    public static GoJsonEncoder Instance { get; } = new();

    public override int MaxOutputCharactersPerInputCharacter => 6;

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        for (var i = 0; i < textLength; i++)
        {
            if (NeedsEscape(text[i]))
            {
                return i;
            }
        }

        return -1;
    }

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        string replacement = unicodeScalar switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            _ when NeedsEscape(unicodeScalar) => $"\\u{unicodeScalar:x4}",
            _ => char.ConvertFromUtf32(unicodeScalar),
        };

        if (replacement.Length > bufferLength)
        {
            numberOfCharactersWritten = 0;
            return false;
        }

        for (var i = 0; i < replacement.Length; i++)
        {
            buffer[i] = replacement[i];
        }

        numberOfCharactersWritten = replacement.Length;
        return true;
    }

    public override bool WillEncode(int unicodeScalar) => NeedsEscape(unicodeScalar);

    private static bool NeedsEscape(int c) => c < 0x20 || c is '"' or '\\' or '<' or '>' or '&' or 0x2028 or 0x2029 || c is >= 0xD800 and <= 0xDFFF;
}
