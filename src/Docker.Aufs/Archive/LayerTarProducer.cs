using System.IO.Abstractions;
using Docker.Aufs.Graph;
using Docker.Aufs.IO;
using Docker.Aufs.Logging;
using Microsoft.Extensions.Logging;

namespace Docker.Aufs.Archive;

/// <summary>A legacy layer to export: its <c>graph/</c> data and the directory holding its files (<c>aufs/diff/&lt;id&gt;</c>).</summary>
/// <param name="Layer">The layer's <c>graph/&lt;id&gt;/</c> data.</param>
/// <param name="DiffPath">The full path of its files, or <see langword="null"/> when the storage driver keeps none readable.</param>
/// <param name="Regenerable">
/// Whether <paramref name="DiffPath"/> holds only the layer's own changes (AUFS), so its tar can be regenerated from it. Other
/// drivers keep a whole root file system per layer (overlay <c>root/</c>, vfs): enough to reassemble, not to regenerate.
/// </param>
internal sealed record ExportLayer(GraphLayer Layer, string? DiffPath, bool Regenerable = true)
{
    public string Id => Layer.Id;
}

/// <summary>
/// Produces a layer's tar by the chosen policy: reassembly from tar-split data when the layer has it (byte-exact), else — or,
/// with <see cref="LayerSourcePolicy.Auto"/>, when reassembly fails — regeneration from the layer directory. A failed reassembly
/// is undone by rewinding the sink; a sink that cannot rewind makes the failure final.
/// </summary>
internal sealed class LayerTarProducer
{
    private readonly IFileSystem _fileSystem;
    private readonly IUnixMetadataProvider _metadata;
    private readonly ILogger _logger;

    public LayerTarProducer(IFileSystem fileSystem, IUnixMetadataProvider metadata, ILogger logger)
    {
        _fileSystem = fileSystem;
        _metadata = metadata;
        _logger = logger;
    }

    /// <exception cref="LayerReassemblyException">With <see cref="LayerSourcePolicy.TarSplitOnly"/>: no tar-split data, or files that do not match it.</exception>
    /// <exception cref="CorruptFileException">With <see cref="LayerSourcePolicy.TarSplitOnly"/>: the tar-split data is damaged.</exception>
    /// <exception cref="UnsafePathException">With <see cref="LayerSourcePolicy.TarSplitOnly"/>: the tar-split data names a path outside the layer.</exception>
    /// <exception cref="LayerReassemblyException">Regeneration is needed and the driver keeps no AUFS-style directory for the layer.</exception>
    /// <exception cref="DirectoryNotFoundException">Regeneration is needed and the layer directory is missing.</exception>
    public async ValueTask<(LayerTarResult Result, LayerSinkResult Stored)> ProduceAsync(ExportLayer layer, LayerSink sink, LayerSourcePolicy policy, Action<long>? progress, bool useAsync,
        CancellationToken cancellationToken)
    {
        var tarData = _fileSystem.Path.Combine(layer.Layer.Directory, GraphFiles.TarSplit);
        if (policy != LayerSourcePolicy.RegenerateOnly)
        {
            if (layer.Layer.HasTarSplit && layer.DiffPath is { } diff)
            {
                var done = 0L;
                try
                {
                    await new TarSplitAssembler(_fileSystem, _metadata, layer.Id, tarData, diff)
                        .AssembleAsync(sink, n => { done += n; progress?.Invoke(n); }, useAsync, cancellationToken).ConfigureAwait(false);
                    return Finish(layer, sink, LayerTarSource.TarSplit);
                }
                catch (DockerDataException e) when (policy == LayerSourcePolicy.Auto && sink.CanRewind)
                {
                    Log.ReassemblyFailed(_logger, layer.Id, e.Message);
                    sink.TryRewind();
                    progress?.Invoke(-done);
                }
            }
            else if (policy == LayerSourcePolicy.TarSplitOnly)
            {
                throw new LayerReassemblyException(layer.Id, string.Empty, tarData, layer.DiffPath is null
                    ? "the storage driver keeps no directory of files for the layer"
                    : "the layer has no tar-split data (it was created before Docker 1.8)");
            }
        }

        if (layer.DiffPath is null || !layer.Regenerable)
        {
            throw new LayerReassemblyException(layer.Id, string.Empty, layer.DiffPath ?? tarData, layer.DiffPath is null
                ? "the storage driver keeps no directory of files for the layer, so its tar can be neither reassembled nor regenerated"
                : "the layer has no usable tar-split data, and only AUFS layer directories (a layer's own changes) can be regenerated into a tar");
        }

        await new LayerTarGenerator(_fileSystem, _metadata, layer.DiffPath, _logger).GenerateAsync(sink, progress, useAsync, cancellationToken).ConfigureAwait(false);
        return Finish(layer, sink, LayerTarSource.Regenerated);
    }

    private (LayerTarResult, LayerSinkResult) Finish(ExportLayer layer, LayerSink sink, LayerTarSource source)
    {
        var result = sink.Complete();
        Log.LayerTarWritten(_logger, layer.Id, source == LayerTarSource.TarSplit ? "reassembled" : "regenerated", result.Length, result.DiffId);
        return (new LayerTarResult { LayerId = layer.Id, DiffId = result.DiffId, Size = result.Length, Source = source }, result);
    }
}
