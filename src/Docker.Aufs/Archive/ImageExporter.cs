using System.Buffers;
using System.IO.Abstractions;
using System.Text;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Logging;
using Microsoft.Extensions.Logging;

namespace Docker.Aufs.Archive;

/// <summary>An image to export: the image, its chain, base first, and the tags to write for it.</summary>
/// <param name="Image">The image.</param>
/// <param name="LayersBaseFirst">The layers, base first (the order of <c>rootfs.diff_ids</c>).</param>
/// <param name="Tags">The tags, as (repository, tag) in the stores' familiar form.</param>
internal sealed record ExportImage(Image Image, IReadOnlyList<ImageLayer> LayersBaseFirst, IReadOnlyList<(string Repository, string Tag)> Tags);

/// <summary>
/// Writes images as a docker-archive or an OCI image layout (directory or tar), streaming every layer once with constant
/// memory, into a temporary file or directory that is renamed into place only when everything succeeded.
/// </summary>
internal sealed class ImageExporter
{
    private const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    private const string OciConfig = "application/vnd.oci.image.config.v1+json";
    private const string OciLayer = "application/vnd.oci.image.layer.v1.tar";
    private const string OciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    private const string OciIndex = "application/vnd.oci.image.index.v1+json";

    private readonly IFileSystem _fileSystem;
    private readonly string? _rootPath;
    private readonly ILogger _logger;
    private readonly LayerTarProducer _producer;

    /// <param name="fileSystem">The root's file system.</param>
    /// <param name="rootPath">The root's path: outputs inside it are refused (<see cref="OutputGuard"/>); <see langword="null"/> when there is none.</param>
    /// <param name="metadata">The metadata seam.</param>
    /// <param name="logger">Where warnings go.</param>
    public ImageExporter(IFileSystem fileSystem, string? rootPath, IUnixMetadataProvider metadata, ILogger logger)
    {
        _fileSystem = fileSystem;
        _rootPath = rootPath;
        _logger = logger;
        _producer = new LayerTarProducer(fileSystem, metadata, logger);
    }

    /// <summary>Writes one layer's tar to a stream.</summary>
    public async ValueTask<LayerDigest> WriteLayerTarAsync<TIo>(ImageLayer layer, Stream destination, LayerSource policy, IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        var tracker = new ProgressTracker(progress, 1, layer.Size);
        tracker.Begin(layer.Id, 1);
        using var sink = new LayerSink(destination);
        var (result, _) = await _producer.ProduceAsync<TIo>(layer, sink, policy, tracker.Add, cancellationToken).ConfigureAwait(false);
        tracker.End();
        return result;
    }

    /// <summary>Writes one layer's tar to a file, atomically.</summary>
    public async ValueTask<LayerDigest> ExportLayerTarAsync<TIo>(ImageLayer layer, string outputPath, ArchiveOptions options, IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        using var output = AtomicFile.Create(options.OutputFileSystem ?? _fileSystem, outputPath, TIo.IsAsync, _fileSystem, _rootPath);
        var result = await WriteLayerTarAsync<TIo>(layer, output.Stream, options.Source, progress, cancellationToken).ConfigureAwait(false);
        output.Commit(cancellationToken);
        return result;
    }

    /// <summary>Computes an image's digests without writing anything.</summary>
    public async ValueTask<ImageDigests> DigestAsync<TIo>(Image image, IReadOnlyList<ImageLayer> chain, LayerSource policy, IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        // An image without layers has digests too: its config's, and none for layers.
        var tracker = new ProgressTracker(progress, chain.Count, EstimatedSize(chain));
        var tars = new List<LayerDigest>(chain.Count);
        for (var i = 0; i < chain.Count; i++)
        {
            tracker.Begin(chain[i].Id, i + 1);
            using var sink = new LayerSink(null);
            tars.Add((await _producer.ProduceAsync<TIo>(chain[i], sink, policy, tracker.Add, cancellationToken).ConfigureAwait(false)).Result);
        }

        tracker.End();
        return ImageConfigFactory.Create(image, chain, tars, _logger);
    }

