namespace Docker.Aufs.Union;

/// <summary>Paths inside an image: <c>/</c>-separated, relative to the image root, no leading slash, empty for the root.</summary>
internal static class ImagePath
{
    /// <summary>The name of the marker that makes a directory opaque.</summary>
    public const string OpaqueMarker = ".wh..wh..opq";

    /// <summary>The prefix of whiteouts (and of every AUFS-internal name).</summary>
    public const string WhiteoutPrefix = ".wh.";

    /// <summary>The prefix of AUFS metadata names (<c>.wh..wh.aufs</c>, <c>.wh..wh.plnk</c>, <c>.wh..wh.orph</c>, the opaque marker).</summary>
    public const string MetaPrefix = ".wh..wh.";

    /// <summary>Splits a caller's path into its components, dropping empty ones and <c>.</c>; <c>..</c> is kept for the resolver.</summary>
    public static List<string> Split(string path)
    {
        var parts = new List<string>();
        foreach (var range in path.AsSpan().Split('/'))
        {
            var part = path.AsSpan()[range];
            if (part.IsEmpty || part is ".")
            {
                continue;
            }

            parts.Add(part.ToString());
        }

        return parts;
    }

    /// <summary>Joins a directory path and a name.</summary>
    public static string Combine(string directory, string name) => directory.Length == 0 ? name : directory + "/" + name;

    /// <summary>The last component of a path ("" for the root).</summary>
    public static string NameOf(string path) => path[(path.LastIndexOf('/') + 1)..];

    /// <summary>The directory part of a path ("" for a top-level name or the root).</summary>
    public static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? string.Empty : path[..slash];
    }

    /// <summary>The host path of <paramref name="relative"/> inside a branch directory.</summary>
    public static string InBranch(string branch, string relative) => relative.Length == 0 ? branch : branch + "/" + relative;

    /// <summary>Formats an image path for messages: with a leading slash.</summary>
    public static string Display(string path) => "/" + path;
}
