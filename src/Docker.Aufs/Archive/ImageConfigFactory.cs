using Docker.Aufs.Formats;
using Docker.Aufs.Logging;
using Microsoft.Extensions.Logging;

namespace Docker.Aufs.Archive;

/// <summary>
/// The identity an image has in an archive: its config, image ID and ChainIDs. A content-addressed image keeps the config
/// it has on disk, byte for byte, so its image ID is the ID on disk (docs/format/content-addressed.md §10); a graph-era
/// chain gets the config Docker 1.10's migration computed from it (docs/format/graph-era.md §9.3).
/// </summary>
internal static class ImageConfigFactory
{
    /// <summary>Builds the <see cref="ImageDigests"/> of an image whose layer tars have been produced.</summary>
    /// <param name="image">The image.</param>
    /// <param name="chain">Its layers, base first.</param>
    /// <param name="tars">The layer tars, in the same order.</param>
    /// <param name="logger">Where a changed image ID is reported.</param>
    /// <exception cref="CorruptFileException">A layer's JSON does not decode as Docker 1.10 decodes it.</exception>
    public static ImageDigests Create(Image image, IReadOnlyList<ImageLayer> chain, IReadOnlyList<LayerDigest> tars, ILogger logger)
    {
        var diffIds = tars.Select(t => t.DiffId).ToArray();
        byte[] config;
        string imageId;
        var stored = HasImageConfig(image);
        if (stored || chain.Count == 0)
        {
            if (chain.Select(l => l.DiffId).SequenceEqual(diffIds, StringComparer.Ordinal) && ConfigDiffIds(image).SequenceEqual(diffIds, StringComparer.Ordinal))
            {
                (config, imageId) = (image.Config.ToArray(), image.Id);
            }
            else
            {
                // A layer's tar had to be regenerated (or the store disagrees with the config): the config must name the
                // tars actually written, which gives the image another ID.
                config = GoImageConfig.WithDiffIds(image.Config.Span, diffIds, image.Id);
                imageId = Digests.Sha256(config);
                Log.ImageIdChanged(logger, image.Id, imageId);
            }
        }
        else
        {
            var history = new GoHistoryItem[chain.Count];
            for (var i = 0; i < chain.Count; i++)
            {
                history[i] = GoImageConfig.HistoryFromV1(JsonValue(chain[i]).Span, JsonPath(chain[i]));
            }

            var top = chain[^1];
            config = GoImageConfig.MakeConfig(JsonValue(top).Span, history, diffIds, JsonPath(top));
            imageId = Digests.Sha256(config);
        }

        var chainIds = Digests.ChainIds(diffIds);
        var layers = new LayerDigest[chain.Count];
        for (var i = 0; i < chain.Count; i++)
        {
            layers[i] = new LayerDigest { Id = chain[i].Id, DiffId = diffIds[i], ChainId = chainIds[i], Size = tars[i].Size, Source = tars[i].Source };
        }

        return new ImageDigests { SourceId = stored ? image.Id : chain[^1].Id, Config = config, ImageId = imageId, Layers = layers };
    }

    /// <summary>
    /// Whether the image's <see cref="Image.Config"/> is an image config of Docker 1.10+ (it has <c>rootfs</c>, and every layer
    /// its DiffID), to be kept byte for byte; otherwise it is a graph-era layer's JSON, from which Docker 1.10's migration
    /// derived the config. The format of the data decides, not the store it came from.
    /// </summary>
    public static bool HasImageConfig(Image image) =>
        image.Layers.All(l => l.DiffId is not null) && GoJson.Deserialize(image.Config, DockerJsonContext.Default.ImageConfigJson, image.Id)?.RootFs is not null;

    /// <summary>
    /// The name of a layer's directory in a docker-archive: the graph-era layer ID, or the hex of a content-addressed layer's
    /// ChainID (Docker names it after a synthetic v1 ID; loaders go by <c>manifest.json</c>, so any unique name works).
    /// </summary>
    public static string ArchiveName(ImageLayer layer) => Digests.IsSha256(layer.Id) ? Digests.Hex(layer.Id) : layer.Id;

    /// <summary>
    /// The legacy <c>&lt;dir&gt;/json</c> of layer <paramref name="index"/> (base first) of an image in a docker-archive: the
    /// stored JSON of a graph-era layer; for a content-addressed image, what Docker 1.10+'s save writes — the config
    /// without <c>rootfs</c> and <c>history</c> for the top layer, and a minimal JSON from the layer's history entry below it.
    /// </summary>
    /// <exception cref="CorruptFileException">The config is not a JSON object.</exception>
    public static ReadOnlyMemory<byte> LegacyJson(Image image, IReadOnlyList<ImageLayer> chain, int index)
    {
        var layer = chain[index];
        if (!HasImageConfig(image))
        {
            return JsonValue(layer);
        }

        var id = ArchiveName(layer);
        var parent = index > 0 ? ArchiveName(chain[index - 1]) : null;
        if (index == chain.Count - 1)
        {
            return GoImageConfig.MakeV1FromConfig(image.Config.Span, id, parent, image.Id);
        }

        var entry = image.History.FirstOrDefault(h => h.LayerId == layer.Id);
        var created = entry?.Created ?? image.Created;
        var time = created is { } c && GoTimestamp.TryParse(c.Text, out var parsed) ? parsed : GoTimestamp.Zero;
        return GoImageConfig.MakeV1ForLayer(id, parent, new GoHistoryItem(time, string.Empty, entry?.CreatedBy ?? string.Empty, entry?.Comment ?? string.Empty));
    }

    /// <summary>The bytes Docker's decoder reads from a layer's stored JSON: its first value (invalid UTF-8 replaced).</summary>
    public static ReadOnlyMemory<byte> JsonValue(ImageLayer layer) => GoJson.FirstValue(layer.LegacyJson, JsonPath(layer));

    /// <summary>The DiffIDs a content-addressed image's config lists.</summary>
    private static IEnumerable<string?> ConfigDiffIds(Image image) =>
        GoJson.Deserialize(image.Config, DockerJsonContext.Default.ImageConfigJson, image.Id)?.RootFs?.DiffIds ?? [];

    private static string JsonPath(ImageLayer layer) => layer.Directory + "/json";
}
