using System.IO.Abstractions;
using System.Security.Cryptography;
using System.Text;
using Docker.Aufs.Drivers;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Stores.ContentAddressed;

namespace Docker.Aufs.Archive;

/// <summary>Import into a 1.10+ root: <c>image/aufs/</c> as Docker 1.10–23.x's <c>docker load</c> writes it.</summary>
public static partial class ImageImporter
{
    /// <summary>
    /// Writes the plan as Docker 1.10+'s load does (moby v17.03.0-ce <c>image/tarexport/load.go</c>): each layer registered
    /// once per chain — extracted into <c>aufs/diff/&lt;cache-id&gt;</c> while its tar-split data is recorded and its DiffID
    /// hashed, then its <c>layerdb</c> record written under its ChainID — and each image's config stored byte for byte, so
    /// its ID is the archive's. A pre-1.10 archive gives one image per layer, each config derived as the migration derived
    /// it, each on the image of its parent. References are stored as the reference store keys them.
    /// </summary>
    /// <returns>The images written (tagged ones and heads), and the number of layers registered.</returns>
    /// <exception cref="ArchiveFormatException">A layer's DiffID is not the one its config names, or a tag is not a valid reference.</exception>
    private static (List<ImageSummary> Images, int LayerCount) WriteContentAddressed(IFileSystem fs, SaveArchive archive, Plan plan, EntryWriter writer, LayerDriver driver,
        string rootPath, ImportOptions options, CancellationToken cancellationToken)
    {
        var store = CasWriter.CreateSkeleton(fs, rootPath, ImportDriver, driver.GuardedDirectories);
        var registered = new Dictionary<(string? Parent, string Member), (string ChainId, string DiffId, string CacheId)>();
        var byChain = new Dictionary<string, string>(StringComparer.Ordinal);
        var imageIds = new Dictionary<string, string>(StringComparer.Ordinal);
        var references = new List<(string Reference, string ImageId)>();
        var configsWritten = new Dictionary<byte[], string>(ReferenceEqualityComparer.Instance);
        var histories = new Dictionary<string, GoHistoryItem>(StringComparer.Ordinal);
        var layerCount = plan.Sources.SelectMany(i => i.ChainBaseFirst).Select(l => l.Member.Name).Distinct(StringComparer.Ordinal).Count();
        foreach (var image in plan.Sources)
        {
            string? chainId = null;
            string? cacheId = null;
            var diffIds = new List<string>(image.ChainBaseFirst.Count);
            foreach (var layer in image.ChainBaseFirst)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var key = (chainId, layer.Member.Name);
                if (!registered.TryGetValue(key, out var done))
                {
                    done = Register(fs, archive, layer, chainId, cacheId, writer, driver, store, options, byChain);
                    registered[key] = done;
                    options.Progress?.Report(new ArchiveProgress { LayerId = done.ChainId, LayerNumber = registered.Count, LayerCount = Math.Max(layerCount, registered.Count) });
                }

                (chainId, cacheId) = (done.ChainId, done.CacheId);
                diffIds.Add(done.DiffId);
            }

            // Entries naming one config share its bytes (read once): it is hashed and written once.
            if (image.Config is null || !configsWritten.TryGetValue(image.Config, out var id))
            {
                var config = image.Config ?? LegacyConfig(archive, image.ChainBaseFirst, diffIds, histories);
                id = CasWriter.WriteConfig(fs, store, config);
                if (image.Config is not null)
                {
                    configsWritten[image.Config] = id;
                }
            }

            imageIds[image.LegacyId] = id;
            if (image.LegacyParent is { } parent && imageIds.TryGetValue(parent, out var parentId))
            {
                CasWriter.WriteImageParent(fs, store, id, parentId);
            }

            references.AddRange(image.RepoTags.Select(tag => (tag, id)));
        }

