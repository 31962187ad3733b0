using System.Buffers;

namespace Docker.Aufs.Formats;

/// <summary>The ways a tar stream can be unreadable to Docker 1.9's tar reader.</summary>
internal sealed class TarFormatException : Exception
{
    public TarFormatException(string message)
        : base(message)
    {
    }

    public TarFormatException()
    {
    }

    public TarFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Reads a tar stream as tar-split's fork of Go 1.5's <c>archive/tar</c> reads it with <c>RawAccounting</c>: every byte that is
/// not entry content — header blocks, PAX and GNU long-name records, padding, the end-of-archive blocks — is collected and
/// handed out by <see cref="TakeRaw"/>, so the stream can be rebuilt byte for byte from those segments and the contents.
/// </summary>
/// <remarks>
/// Header parsing follows Go 1.5: USTAR, GNU and star magic, the prefix field, octal or base-256 numbers, the checksum
/// checked signed or unsigned; a PAX header applies to the next header only; GNU long names and links; a global PAX header
/// (<c>g</c>) is an ordinary entry. The end is two zero blocks, one zero block then the end of the stream, or the end of the
/// stream at a header boundary. Old GNU sparse entries and PAX sizes that contradict the header are refused (Docker 1.9
/// could not reproduce them either).
/// </remarks>
internal sealed partial class TarStreamReader
{
    /// <summary>The largest PAX or GNU long-name record accepted.</summary>
    public const int MaxExtendedHeader = 8 * 1024 * 1024;

    private readonly Stream _input;
    private readonly bool _collectRaw;
    private readonly ArrayBufferWriter<byte> _raw = new(4096);
    private readonly byte[] _block = new byte[TarType.BlockSize];
    private long _remaining;
    private int _padding;
    private bool _ended;

    /// <summary>Initializes a reader.</summary>
    /// <param name="input">The tar stream.</param>
    /// <param name="collectRaw">
    /// Whether to collect the raw bytes (for tar-split). Without, unread content is skipped by seeking when the stream can
    /// seek, which makes listing a large archive cheap.
    /// </param>
    public TarStreamReader(Stream input, bool collectRaw = true)
    {
        _input = input;
        _collectRaw = collectRaw;
    }

    /// <summary>Gets the number of content bytes of the current entry not read yet.</summary>
    public long Remaining => _remaining;

    /// <summary>Gets the total number of bytes consumed from the stream.</summary>
    public long Position { get; private set; }

    /// <summary>Gets whether the archive's end-of-archive marker (a zero block) was read: without it, a tar that simply stops may have been cut short.</summary>
    public bool SawEndMarker { get; private set; }

    /// <summary>Returns the next header, or <see langword="null"/> at the end of the archive.</summary>
    /// <exception cref="TarFormatException">The stream is not a tar Docker 1.9 could read.</exception>
    public async ValueTask<TarEntryHeader?> NextAsync<TIo>(CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        if (_ended)
        {
            return null;
        }

        // The rest of the previous entry (unread content, then padding) belongs to the raw bytes.
        await SkipToRawAsync<TIo>(_remaining + _padding, cancellationToken).ConfigureAwait(false);
        _remaining = 0;
        _padding = 0;

        byte[]? longName = null;
        byte[]? longLink = null;
        Dictionary<string, byte[]>? pax = null;
        while (true)
        {
            var header = await ReadHeaderAsync<TIo>(cancellationToken).ConfigureAwait(false);
            if (header is null)
            {
                if (longName is not null || longLink is not null || pax is not null)
                {
                    throw new TarFormatException("the archive ends after an extended header, without the entry it describes");
                }

                return null;
            }

            switch (header.Typeflag)
            {
                case TarType.PaxHeader when pax is null:
                    pax = ParsePax(await ReadExtendedAsync<TIo>(header, cancellationToken).ConfigureAwait(false));
                    continue;
                case TarType.GnuLongName when longName is null:
                    longName = CString(await ReadExtendedAsync<TIo>(header, cancellationToken).ConfigureAwait(false));
                    continue;
                case TarType.GnuLongLink when longLink is null:
                    longLink = CString(await ReadExtendedAsync<TIo>(header, cancellationToken).ConfigureAwait(false));
                    continue;
                case TarType.GnuSparse:
                    throw new TarFormatException($"'{Printable(header.Name)}' is a GNU sparse file, which layer tars cannot hold");
            }

            if (pax is not null)
            {
                MergePax(header, pax);
            }

            if (longName is not null)
            {
                header.Name = longName;
            }

            if (longLink is not null)
            {
                header.Linkname = longLink;
            }

            return header;
        }
    }

