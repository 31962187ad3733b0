using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Docker.Aufs.Formats;

/// <summary>The kind of a tar-split entry (<c>storage.Type</c>).</summary>
internal enum TarSplitEntryType
{
    /// <summary>A tar header's file: its name, size and CRC-64; the content comes from the file on disk.</summary>
    File = 1,

    /// <summary>Raw archive bytes: header blocks, padding, the end-of-archive blocks and whatever follows them.</summary>
    Segment = 2,
}

/// <summary>One line of <c>tar-data.json.gz</c> (<c>storage.Entry</c>).</summary>
internal sealed class TarSplitEntry
{
    public TarSplitEntryType Type { get; init; }

    /// <summary>Gets the name's bytes: <c>name_raw</c> when present, else the UTF-8 of <c>name</c> (tar-split's <c>GetName</c>).</summary>
    public byte[] Name { get; init; } = [];

    public long Size { get; init; }

    /// <summary>Gets the raw bytes of a segment, or the 8-byte big-endian CRC-64 of a file (<see langword="null"/> for size 0).</summary>
    public byte[]? Payload { get; init; }

    public int Position { get; init; }
}

/// <summary>Reads the newline-separated JSON entries of (decompressed) tar-split data, with the problems of a bad file named.</summary>
internal sealed class TarSplitReader
{
    /// <summary>
    /// The longest line accepted: a segment holds the raw bytes tar-split read for one member's headers (a PAX header, a GNU
    /// long name and a GNU long link, each at most <see cref="Archive.TarSplitVerifier.MaxExtendedHeader"/>, and a few blocks),
    /// base64-encoded, with a little JSON around it. A longer line cannot describe a tar Go's reader reads, so it is refused
    /// before it is held (docs/hostile-input.md, "Memory bounds").
    /// </summary>
    public const int MaxLineLength = (3 * Archive.TarSplitVerifier.MaxExtendedHeader + 8 * TarType.BlockSize) / 3 * 4 + 4096;

    /// <summary>The most characters of bad input quoted in an error message.</summary>
    public const int MaxQuoted = 200;

    private readonly Stream _input;
    private readonly string _path;
    private readonly int _maxLineLength;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private bool _eof;
    private int _line;

    public TarSplitReader(Stream input, string path, int maxLineLength = MaxLineLength)
    {
        _input = input;
        _path = path;
        _maxLineLength = maxLineLength;
    }

    /// <summary>A name for a message: control characters escaped, cut to <see cref="MaxQuoted"/> characters with the length said.</summary>
    internal static string Quote(ReadOnlySpan<byte> name)
    {
        var text = Encoding.UTF8.GetString(name[..Math.Min(name.Length, MaxQuoted * 4)]);
        return DockerIds.Printable(Shorten(text, name.Length));
    }

    /// <summary>Cuts a text to <see cref="MaxQuoted"/> characters, saying how long it was.</summary>
    internal static string Shorten(string text, long length = -1) =>
        text.Length <= MaxQuoted && (length < 0 || length <= MaxQuoted) ? text : $"{text[..Math.Min(text.Length, MaxQuoted)]}… ({(length < 0 ? text.Length : length)} bytes)";

    /// <summary>Returns the next entry, or <see langword="null"/> after the last.</summary>
    /// <exception cref="CorruptFileException">A line is not an entry, or the data ends inside a line.</exception>
    public async ValueTask<TarSplitEntry?> NextAsync<TIo>(CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = _buffer.AsMemory(_start, newline);
                _start += newline + 1;
                _line++;
                return Parse(line.Span);
            }

            if (_eof)
            {
                if (_end > _start)
                {
                    _line++;
                    var rest = _buffer.AsSpan(_start, _end - _start);
                    _start = _end;
                    if (rest.Trim(" \t\r"u8).IsEmpty)
                    {
                        return null;
                    }

                    throw new CorruptFileException(_path, $"the tar-split data is truncated: line {_line} ends without a newline");
                }

                return null;
            }

