using System.Globalization;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Logs;

/// <summary>
/// A point in time to the nanosecond, as Go's <c>time.Time</c> compares them (<c>docker logs --since</c>/<c>--until</c>
/// and the <c>time</c> of a log entry): seconds since the Unix epoch and the nanoseconds within that second.
/// </summary>
/// <param name="UnixSeconds">Seconds since 1970-01-01T00:00:00Z (negative before it).</param>
/// <param name="Nanoseconds">Nanoseconds within the second, 0 to 999 999 999.</param>
/// <threadsafety static="true" instance="true"/>
public readonly record struct LogTimestamp(long UnixSeconds, int Nanoseconds) : IComparable<LogTimestamp>
{
    /// <inheritdoc/>
    public int CompareTo(LogTimestamp other) => UnixSeconds != other.UnixSeconds ? UnixSeconds.CompareTo(other.UnixSeconds) : Nanoseconds.CompareTo(other.Nanoseconds);

    /// <summary>Whether <paramref name="left"/> is before <paramref name="right"/>.</summary>
    /// <param name="left">The first time.</param>
    /// <param name="right">The second time.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> is earlier.</returns>
    public static bool operator <(LogTimestamp left, LogTimestamp right) => left.CompareTo(right) < 0;

    /// <summary>Whether <paramref name="left"/> is after <paramref name="right"/>.</summary>
    /// <param name="left">The first time.</param>
    /// <param name="right">The second time.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> is later.</returns>
    public static bool operator >(LogTimestamp left, LogTimestamp right) => left.CompareTo(right) > 0;

    /// <summary>Whether <paramref name="left"/> is before or equal to <paramref name="right"/>.</summary>
    /// <param name="left">The first time.</param>
    /// <param name="right">The second time.</param>
    /// <returns><see langword="true"/> unless <paramref name="left"/> is later.</returns>
    public static bool operator <=(LogTimestamp left, LogTimestamp right) => left.CompareTo(right) <= 0;

    /// <summary>Whether <paramref name="left"/> is after or equal to <paramref name="right"/>.</summary>
    /// <param name="left">The first time.</param>
    /// <param name="right">The second time.</param>
    /// <returns><see langword="true"/> unless <paramref name="left"/> is earlier.</returns>
    public static bool operator >=(LogTimestamp left, LogTimestamp right) => left.CompareTo(right) >= 0;

    /// <summary>The time of a <see cref="DateTimeOffset"/> (to its 100 ns ticks).</summary>
    /// <param name="value">The time.</param>
    /// <returns>The same instant.</returns>
    public static LogTimestamp FromDateTimeOffset(DateTimeOffset value)
    {
        var ticks = value.UtcTicks - DateTime.UnixEpoch.Ticks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var remainder);
        if (remainder < 0)
        {
            seconds--;
            remainder += TimeSpan.TicksPerSecond;
        }

        return new LogTimestamp(seconds, (int)(remainder * 100));
    }

    /// <summary>Formats as <c>seconds.nanoseconds</c>, the form Docker's API passes <c>since</c> and <c>until</c> in.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{UnixSeconds}.{Nanoseconds:D9}");
}

/// <summary>
/// One line of a json-file log (moby <c>daemon/logger/jsonfilelog</c>, Go type <c>jsonlog.JSONLog</c>: <c>log</c>,
/// <c>stream</c>, <c>time</c>), decoded as Docker decodes it.
/// </summary>
/// <threadsafety static="true" instance="true"/>
public sealed class ContainerLogEntry
{
    private readonly GoTimestamp _time;

    internal ContainerLogEntry(string stream, string text, GoTimestamp time, string timeText)
    {
        Stream = stream;
        Text = text;
        _time = time;
        TimeText = timeText;
        Time = new LogTimestamp(time.UnixSeconds, time.Nanosecond);
    }

    /// <summary>Gets the stream the line was written to as recorded: <c>stdout</c> or <c>stderr</c> (anything else is kept as stored; <c>docker logs</c> shows neither).</summary>
    public string Stream { get; }

    /// <summary>Gets the line as the container wrote it (<c>log</c>), usually with its final newline; invalid UTF-8 replaced by U+FFFD as Go does.</summary>
    public string Text { get; }

    /// <summary>Gets <c>time</c> exactly as stored (Go's zero time <c>0001-01-01T00:00:00Z</c> when the entry has none).</summary>
    public string TimeText { get; }

    /// <summary>Gets <c>time</c> to the nanosecond.</summary>
    public LogTimestamp Time { get; }

    /// <summary>
    /// Formats <see cref="Time"/> as <c>docker logs --timestamps</c> prints it: Go's <c>jsonmessage.RFC3339NanoFixed</c>
    /// (<c>2006-01-02T15:04:05.000000000Z07:00</c>: always nine fractional digits), in the offset the entry was stored with.
    /// </summary>
    /// <returns>The timestamp text.</returns>
    public string FormatFixedTimestamp()
    {
        var offset = _time.OffsetMinutes == 0
            ? "Z"
            : string.Create(CultureInfo.InvariantCulture, $"{(_time.OffsetMinutes < 0 ? '-' : '+')}{Math.Abs(_time.OffsetMinutes) / 60:D2}:{Math.Abs(_time.OffsetMinutes) % 60:D2}");
        return string.Create(CultureInfo.InvariantCulture, $"{_time.Year:D4}-{_time.Month:D2}-{_time.Day:D2}T{_time.Hour:D2}:{_time.Minute:D2}:{_time.Second:D2}.{_time.Nanosecond:D9}{offset}");
    }
}

/// <summary>What to read of a container's log, as <c>docker logs</c>'s options say it.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed record ContainerLogOptions
{
    /// <summary>Gets the number of lines to read from the end of the log (<c>--tail N</c>), counted over every file before
    /// <see cref="Since"/> applies, as Docker counts them; <see langword="null"/> for all of them.</summary>
    public int? Tail { get; init; }

    /// <summary>Gets the earliest time shown (<c>--since</c>): entries before it are skipped.</summary>
    public LogTimestamp? Since { get; init; }

    /// <summary>Gets the latest time shown (<c>--until</c>): reading stops at the first entry after it.</summary>
    public LogTimestamp? Until { get; init; }
}
