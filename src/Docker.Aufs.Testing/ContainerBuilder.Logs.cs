using System.IO.Abstractions;
using System.Text.Json;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Testing;

public sealed partial class ContainerBuilder
{
    private readonly List<(string Stream, string Text, string Time)> _logLines = [];
    private readonly SortedDictionary<int, byte[]> _rawLogs = [];

    /// <summary>
    /// Appends one entry to the container's json-file log <c>containers/&lt;id&gt;/&lt;id&gt;-json.log</c>, as Docker's
    /// <c>jsonfilelog</c> writes it: <c>{"log":…,"stream":…,"time":…}</c> and a newline, the text escaped as Go does and the
    /// time in UTC as <c>time.RFC3339Nano</c>.
    /// </summary>
    /// <param name="stream"><c>stdout</c> or <c>stderr</c>.</param>
    /// <param name="text">The line, usually ending with its newline.</param>
    /// <param name="time">When it was written.</param>
    /// <returns>This builder.</returns>
    public ContainerBuilder Log(string stream, string text, DateTimeOffset time) => Log(stream, text, GoTimestamp.Format(time.ToUniversalTime()));

    /// <summary>Appends one entry to the json-file log with its <c>time</c> as this exact text (nanoseconds, another offset, or garbage).</summary>
    /// <param name="stream"><c>stdout</c> or <c>stderr</c>.</param>
    /// <param name="text">The line.</param>
    /// <param name="time">The <c>time</c> field's text.</param>
    /// <returns>This builder.</returns>
    public ContainerBuilder Log(string stream, string text, string time)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(time);
        _logLines.Add((stream, text, time));
        return this;
    }

    /// <summary>
    /// Writes these exact bytes as a log file: the current <c>&lt;id&gt;-json.log</c> (<paramref name="rotation"/> 0, replacing
    /// the entries of <see cref="Log(string, string, DateTimeOffset)"/>), or the file rotation left, <c>&lt;id&gt;-json.log.N</c>.
    /// </summary>
    /// <param name="content">The file's content.</param>
    /// <param name="rotation">0 for the current file; N ≥ 1 for <c>.N</c> (the higher, the older).</param>
    /// <returns>This builder.</returns>
    public ContainerBuilder RawLog(byte[] content, int rotation = 0)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(rotation);
        _rawLogs[rotation] = content;
        return this;
    }

    /// <summary>Writes the log files into the container's directory (none when no entry was given).</summary>
    internal void WriteLogs(IFileSystem fileSystem, string directory)
    {
        var current = fileSystem.Path.Combine(directory, ContainerId + "-json.log");
        if (_logLines.Count > 0 && !_rawLogs.ContainsKey(0))
        {
            using var buffer = new MemoryStream();
            foreach (var (stream, text, time) in _logLines)
            {
                using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = GoJsonEncoder.Instance }))
                {
                    writer.WriteStartObject();
                    writer.WriteString("log", text);
                    writer.WriteString("stream", stream);
                    writer.WriteString("time", time);
                    writer.WriteEndObject();
                }

                buffer.WriteByte((byte)'\n');
            }

            fileSystem.File.WriteAllBytes(current, buffer.ToArray());
        }

        foreach (var (rotation, content) in _rawLogs)
        {
            fileSystem.File.WriteAllBytes(rotation == 0 ? current : current + "." + rotation.ToString(System.Globalization.CultureInfo.InvariantCulture), content);
        }
    }
}
