using System.Globalization;
using System.Text;
using Docker.Aufs.IO;

namespace Docker.Aufs.Cli.Output;

/// <summary>
/// The one escaping of text shown to a human (docs/hostile-input.md, "Text on a terminal"): every table cell, every plain
/// line's values and every error and warning pass through <see cref="Escape"/>, so a name, tag, command, label or message
/// from the root cannot move the cursor, retitle the window or hide what follows. JSON output is not escaped here: its
/// writer escapes control characters as JSON does, and the value it carries stays exact.
/// </summary>
/// <remarks>
/// <para>The rule: a text that holds no C0 control (U+0000–U+001F), DEL (U+007F), C1 control (U+0080–U+009F), bidirectional
/// formatting character or unpaired surrogate, and does not begin with <c>$'</c>, is shown as it is. Any other text is shown whole in the shell's ANSI-C
/// quotes, <c>$'…'</c>: <c>\\</c> and <c>\'</c> for a backslash and a quote, <c>\a \b \t \n \v \f \r</c>, <c>\xHH</c> for
/// the other C0 controls and DEL and for a byte of a name that is not UTF-8 (carried as U+DC80–U+DCFF,
/// <see cref="Docker.Aufs.IO.NativeName"/>: <c>f\xffo</c>), <c>\uHHHH</c> for C1 controls, bidirectional formatting characters and other unpaired surrogates.</para>
/// <para>So the shown form is unambiguous — a text beginning with <c>$'</c> is quoted, anything else is literal — and it
/// round-trips: pasted into bash or zsh, <c>$'…'</c> is the original text, a name's bytes that are not UTF-8 included
/// (an unpaired surrogate outside U+DC80–U+DCFF, which no name read from Linux holds, excepted).</para>
/// </remarks>
internal static class TerminalText
{
    /// <summary>Returns <paramref name="text"/> as it may be shown on a terminal (see the rule above); <see langword="null"/> is empty.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        if (!NeedsQuoting(text))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 8);
        builder.Append("$'");
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '\\': builder.Append(@"\\"); break;
                case '\'': builder.Append(@"\'"); break;
                case '\a': builder.Append(@"\a"); break;
                case '\b': builder.Append(@"\b"); break;
                case '\t': builder.Append(@"\t"); break;
                case '\n': builder.Append(@"\n"); break;
                case '\v': builder.Append(@"\v"); break;
                case '\f': builder.Append(@"\f"); break;
                case '\r': builder.Append(@"\r"); break;
                case < ' ' or '\u007f':
                    builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
                    break;
                case >= '\u0080' and <= '\u009f':
                case var bidi when IsBidiControl(bidi):
                    builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    break;
                default:
                    if (NativeName.IsEscapedByte(c) && !IsPaired(text, i))
                    {
                        // A byte of a name that is not UTF-8: the shell's $'\xHH' is that byte again.
                        builder.Append(CultureInfo.InvariantCulture, $"\\x{NativeName.EscapedByte(c):x2}");
                    }
                    else if (char.IsSurrogate(c) && !IsPaired(text, i))
                    {
                        builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    }
                    else if (char.IsHighSurrogate(c))
                    {
                        builder.Append(c).Append(text[++i]);
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('\'').ToString();
    }

    /// <summary>Whether <paramref name="text"/> is shown quoted: it holds a character a terminal would act on, or looks quoted itself.</summary>
    public static bool NeedsQuoting(string text)
    {
        if (text.StartsWith("$'", StringComparison.Ordinal))
        {
            return true;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < ' ' || c is >= '\u007f' and <= '\u009f' || IsBidiControl(c))
            {
                return true;
            }

            if (char.IsSurrogate(c))
            {
                if (!IsPaired(text, i))
                {
                    return true;
                }

                i++; // the low half of the pair
            }
        }

        return false;
    }

    /// <summary>Writes a line whose literal parts are the tool's own and whose interpolated strings are escaped one by one.</summary>
    public static void WriteEscapedLine(this TextWriter writer, FormattableString line)
    {
        var arguments = line.GetArguments().Select(a => a is string s ? Escape(s) : a).ToArray();
        writer.WriteLine(string.Format(CultureInfo.CurrentCulture, line.Format, arguments));
    }

    /// <summary>
    /// Whether <paramref name="c"/> is a bidirectional formatting character (U+061C, U+200E, U+200F, U+202A–U+202E,
    /// U+2066–U+2069): invisible, it reorders what a terminal shows after it ("Trojan Source"), so a name holding one could
    /// show as another; it is escaped as <c>\uHHHH</c>.
    /// </summary>
    private static bool IsBidiControl(char c) => c is '\u061c' or '\u200e' or '\u200f' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069');

    /// <summary>Whether the surrogate at <paramref name="i"/> is the high half of a pair, or the low half following one.</summary>
    private static bool IsPaired(string text, int i) => char.IsHighSurrogate(text[i])
        ? i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])
        : i > 0 && char.IsHighSurrogate(text[i - 1]);
}
