using System.IO.Abstractions;

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

    public async ValueTask StartAsync(bool useAsync, CancellationToken cancellationToken)
    {
        if (_tar is not null)
        {
            await _tar.WriteFileAsync("oci-layout", LayoutFile, 0, useAsync, cancellationToken).ConfigureAwait(false);
            await _tar.WriteDirectoryAsync("blobs", 0, useAsync, cancellationToken).ConfigureAwait(false);
            await _tar.WriteDirectoryAsync("blobs/sha256", 0, useAsync, cancellationToken).ConfigureAwait(false);
            return;
        }

        _fileSystem.Directory.CreateDirectory(BlobDirectory);
        await WriteFileAsync(_fileSystem.Path.Combine(_directory!, "oci-layout"), LayoutFile, useAsync, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<(LayerDigest Tar, LayerSinkResult Blob)> WriteLayerAsync(LayerTarProducer producer, ImageLayer layer, ArchiveOptions options, Action<long> progress,
        bool useAsync, CancellationToken cancellationToken)
    {
        if (_tar is not null)
        {
            var header = await _tar.BeginFileAsync(useAsync, cancellationToken).ConfigureAwait(false);
            (LayerDigest, LayerSinkResult) produced;
            using (var sink = new LayerSink(_tarStream, options.Gzip))
            {
                produced = await producer.ProduceAsync(layer, sink, options.Source, progress, useAsync, cancellationToken).ConfigureAwait(false);
            }

            if (_written.Add(produced.Item2.StoredDigest))
            {
                await _tar.EndFileAsync(header, BlobName(produced.Item2.StoredDigest), 0, useAsync, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                _tar.Discard(header);
            }

            return produced;
        }

        var temporary = _fileSystem.Path.Combine(BlobDirectory, ".layer-" + Guid.NewGuid().ToString("N")[..12]);
        (LayerDigest, LayerSinkResult) result;
        var file = _fileSystem.FileStream.New(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, useAsync ? FileOptions.Asynchronous : FileOptions.None);
        try
        {
            using var sink = new LayerSink(file, options.Gzip);
            result = await producer.ProduceAsync(layer, sink, options.Source, progress, useAsync, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await AsyncIo.DisposeAsync(file, useAsync).ConfigureAwait(false);
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
    public async ValueTask<string> WriteBlobAsync(ReadOnlyMemory<byte> content, bool useAsync, CancellationToken cancellationToken)
    {
        var digest = ImageConfigFactory.Digest(content.Span);
        if (!_written.Add(digest))
        {
            return digest;
        }

        if (_tar is not null)
        {
            await _tar.WriteFileAsync(BlobName(digest), content, 0, useAsync, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await WriteFileAsync(_fileSystem.Path.Combine(_directory!, BlobName(digest)), content, useAsync, cancellationToken).ConfigureAwait(false);
        }

        return digest;
    }

    public async ValueTask FinishAsync(ReadOnlyMemory<byte> index, bool useAsync, CancellationToken cancellationToken)
    {
        if (_tar is not null)
        {
            await _tar.WriteFileAsync("index.json", index, 0, useAsync, cancellationToken).ConfigureAwait(false);
            await _tar.FinishAsync(useAsync, cancellationToken).ConfigureAwait(false);
            return;
        }

        await WriteFileAsync(_fileSystem.Path.Combine(_directory!, "index.json"), index, useAsync, cancellationToken).ConfigureAwait(false);
    }

    private static string BlobName(string digest) => "blobs/sha256/" + digest["sha256:".Length..];

    private async ValueTask WriteFileAsync(string path, ReadOnlyMemory<byte> content, bool useAsync, CancellationToken cancellationToken)
    {
        if (useAsync)
        {
            await _fileSystem.File.WriteAllBytesAsync(path, content.ToArray(), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _fileSystem.File.WriteAllBytes(path, content.ToArray());
        }
    }
}
