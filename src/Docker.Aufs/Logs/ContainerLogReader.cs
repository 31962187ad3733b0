using System.Buffers;
using System.IO.Abstractions;
using System.IO.Compression;
using System.Text.Json;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;

namespace Docker.Aufs.Logs;

/// <summary>
/// Reads a container's json-file log as <c>docker logs</c> does (moby v1.9.1 to v23.0 <c>daemon/logger/jsonfilelog</c>):
/// <c>containers/&lt;id&gt;/&lt;id&gt;-json.log</c> and the files its rotation left (<c>-json.log.1</c>, <c>.2</c>, …, the
/// highest the oldest; <c>.N.gz</c> when Docker 18.06+ compressed them), oldest first. The log is found by the container's
/// ID, never through the <c>LogPath</c> its configuration records (a host path). Every file is checked not to be a
/// symbolic link before it is opened (docs/hostile-input.md).
/// </summary>
/// <remarks>
/// Lines are read one at a time, each at most <see cref="MaxLineBytes"/> long, so that memory stays bounded whatever the
/// file holds. An entry that is not JSON stops the read with a <see cref="CorruptFileException"/> naming the file and line,
/// as Docker's reader stops with an error there; a last line cut short (a write interrupted when the host stopped) is
/// reported through <see cref="ContainerLogRead.TruncatedLastLine"/> instead. Instances are safe for concurrent use.
/// </remarks>
/// <param name="root">The root the containers belong to.</param>
/// <threadsafety static="true" instance="true"/>
public sealed class ContainerLogReader(IDockerRoot root)
{
    /// <summary>The longest line read (16 MiB). Docker 1.13+ splits a message at 16 KiB, so an entry is far shorter; a longer line is refused.</summary>
    public const int MaxLineBytes = 16 * 1024 * 1024;

    /// <summary>The log driver whose files this reads.</summary>
    public const string JsonFileDriver = "json-file";

    private readonly IDockerRoot _root = root ?? throw new ArgumentNullException(nameof(root));

    /// <summary>Lists the log files of <paramref name="container"/>, oldest first (rotated ones, then the current one).</summary>
    /// <param name="container">The container (<see cref="IDockerRoot.ResolveContainer"/>).</param>
    /// <returns>The full paths; empty when the container has no json-file log.</returns>
    /// <exception cref="NotSupportedException">The container logged through another driver than json-file.</exception>
    /// <exception cref="UnsafePathException">The container's directory or one of its log files is a symbolic link.</exception>
    /// <exception cref="CorruptFileException">A log file is not a regular file.</exception>
    public IReadOnlyList<string> GetLogFiles(Container container)
    {
        ArgumentNullException.ThrowIfNull(container);
        var fs = _root.FileSystem;
        var driver = LogDriver(container);
        NoFollow.RequireNotLink(fs, container.Directory);
        var current = container.Id + "-json.log";
        var rotated = new List<(int Number, string Path)>();
        if (fs.Directory.Exists(container.Directory))
        {
            foreach (var path in fs.Directory.EnumerateFileSystemEntries(container.Directory))
            {
                var name = fs.Path.GetFileName(path);
                if (name.StartsWith(current + ".", StringComparison.Ordinal) && RotationNumber(name[(current.Length + 1)..]) is { } number)
                {
                    rotated.Add((number, path));
                }
            }
        }

        var files = rotated.OrderByDescending(r => r.Number).Select(r => r.Path).ToList();
        var currentPath = fs.Path.Combine(container.Directory, current);
        if (NoFollow.Exists(fs, currentPath))
        {
            files.Add(currentPath);
        }

        foreach (var file in files)
        {
            NoFollow.RequireRegularFile(fs, file);
        }

        if (files.Count == 0 && driver is not null && driver != JsonFileDriver)
        {
            throw new NotSupportedException(DriverProblem(container, driver));
        }

        return files;
    }

    /// <summary>Reads the entries of <paramref name="container"/>'s log as <paramref name="options"/> select them, oldest first.</summary>
    /// <param name="container">The container (<see cref="IDockerRoot.ResolveContainer"/>).</param>
    /// <param name="options">Tail, since and until; <see langword="null"/> for every entry.</param>
    /// <param name="cancellationToken">Stops the read between lines.</param>
    /// <returns>The read: its entries are read lazily, as they are enumerated.</returns>
    /// <exception cref="NotSupportedException">The container logged through another driver than json-file, or with logging off.</exception>
    /// <exception cref="FileNotFoundException">The container has no json-file log in the root.</exception>
    /// <exception cref="UnsafePathException">The container's directory or one of its log files is a symbolic link.</exception>
    /// <exception cref="CorruptFileException">A log file is not a regular file; while enumerating: a line is not a log entry, or is longer than <see cref="MaxLineBytes"/>.</exception>
    public ContainerLogRead Read(Container container, ContainerLogOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(container);
        var files = GetLogFiles(container);
        if (files.Count == 0)
        {
            throw new FileNotFoundException(
                $"container {container.Id} has no log in the root: {_root.FileSystem.Path.Combine(container.Directory, container.Id + "-json.log")} does not exist",
                _root.FileSystem.Path.Combine(container.Directory, container.Id + "-json.log"));
        }

        return new ContainerLogRead(_root.FileSystem, files, options ?? new ContainerLogOptions(), cancellationToken);
    }

