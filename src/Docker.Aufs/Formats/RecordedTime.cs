using System.Diagnostics.CodeAnalysis;
using Docker.Aufs.Formats;

namespace Docker.Aufs;

/// <summary>
/// A time as the Docker root recorded it: the exact string of the file (Docker writes Go's RFC 3339 with up to nine
/// fractional digits and the host's offset) and its parsed value. The value holds 100 ns ticks, so keep <see cref="Text"/>
/// wherever the full precision matters (JSON output, forensic reports).
/// </summary>
/// <threadsafety static="true" instance="true"/>
public readonly record struct RecordedTime
{
    /// <summary>The text of Go's zero time, which Docker writes for "never" (<c>0001-01-01T00:00:00Z</c>).</summary>
    public const string ZeroText = "0001-01-01T00:00:00Z";

    /// <summary>Initializes a time from its recorded text and value.</summary>
    /// <param name="text">The text as recorded.</param>
    /// <param name="value">Its value.</param>
    public RecordedTime(string text, DateTimeOffset value)
    {
        ArgumentNullException.ThrowIfNull(text);
        Text = text;
        Value = value;
    }

    /// <summary>Gets Go's zero time, Docker's "never".</summary>
    public static RecordedTime Zero { get; } = new(ZeroText, DateTimeOffset.MinValue);

    /// <summary>Gets the text exactly as recorded.</summary>
    public string Text { get => field ?? ZeroText; }

    /// <summary>Gets the parsed value (to 100 ns).</summary>
    public DateTimeOffset Value { get; }

    /// <summary>Gets whether this is Go's zero time (<c>time.Time.IsZero</c>): Docker's "never".</summary>
    public bool IsZero => Value.UtcTicks == 0;

    /// <summary>Parses a time as Go's <c>time.Time</c> decodes it from JSON (RFC 3339, any fractional precision, keeping the text).</summary>
    /// <param name="text">The recorded text.</param>
    /// <param name="time">The time, when the text is a valid time.</param>
    /// <returns>Whether the text is a valid time.</returns>
    public static bool TryParse(string? text, [NotNullWhen(true)] out RecordedTime? time)
    {
        if (text is not null && GoTimestamp.TryParseDateTimeOffset(text, out var value))
        {
            time = new RecordedTime(text, value);
            return true;
        }

        time = null;
        return false;
    }

    /// <summary>Returns a time recorded now from a value, formatted as Go's <c>time.RFC3339Nano</c> (what Docker writes).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The time with its Go text.</returns>
    public static RecordedTime FromValue(DateTimeOffset value) => value.UtcTicks == 0 ? Zero : new(GoTimestamp.Format(value), value);

    /// <summary>Returns <see cref="Text"/>.</summary>
    /// <returns>The recorded text.</returns>
    public override string ToString() => Text;
}
