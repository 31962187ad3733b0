namespace Docker.Aufs.Formats;

/// <summary>
/// Docker's ID rules (docs/format/graph-era.md §5): image and layer IDs are 64 lowercase hex characters; a container's
/// init layer in the driver is <c>&lt;id&gt;-init</c>; the short form is the first 12 characters.
/// </summary>
/// <threadsafety static="true" instance="true"/>
internal static class DockerIds
{
    /// <summary>The length of a full ID.</summary>
    public const int Length = 64;

    /// <summary>The length of a short ID, as <c>docker images</c> shows it.</summary>
    public const int ShortLength = 12;

    /// <summary>The suffix of a container's init layer in the graph driver.</summary>
    public const string InitSuffix = "-init";

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>Returns whether <paramref name="value"/> is a full ID: exactly 64 characters of <c>[0-9a-f]</c>.</summary>
    /// <param name="value">The candidate.</param>
    /// <returns><see langword="true"/> for a valid ID.</returns>
    public static bool IsId(ReadOnlySpan<char> value) => value.Length == Length && IsLowerHex(value);

    /// <summary>Returns whether <paramref name="value"/> names a graph-driver layer: a full ID, or a full ID followed by <c>-init</c>.</summary>
    /// <param name="value">The candidate.</param>
    /// <returns><see langword="true"/> for a valid driver layer ID.</returns>
    public static bool IsLayerId(ReadOnlySpan<char> value) =>
        IsId(value) || (value.Length == Length + InitSuffix.Length && value.EndsWith(InitSuffix, StringComparison.Ordinal) && IsId(value[..Length]));

    /// <summary>Returns whether <paramref name="value"/> is a non-empty run of lowercase hex characters (a possible ID prefix).</summary>
    /// <param name="value">The candidate.</param>
    /// <returns><see langword="true"/> when every character is in <c>[0-9a-f]</c> and there is at least one.</returns>
    public static bool IsLowerHex(ReadOnlySpan<char> value) => !value.IsEmpty && !value.ContainsAnyExcept(LowerHex);

    /// <summary>Returns Docker's short form of an ID: its first 12 characters (or the whole value when shorter).</summary>
    /// <param name="id">A full or partial ID.</param>
    /// <returns>The truncated ID.</returns>
    public static string Shorten(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.Length <= ShortLength ? id : id[..ShortLength];
    }

    /// <summary>
    /// Docker's <c>stringid.IsShortID(stringid.TruncateID(value))</c>: whether the first 12 characters of the value are
    /// 12 characters of <c>[a-z0-9]</c>. Decides whether a tag that is not found is retried as an ID prefix.
    /// </summary>
    internal static bool LooksLikeShortId(string value)
    {
        if (value.Length < ShortLength)
        {
            return false;
        }

        foreach (var c in value.AsSpan(0, ShortLength))
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9')))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws unless <paramref name="value"/> is a full ID; used before any path is built from data read in the root.</summary>
    /// <param name="value">The value read.</param>
    /// <param name="source">The file it was read from, for the error.</param>
    /// <returns>The validated value.</returns>
    internal static string RequireId(string value, string source) =>
        IsId(value) ? value : throw Invalid(value, source, "an image ID");

    /// <summary>Throws unless <paramref name="value"/> is a driver layer ID; used before any path is built from data read in the root.</summary>
    internal static string RequireLayerId(string value, string source) =>
        IsLayerId(value) ? value : throw Invalid(value, source, "a layer ID");

    private static DockerDataException Invalid(string value, string source, string what) =>
        LooksLikePath(value)
            ? new UnsafePathException(source, value)
            : new CorruptFileException(source, $"'{Printable(value)}' is not {what} (64 lowercase hex characters)");

    private static bool LooksLikePath(string value) =>
        value.Contains('/', StringComparison.Ordinal) || value.Contains('\\', StringComparison.Ordinal) || value is "." or ".." || value.Contains('\0', StringComparison.Ordinal);

    /// <summary>
    /// Escapes a path for a message and, when it is long, shortens it from the front: the end of a path names the file, its
    /// start only the root (a path cut after 80 characters stopped inside a layer ID and never named the file).
    /// </summary>
    internal static string PrintablePath(string path)
    {
        const int Max = 240;
        return path.Length <= Max ? Printable(path, int.MaxValue) : "…" + Printable(path[^Max..], int.MaxValue);
    }

    /// <summary>Shortens and escapes a value for an error message, so garbage cannot flood or corrupt a terminal.</summary>
    internal static string Printable(string value) => Printable(value, 80);

    private static string Printable(string value, int max)
    {
        var span = value.AsSpan(0, Math.Min(value.Length, max));
        var builder = new System.Text.StringBuilder(span.Length + 8);
        foreach (var c in span)
        {
            if (char.IsControl(c))
            {
                builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        if (value.Length > max)
        {
            builder.Append('…');
        }

        return builder.ToString();
    }
}