    /// <summary>The log driver the host configuration names (<c>LogConfig.Type</c>), or <see langword="null"/> when it names none (the daemon's default, json-file unless configured otherwise).</summary>
    private static string? LogDriver(Container container)
    {
        if (container.HostConfig is not { } raw)
        {
            return null;
        }

        try
        {
            var hostConfig = GoJson.Deserialize(raw, DockerJsonContext.Default.HostConfigJson, container.Directory);
            return string.IsNullOrEmpty(hostConfig?.LogConfig?.Type) ? null : hostConfig.LogConfig.Type;
        }
        catch (CorruptFileException)
        {
            return null; // the container was listed with it; the log files decide
        }
    }

    private static string DriverProblem(Container container, string driver) => driver == "none"
        ? $"container {container.Id} ran with logging off (log driver none): Docker kept no log"
        : $"container {container.Id} logged through the {driver} driver, which keeps its log outside the root's json-file logs (docker logs reads only json-file, local and journald logs; this reads json-file logs)";

    private static int? RotationNumber(string suffix)
    {
        var digits = suffix.EndsWith(".gz", StringComparison.Ordinal) ? suffix[..^3] : suffix;
        return digits.Length is > 0 and < 10 && digits.All(char.IsAsciiDigit) && digits[0] != '0'
            ? int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture)
            : null;
    }
}

/// <summary>
/// One read of a container's log (<see cref="ContainerLogReader.Read"/>): its entries, enumerated once, and after the
/// enumeration whether the last line was cut short.
/// </summary>
/// <threadsafety static="false" instance="false"/>
public sealed class ContainerLogRead : IEnumerable<ContainerLogEntry>
{
    private readonly IFileSystem _fileSystem;
    private readonly IReadOnlyList<string> _files;
    private readonly ContainerLogOptions _options;
    private readonly CancellationToken _cancellationToken;

    internal ContainerLogRead(IFileSystem fileSystem, IReadOnlyList<string> files, ContainerLogOptions options, CancellationToken cancellationToken)
    {
        _fileSystem = fileSystem;
        _files = files;
        _options = options;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Gets the files read, oldest first.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>Gets the file whose last line was cut short (not JSON, no final newline), once the entries have been enumerated; <see langword="null"/> when none was.</summary>
    public string? TruncatedLastLine { get; private set; }

    /// <inheritdoc/>
    public IEnumerator<ContainerLogEntry> GetEnumerator()
    {
        long skip = 0;
        if (_options.Tail is { } tail)
        {
            var total = 0L;
            foreach (var file in _files)
            {
                total += CountLines(file);
            }

            skip = Math.Max(0, total - Math.Max(0, tail));
        }

        var index = 0L;
        foreach (var file in _files)
        {
            using var stream = Open(file);
            using var lines = new LineReader(stream, file);
            while (true)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                var step = Next(lines, file, skip, ref index, out var entry);
                if (step == Step.End)
                {
                    break;
                }

                if (step == Step.Truncated)
                {
                    TruncatedLastLine = file;
                    break; // it was the file's last line: the next (newer) file, if any, follows
                }

                if (step == Step.Skip)
                {
                    continue;
                }

                if (_options.Since is { } since && entry!.Time < since)
                {
                    continue;
                }

                if (_options.Until is { } until && entry!.Time > until)
                {
                    yield break;
                }

                yield return entry!;
            }
        }
    }

    private enum Step
    {
        End,
        Skip,
        Entry,
        Truncated,
    }

    /// <summary>The next line of a file: skipped (before the tail, or blank), an entry, or a cut-short last line.</summary>
    private static Step Next(LineReader lines, string file, long skip, ref long index, out ContainerLogEntry? entry)
    {
        entry = null;
        if (!lines.Next(out var line, out var complete))
        {
            return Step.End;
        }

        if (index++ < skip || (line.IsEmpty && complete))
        {
            return Step.Skip; // before the tail; or blank, which Go's decoder skips as whitespace between values
        }

        try
        {
            entry = Parse(line, file, lines.Number);
            return Step.Entry;
        }
        catch (CorruptFileException) when (!complete)
        {
            return Step.Truncated;
        }
    }

