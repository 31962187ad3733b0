using System.Globalization;
using System.Text.RegularExpressions;
using Docker.Aufs.Logs;

namespace Docker.Aufs.Cli.Commands;

/// <summary>
/// The times <c>docker logs --since</c> and <c>--until</c> accept, parsed as docker/cli's <c>timetypes.GetTimestamp</c>
/// does (moby v1.9.1 <c>pkg/timeutils</c>, docker/cli v23 <c>api/types/time</c>): a Go duration (<c>10m</c>, <c>1h30m</c>,
/// <c>1.5h</c>) counted back from now and cut to whole seconds; an RFC 3339 date or time, with or without seconds,
/// fraction and zone (without a zone, in the local zone); or Unix seconds with an optional fraction (<c>1514764800.5</c>).
/// </summary>
internal static partial class DockerTime
{
    /// <summary>Parses <paramref name="value"/> as Docker does, relative to <paramref name="now"/> in <paramref name="local"/>.</summary>
    /// <returns>The time, or <see langword="null"/> with <paramref name="problem"/> saying why not.</returns>
    public static LogTimestamp? Parse(string value, DateTimeOffset now, TimeZoneInfo local, out string? problem)
    {
        problem = null;
        if (value != "0" && TryParseDuration(value, out var nanoseconds))
        {
            // GetTimestamp: reference.Add(-d).Unix(), whole seconds.
            var reference = LogTimestamp.FromDateTimeOffset(now);
            var at = (reference.UnixSeconds * 1_000_000_000m) + reference.Nanoseconds - nanoseconds;
            return new LogTimestamp((long)Math.Floor(at / 1_000_000_000m), 0);
        }

        var match = DateTimePattern().Match(value);
        if (match.Success && (!match.Groups["fraction"].Success || match.Groups["second"].Success))
        {
            var fraction = match.Groups["fraction"].Success ? match.Groups["fraction"].Value : string.Empty;
            var nanos = fraction.Length == 0 ? 0 : int.Parse(fraction.Length > 9 ? fraction[..9] : fraction.PadRight(9, '0'), CultureInfo.InvariantCulture);
            int Number(string group) => match.Groups[group].Success ? int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : 0;
            DateTime clock;
            try
            {
                clock = new DateTime(Number("year"), Number("month"), Number("day"), Number("hour"), Number("minute"), Number("second"), DateTimeKind.Unspecified);
            }
            catch (ArgumentOutOfRangeException)
            {
                problem = $"{value} is not a valid date and time";
                return null;
            }

            var zone = match.Groups["zone"].Value;
            var offset = zone.Length == 0 ? local.GetUtcOffset(clock)
                : zone == "Z" ? TimeSpan.Zero
                : new TimeSpan(int.Parse(zone[1..3], CultureInfo.InvariantCulture), int.Parse(zone[4..6], CultureInfo.InvariantCulture), 0) * (zone[0] == '-' ? -1 : 1);
            var instant = LogTimestamp.FromDateTimeOffset(new DateTimeOffset(clock, offset));
            return new LogTimestamp(instant.UnixSeconds, nanos);
        }

        if (value.Contains('-', StringComparison.Ordinal))
        {
            problem = $"{value} is not an RFC 3339 time (2006-01-02T15:04:05Z07:00, or a prefix of it down to the date)";
            return null;
        }

        var unix = UnixPattern().Match(value);
        if (!unix.Success || !long.TryParse(unix.Groups["seconds"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var whole))
        {
            problem = $"failed to parse {value} as time or duration (a duration such as 10m, an RFC 3339 time, or Unix seconds)";
            return null;
        }

        var digits = unix.Groups["fraction"].Value;
        var fractionNanos = digits.Length == 0 ? 0 : int.Parse(digits.Length > 9 ? digits[..9] : digits.PadRight(9, '0'), CultureInfo.InvariantCulture);
        return new LogTimestamp(whole, fractionNanos);
    }

    /// <summary>Go's <c>time.ParseDuration</c>: an optional sign, then one or more decimal numbers each with a unit (ns, us, µs, ms, s, m, h); <c>0</c> alone.</summary>
    internal static bool TryParseDuration(string value, out decimal nanoseconds)
    {
        nanoseconds = 0;
        var s = value.AsSpan();
        var negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s is "0")
        {
            return true;
        }

        if (s.IsEmpty)
        {
            return false;
        }

        while (!s.IsEmpty)
        {
            var i = 0;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == 0 || s[..i] is "." || s[..i].Count('.') > 1 || !decimal.TryParse(s[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            s = s[i..];
            var j = 0;
            while (j < s.Length && !char.IsAsciiDigit(s[j]) && s[j] != '.')
            {
                j++;
            }

            decimal? unit = s[..j] switch
            {
                "ns" => 1m,
                "us" or "µs" or "μs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60_000_000_000m,
                "h" => 3_600_000_000_000m,
                _ => null,
            };
            if (unit is null)
            {
                return false;
            }

            nanoseconds += number * unit.Value;
            s = s[j..];
        }

        nanoseconds = negative ? -nanoseconds : nanoseconds;
        return true;
    }

    [GeneratedRegex(@"^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})(?:T(?<hour>\d{2})(?::(?<minute>\d{2})(?::(?<second>\d{2})(?:\.(?<fraction>\d+))?)?)?)?(?<zone>Z|[+-]\d{2}:\d{2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex DateTimePattern();

    [GeneratedRegex(@"^(?<seconds>\d+)(?:\.(?<fraction>\d+))?$", RegexOptions.CultureInvariant)]
    private static partial Regex UnixPattern();
}
