using System.Security.Cryptography;

namespace Docker.Aufs.Archive;

/// <summary>A read-only pass-through stream that hashes what is read (to check a layer against its DiffID while it is imported).</summary>
internal sealed class HashingReadStream : Docker.Aufs.IO.ReadOnlyStream
{
    private readonly Stream _inner;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private string? _digest;

    public HashingReadStream(Stream inner)
    {
        _inner = inner;
    }

    /// <summary>Gets the digest of everything read, once the stream was read to its end.</summary>
    public string? Digest => _digest;

    public override int Read(Span<byte> buffer)
    {
        var read = _inner.Read(buffer);
        Account(buffer[..read]);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Account(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Account(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            _digest ??= "sha256:" + Convert.ToHexStringLower(_hash.GetHashAndReset());
            return;
        }

        _hash.AppendData(data);
    }
}
