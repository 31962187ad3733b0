namespace Docker.Aufs.Cli.Commands;

/// <summary>
/// Go's <c>path.Match</c>, which the <c>reference</c> filter of <c>docker images</c> uses (distribution's
/// <c>reference.FamiliarMatch</c>): <c>*</c> is any run of characters but <c>/</c>, <c>?</c> one character but <c>/</c>,
/// <c>[…]</c> a class (<c>^</c> negates it, <c>a-z</c> a range), <c>\</c> quotes the next character. The whole name must
/// match. A malformed pattern never matches (<see cref="IsValid"/> tells it, for the usage error).
/// </summary>
internal static class GoGlob
{
    /// <summary>Whether <paramref name="name"/> matches <paramref name="pattern"/>, as <c>path.Match</c> decides it (a malformed pattern: no).</summary>
    public static bool Match(string pattern, string name) => Match(Runes(pattern), Runes(name), out var bad) && !bad;

    /// <summary>Whether <paramref name="pattern"/> is well formed (Go's <c>path.Match</c> returns no <c>ErrBadPattern</c> for it).</summary>
    public static bool IsValid(string pattern)
    {
        _ = Match(Runes(pattern), ReadOnlySpan<int>.Empty, out var bad);
        return !bad;
    }

    private static int[] Runes(string text) => [.. text.EnumerateRunes().Select(r => r.Value)];

    private static bool Match(ReadOnlySpan<int> pattern, ReadOnlySpan<int> name, out bool bad)
    {
        bad = false;
        while (pattern.Length > 0)
        {
            var star = ScanChunk(ref pattern, out var chunk);
            if (star && chunk.Length == 0)
            {
                return !name.Contains('/'); // a trailing * matches the rest of the name unless it holds a '/'
            }

            if (MatchChunk(chunk, name, out var used, out bad) && (used == name.Length || pattern.Length > 0))
            {
                name = name[used..];
                continue;
            }

            if (bad)
            {
                return false;
            }

            var matched = false;
            if (star)
            {
                // Try the chunk after each character the star may take, never past a '/'.
                for (var i = 0; i < name.Length && name[i] != '/'; i++)
                {
                    var tail = name[(i + 1)..];
                    if (MatchChunk(chunk, tail, out used, out bad))
                    {
                        if (pattern.Length == 0 && used < tail.Length)
                        {
                            continue;
                        }

                        name = tail[used..];
                        matched = true;
                        break;
                    }

                    if (bad)
                    {
                        return false;
                    }
                }
            }

            if (matched)
            {
                continue;
            }

            // No match: the rest of the pattern must still be well formed (Go reports a bad pattern either way).
            while (pattern.Length > 0)
            {
                ScanChunk(ref pattern, out chunk);
                if (!MatchChunk(chunk, ReadOnlySpan<int>.Empty, out _, out bad) && bad)
                {
                    return false;
                }
            }

            return false;
        }

        return name.Length == 0;
    }

    /// <summary>Takes the leading stars, then the chunk up to the next star outside a class.</summary>
    private static bool ScanChunk(ref ReadOnlySpan<int> pattern, out ReadOnlySpan<int> chunk)
    {
        var star = false;
        while (pattern.Length > 0 && pattern[0] == '*')
        {
            pattern = pattern[1..];
            star = true;
        }

        var inRange = false;
        var i = 0;
        for (; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\')
            {
                if (i + 1 < pattern.Length)
                {
                    i++;
                }
            }
            else if (c == '[')
            {
                inRange = true;
            }
            else if (c == ']')
            {
                inRange = false;
            }
            else if (c == '*' && !inRange)
            {
                break;
            }
        }

        chunk = pattern[..i];
        pattern = pattern[i..];
        return star;
    }

    /// <summary>Matches a chunk (no stars) at the start of <paramref name="s"/>; reads the whole chunk even after a mismatch, to find a malformed one.</summary>
    private static bool MatchChunk(ReadOnlySpan<int> chunk, ReadOnlySpan<int> s, out int used, out bool bad)
    {
        used = 0;
        bad = false;
        var length = s.Length;
        var failed = false;
        while (chunk.Length > 0)
        {
            if (!failed && s.Length == 0)
            {
                failed = true;
            }

            switch (chunk[0])
            {
                case '[':
                    var r = 0;
                    if (!failed)
                    {
                        r = s[0];
                        s = s[1..];
                    }

                    chunk = chunk[1..];
                    var negated = chunk.Length > 0 && chunk[0] == '^';
                    if (negated)
                    {
                        chunk = chunk[1..];
                    }

                    var match = false;
                    var ranges = 0;
                    while (true)
                    {
                        if (chunk.Length > 0 && chunk[0] == ']' && ranges > 0)
                        {
                            chunk = chunk[1..];
                            break;
                        }

                        if (!Escaped(ref chunk, out var lo))
                        {
                            bad = true;
                            return false;
                        }

                        var hi = lo;
                        if (chunk[0] == '-')
                        {
                            chunk = chunk[1..];
                            if (!Escaped(ref chunk, out hi))
                            {
                                bad = true;
                                return false;
                            }
                        }

                        match |= lo <= r && r <= hi;
                        ranges++;
                    }

                    failed |= match == negated;
                    break;
                case '?':
                    if (!failed)
                    {
                        failed = s[0] == '/';
                        s = s[1..];
                    }

                    chunk = chunk[1..];
                    break;
                default:
                    if (chunk[0] == '\\')
                    {
                        chunk = chunk[1..];
                        if (chunk.Length == 0)
                        {
                            bad = true;
                            return false;
                        }
                    }

                    if (!failed)
                    {
                        failed = chunk[0] != s[0];
                        s = s[1..];
                    }

                    chunk = chunk[1..];
                    break;
            }
        }

        if (failed)
        {
            return false;
        }

        used = length - s.Length;
        return true;
    }

    /// <summary>One character of a class, after a <c>\</c> if quoted; false when the class is malformed there (Go's <c>getEsc</c>).</summary>
    private static bool Escaped(ref ReadOnlySpan<int> chunk, out int value)
    {
        value = 0;
        if (chunk.Length == 0 || chunk[0] == '-' || chunk[0] == ']')
        {
            return false;
        }

        if (chunk[0] == '\\')
        {
            chunk = chunk[1..];
            if (chunk.Length == 0)
            {
                return false;
            }
        }

        value = chunk[0];
        chunk = chunk[1..];
        return chunk.Length > 0; // a class must be closed
    }
}