        try
        {
            CasWriter.WriteReferences(fs, store, references);
        }
        catch (ArgumentException e)
        {
            throw new ArchiveFormatException(archive.Path, null, e.Message, e);
        }

        var referencesOf = references.ToLookup(r => r.ImageId, StringComparer.Ordinal);
        var images = plan.Images.Select(i => new ImageSummary
        {
            Id = imageIds[i.Id],
            RepoTags = [.. referencesOf[imageIds[i.Id]].Select(r => CasWriter.Entry(r.Reference, r.ImageId).Reference)],
        }).ToList();
        return (images, byChain.Count);
    }

    /// <summary>Registers one layer on <paramref name="parentChainId"/>: driver layer, extraction, tar-split, DiffID check, layer record.</summary>
    private static (string ChainId, string DiffId, string CacheId) Register(IFileSystem fs, SaveArchive archive, PlannedLayer layer, string? parentChainId, string? parentCacheId,
        EntryWriter writer, LayerDriver driver, string store, ImportOptions options, Dictionary<string, string> byChain)
    {
        // Docker picks a random cache-id; a name derived from the chain keeps imports reproducible.
        var cacheId = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("docker-aufs-import:" + parentChainId + " " + layer.Member.Name)));
        var diff = driver.CreateLayer(cacheId, parentCacheId);
        long size;
        string diffId;
        using var tarSplit = new MemoryStream();
        using (var tar = new HashingReadStream(archive.OpenLayer(layer.Member)))
        {
            size = LayerTarApplier.Apply(writer, tar, diff, tarSplit, options.TarSplitDialect, archive.Path + ":" + layer.Member.Name);
            diffId = tar.Digest!;
        }

        if (layer.ExpectedDiffId is { } expected && diffId != expected)
        {
            throw new ArchiveFormatException(archive.Path, layer.Member.Name, $"invalid diffID for layer: the config names {expected}, the layer is {diffId}");
        }

        var chainId = parentChainId is null ? diffId : Digests.ChainIds([parentChainId, diffId])[1];
        if (byChain.TryGetValue(chainId, out var existing))
        {
            // The same layer again (another member with the same content): Docker keeps the first and drops the new one.
            fs.Directory.Delete(diff, recursive: true);
            fs.Directory.Delete(fs.Path.Combine(driver.Directory, "mnt", cacheId), recursive: true);
            fs.File.Delete(driver.RecordPath(cacheId));
            return (chainId, diffId, existing);
        }

        CasWriter.WriteLayer(fs, store, chainId, diffId, size, cacheId, parentChainId, tarSplit.ToArray());
        byChain[chainId] = cacheId;
        return (chainId, diffId, cacheId);
    }

    /// <summary>The config Docker 1.10 derives for the top of a pre-1.10 chain (docs/format/graph-era.md §9.3).</summary>
    /// <param name="archive">The archive (for errors).</param>
    /// <param name="chain">The layers, base first.</param>
    /// <param name="diffIds">Their DiffIDs.</param>
    /// <param name="histories">Each layer's history item, once derived: an archive's chain of N layers gives N images, whose configs share them.</param>
    private static byte[] LegacyConfig(SaveArchive archive, List<PlannedLayer> chain, List<string> diffIds, Dictionary<string, GoHistoryItem> histories)
    {
        var history = new List<GoHistoryItem>(chain.Count);
        foreach (var layer in chain)
        {
            if (!histories.TryGetValue(layer.Id, out var item))
            {
                item = GoImageConfig.HistoryFromV1(GoJson.FirstValue(layer.Json, Where(layer)).Span, Where(layer));
                histories[layer.Id] = item;
            }

            history.Add(item);
        }

        var top = chain[^1];
        return GoImageConfig.MakeConfig(GoJson.FirstValue(top.Json, Where(top)).Span, history, diffIds, Where(top));

        string Where(PlannedLayer layer) => archive.Path + ":" + layer.Id + "/json";
    }
}
