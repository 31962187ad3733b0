using System.Buffers;
using System.Text;

namespace Docker.Aufs.Stores;

/// <summary>The scanner for tag stores of the plain shape Docker writes.</summary>
internal sealed partial class RepositoryIndex
{
    // What ends a plain string: its closing quote, or what makes it not plain (an escape, a control character).
    private static readonly SearchValues<byte> StringStops = SearchValues.Create(
        [(byte)'"', (byte)'\\', 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]);

    /// <summary>
    /// Reads <c>{"Repositories":{"repo":{"tag":"id",…}|null,…}}</c> (JSON whitespace allowed between tokens) when every
    /// string in it is plain: no escape sequences, no control characters. In that subset, valid UTF-8 is valid JSON and
    /// a string's value is its bytes, so the result is exactly the JSON reader's, found with vectorized searches for
    /// quotes instead of tokenizing. Anything else (another top-level key, a number, an escape, truncation) answers
    /// <see langword="false"/> and the caller reads the file with the JSON reader.
    /// </summary>
    /// <param name="json">The file's bytes, valid UTF-8, without a byte order mark.</param>
    /// <param name="only">The one repository to keep, or <see langword="null"/> for all.</param>
    /// <param name="values">The image IDs whose references to keep (the others are checked, not kept), or <see langword="null"/> for all.</param>
    /// <param name="repositories">The repositories kept (with <paramref name="values"/>, only those that keep a reference).</param>
    /// <returns>Whether the file was of the plain shape.</returns>
    internal static bool TryScanPlain(ReadOnlySpan<byte> json, string? only, IReadOnlySet<string>? values, out Dictionary<string, Dictionary<string, string>> repositories)
    {
        repositories = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        if (only is not null && only.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            return false; // compared as the JSON reader compares it, not as bytes
        }

        var wanted = only is null ? null : Encoding.UTF8.GetBytes(only);
        var lookup = values is HashSet<string> set && set.Comparer == StringComparer.Ordinal ? set.GetAlternateLookup<ReadOnlySpan<char>>() : default;
        Span<char> decoded = stackalloc char[128];
        var position = 0;
        if (!Expect(json, ref position, (byte)'{') || !TryString(json, ref position, out var top) || !top.SequenceEqual("Repositories"u8) ||
            !Expect(json, ref position, (byte)':') || !Expect(json, ref position, (byte)'{'))
        {
            return false;
        }

        if (!Expect(json, ref position, (byte)'}'))
        {
            do
            {
                if (!TryString(json, ref position, out var name) || !Expect(json, ref position, (byte)':'))
                {
                    return false;
                }

                var keep = wanted is null || name.SequenceEqual(wanted);

                // Filtered by values, a repository gets its dictionary (and its name a string) only when it keeps a
                // reference: scanning a large tag store for one image's tags allocates for those tags alone.
                var references = keep && values is null ? new Dictionary<string, string>(StringComparer.Ordinal) : null;
                if (!Next(json, ref position, (byte)'n') || !Null(json, ref position))
                {
                    if (!Expect(json, ref position, (byte)'{'))
                    {
                        return false;
                    }

                    if (!Expect(json, ref position, (byte)'}'))
                    {
                        do
                        {
                            if (!TryString(json, ref position, out var key) || !Expect(json, ref position, (byte)':'))
                            {
                                return false;
                            }

                            string? value;
                            if (Next(json, ref position, (byte)'n'))
                            {
                                if (!Null(json, ref position))
                                {
                                    return false;
                                }

                                value = string.Empty;
                            }
                            else if (TryString(json, ref position, out var id))
                            {
                                value = !keep ? null
                                    : values is null || Wanted(id, values, lookup, decoded) ? Encoding.UTF8.GetString(id)
                                    : null;
                            }
                            else
                            {
                                return false;
                            }

                            if (keep && value is not null && (values is null || values.Contains(value)))
                            {
                                references ??= new Dictionary<string, string>(StringComparer.Ordinal);
                                references[Encoding.UTF8.GetString(key)] = value;
                            }
                        }
                        while (Expect(json, ref position, (byte)','));

                        if (!Expect(json, ref position, (byte)'}'))
                        {
                            return false;
                        }
                    }
                }

                // A repeated repository key replaces the earlier one entirely, as Go's map decoding does: filtered, a
                // repetition that keeps nothing removes what the earlier one kept.
                if (references is not null)
                {
                    repositories[Encoding.UTF8.GetString(name)] = references;
                }
                else if (keep && repositories.Count > 0)
                {
                    Forget(repositories, name, decoded);
                }
            }
            while (Expect(json, ref position, (byte)','));

            if (!Expect(json, ref position, (byte)'}'))
            {
                return false;
            }
        }

        // The end of the top-level object; whatever follows it is ignored, as Go's decoder ignores it.
        return Expect(json, ref position, (byte)'}');
    }

    /// <summary>Removes the repository named by a plain string's bytes, without allocating a string for a short name.</summary>
    private static void Forget(Dictionary<string, Dictionary<string, string>> repositories, ReadOnlySpan<byte> utf8, Span<char> buffer)
    {
        if (utf8.Length > buffer.Length)
        {
            repositories.Remove(Encoding.UTF8.GetString(utf8));
            return;
        }

        var length = Encoding.UTF8.GetChars(utf8, buffer);
        repositories.GetAlternateLookup<ReadOnlySpan<char>>().Remove(buffer[..length]);
    }

    /// <summary>Whether a plain string's bytes are one of <paramref name="values"/>, without allocating a string for the others.</summary>
    private static bool Wanted(ReadOnlySpan<byte> utf8, IReadOnlySet<string> values, HashSet<string>.AlternateLookup<ReadOnlySpan<char>> lookup, Span<char> buffer)
    {
        if (lookup.Set is null || utf8.Length > buffer.Length)
        {
            return values.Contains(Encoding.UTF8.GetString(utf8));
        }

        var length = Encoding.UTF8.GetChars(utf8, buffer);
        return lookup.Contains(buffer[..length]);
    }

    /// <summary>Skips JSON whitespace and consumes <paramref name="expected"/> if it comes next.</summary>
    private static bool Expect(ReadOnlySpan<byte> json, ref int position, byte expected)
    {
        if (!Next(json, ref position, expected))
        {
            return false;
        }

        position++;
        return true;
    }

    /// <summary>Skips JSON whitespace and tells whether <paramref name="expected"/> comes next, without consuming it.</summary>
    private static bool Next(ReadOnlySpan<byte> json, ref int position, byte expected)
    {
        while (position < json.Length && json[position] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            position++;
        }

        return position < json.Length && json[position] == expected;
    }

    /// <summary>Consumes the literal <c>null</c> at <paramref name="position"/>.</summary>
    private static bool Null(ReadOnlySpan<byte> json, ref int position)
    {
        if (!json[position..].StartsWith("null"u8))
        {
            return false;
        }

        position += 4;
        return true;
    }

    /// <summary>Consumes a plain string; <see langword="false"/> for anything else, or a string with an escape or a control character.</summary>
    private static bool TryString(ReadOnlySpan<byte> json, ref int position, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!Expect(json, ref position, (byte)'"'))
        {
            return false;
        }

        var length = json[position..].IndexOfAny(StringStops);
        if (length < 0 || json[position + length] != (byte)'"')
        {
            return false;
        }

        value = json.Slice(position, length);
        position += length + 1;
        return true;
    }
}
