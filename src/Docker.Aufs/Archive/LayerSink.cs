using System.IO.Compression;
using System.Security.Cryptography;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;

namespace Docker.Aufs.Archive;

/// <summary>
/// Where a layer tar goes while it is produced: it is hashed (the DiffID) and counted, optionally gzip-compressed (and the
/// compressed bytes hashed and counted too), and written to a stream — or only hashed. A sink over a seekable stream, or
/// without one, can be rewound to its start, so a failed reassembly can be redone by regeneration.
/// </summary>
internal sealed class LayerSink : ITarOutput, IDisposable
{
    private readonly Stream? _target;
    private readonly bool _compress;
    private readonly long _start;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private HashingStream? _compressed;
    private GZipStream? _gzip;

    public LayerSink(Stream? target, bool compress = false)
    {
        _target = target;
        _compress = compress;
        _start = target is { CanSeek: true } ? target.Position : 0;
        Open();
    }

    /// <summary>Gets the number of uncompressed bytes written.</summary>
    public long Length { get; private set; }

    /// <summary>Gets whether <see cref="TryRewind"/> can succeed.</summary>
    public bool CanRewind => _target is null || _target.CanSeek;

    public void Write(ReadOnlySpan<byte> data)
    {
        _hash.AppendData(data);
        Length += data.Length;
        if (_gzip is not null)
        {
            _gzip.Write(data);
        }
        else
        {
            _target?.Write(data);
        }
    }

    public async ValueTask WriteAsync<TIo>(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        _hash.AppendData(data.Span);
        Length += data.Length;
        if (_gzip is not null)
        {
            await TIo.WriteAsync(_gzip, data, cancellationToken).ConfigureAwait(false);
        }
        else if (_target is not null)
        {
            await TIo.WriteAsync(_target, data, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Forgets everything written: truncates the target back to where the sink started and resets the hashes.</summary>
    /// <returns><see langword="false"/> when the target cannot seek.</returns>
    public bool TryRewind()
    {
        if (!CanRewind)
        {
            return false;
        }

        _gzip?.Dispose();
        if (_target is not null)
        {
            _target.SetLength(_start);
            _target.Position = _start;
        }

        _hash.GetHashAndReset();
        Length = 0;
        Open();
        return true;
    }

    /// <summary>Finishes the stream (flushing the compressor) and returns the digests.</summary>
    public LayerSinkResult Complete()
    {
        _gzip?.Dispose();
        _gzip = null;
        var diffId = "sha256:" + Convert.ToHexStringLower(_hash.GetHashAndReset());
        if (_compressed is { } c)
        {
            var storedLength = c.Written;
            return new LayerSinkResult(diffId, Length, "sha256:" + Convert.ToHexStringLower(c.GetHashAndReset()), storedLength);
        }

        return new LayerSinkResult(diffId, Length, diffId, Length);
    }

    public void Dispose()
    {
        _gzip?.Dispose();
        _compressed?.Dispose();
        _hash.Dispose();
    }

    private void Open()
    {
        if (!_compress)
        {
            return;
        }

        _compressed?.Dispose();
        _compressed = new HashingStream(_target);
        _gzip = new GZipStream(_compressed, CompressionLevel.Optimal, leaveOpen: true);
    }
}

/// <summary>The digests of a finished layer tar: uncompressed (DiffID) and as stored (the same unless compressed).</summary>
internal readonly record struct LayerSinkResult(string DiffId, long Length, string StoredDigest, long StoredLength);

/// <summary>A write-only stream that hashes and counts what passes through to an optional inner stream.</summary>
internal sealed class HashingStream : WriteOnlyStream
{
    private readonly Stream? _inner;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public HashingStream(Stream? inner)
    {
        _inner = inner;
    }

    public long Written { get; private set; }

    public byte[] GetHashAndReset()
    {
        Written = 0;
        return _hash.GetHashAndReset();
    }

    public override void Flush() => _inner?.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner?.FlushAsync(cancellationToken) ?? Task.CompletedTask;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _hash.AppendData(buffer);
        Written += buffer.Length;
        _inner?.Write(buffer);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _hash.AppendData(buffer.Span);
        Written += buffer.Length;
        if (_inner is not null)
        {
            await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
