using System.Globalization;
using System.Text;

namespace Docker.Aufs.Formats;

/// <summary>
/// A Go <c>time.Time</c> as it travels through JSON: parsed from RFC 3339 (any number of fractional digits, the first nine
/// kept, as Go's <c>time.Parse</c>) and formatted back as <c>time.RFC3339Nano</c> with the offset it was read with. Unlike
/// <see cref="DateTimeOffset"/> it keeps nanoseconds, which image IDs depend on.
/// </summary>
internal readonly record struct GoTimestamp(int Year, int Month, int Day, int Hour, int Minute, int Second, int Nanosecond, int OffsetMinutes)
{
    /// <summary>Go's zero time, <c>0001-01-01T00:00:00Z</c>: what an absent <c>created</c> marshals as.</summary>
    public static GoTimestamp Zero { get; } = new(1, 1, 1, 0, 0, 0, 0, 0);

    /// <summary>Parses RFC 3339 like Go's <c>time.Parse(time.RFC3339, …)</c>.</summary>
    public static bool TryParse(ReadOnlySpan<char> s, out GoTimestamp value)
    {
        value = default;
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
        {
            return false;
        }

        if (!Digits(s[..4], out var year) || !Digits(s[5..7], out var month) || !Digits(s[8..10], out var day) ||
            !Digits(s[11..13], out var hour) || !Digits(s[14..16], out var minute) || !Digits(s[17..19], out var second))
        {
            return false;
        }

        var i = 19;
        var nanos = 0;
        if (s[i] == '.' && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1]))
        {
            var start = ++i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            var digits = s[start..i];
            var used = Math.Min(digits.Length, 9);
            Digits(digits[..used], out nanos);
            for (var k = used; k < 9; k++)
            {
                nanos *= 10;
            }
        }

        var zone = s[i..];
        int offset;
        if (zone is "Z")
        {
            offset = 0;
        }
        else if (zone.Length == 6 && zone[0] is '+' or '-' && zone[3] == ':' && Digits(zone[1..3], out var oh) && Digits(zone[4..6], out var om) && oh < 24 && om < 60)
        {
            offset = (oh * 60) + om;
            if (zone[0] == '-')
            {
                offset = -offset;
            }
        }
        else
        {
            return false;
        }

        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(year, 1), month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        value = new GoTimestamp(year, month, day, hour, minute, second, nanos, offset);
        return true;
    }

    /// <summary>
    /// Parses RFC 3339 like Go into a <see cref="DateTimeOffset"/>, which keeps 7 fractional digits (extra digits are
    /// truncated). Fails, as no <see cref="DateTimeOffset"/> can hold them, for year 0, offsets beyond ±14 hours, and
    /// instants an offset moves outside years 1–9999.
    /// </summary>
    public static bool TryParseDateTimeOffset(ReadOnlySpan<char> s, out DateTimeOffset value)
    {
        value = default;
        if (!TryParse(s, out var time) || time.Year < 1 || Math.Abs(time.OffsetMinutes) > 14 * 60)
        {
            return false;
        }

        try
        {
            value = new DateTimeOffset(time.Year, time.Month, time.Day, time.Hour, time.Minute, time.Second, TimeSpan.FromMinutes(time.OffsetMinutes))
                .AddTicks(time.Nanosecond / 100);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            // An offset that moves the instant before year 1 or after year 9999.
            return false;
        }
    }

    /// <summary>Formats a <see cref="DateTimeOffset"/> as Go's <c>time.RFC3339Nano</c> (see <see cref="ToString"/>).</summary>
    public static string Format(DateTimeOffset value) => new GoTimestamp(
        value.Year, value.Month, value.Day, value.Hour, value.Minute, value.Second,
        (int)(value.Ticks % TimeSpan.TicksPerSecond) * 100, (int)value.Offset.TotalMinutes).ToString();

    /// <summary>Formats as Go's <c>time.RFC3339Nano</c>: fraction without trailing zeros, <c>Z</c> for a zero offset.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder(35);
        builder.Append(CultureInfo.InvariantCulture, $"{Year:D4}-{Month:D2}-{Day:D2}T{Hour:D2}:{Minute:D2}:{Second:D2}");
        if (Nanosecond != 0)
        {
            builder.Append('.').Append(Nanosecond.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0'));
        }

        if (OffsetMinutes == 0)
        {
            builder.Append('Z');
        }
        else
        {
            var sign = OffsetMinutes < 0 ? '-' : '+';
            var abs = Math.Abs(OffsetMinutes);
            builder.Append(CultureInfo.InvariantCulture, $"{sign}{abs / 60:D2}:{abs % 60:D2}");
        }

        return builder.ToString();
    }

    /// <summary>Seconds since the Unix epoch (Go's <c>Time.Unix()</c>).</summary>
    public long UnixSeconds
    {
        get
        {
            var local = new DateTime(Math.Max(Year, 1), Month, Day, Hour, Minute, Second, DateTimeKind.Unspecified);
            return (long)Math.Floor((local - DateTime.UnixEpoch).TotalSeconds) - (OffsetMinutes * 60L);
        }
    }

    private static bool Digits(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
