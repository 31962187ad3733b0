using System.Globalization;

namespace Docker.Aufs.Formats;

/// <summary>
/// Go's <c>time.Time</c> JSON form: RFC 3339 with an optional fraction of any length (Go writes up to 9 digits,
/// trailing zeros trimmed) and <c>Z</c> or a numeric offset. .NET keeps 7 fractional digits; extra digits are truncated.
/// </summary>
internal static class GoTime
{
    public static bool TryParse(ReadOnlySpan<char> s, out DateTimeOffset value)
    {
        value = default;
        // 2006-01-02T15:04:05[.fraction](Z|±hh:mm)
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
        {
            return false;
        }

        if (!TryDigits(s[..4], out var year) || !TryDigits(s[5..7], out var month) || !TryDigits(s[8..10], out var day) ||
            !TryDigits(s[11..13], out var hour) || !TryDigits(s[14..16], out var minute) || !TryDigits(s[17..19], out var second))
        {
            return false;
        }

        var i = 19;
        long ticks = 0;
        if (s[i] == '.')
        {
            var start = ++i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            var digits = s[start..i];
            if (digits.IsEmpty)
            {
                return false;
            }

            var scale = (long)TimeSpan.TicksPerSecond;
            foreach (var c in digits)
            {
                scale /= 10;
                ticks += (c - '0') * scale;
                if (scale == 0)
                {
                    break;
                }
            }
        }

        if (i >= s.Length)
        {
            return false;
        }

        TimeSpan offset;
        var zone = s[i..];
        if (zone is "Z")
        {
            offset = TimeSpan.Zero;
        }
        else if (zone.Length == 6 && zone[0] is '+' or '-' && zone[3] == ':' &&
                 TryDigits(zone[1..3], out var oh) && TryDigits(zone[4..6], out var om) && oh <= 14 && om < 60)
        {
            offset = new TimeSpan(oh, om, 0);
            if (zone[0] == '-')
            {
                offset = -offset;
            }
        }
        else
        {
            return false;
        }

        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(year, 1), month) || year < 1 ||
            hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        try
        {
            value = new DateTimeOffset(year, month, day, hour, minute, second, offset).AddTicks(ticks);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            // An offset that moves the instant before year 1 or after year 9999.
            return false;
        }
    }

    /// <summary>Go's <c>time.RFC3339Nano</c> formatting: fraction trimmed of trailing zeros, <c>Z</c> for UTC.</summary>
    public static string Format(DateTimeOffset value)
    {
        var text = value.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.');
        return value.Offset == TimeSpan.Zero ? text + "Z" : text + value.ToString("zzz", CultureInfo.InvariantCulture);
    }

    private static bool TryDigits(ReadOnlySpan<char> s, out int value)
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
