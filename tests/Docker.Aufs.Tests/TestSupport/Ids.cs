using System.Security.Cryptography;
using System.Text;

namespace Docker.Aufs.Tests.TestSupport;

/// <summary>Deterministic IDs for fixtures: <c>Ids.Of("base")</c> is always the same 64-hex string.</summary>
internal static class Ids
{
    public static string Of(string name) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)));

    /// <summary>An ID that starts with <paramref name="prefix"/> (hex), the rest derived from <paramref name="name"/>.</summary>
    public static string WithPrefix(string prefix, string name) => prefix + Of(name)[prefix.Length..];
}