            await FillAsync<TIo>(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask FillAsync<TIo>(CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= _maxLineLength)
            {
                // Only what the line can be is ever held: a longer one is refused, not buffered (and none of it is quoted).
                throw new CorruptFileException(_path, $"line {_line + 1} of the tar-split data is longer than {_maxLineLength} bytes, more than any entry of a layer's tar-split data can be");
            }

            Array.Resize(ref _buffer, (int)Math.Min((long)_buffer.Length * 2, _maxLineLength));
        }

        int read;
        try
        {
            read = await TIo.ReadAsync(_input, _buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw new CorruptFileException(_path, $"the tar-split data is not a valid gzip stream ({e.Message})", e);
        }

        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
    }

    /// <summary>
    /// Decodes one line found by a caller that splits the data itself (the opaque-marker scan), numbered
    /// <paramref name="lineNumber"/> in messages; this reader's own stream is not read.
    /// </summary>
    /// <exception cref="CorruptFileException">The line is not an entry.</exception>
    public TarSplitEntry ParseLine(ReadOnlySpan<byte> line, int lineNumber)
    {
        _line = lineNumber;
        return Parse(line);
    }

    private TarSplitEntry Parse(ReadOnlySpan<byte> line)
    {
        long type = 0;
        string? name = null;
        byte[]? nameRaw = null;
        long size = 0;
        byte[]? payload = null;
        long position = 0;
        if (!System.Text.Unicode.Utf8.IsValid(line))
        {
            // Go's decoder reads invalid UTF-8 in a string as U+FFFD; Utf8JsonReader would refuse the string when it is read.
            line = GoJson.ReplaceInvalidUtf8(line).Span;
        }

        try
        {
            var reader = GoJson.Reader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Bad("is not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                // Go matches struct fields case-insensitively; the last of duplicate keys wins.
                var key = reader.GetString()!.ToUpperInvariant();
                reader.Read();
                switch (key)
                {
                    case "TYPE": type = Integer(ref reader, "type", type); break;
                    case "NAME": name = reader.TokenType == JsonTokenType.Null ? name : reader.TokenType == JsonTokenType.String ? reader.GetString() : throw Bad("has a 'name' that is not a string"); break;
                    case "NAME_RAW": nameRaw = Bytes(ref reader, "name_raw") ?? nameRaw; break;
                    case "SIZE": size = Integer(ref reader, "size", size); break;
                    case "PAYLOAD": payload = Bytes(ref reader, "payload"); break;
                    case "POSITION": position = Integer(ref reader, "position", position); break;
                    default: reader.Skip(); break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                throw Bad("has content after its JSON object");
            }
        }
        catch (JsonException e)
        {
            throw new CorruptFileException(_path, $"line {_line} of the tar-split data is not valid JSON ({Shorten(GoJson.Describe(e))})", e);
        }

        if (type is not (1 or 2))
        {
            throw Bad($"has the unknown entry type {type}");
        }

        if (size < 0)
        {
            throw Bad($"has the negative size {size}");
        }

        var entryName = nameRaw is { Length: > 0 } ? nameRaw : Encoding.UTF8.GetBytes(name ?? string.Empty);
        if (entryName.AsSpan().Contains((byte)0))
        {
            // A tar header cannot carry one, and no file on disk can have such a name.
            throw Bad($"names the file '{Quote(entryName)}', which holds a NUL byte");
        }

        return new TarSplitEntry
        {
            Type = (TarSplitEntryType)type,
            Name = entryName,
            Size = size,
            Payload = payload,
            Position = (int)Math.Clamp(position, int.MinValue, int.MaxValue),
        };
    }

    private long Integer(ref Utf8JsonReader reader, string key, long current)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return current;
        }

        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) ? value : throw Bad($"has a '{key}' that is not an integer");
    }

    private byte[]? Bytes(ref Utf8JsonReader reader, string key)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw Bad($"has a '{key}' that is not a base64 string");
        }

        try
        {
            return reader.GetBytesFromBase64();
        }
        catch (FormatException)
        {
            throw Bad($"has a '{key}' that is not valid base64");
        }
    }

    private CorruptFileException Bad(string problem) => new(_path, $"line {_line} of the tar-split data {problem}");
}