    /// <summary>Returns the raw bytes collected since the last call, and forgets them.</summary>
    public byte[] TakeRaw()
    {
        var raw = _raw.WrittenSpan.ToArray();
        _raw.Clear();
        return raw;
    }

    /// <summary>Reads content of the current entry; 0 when it is all read.</summary>
    public async ValueTask<int> ReadContentAsync<TIo>(Memory<byte> buffer, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        if (_remaining == 0 || buffer.IsEmpty)
        {
            return 0;
        }

        var want = (int)Math.Min(buffer.Length, _remaining);
        var read = await TIo.ReadAsync(_input, buffer[..want], cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            throw new TarFormatException($"the archive ends {_remaining} bytes before the end of an entry's content");
        }

        _remaining -= read;
        Position += read;
        return read;
    }

    /// <summary>After the end of the archive: whatever follows the end-of-archive blocks.</summary>
    public async ValueTask<byte[]> ReadRemainderAsync<TIo>(int limit, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        while (true)
        {
            var read = await TIo.ReadAsync(_input, chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.ToArray();
            }

            if (buffer.Length + read > limit)
            {
                throw new TarFormatException($"more than {limit} bytes follow the end of the archive");
            }

            buffer.Write(chunk, 0, read);
            Position += read;
        }
    }

    private async ValueTask<TarEntryHeader?> ReadHeaderAsync<TIo>(CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        var read = await ReadFullAsync<TIo>(_block, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            _ended = true;
            return null;
        }

        if (read < TarType.BlockSize)
        {
            throw new TarFormatException("the archive ends inside a header block");
        }

        Collect(_block);
        if (!_block.AsSpan().ContainsAnyExcept((byte)0))
        {
            SawEndMarker = true;
            read = await ReadFullAsync<TIo>(_block, cancellationToken).ConfigureAwait(false);
            _ended = true;
            if (read == 0)
            {
                return null;
            }

            if (read < TarType.BlockSize)
            {
                throw new TarFormatException("the archive ends inside its end-of-archive blocks");
            }

            Collect(_block);
            return _block.AsSpan().ContainsAnyExcept((byte)0)
                ? throw new TarFormatException("a zero block is followed by a header: the archive is damaged")
                : null;
        }

        var header = Parse(_block);
        _remaining = header.Size;
        _padding = TarType.Padding(header.Size);
        return header;
    }

    private async ValueTask<byte[]> ReadExtendedAsync<TIo>(TarEntryHeader header, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        if (header.Size > MaxExtendedHeader)
        {
            throw new TarFormatException($"an extended header of {header.Size} bytes is larger than the {MaxExtendedHeader} bytes accepted");
        }

        var data = new byte[header.Size];
        var read = await ReadFullAsync<TIo>(data, cancellationToken).ConfigureAwait(false);
        if (read < data.Length)
        {
            throw new TarFormatException("the archive ends inside an extended header");
        }

        Collect(data);
        _remaining = 0;
        await SkipToRawAsync<TIo>(_padding, cancellationToken).ConfigureAwait(false);
        _padding = 0;
        return data;
    }

    private async ValueTask SkipToRawAsync<TIo>(long count, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        if (!_collectRaw && _input.CanSeek && count > 0)
        {
            var skip = Math.Min(count, _input.Length - _input.Position);
            _input.Seek(skip, SeekOrigin.Current);
            Position += skip;
            if (skip < count)
            {
                _ended = true;
            }

            return;
        }

        while (count > 0)
        {
            var want = (int)Math.Min(count, _block.Length);
            var read = await ReadFullAsync<TIo>(_block.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
            Collect(_block.AsSpan(0, read));
            if (read < want)
            {
                // Go's skipUnread: an archive that ends here ends cleanly; nothing more can be read.
                _ended = true;
                return;
            }

            count -= read;
        }
    }

    private void Collect(ReadOnlySpan<byte> bytes)
    {
        if (_collectRaw)
        {
            _raw.Write(bytes);
        }
    }

    private async ValueTask<int> ReadFullAsync<TIo>(Memory<byte> buffer, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await TIo.ReadAsync(_input, buffer[total..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        Position += total;
        return total;
    }
}
