using System.Buffers.Binary;
using System.Text;
using Docker.Aufs.IO;

namespace Docker.Aufs.Archive;

/// <summary>
/// Copies a tar archive arriving as a stream up to its end-of-archive blocks and no further, as Go's <c>archive/tar</c> (and
/// so <c>docker load</c>) stops reading there: whatever follows the archive — a tape record's padding, other data, or no
/// end at all (<c>/dev/zero</c>, whose first block already ends the archive) — is never read into the staging directory.
/// Each header's size is taken as Go's reader takes it: a header-only type (a link, device, directory or fifo) carries no
/// data whatever its size field says. A header whose size cannot be read stops the copy after that block: the tar reader
/// that reads the copy refuses it, naming the member.
/// </summary>
internal static class TarSpool
{
    private const int Block = 512;

    /// <summary>Copies <paramref name="input"/> into <paramref name="output"/> up to the archive's end; returns the bytes copied.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled between two steps.</exception>
    public static long Copy(Stream input, Stream output, CancellationToken cancellationToken)
    {
        var header = new byte[Block];
        var buffer = new byte[StepCopy.StepSize];
        long copied = 0;
        var zeroBlocks = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var read = input.ReadAtLeast(header, Block, throwOnEndOfStream: false);
            output.Write(header.AsSpan(0, read));
            copied += read;
            if (read < Block)
            {
                break; // cut short: the reader of the copy says where
            }

            if (!header.AsSpan().ContainsAnyExcept((byte)0))
            {
                if (++zeroBlocks == 2)
                {
                    break; // the end-of-archive marker
                }

                continue;
            }

            if (zeroBlocks == 1 || DataSize(header) is not { } size)
            {
                break; // a block after a single zero block, or a header with no readable size: the reader refuses it
            }

            var remaining = (size + Block - 1) / Block * Block;
            while (remaining > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var step = input.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
                if (step == 0)
                {
                    output.Flush();
                    return copied; // cut short inside the member: the reader of the copy says so
                }

                output.Write(buffer, 0, step);
                copied += step;
                remaining -= step;
            }
        }

        output.Flush();
        return copied;
    }

    /// <summary>The bytes of data after a header, as Go's reader skips them, or <see langword="null"/> when the size field is not a number.</summary>
    internal static long? DataSize(ReadOnlySpan<byte> header)
    {
        var type = header[156];
        if (type is (byte)'1' or (byte)'2' or (byte)'3' or (byte)'4' or (byte)'5' or (byte)'6')
        {
            return 0; // header-only types (Go's isHeaderOnlyType)
        }

        var field = header.Slice(124, 12);
        if ((field[0] & 0x80) != 0)
        {
            // base-256 (GNU): a positive number in the remaining bytes, big-endian; more than 63 bits is not a size.
            if ((field[0] & 0x7F) != 0 || field[1..4].ContainsAnyExcept((byte)0))
            {
                return null;
            }

            var value = BinaryPrimitives.ReadInt64BigEndian(field[4..]);
            return value < 0 ? null : value;
        }

        var text = Encoding.ASCII.GetString(field).Trim(' ', '\0');
        if (text.Length == 0)
        {
            return 0;
        }

        long size = 0;
        foreach (var c in text)
        {
            if (c is < '0' or > '7' || size > (long.MaxValue >> 3))
            {
                return null;
            }

            size = (size << 3) | (long)(c - '0');
        }

        return size;
    }
}
