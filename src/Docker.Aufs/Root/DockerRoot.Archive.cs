using Docker.Aufs.Archive;
using Docker.Aufs.Drivers.Aufs;
using Docker.Aufs.Formats;

namespace Docker.Aufs;

/// <summary>The export half of the facade: layer tars, digests and image archives (issue 4; legacy-layout §9).</summary>
public sealed partial class DockerRoot
{
    /// <inheritdoc/>
    public LayerTarResult WriteLayerTar(string layerId, Stream destination, LayerTarOptions? options = null, IProgress<ArchiveProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        AsyncIo.RunSync(WriteLayerTarCoreAsync(layerId, destination, options, progress, useAsync: false, cancellationToken));

    /// <inheritdoc/>
    public Task<LayerTarResult> WriteLayerTarAsync(string layerId, Stream destination, LayerTarOptions? options = null, IProgress<ArchiveProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        WriteLayerTarCoreAsync(layerId, destination, options, progress, useAsync: true, cancellationToken).AsTask();

    /// <inheritdoc/>
    public LayerTarResult ExportLayerTar(string layerId, string outputPath, LayerTarOptions? options = null, IProgress<ArchiveProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        AsyncIo.RunSync(ExportLayerTarCoreAsync(layerId, outputPath, options, progress, useAsync: false, cancellationToken));

    /// <inheritdoc/>
    public Task<LayerTarResult> ExportLayerTarAsync(string layerId, string outputPath, LayerTarOptions? options = null, IProgress<ArchiveProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        ExportLayerTarCoreAsync(layerId, outputPath, options, progress, useAsync: true, cancellationToken).AsTask();

    /// <inheritdoc/>
    public ImageDigests GetDigests(string reference, LayerTarOptions? options = null, IProgress<ArchiveProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        AsyncIo.RunSync(GetDigestsCoreAsync(reference, options, progress, useAsync: false, cancellationToken));

    /// <inheritdoc/>
    public Task<ImageDigests> GetDigestsAsync(string reference, LayerTarOptions? options = null, IProgress<ArchiveProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        GetDigestsCoreAsync(reference, options, progress, useAsync: true, cancellationToken).AsTask();

    /// <inheritdoc/>
    public SaveResult Save(IReadOnlyList<string> references, string outputPath, SaveOptions? options = null, IProgress<ArchiveProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        AsyncIo.RunSync(SaveCoreAsync(references, outputPath, options, progress, useAsync: false, cancellationToken));

    /// <inheritdoc/>
    public Task<SaveResult> SaveAsync(IReadOnlyList<string> references, string outputPath, SaveOptions? options = null, IProgress<ArchiveProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        SaveCoreAsync(references, outputPath, options, progress, useAsync: true, cancellationToken).AsTask();

    private ImageExporter Exporter => new(FileSystem, Metadata, _logger);

    private async ValueTask<LayerTarResult> WriteLayerTarCoreAsync(string layerId, Stream destination, LayerTarOptions? options, IProgress<ArchiveProgress>? progress,
        bool useAsync, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var layer = ExportLayerOf(GetLayer(ResolveImageId(layerId)));
        return await Exporter.WriteLayerTarAsync(layer, destination, (options ?? LayerTarOptions.Default).Source, progress, useAsync, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<LayerTarResult> ExportLayerTarCoreAsync(string layerId, string outputPath, LayerTarOptions? options, IProgress<ArchiveProgress>? progress,
        bool useAsync, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        var layer = ExportLayerOf(GetLayer(ResolveImageId(layerId)));
        return await Exporter.ExportLayerTarAsync(layer, outputPath, options ?? LayerTarOptions.Default, progress, useAsync, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<ImageDigests> GetDigestsCoreAsync(string reference, LayerTarOptions? options, IProgress<ArchiveProgress>? progress, bool useAsync,
        CancellationToken cancellationToken)
    {
        var chain = ChainBaseFirst(Resolve(reference));
        return await Exporter.DigestAsync(chain, (options ?? LayerTarOptions.Default).Source, progress, useAsync, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<SaveResult> SaveCoreAsync(IReadOnlyList<string> references, string outputPath, SaveOptions? options, IProgress<ArchiveProgress>? progress,
        bool useAsync, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(references);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        if (references.Count == 0)
        {
            throw new ArgumentException("Name at least one image to save.", nameof(references));
        }

        // Docker's save: a bare repository name saves every tag of it; name:tag that tag; an ID or digest the image, untagged.
        var order = new List<string>();
        var tagsByImage = new Dictionary<string, List<(string, string)>>(StringComparer.Ordinal);
        void Add(string imageId, (string Repository, string Tag)? tag)
        {
            if (!tagsByImage.TryGetValue(imageId, out var tags))
            {
                tagsByImage[imageId] = tags = [];
                order.Add(imageId);
            }

            if (tag is { } t && !tags.Contains(t))
            {
                tags.Add(t);
            }
        }

        foreach (var reference in references)
        {
            ArgumentException.ThrowIfNullOrEmpty(reference, nameof(references));
            var parsed = ImageReference.Parse(reference);
            if (parsed.ExplicitReference is null && Repositories.TryGetRepository(parsed.LocalName, out var repository))
            {
                foreach (var (tag, id) in repository.OrderBy(t => t.Key, StringComparer.Ordinal))
                {
                    if (!ImageReference.IsDigestReference(tag))
                    {
                        Add(ResolveImageId(ImageReference.Format(parsed.LocalName, tag)), (parsed.LocalName, tag));
                    }
                }

                continue;
            }

            var imageId = ResolveImageId(reference);
            var byTag = !parsed.IsDigest && Repositories.TryGetRepository(parsed.LocalName, out var tags) &&
                        tags.TryGetValue(parsed.TagOrDigest, out var tagged) && tagged == imageId;
            Add(imageId, byTag ? (parsed.LocalName, parsed.TagOrDigest) : null);
        }

        var images = order.Select(id => new ExportImage(ChainBaseFirst(Resolve(id)), tagsByImage[id])).ToList();
        return await Exporter.SaveAsync(images, outputPath, options ?? SaveOptions.Default, progress, useAsync, cancellationToken).ConfigureAwait(false);
    }

    private List<ExportLayer> ChainBaseFirst(ImageStack stack)
    {
        var chain = new List<ExportLayer>(stack.Layers.Count);
        for (var i = stack.Layers.Count - 1; i >= 0; i--)
        {
            chain.Add(ExportLayerOf(stack.Layers[i].Layer));
        }

        return chain;
    }

    /// <summary>Where the layer's files are: AUFS <c>diff/</c> (its own changes), or the full root file system of overlay and vfs (reassembly only).</summary>
    private ExportLayer ExportLayerOf(Graph.GraphLayer layer) => Driver switch
    {
        AufsDriver.Name => new ExportLayer(layer, Aufs!.ResolveBranch(layer.Id, Metadata, _logger).Path),
        "overlay" => new ExportLayer(layer, FileSystem.Path.Combine(Path, "overlay", layer.Id, "root"), Regenerable: false),
        "vfs" => new ExportLayer(layer, FileSystem.Path.Combine(Path, "vfs", "dir", layer.Id), Regenerable: false),
        _ => new ExportLayer(layer, null, Regenerable: false),
    };
}
