using System.IO.Abstractions;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Archive;

/// <summary>
/// Stores the blobs of an OCI image layout (<c>oci-layout</c>, <c>blobs/sha256/&lt;hex&gt;</c>, <c>index.json</c>) in a directory or
/// in a tar. A layer blob is streamed under a temporary name (directory) or a placeholder header (tar) and named by its digest
/// once written; a blob already present is not written twice.
/// </summary>
internal sealed class OciBlobWriter
{
    private static readonly byte[] LayoutFile = "{\"imageLayoutVersion\":\"1.0.0\"}"u8.ToArray();

    private readonly IFileSystem _fileSystem;
    private readonly string? _directory;
    private readonly ArchiveTarWriter? _tar;
    private readonly Stream? _tarStream;
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);

    public OciBlobWriter(IFileSystem fileSystem, string? directory, ArchiveTarWriter? tar, Stream? tarStream)
    {
        _fileSystem = fileSystem;
        _directory = directory;
        _tar = tar;
        _tarStream = tarStream;
    }

    private string BlobDirectory => _fileSystem.Path.Combine(_directory!, "blobs", "sha256");

    public async ValueTask StartAsync<TIo>(CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        if (_tar is not null)
        {
            await _tar.WriteFileAsync<TIo>("oci-layout", LayoutFile, 0, cancellationToken).ConfigureAwait(false);
            await _tar.WriteDirectoryAsync<TIo>("blobs", 0, cancellationToken).ConfigureAwait(false);
            await _tar.WriteDirectoryAsync<TIo>("blobs/sha256", 0, cancellationToken).ConfigureAwait(false);
            return;
        }

        _fileSystem.Directory.CreateDirectory(BlobDirectory);
        await WriteFileAsync<TIo>(_fileSystem.Path.Combine(_directory!, "oci-layout"), LayoutFile, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<(LayerDigest Tar, LayerSinkResult Blob)> WriteLayerAsync<TIo>(LayerTarProducer producer, ImageLayer layer, ArchiveOptions options, Action<long> progress,
        CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        if (_tar is not null)
        {
            var header = await _tar.BeginFileAsync<TIo>(cancellationToken).ConfigureAwait(false);
            (LayerDigest, LayerSinkResult) produced;
            using (var sink = new LayerSink(_tarStream, options.Gzip))
            {
                produced = await producer.ProduceAsync<TIo>(layer, sink, options.Source, progress, cancellationToken).ConfigureAwait(false);
            }

            if (_written.Add(produced.Item2.StoredDigest))
            {
                await _tar.EndFileAsync<TIo>(header, BlobName(produced.Item2.StoredDigest), 0, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                _tar.Discard(header);
            }

            return produced;
        }

        var temporary = _fileSystem.Path.Combine(BlobDirectory, ".layer-" + Guid.NewGuid().ToString("N")[..12]);
        (LayerDigest, LayerSinkResult) result;
        var file = _fileSystem.FileStream.New(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, TIo.IsAsync ? FileOptions.Asynchronous : FileOptions.None);
        try
        {
            using var sink = new LayerSink(file, options.Gzip);
            result = await producer.ProduceAsync<TIo>(layer, sink, options.Source, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await TIo.DisposeAsync(file).ConfigureAwait(false);
        }

        var target = _fileSystem.Path.Combine(_directory!, BlobName(result.Item2.StoredDigest));
        if (_written.Add(result.Item2.StoredDigest))
        {
            _fileSystem.File.Move(temporary, target);
        }
        else
        {
            _fileSystem.File.Delete(temporary);
        }

        return result;
    }

    /// <summary>Stores a small blob (config, manifest) and returns its digest.</summary>
    public async ValueTask<string> WriteBlobAsync<TIo>(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        var digest = Digests.Sha256(content.Span);
        if (!_written.Add(digest))
        {
            return digest;
        }

        if (_tar is not null)
        {
            await _tar.WriteFileAsync<TIo>(BlobName(digest), content, 0, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await WriteFileAsync<TIo>(_fileSystem.Path.Combine(_directory!, BlobName(digest)), content, cancellationToken).ConfigureAwait(false);
        }

        return digest;
    }

    public async ValueTask FinishAsync<TIo>(ReadOnlyMemory<byte> index, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        if (_tar is not null)
        {
            await _tar.WriteFileAsync<TIo>("index.json", index, 0, cancellationToken).ConfigureAwait(false);
            await _tar.FinishAsync<TIo>(cancellationToken).ConfigureAwait(false);
            return;
        }

        await WriteFileAsync<TIo>(_fileSystem.Path.Combine(_directory!, "index.json"), index, cancellationToken).ConfigureAwait(false);
    }

    private static string BlobName(string digest) => "blobs/sha256/" + digest["sha256:".Length..];

    private async ValueTask WriteFileAsync<TIo>(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        if (TIo.IsAsync)
        {
            await _fileSystem.File.WriteAllBytesAsync(path, content.ToArray(), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _fileSystem.File.WriteAllBytes(path, content.ToArray());
        }
    }
}
