namespace Docker.Aufs.Cli.Output;

/// <summary>IDs as docker shows them: 12 hex characters, without the <c>sha256:</c> algorithm prefix.</summary>
internal static class Ids
{
    /// <summary>The length docker shortens IDs to.</summary>
    public const int ShortLength = 12;

    private const string Sha256Prefix = "sha256:";
    private const string InitSuffix = "-init";

    /// <summary>The first 12 hex characters of an ID (a <c>sha256:</c> prefix dropped); a driver layer's <c>-init</c> suffix is kept. Anything else is returned as it is.</summary>
    public static string Shorten(string id)
    {
        var hex = id.StartsWith(Sha256Prefix, StringComparison.Ordinal) ? id[Sha256Prefix.Length..] : id;
        var suffix = hex.EndsWith(InitSuffix, StringComparison.Ordinal) ? InitSuffix : string.Empty;
        var bare = hex[..^suffix.Length];
        return IsHex(bare) && bare.Length > ShortLength ? bare[..ShortLength] + suffix : id;
    }

    /// <summary>Whether <paramref name="value"/> is a full image or container ID: 64 lowercase hex characters, optionally after <c>sha256:</c>.</summary>
    public static bool IsFullId(string value)
    {
        var hex = value.StartsWith(Sha256Prefix, StringComparison.Ordinal) ? value[Sha256Prefix.Length..] : value;
        return hex.Length == 64 && IsHex(hex);
    }

    private static bool IsHex(string value) => value.Length > 0 && value.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
