namespace Docker.Aufs.Formats;

/// <summary>
/// Orders strings as Go orders them: by the bytes of their UTF-8 form (equivalently, by code point). <see cref="StringComparer.Ordinal"/>
/// compares UTF-16 units, which puts characters above U+FFFF before U+E000–U+FFFF; this comparer does not.
/// Go sorts map keys this way when it marshals a map, and <c>filepath.Walk</c> visits directory entries in this order.
/// </summary>
internal sealed class Utf8Ordinal : IComparer<string>
{
    public static Utf8Ordinal Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            var a = x[i];
            var b = y[i];
            if (a == b)
            {
                continue;
            }

            // Surrogates (U+D800–U+DFFF) encode code points above U+FFFF: they sort after every other UTF-16 unit.
            var sa = char.IsSurrogate(a);
            var sb = char.IsSurrogate(b);
            if (sa != sb)
            {
                return sa ? 1 : -1;
            }

            return a.CompareTo(b);
        }

        return x.Length.CompareTo(y.Length);
    }
}
