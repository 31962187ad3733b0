using System.Security.Cryptography;
using System.Text;

namespace Docker.Aufs.Formats;

/// <summary>
/// Content digests (<c>algorithm:hex</c>) as Docker 1.10+ validates them (the go-digest package), and the identities
/// built from them: image IDs, DiffIDs and ChainIDs (docs/format/content-addressed.md §3).
/// </summary>
internal static class Digests
{
    /// <summary>The prefix of a SHA-256 digest.</summary>
    public const string Sha256Prefix = "sha256:";

    /// <summary>The length of a SHA-256 digest with its prefix.</summary>
    public const int Sha256Length = 71;

    /// <summary>Whether <paramref name="value"/> is <c>sha256:</c> and 64 lowercase hex characters.</summary>
    public static bool IsSha256(ReadOnlySpan<char> value) =>
        value.Length == Sha256Length && value.StartsWith(Sha256Prefix, StringComparison.Ordinal) && DockerIds.IsId(value[Sha256Prefix.Length..]);

    /// <summary>
    /// Why <paramref name="value"/> is not a digest go-digest accepts, in its words, or <see langword="null"/> when it is
    /// one: an algorithm it knows (<c>sha256</c>, <c>sha384</c>, <c>sha512</c>) and that many lowercase hex characters
    /// (go-digest <c>Digest.Validate</c>).
    /// </summary>
    public static string? Problem(string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon + 1 == value.Length)
        {
            return "invalid checksum digest format";
        }

        var hexLength = value.AsSpan(0, colon) switch
        {
            "sha256" => 64,
            "sha384" => 96,
            "sha512" => 128,
            _ => 0,
        };
        if (hexLength == 0)
        {
            return "unsupported digest algorithm";
        }

        var hex = value.AsSpan(colon + 1);
        return hex.Length != hexLength ? "invalid checksum digest length"
            : !DockerIds.IsLowerHex(hex) ? "invalid checksum digest format"
            : null;
    }

    /// <summary>The hex part of a digest (what follows the first <c>:</c>), or the value itself when it has none.</summary>
    public static string Hex(string digest)
    {
        var colon = digest.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? digest : digest[(colon + 1)..];
    }

    /// <summary><c>sha256:</c> and the lowercase hex SHA-256 of <paramref name="data"/>.</summary>
    public static string Sha256(ReadOnlySpan<byte> data) => Sha256Prefix + Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>
    /// The ChainIDs of a stack of DiffIDs, base first: the first DiffID, then <c>sha256(parent ChainID + " " + DiffID)</c>
    /// (moby v1.10.0 <c>layer/layer.go</c> <c>CreateChainID</c>).
    /// </summary>
    public static string[] ChainIds(IReadOnlyList<string> diffIds)
    {
        var chain = new string[diffIds.Count];
        for (var i = 0; i < diffIds.Count; i++)
        {
            chain[i] = i == 0 ? diffIds[0] : Sha256(Encoding.UTF8.GetBytes(chain[i - 1] + " " + diffIds[i]));
        }

        return chain;
    }
}
