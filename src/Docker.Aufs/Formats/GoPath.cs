namespace Docker.Aufs.Formats;

/// <summary>Go's lexical path rules on Unix (<c>path.Clean</c>, <c>filepath.Clean</c>): the one implementation every reader and writer uses.</summary>
internal static class GoPath
{
    /// <summary>Go's <c>filepath.Clean</c> on Unix.</summary>
    public static string Clean(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }

        var rooted = path[0] == '/';
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0 && parts[^1] != "..")
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                else if (!rooted)
                {
                    parts.Add(part);
                }

                continue;
            }

            parts.Add(part);
        }

        var joined = string.Join('/', parts);
        return rooted ? "/" + joined : joined.Length == 0 ? "." : joined;
    }

    /// <summary>
    /// The path of <paramref name="path"/> relative to the directory <paramref name="root"/> after Go's cleaning (both
    /// absolute), or <see langword="null"/> when it lies outside it or is the directory itself.
    /// </summary>
    public static string? RelativeInside(string root, string path)
    {
        var cleanRoot = Clean(root);
        var cleaned = Clean(path);
        var prefix = cleanRoot == "/" ? "/" : cleanRoot + "/";
        return cleaned.StartsWith(prefix, StringComparison.Ordinal) && cleaned.Length > prefix.Length ? cleaned[prefix.Length..] : null;
    }
}
