using System.Text;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Archive;

/// <summary>
/// Writes the outer tar of an archive (docker-archive, OCI archive) to a seekable stream. A member whose size — or even name —
/// is known only after its content has been streamed (a layer tar, a blob named by its digest) is written with a placeholder
/// header that is patched afterwards, so nothing is buffered in memory. Entries are owned by 0:0 with Go's header layout.
/// </summary>
internal sealed class ArchiveTarWriter
{
    private const long DirectoryMode = 0x41ED; // 040755
    private const long FileMode = 0x81A4; // 0100644

    private readonly Stream _stream;

    public ArchiveTarWriter(Stream stream)
    {
        if (!stream.CanSeek)
        {
            throw new ArgumentException("The archive stream must be seekable.", nameof(stream));
        }

        _stream = stream;
    }

    public ValueTask WriteDirectoryAsync<TIo>(string name, long modTime, CancellationToken cancellationToken)
        where TIo : struct, IIoMode =>
        WriteAsync<TIo>(Header(name.EndsWith('/') ? name : name + "/", TarType.Directory, DirectoryMode, 0, modTime), cancellationToken);

    public async ValueTask WriteFileAsync<TIo>(string name, ReadOnlyMemory<byte> content, long modTime, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        await WriteAsync<TIo>(Header(name, TarType.Regular, FileMode, content.Length, modTime), cancellationToken).ConfigureAwait(false);
        await WriteAsync<TIo>(content, cancellationToken).ConfigureAwait(false);
        await WriteAsync<TIo>(new byte[TarType.Padding(content.Length)], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts a member whose content the caller streams to the underlying stream next.</summary>
    /// <returns>The position of its header, for <see cref="EndFileAsync"/> or <see cref="Discard"/>.</returns>
    public async ValueTask<long> BeginFileAsync<TIo>(CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        var position = _stream.Position;
        await WriteAsync<TIo>(new byte[TarType.BlockSize], cancellationToken).ConfigureAwait(false);
        return position;
    }

    /// <summary>Finishes a member begun with <see cref="BeginFileAsync"/>: its header gets the final name and size, then padding follows.</summary>
    public async ValueTask EndFileAsync<TIo>(long headerPosition, string name, long modTime, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        var end = _stream.Position;
        var size = end - headerPosition - TarType.BlockSize;
        var header = Header(name, TarType.Regular, FileMode, size, modTime);
        if (header.Length != TarType.BlockSize)
        {
            throw new InvalidOperationException($"The member name '{name}' needs more than one header block.");
        }

        _stream.Position = headerPosition;
        await WriteAsync<TIo>(header, cancellationToken).ConfigureAwait(false);
        _stream.Position = end;
        await WriteAsync<TIo>(new byte[TarType.Padding(size)], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops a member begun with <see cref="BeginFileAsync"/> (a blob already in the archive).</summary>
    public void Discard(long headerPosition)
    {
        _stream.SetLength(headerPosition);
        _stream.Position = headerPosition;
    }

    /// <summary>Writes the two zero blocks that end an archive.</summary>
    public ValueTask FinishAsync<TIo>(CancellationToken cancellationToken)
        where TIo : struct, IIoMode =>
        WriteAsync<TIo>(new byte[2 * TarType.BlockSize], cancellationToken);

    private static byte[] Header(string name, byte type, long mode, long size, long modTime) =>
        new GoTarHeaderEncoder().Encode(new TarEntryHeader
        {
            Name = Encoding.UTF8.GetBytes(name),
            Typeflag = type,
            Mode = mode,
            Size = size,
            ModTimeSeconds = modTime,
        });

    private async ValueTask WriteAsync<TIo>(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        if (data.IsEmpty)
        {
            return;
        }

        await TIo.WriteAsync(_stream, data, cancellationToken).ConfigureAwait(false);
    }
}
