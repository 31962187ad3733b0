using System.Text.Json;
using System.Text.Json.Serialization;
using Docker.Aufs.Formats;

namespace Docker.Aufs;

/// <summary>Go's <c>time.Time</c> in JSON: an RFC 3339 string of any fractional precision, kept as written; <c>null</c> is the zero time (here: absent).</summary>
internal sealed class RecordedTimeJsonConverter : JsonConverter<RecordedTime>
{
    public override RecordedTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"expected an RFC 3339 time string, found {reader.TokenType}");
        }

        var text = reader.GetString()!;
        return RecordedTime.TryParse(text, out var value)
            ? value.Value
            : throw new JsonException($"'{DockerIds.Printable(text)}' is not an RFC 3339 time");
    }

    public override void Write(Utf8JsonWriter writer, RecordedTime value, JsonSerializerOptions options) => writer.WriteStringValue(value.Text);
}