/// <summary>Writes tar-split entries as JSON lines in one of Docker's dialects, as Go 1.5's <c>json.Encoder</c> did.</summary>
internal sealed class TarSplitWriter
{
    private readonly Stream _output;
    private readonly TarSplitDialect _dialect;
    private readonly ArrayBufferWriter<byte> _line = new(4096);
    private readonly HashSet<string>? _seen;
    private int _position;

    public TarSplitWriter(Stream output, TarSplitDialect dialect)
    {
        _output = output;
        _dialect = dialect;
        _seen = dialect == TarSplitDialect.Version094 ? null : new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>Gets the number of entries written.</summary>
    public int Count => _position;

    /// <summary>Adds a segment of raw archive bytes.</summary>
    public ValueTask AddSegmentAsync<TIo>(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
        where TIo : struct, IIoMode =>
        WriteAsync<TIo>(TarSplitEntryType.Segment, [], 0, payload.ToArray(), cancellationToken);

    /// <summary>Adds a file entry; its payload is the CRC-64 of the content, or none for size 0.</summary>
    /// <returns><see langword="false"/> when the dialect rejects the name as a duplicate (tar-split's <c>ErrDuplicatePath</c>).</returns>
    public async ValueTask<bool> AddFileAsync<TIo>(byte[] name, long size, ulong? crc, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        // tar-split checks Clean(e.Name); in v0.9.10 a non-UTF-8 name lives in name_raw, so its Name is "" and cleans to ".".
        var key = _dialect == TarSplitDialect.Version0910 && !System.Text.Unicode.Utf8.IsValid(name) ? "." : GoPath.Clean(Encoding.Latin1.GetString(name));
        if (_seen is not null && !_seen.Add(key))
        {
            return false;
        }

        await WriteAsync<TIo>(TarSplitEntryType.File, name, size, crc is { } c ? Crc64Iso.ToBytes(c) : null, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async ValueTask WriteAsync<TIo>(TarSplitEntryType type, byte[] name, long size, byte[]? payload, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        _line.Clear();
        GoJsonWriter.Write(_line, "{\"type\":"u8);
        GoJsonWriter.WriteNumber(_line, (int)type);
        var utf8 = System.Text.Unicode.Utf8.IsValid(name);
        if (_dialect == TarSplitDialect.Version094 || (name.Length > 0 && (utf8 || _dialect == TarSplitDialect.Version096)))
        {
            GoJsonWriter.Write(_line, ",\"name\":"u8);
            GoJsonWriter.WriteString(_line, name);
        }

        if (_dialect == TarSplitDialect.Version0910 && !utf8)
        {
            GoJsonWriter.Write(_line, ",\"name_raw\":\""u8);
            GoJsonWriter.Write(_line, Encoding.ASCII.GetBytes(Convert.ToBase64String(name)));
            GoJsonWriter.Write(_line, "\""u8);
        }

        if (_dialect == TarSplitDialect.Version094 || size != 0)
        {
            GoJsonWriter.Write(_line, ",\"size\":"u8);
            GoJsonWriter.WriteNumber(_line, size);
        }

        GoJsonWriter.Write(_line, ",\"payload\":"u8);
        if (payload is null)
        {
            GoJsonWriter.Write(_line, "null"u8);
        }
        else
        {
            GoJsonWriter.Write(_line, "\""u8);
            GoJsonWriter.Write(_line, Encoding.ASCII.GetBytes(Convert.ToBase64String(payload)));
            GoJsonWriter.Write(_line, "\""u8);
        }

        GoJsonWriter.Write(_line, ",\"position\":"u8);
        GoJsonWriter.WriteNumber(_line, _position++);
        GoJsonWriter.Write(_line, "}\n"u8);
        await TIo.WriteAsync(_output, _line.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }
}