    /// <summary>Docker refuses to save an image without layers ("empty export - not implemented"), and so does this.</summary>
    private static void RequireLayers(Image image, IReadOnlyList<ImageLayer> chain)
    {
        if (chain.Count == 0)
        {
            throw new NotSupportedException($"Image {image.Id} has no layers; Docker cannot save or load such an image either (\"empty export - not implemented\").");
        }
    }

    /// <summary>Writes the images to <paramref name="outputPath"/> in the chosen format.</summary>
    public async ValueTask<SaveResult> SaveAsync<TIo>(IReadOnlyList<ExportImage> images, string outputPath, ArchiveOptions options, IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        if (images.Count == 0)
        {
            throw new ArgumentException("At least one image is needed.", nameof(images));
        }

        foreach (var image in images)
        {
            RequireLayers(image.Image, image.LayersBaseFirst);
        }

        var layers = images.SelectMany(i => i.LayersBaseFirst).DistinctBy(l => l.Id).ToList();
        var tracker = new ProgressTracker(progress, layers.Count, EstimatedSize(layers));
        var tags = images.Select(i => ValidTags(i.Tags)).ToList();
        return options.Format switch
        {
            ArchiveFormat.DockerArchive => await SaveDockerArchiveAsync<TIo>(images, tags, layers, outputPath, options, tracker, cancellationToken).ConfigureAwait(false),
            ArchiveFormat.Oci or ArchiveFormat.OciDirectory => await SaveOciAsync<TIo>(images, tags, layers, outputPath, options, tracker, cancellationToken).ConfigureAwait(false),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Format, "Unknown archive format."),
        };
    }

    private async ValueTask<SaveResult> SaveDockerArchiveAsync<TIo>(IReadOnlyList<ExportImage> images, List<List<(string Repository, string Tag)>> tags, List<ImageLayer> layers,
        string outputPath, ArchiveOptions options, ProgressTracker tracker, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        var fileSystem = options.OutputFileSystem ?? _fileSystem;
        using var output = AtomicFile.Create(fileSystem, outputPath, TIo.IsAsync, _fileSystem, _rootPath);
        var tarStream = output.Stream;
        var tar = new ArchiveTarWriter(tarStream);
        var tars = new Dictionary<string, LayerDigest>(StringComparer.Ordinal);

        // Each layer's legacy JSON comes from the first image that has it, at its position there.
        var firstUse = new Dictionary<string, (ExportImage Image, int Index)>(StringComparer.Ordinal);
        foreach (var image in images)
        {
            for (var l = 0; l < image.LayersBaseFirst.Count; l++)
            {
                firstUse.TryAdd(image.LayersBaseFirst[l].Id, (image, l));
            }
        }

        for (var i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            tracker.Begin(layer.Id, i + 1);
            var created = ModTime(layer);
            var name = ImageConfigFactory.ArchiveName(layer);
            var (owner, index) = firstUse[layer.Id];
            await tar.WriteDirectoryAsync<TIo>(name, created, cancellationToken).ConfigureAwait(false);
            await tar.WriteFileAsync<TIo>(name + "/VERSION", "1.0"u8.ToArray(), created, cancellationToken).ConfigureAwait(false);
            await tar.WriteFileAsync<TIo>(name + "/json", ImageConfigFactory.LegacyJson(owner.Image, owner.LayersBaseFirst, index), created, cancellationToken).ConfigureAwait(false);
            var header = await tar.BeginFileAsync<TIo>(cancellationToken).ConfigureAwait(false);
            // With gzip each layer.tar is compressed (docker load and skopeo detect it); the archive itself stays a tar.
            using (var sink = new LayerSink(tarStream, options.Gzip))
            {
                tars[layer.Id] = (await _producer.ProduceAsync<TIo>(layer, sink, options.Source, tracker.Add, cancellationToken).ConfigureAwait(false)).Result;
            }

            await tar.EndFileAsync<TIo>(header, name + "/layer.tar", created, cancellationToken).ConfigureAwait(false);
        }

        tracker.End();
        var saved = new List<ImageDigests>();
        var manifest = new ArrayBufferWriter<byte>();
        var repositories = new SortedDictionary<string, SortedDictionary<string, string>>(Utf8Ordinal.Instance);
        var configs = new HashSet<string>(StringComparer.Ordinal);
        GoJsonWriter.Write(manifest, "["u8);
        for (var i = 0; i < images.Count; i++)
        {
            var chain = images[i].LayersBaseFirst;
            var digests = ImageConfigFactory.Create(images[i].Image, chain, [.. chain.Select(l => tars[l.Id])], _logger);
            var configName = digests.ImageId["sha256:".Length..] + ".json";
            if (configs.Add(configName))
            {
                await tar.WriteFileAsync<TIo>(configName, digests.Config, ModTime(chain[^1]), cancellationToken).ConfigureAwait(false);
            }

            var repoTags = tags[i].Select(t => t.Repository + ":" + t.Tag).ToList();
            foreach (var (repository, tag) in tags[i])
            {
                if (!repositories.TryGetValue(repository, out var byTag))
                {
                    repositories[repository] = byTag = new SortedDictionary<string, string>(Utf8Ordinal.Instance);
                }

                byTag[tag] = ImageConfigFactory.ArchiveName(chain[^1]);
            }

            GoJsonWriter.Write(manifest, i == 0 ? "{\"Config\":"u8 : ",{\"Config\":"u8);
            GoJsonWriter.WriteString(manifest, configName);
            GoJsonWriter.Write(manifest, ",\"RepoTags\":"u8);
            GoJsonWriter.WriteStringArray(manifest, repoTags.Count == 0 ? null : repoTags);
            GoJsonWriter.Write(manifest, ",\"Layers\":"u8);
            GoJsonWriter.WriteStringArray(manifest, [.. chain.Select(l => ImageConfigFactory.ArchiveName(l) + "/layer.tar")]);
            GoJsonWriter.Write(manifest, "}"u8);
            saved.Add(digests with { RepoTags = repoTags });
        }

        GoJsonWriter.Write(manifest, "]"u8);
        if (repositories.Count > 0)
        {
            // Docker's legacy save: a bare map written by json.Encoder (so with a newline), the top image of each tag.
            var legacy = new ArrayBufferWriter<byte>();
            GoJsonWriter.Write(legacy, "{"u8);
            var firstRepository = true;
            foreach (var (repository, byTag) in repositories)
            {
                GoJsonWriter.Write(legacy, firstRepository ? ""u8 : ","u8);
                firstRepository = false;
                GoJsonWriter.WriteString(legacy, repository);
                GoJsonWriter.Write(legacy, ":"u8);
                GoJsonWriter.WriteStringMap(legacy, byTag);
            }

            GoJsonWriter.Write(legacy, "}\n"u8);
            await tar.WriteFileAsync<TIo>("repositories", legacy.WrittenMemory, 0, cancellationToken).ConfigureAwait(false);
        }

        await tar.WriteFileAsync<TIo>("manifest.json", manifest.WrittenMemory, 0, cancellationToken).ConfigureAwait(false);
        await tar.FinishAsync<TIo>(cancellationToken).ConfigureAwait(false);

        output.Commit(cancellationToken);
        return new SaveResult { Path = output.Path, Format = ArchiveFormat.DockerArchive, Images = saved, LayerCount = layers.Count };
    }

    private async ValueTask<SaveResult> SaveOciAsync<TIo>(IReadOnlyList<ExportImage> images, List<List<(string Repository, string Tag)>> tags, List<ImageLayer> layers,
        string outputPath, ArchiveOptions options, ProgressTracker tracker, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        var directory = options.Format == ArchiveFormat.OciDirectory;
        var fileSystem = options.OutputFileSystem ?? _fileSystem;
        using var outputDirectory = directory ? AtomicDirectory.Create(fileSystem, outputPath, _fileSystem, _rootPath) : null;
        using var outputFile = directory ? null : AtomicFile.Create(fileSystem, outputPath, TIo.IsAsync, _fileSystem, _rootPath);
        var blobs = new OciBlobWriter(fileSystem, outputDirectory?.TemporaryPath, outputFile is null ? null : new ArchiveTarWriter(outputFile.Stream), outputFile?.Stream);
        await blobs.StartAsync<TIo>(cancellationToken).ConfigureAwait(false);

        var stored = new Dictionary<string, (LayerDigest Tar, LayerSinkResult Blob)>(StringComparer.Ordinal);
        for (var i = 0; i < layers.Count; i++)
        {
            tracker.Begin(layers[i].Id, i + 1);
            stored[layers[i].Id] = await blobs.WriteLayerAsync<TIo>(_producer, layers[i], options, tracker.Add, cancellationToken).ConfigureAwait(false);
        }

        tracker.End();
        var saved = new List<ImageDigests>();
        var index = new ArrayBufferWriter<byte>();
        GoJsonWriter.Write(index, "{\"schemaVersion\":2,\"mediaType\":\""u8);
        GoJsonWriter.Write(index, Encoding.ASCII.GetBytes(OciIndex));
        GoJsonWriter.Write(index, "\",\"manifests\":["u8);
        var firstDescriptor = true;
        for (var i = 0; i < images.Count; i++)
        {
            var chain = images[i].LayersBaseFirst;
            var digests = ImageConfigFactory.Create(images[i].Image, chain, [.. chain.Select(l => stored[l.Id].Tar)], _logger);
            await blobs.WriteBlobAsync<TIo>(digests.Config, cancellationToken).ConfigureAwait(false);

            var manifest = new ArrayBufferWriter<byte>();
            GoJsonWriter.Write(manifest, "{\"schemaVersion\":2,\"mediaType\":\""u8);
            GoJsonWriter.Write(manifest, Encoding.ASCII.GetBytes(OciManifest));
            GoJsonWriter.Write(manifest, "\",\"config\":"u8);
            WriteDescriptor(manifest, OciConfig, digests.ImageId, digests.Config.Length);
            GoJsonWriter.Write(manifest, ",\"layers\":["u8);
            for (var l = 0; l < chain.Count; l++)
            {
                GoJsonWriter.Write(manifest, l == 0 ? ""u8 : ","u8);
                var blob = stored[chain[l].Id].Blob;
                WriteDescriptor(manifest, options.Gzip ? OciLayerGzip : OciLayer, blob.StoredDigest, blob.StoredLength);
            }

            GoJsonWriter.Write(manifest, "]}"u8);
            var manifestDigest = await blobs.WriteBlobAsync<TIo>(manifest.WrittenMemory, cancellationToken).ConfigureAwait(false);

            var names = tags[i].Count == 0 ? [null] : tags[i].Select(t => ((string, string)?)t).ToList();
            foreach (var name in names)
            {
                GoJsonWriter.Write(index, firstDescriptor ? ""u8 : ","u8);
                firstDescriptor = false;
                GoJsonWriter.Write(index, "{\"mediaType\":\""u8);
                GoJsonWriter.Write(index, Encoding.ASCII.GetBytes(OciManifest));
                GoJsonWriter.Write(index, "\",\"digest\":"u8);
                GoJsonWriter.WriteString(index, manifestDigest);
                GoJsonWriter.Write(index, ",\"size\":"u8);
                GoJsonWriter.WriteNumber(index, manifest.WrittenCount);
                if (name is var (repository, tag))
                {
                    GoJsonWriter.Write(index, ",\"annotations\":{\"io.containerd.image.name\":"u8);
                    GoJsonWriter.WriteString(index, ReferenceGrammar.FullyQualified(repository, tag));
                    GoJsonWriter.Write(index, ",\"org.opencontainers.image.ref.name\":"u8);
                    GoJsonWriter.WriteString(index, tag);
                    GoJsonWriter.Write(index, "}"u8);
                }

                GoJsonWriter.Write(index, "}"u8);
            }

            saved.Add(digests with { RepoTags = [.. tags[i].Select(t => t.Repository + ":" + t.Tag)], ManifestDigest = manifestDigest });
        }

        GoJsonWriter.Write(index, "]}"u8);
        await blobs.FinishAsync<TIo>(index.WrittenMemory, cancellationToken).ConfigureAwait(false);
        outputDirectory?.Commit(cancellationToken);
        outputFile?.Commit(cancellationToken);
        return new SaveResult
        {
            Path = outputDirectory?.Path ?? outputFile!.Path,
            Format = options.Format,
            Images = saved,
            LayerCount = layers.Count,
        };
    }

    private List<(string Repository, string Tag)> ValidTags(IReadOnlyList<(string Repository, string Tag)> tags)
    {
        var valid = new List<(string, string)>();
        foreach (var (repository, tag) in tags)
        {
            if (ReferenceGrammar.Problem(repository, tag) is { } problem)
            {
                Log.TagNotExportable(_logger, DockerIds.Printable(repository + ":" + tag), problem);
                continue;
            }

            if (!valid.Contains((repository, tag)))
            {
                valid.Add((repository, tag));
            }
        }

        return valid;
    }

    private static void WriteDescriptor(ArrayBufferWriter<byte> output, string mediaType, string digest, long size)
    {
        GoJsonWriter.Write(output, "{\"mediaType\":"u8);
        GoJsonWriter.WriteString(output, mediaType);
        GoJsonWriter.Write(output, ",\"digest\":"u8);
        GoJsonWriter.WriteString(output, digest);
        GoJsonWriter.Write(output, ",\"size\":"u8);
        GoJsonWriter.WriteNumber(output, size);
        GoJsonWriter.Write(output, "}"u8);
    }

    private static long ModTime(ImageLayer layer) => layer.Created is { } created ? Math.Max(0, created.Value.ToUnixTimeSeconds()) : 0;

    private static long? EstimatedSize(IEnumerable<ImageLayer> layers)
    {
        long total = 0;
        foreach (var layer in layers)
        {
            if (layer.Size is not { } size)
            {
                return null;
            }

            total += size;
        }

        return total;
    }
}

/// <summary>Reports <see cref="ArchiveProgress"/> at layer boundaries and every few megabytes in between.</summary>
internal sealed class ProgressTracker
{
    private const long Step = 4 * 1024 * 1024;

    private readonly IProgress<ArchiveProgress>? _progress;
    private readonly int _count;
    private readonly long? _estimated;
    private string _layer = string.Empty;
    private int _number;
    private long _done;
    private long _reported;

    public ProgressTracker(IProgress<ArchiveProgress>? progress, int count, long? estimated)
    {
        _progress = progress;
        _count = count;
        _estimated = estimated;
    }

    public void Begin(string layerId, int number)
    {
        _layer = layerId;
        _number = number;
        Report();
    }

    public void Add(long bytes)
    {
        _done += bytes;
        if (bytes < 0 || _done - _reported >= Step)
        {
            Report();
        }
    }

    public void End() => Report();

    private void Report()
    {
        _reported = _done;
        _progress?.Report(new ArchiveProgress { LayerId = _layer, LayerNumber = _number, LayerCount = _count, BytesDone = _done, BytesEstimated = _estimated });
    }
}
