using System.IO.Abstractions;
using Docker.Aufs.IO;
using Docker.Aufs.Logging;
using Microsoft.Extensions.Logging;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Archive;

/// <summary>
/// Produces a layer's tar by the chosen policy: reassembly from tar-split data when the layer has it (byte-exact), else — or,
/// with <see cref="LayerSource.Auto"/>, when reassembly fails — regeneration from the layer directory. A failed reassembly
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

    /// <exception cref="LayerReassemblyException">With <see cref="LayerSource.TarSplit"/>: no tar-split data, or files that do not match it.</exception>
    /// <exception cref="CorruptFileException">With <see cref="LayerSource.TarSplit"/>: the tar-split data is damaged.</exception>
    /// <exception cref="UnsafePathException">With <see cref="LayerSource.TarSplit"/>: the tar-split data names a path outside the layer.</exception>
    /// <exception cref="LayerReassemblyException">Regeneration is needed and the driver keeps no AUFS-style directory for the layer.</exception>
    /// <exception cref="DirectoryNotFoundException">Regeneration is needed and the layer directory is missing.</exception>
    /// <param name="layer">The layer.</param>
    /// <param name="sink">Where the tar goes.</param>
    /// <param name="policy">Reassemble, regenerate, or reassemble with regeneration as the fallback.</param>
    /// <param name="progress">Told of each chunk written (a negative count when a failed reassembly is undone).</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <param name="onHeaderDivergence">
    /// Told of each member whose recorded mode, owner or device numbers differ from its file (fsck); <see langword="null"/> logs
    /// one warning per layer instead. The tar keeps the recorded header either way, as Docker's reassembly does.
    /// </param>
    public async ValueTask<(LayerDigest Result, LayerSinkResult Stored)> ProduceAsync<TIo>(ImageLayer layer, LayerSink sink, LayerSource policy, Action<long>? progress, CancellationToken cancellationToken,
        Action<TarSplitHeaderDivergence>? onHeaderDivergence = null)
        where TIo : struct, IIoMode
    {
        var tarData = layer.TarSplitPath ?? _fileSystem.Path.Combine(layer.Directory, "tar-split data");
        var diffPath = layer.ContentPath;
        if (policy != LayerSource.Regenerated)
        {
            if (layer.TarSplitPath is not null && diffPath is { } diff)
            {
                var done = 0L;
                var diverging = 0;
                TarSplitHeaderDivergence? first = null;
                onHeaderDivergence ??= d => { first ??= d; diverging++; };
                try
                {
                    await new TarSplitAssembler(_fileSystem, _metadata, layer.Id, tarData, diff, layer.ContentFormat, onHeaderDivergence)
                        .AssembleAsync<TIo>(sink, n => { done += n; progress?.Invoke(n); }, cancellationToken).ConfigureAwait(false);
                    var result = sink.Complete();
                    if (layer.DiffId is { } expected && result.DiffId != expected)
                    {
                        // Every file matched its record, yet the tar is not the one registered: the tar-split data itself changed.
                        throw new LayerReassemblyException(layer.Id, string.Empty, tarData,
                            $"the reassembled tar hashes to {result.DiffId}, not to the DiffID {expected} the layer's record holds: the tar-split data was altered")
                        {
                            IsDiffIdMismatch = true,
                        };
                    }

                    if (first is not null)
                    {
                        Log.RecordedHeadersDiffer(_logger, layer.Id, diverging, $"{first.EntryName}: {first.Problem}");
                    }

                    return Finish(layer, result, LayerSource.TarSplit);
                }
                catch (DockerDataException e) when (policy == LayerSource.Auto && sink.CanRewind)
                {
                    Log.ReassemblyFailed(_logger, layer.Id, e.Message);
                    sink.TryRewind();
                    progress?.Invoke(-done);
                }
            }
            else if (policy == LayerSource.TarSplit)
            {
                throw new LayerReassemblyException(layer.Id, string.Empty, tarData, diffPath is null
                    ? "the storage driver keeps no directory of files for the layer"
                    : "the layer has no tar-split data (it was created before Docker 1.8)");
            }
        }

        if (diffPath is null || layer.ContentFormat is not (LayerContentFormat.AufsChanges or LayerContentFormat.OverlayChanges))
        {
            throw new LayerReassemblyException(layer.Id, string.Empty, diffPath ?? tarData, diffPath is null
                ? "the storage driver keeps no directory of files for the layer, so its tar can be neither reassembled nor regenerated"
                : "the layer has no usable tar-split data, and only layer directories that hold a layer's own changes (aufs, overlay2) can be regenerated into a tar; a whole-tree layer (vfs) cannot yet");
        }

        var overlay = layer.ContentFormat == LayerContentFormat.OverlayChanges ? OverlayMarks() : null;
        await new LayerTarGenerator(_fileSystem, _metadata, diffPath, _logger, overlay).GenerateAsync<TIo>(sink, progress, cancellationToken).ConfigureAwait(false);
        return Finish(layer, sink.Complete(), LayerSource.Regenerated);
    }

    /// <summary>The overlay marks of the layer directory, read from the real metadata; a mark that cannot be read is said once.</summary>
    private Drivers.OverlayBranches OverlayMarks()
    {
        var warned = 0;
        return new Drivers.OverlayBranches(_fileSystem, _metadata, reason =>
        {
            if (Interlocked.Exchange(ref warned, 1) == 0)
            {
                Log.OpaqueDirectoriesUnknown(_logger, "overlay2", reason);
            }
        });
    }

    private (LayerDigest, LayerSinkResult) Finish(ImageLayer layer, LayerSinkResult result, LayerSource source)
    {
        Log.LayerTarWritten(_logger, layer.Id, source == LayerSource.TarSplit ? "reassembled" : "regenerated", result.Length, result.DiffId);
        return (new LayerDigest { Id = layer.Id, DiffId = result.DiffId, Size = result.Length, Source = source }, result);
    }
}
