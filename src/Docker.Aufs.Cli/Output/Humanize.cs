using System.Globalization;

namespace Docker.Aufs.Cli.Output;

/// <summary>The docker CLI's human units (go-units <c>HumanSize</c>, <c>HumanDuration</c>).</summary>
internal static class Humanize
{
    private static readonly string[] DecimalUnits = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];

    /// <summary><c>HumanSize</c>: decimal units, 4 significant digits, e.g. <c>1.154 MB</c>, <c>0 B</c>.</summary>
    public static string Size(long? bytes)
    {
        if (bytes is not { } value)
        {
            return "unknown";
        }

        double size = value;
        var unit = 0;
        while (size >= 1000 && unit < DecimalUnits.Length - 1)
        {
            size /= 1000;
            unit++;
        }

        return size.ToString("G4", CultureInfo.InvariantCulture) + " " + DecimalUnits[unit];
    }

    /// <summary><c>HumanDuration</c> + " ago", e.g. <c>8 years ago</c>, <c>About an hour ago</c>.</summary>
    public static string Ago(RecordedTime? time, DateTimeOffset now) => Ago(time?.Value, now);

    /// <summary>How long ago <paramref name="time"/> was, as docker prints it.</summary>
    public static string Ago(DateTimeOffset? time, DateTimeOffset now)
    {
        if (time is not { } value)
        {
            return "unknown";
        }

        var d = now - value;
        if (d < TimeSpan.Zero)
        {
            return "in the future";
        }

        var seconds = (long)d.TotalSeconds;
        if (seconds < 1)
        {
            return "Less than a second ago";
        }

        if (seconds == 1)
        {
            return "1 second ago";
        }

        if (seconds < 60)
        {
            return $"{seconds} seconds ago";
        }

        var minutes = (long)d.TotalMinutes;
        if (minutes == 1)
        {
            return "About a minute ago";
        }

        if (minutes < 46)
        {
            return $"{minutes} minutes ago";
        }

        var hours = (long)(d.TotalHours + 0.5);
        if (hours == 1)
        {
            return "About an hour ago";
        }

        if (hours < 48)
        {
            return $"{hours} hours ago";
        }

        if (hours < 24 * 7 * 2)
        {
            return $"{hours / 24} days ago";
        }

        if (hours < 24 * 30 * 2)
        {
            return $"{hours / 24 / 7} weeks ago";
        }

        if (hours < 24 * 365 * 2)
        {
            return $"{hours / 24 / 30} months ago";
        }

        return $"{(long)d.TotalHours / 24 / 365} years ago";
    }

    /// <summary>Cuts text to <paramref name="max"/> characters, ending in "…" when cut.</summary>
    public static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    /// <summary>
    /// A time as the docker CLI's <c>{{.CreatedAt}}</c> prints it (Go's <c>time.Time.String</c> of the Unix seconds): here in
    /// UTC, <c>2017-12-12 08:00:00 +0000 UTC</c>; empty when unrecorded.
    /// </summary>
    public static string GoTime(RecordedTime? time) => time is { } t && !t.IsZero
        ? t.Value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " +0000 UTC"
        : string.Empty;

    /// <summary>A time for JSON output: exactly as the root recorded it (Go's RFC 3339, all its fractional digits), or <see langword="null"/>.</summary>
    public static string? Timestamp(RecordedTime? time) => time?.Text;
}
