using System.Security.Cryptography;
using System.Text;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Archive;

/// <summary>Docker 1.10's identity of a legacy chain: v2 config, image ID, ChainIDs (docs/format/graph-era.md §9.3).</summary>
internal static class ImageConfigFactory
{
    /// <summary>Builds the <see cref="ImageDigests"/> of a chain whose layer tars have been produced.</summary>
    /// <param name="chain">The layers, base first.</param>
    /// <param name="tars">The layer tars, in the same order.</param>
    /// <exception cref="CorruptFileException">A layer's JSON does not decode as Docker 1.10 decodes it.</exception>
    public static ImageDigests Create(IReadOnlyList<ImageLayer> chain, IReadOnlyList<LayerDigest> tars)
    {
        ArgumentOutOfRangeException.ThrowIfZero(chain.Count);
        var history = new GoHistoryItem[chain.Count];
        for (var i = 0; i < chain.Count; i++)
        {
            history[i] = GoImageConfig.HistoryFromV1(JsonValue(chain[i]).Span, JsonPath(chain[i]));
        }

        var diffIds = tars.Select(t => t.DiffId).ToArray();
        var top = chain[^1];
        var config = GoImageConfig.MakeConfig(JsonValue(top).Span, history, diffIds, JsonPath(top));
        var chainIds = ChainIds(diffIds);
        var layers = new LayerDigest[chain.Count];
        for (var i = 0; i < chain.Count; i++)
        {
            layers[i] = new LayerDigest { Id = chain[i].Id, DiffId = diffIds[i], ChainId = chainIds[i], Size = tars[i].Size, Source = tars[i].Source };
        }

        return new ImageDigests { SourceId = top.Id, Config = config, ImageId = Digest(config), Layers = layers };
    }

    /// <summary>ChainIDs: the first DiffID, then <c>sha256(parent ChainID + " " + DiffID)</c>.</summary>
    public static string[] ChainIds(IReadOnlyList<string> diffIds)
    {
        var chain = new string[diffIds.Count];
        for (var i = 0; i < diffIds.Count; i++)
        {
            chain[i] = i == 0 ? diffIds[0] : Digest(Encoding.UTF8.GetBytes(chain[i - 1] + " " + diffIds[i]));
        }

        return chain;
    }

    /// <summary><c>sha256:</c> and the lowercase hex SHA-256 of <paramref name="data"/>.</summary>
    public static string Digest(ReadOnlySpan<byte> data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>The bytes Docker's decoder reads from a layer's stored JSON: its first value (invalid UTF-8 replaced).</summary>
    public static ReadOnlyMemory<byte> JsonValue(ImageLayer layer) => GoJson.FirstValue(layer.LegacyJson, JsonPath(layer));

    private static string JsonPath(ImageLayer layer) => layer.Directory + "/json";
}