    /// <inheritdoc/>
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private long CountLines(string file)
    {
        using var stream = Open(file);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            long count = 0;
            var last = (byte)'\n';
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                count += buffer.AsSpan(0, read).Count((byte)'\n');
                last = buffer[read - 1];
            }

            return last == '\n' ? count : count + 1;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private Stream Open(string file)
    {
        // Without following a link and without blocking on a fifo, even one put there after the check (RootFile).
        Stream stream = RootFile.OpenRead(_fileSystem, file, 1, FileOptions.None);
        return file.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(stream, CompressionMode.Decompress) : stream;
    }

    /// <summary>Decodes one line as Go's <c>json.Unmarshal</c> into <c>JSONLog</c>: keys matched case-insensitively, the last of several winning, invalid UTF-8 replaced.</summary>
    private static ContainerLogEntry Parse(ReadOnlySpan<byte> line, string file, long number)
    {
        var where = $"line {number}";
        if (!System.Text.Unicode.Utf8.IsValid(line))
        {
            return Parse(GoJson.ReplaceInvalidUtf8(line).Span, file, number);
        }

        string? text = null, stream = null, time = null;
        try
        {
            var reader = GoJson.Reader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new CorruptFileException(file, $"{where} is not a json-file log entry (a JSON object)");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                if (name.Equals("log", StringComparison.OrdinalIgnoreCase))
                {
                    text = StringOrNull(ref reader, file, where, "log");
                }
                else if (name.Equals("stream", StringComparison.OrdinalIgnoreCase))
                {
                    stream = StringOrNull(ref reader, file, where, "stream");
                }
                else if (name.Equals("time", StringComparison.OrdinalIgnoreCase))
                {
                    time = StringOrNull(ref reader, file, where, "time");
                }
                else
                {
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                throw new CorruptFileException(file, $"{where} is not a json-file log entry (text after the object)");
            }
        }
        catch (JsonException e)
        {
            throw new CorruptFileException(file, $"{where} is not a json-file log entry ({GoJson.Describe(e)})", e);
        }
        catch (InvalidOperationException e)
        {
            throw new CorruptFileException(file, $"{where} is not a json-file log entry ({e.Message})", e);
        }

        var timestamp = GoTimestamp.Zero;
        if (time is not null && !GoTimestamp.TryParse(time, out timestamp))
        {
            throw new CorruptFileException(file, $"{where} has a time that is not RFC 3339: {time}");
        }

        return new ContainerLogEntry(stream ?? string.Empty, text ?? string.Empty, timestamp, time ?? RecordedTime.ZeroText);
    }

    private static string? StringOrNull(ref Utf8JsonReader reader, string file, string where, string field) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw new CorruptFileException(file, $"{where}: \"{field}\" is not a string"),
    };

    /// <summary>Lines of a stream, each at most <see cref="ContainerLogReader.MaxLineBytes"/> long, in one growing pooled buffer.</summary>
    private sealed class LineReader(Stream stream, string file) : IDisposable
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        private int _start;
        private int _end;
        private bool _eof;
        private long _number;

        public long Number => _number;

        public bool Next(out ReadOnlySpan<byte> line, out bool complete)
        {
            _number++;
            var scanned = _start;
            while (true)
            {
                var newline = _buffer.AsSpan(scanned, _end - scanned).IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    var length = scanned - _start + newline;
                    if (length > ContainerLogReader.MaxLineBytes)
                    {
                        throw TooLong();
                    }

                    line = _buffer.AsSpan(_start, length);
                    _start += length + 1;
                    complete = true;
                    return true;
                }

                scanned = _end;
                if (_eof)
                {
                    line = _buffer.AsSpan(_start, _end - _start);
                    complete = false;
                    var any = _end > _start;
                    _start = _end;
                    return any;
                }

                if (_end - _start > ContainerLogReader.MaxLineBytes)
                {
                    throw TooLong();
                }

                Fill(ref scanned);
            }
        }

        private CorruptFileException TooLong() =>
            new(file, $"line {_number} is longer than {ContainerLogReader.MaxLineBytes} bytes, far more than Docker writes in one entry (a message is split at 16 KiB); reading stops there");

        /// <summary>Reads more of the stream, never more than one byte past the longest line allowed.</summary>
        private void Fill(ref int scanned)
        {
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                scanned -= _start;
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, ContainerLogReader.MaxLineBytes + (64 * 1024)));
                _buffer.AsSpan(0, _end).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }

            var read = stream.Read(_buffer, _end, Math.Min(_buffer.Length - _end, ContainerLogReader.MaxLineBytes + 1 - (_end - _start)));
            if (read == 0)
            {
                _eof = true;
            }

            _end += read;
        }

        public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
    }
}
