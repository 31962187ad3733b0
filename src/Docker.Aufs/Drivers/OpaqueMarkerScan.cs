using System.Buffers;
using System.Text;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Drivers;

/// <summary>
/// Finds the tar-split lines that can name an opaque marker without decoding the others: a listing needs only those
/// names, and decoding every line of every layer's tar-split (the base64 payloads above all) was most of an overlay2
/// listing's time. A line is decoded when it holds <c>.wh..wh..opq</c> literally, a backslash (an escape could spell the
/// marker or a key) or <c>_raw"</c> in any case (a name given as <c>name_raw</c> bytes, which are base64); no other line
/// can name a marker, since base64 has no dot. The lines kept are handed, one by one, to <see cref="TarSplitReader"/>,
/// so they are read exactly as everywhere else.
/// </summary>
/// <remarks>
/// Memory is bounded by <see cref="MaxKeptLine"/>: a line is held only while it fits; a longer line that needs decoding
/// (no real tar-split has one: names are short) makes <see cref="TryScan"/> answer <see langword="false"/>, and the
/// caller reads the data the ordinary way.
/// </remarks>
internal static class OpaqueMarkerScan
{
    /// <summary>The longest line this scan holds in memory (a name line of a real tar-split is well under 8 KiB).</summary>
    public const int MaxKeptLine = 1024 * 1024;

    private static readonly SearchValues<byte> Interesting = SearchValues.Create("\n\\_."u8);

    /// <summary>
    /// Reads decompressed tar-split data and hands each decoded file entry among the lines that may name an opaque marker to
    /// <paramref name="candidate"/>, in order (nothing is kept); <see langword="false"/> when a line that needs decoding is
    /// longer than <see cref="MaxKeptLine"/>, after which the caller discards what it was handed and reads the ordinary way.
    /// </summary>
    /// <exception cref="CorruptFileException">A kept line is not a tar-split entry, or the data ends inside a line.</exception>
    /// <exception cref="InvalidDataException">The decompressing stream found the data damaged.</exception>
    public static bool TryScan(Stream input, string path, Action<TarSplitEntry> candidate)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var lines = new TarSplitReader(Stream.Null, path);
        try
        {
            var end = 0;          // bytes in the buffer
            var lineStart = 0;    // where the current line begins in the buffer
            var scanned = 0;      // how far the current line has been examined
            var lineNumber = 0;
            var keep = false;     // the current line needs decoding
            var dropping = false; // the current line outgrew the buffer and is being skipped
            while (true)
            {
                var read = input.Read(buffer, end, buffer.Length - end);
                if (read == 0)
                {
                    if (dropping)
                    {
                        return false; // an unfinished line too long to hold: the ordinary reader judges it
                    }

                    if (end > lineStart && !buffer.AsSpan(lineStart, end - lineStart).Trim(" \t\r"u8).IsEmpty)
                    {
                        throw new CorruptFileException(path, $"the tar-split data is truncated: line {lineNumber + 1} ends without a newline");
                    }

                    return true;
                }

                end += read;
                while (true)
                {
                    var rest = buffer.AsSpan(scanned, end - scanned);
                    var at = rest.IndexOfAny(Interesting);
                    if (at < 0)
                    {
                        scanned = end;
                        break;
                    }

                    var index = scanned + at;
                    switch (buffer[index])
                    {
                        case (byte)'\n':
                            lineNumber++;
                            if (keep)
                            {
                                if (dropping)
                                {
                                    return false;
                                }

                                Decode(lines, buffer.AsSpan(lineStart, index - lineStart), lineNumber, candidate);
                            }

                            keep = false;
                            dropping = false;
                            lineStart = index + 1;
                            scanned = lineStart;
                            continue;
                        case (byte)'\\':
                            keep = true;
                            break;
                        case (byte)'_':
                            if (index + 5 > end)
                            {
                                goto needMore; // too few bytes to tell yet: look again once more are read
                            }

                            keep |= Ascii.EqualsIgnoreCase(buffer.AsSpan(index + 1, 4), "raw\""u8);
                            break;
                        default: // '.'
                            if (index + Marker.Length > end)
                            {
                                goto needMore;
                            }

                            keep |= buffer.AsSpan(index, Marker.Length).SequenceEqual(Marker);
                            break;
                    }

                    scanned = index + 1;
                    continue;
                needMore:
                    scanned = index;
                    break;
                }

                // Make room: move the unfinished line to the front, or give up holding it when it is too long.
                if (lineStart > 0)
                {
                    Array.Copy(buffer, lineStart, buffer, 0, end - lineStart);
                    end -= lineStart;
                    scanned -= lineStart;
                    lineStart = 0;
                }
                else if (end == buffer.Length)
                {
                    if (buffer.Length < MaxKeptLine && !dropping)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        Array.Copy(buffer, larger, end);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    else
                    {
                        // The line is longer than anything kept; remember only whether it needed decoding, keep its tail
                        // (a marker or key may straddle the cut), and read on.
                        dropping = true;
                        var tail = Marker.Length;
                        Array.Copy(buffer, end - tail, buffer, 0, tail);
                        scanned = Math.Max(0, scanned - (end - tail));
                        end = tail;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ReadOnlySpan<byte> Marker => ".wh..wh..opq"u8;

    private static void Decode(TarSplitReader lines, ReadOnlySpan<byte> line, int lineNumber, Action<TarSplitEntry> candidate)
    {
        if (lines.ParseLine(line, lineNumber) is { Type: TarSplitEntryType.File } entry)
        {
            candidate(entry);
        }
    }
}
