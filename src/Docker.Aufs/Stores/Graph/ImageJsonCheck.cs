using System.Text.Json;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Stores.Graph;

/// <summary>
/// Checks an image JSON document against the shape of <see cref="ImageJson"/> without building it, and picks out the few
/// fields a listing needs. Used where a layer's JSON only has to be known to decode (a listing skips layers whose JSON
/// does not) and its <c>id</c>, <c>parent</c>, <c>parent_id</c> and <c>created</c> are all that is kept.
/// </summary>
/// <remarks>
/// Conservative: it answers <see langword="true"/> only when the deserializer, with the options of
/// <see cref="DockerJsonContext"/> and the library's converters, would certainly succeed on the same bytes and give the
/// same four values. Anything it is not sure of (an escaped or non-ASCII property name, a string that does not decode, a
/// top-level value that is not an object, any error) answers <see langword="false"/>, and the caller deserializes. The
/// property tables are checked against the serializer's own metadata by a test, so a field added to
/// <see cref="ImageJson"/> or <see cref="ContainerConfig"/> cannot be missed.
/// </remarks>
internal static class ImageJsonCheck
{
    private const int MaxNameLength = 32;

    /// <summary>How the deserializer reads a property's value.</summary>
    internal enum Kind
    {
        /// <summary>A string or null.</summary>
        String,

        /// <summary>A 64-bit integer or null.</summary>
        Int64,

        /// <summary>true, false or null (<c>bool?</c>, and Go booleans, whose converter reads null as false).</summary>
        Boolean,

        /// <summary>An RFC 3339 time string, or null.</summary>
        Time,

        /// <summary>An array of strings and nulls, or null.</summary>
        StringList,

        /// <summary>A string, an array of strings and nulls, or null (Docker's <c>StrSlice</c>).</summary>
        StringOrList,

        /// <summary>An object whose values are objects or null (Go's <c>map[string]struct{}</c>), or null.</summary>
        Set,

        /// <summary>An object of strings and nulls, or null.</summary>
        StringMap,

        /// <summary>A <see cref="ContainerConfig"/> object, or null.</summary>
        Config,
    }

    /// <summary>Gets the JSON names of <see cref="ImageJson"/>'s properties and how each is read.</summary>
    internal static Dictionary<string, Kind> ImageProperties { get; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["id"] = Kind.String,
        ["parent"] = Kind.String,
        ["comment"] = Kind.String,
        ["created"] = Kind.Time,
        ["container"] = Kind.String,
        ["container_config"] = Kind.Config,
        ["docker_version"] = Kind.String,
        ["author"] = Kind.String,
        ["config"] = Kind.Config,
        ["architecture"] = Kind.String,
        ["os"] = Kind.String,
        ["Size"] = Kind.Int64,
        ["checksum"] = Kind.String,
        ["parent_id"] = Kind.String,
        ["layer_id"] = Kind.String,
        ["throwaway"] = Kind.Boolean,
    };

    /// <summary>Gets the JSON names of <see cref="ContainerConfig"/>'s properties and how each is read.</summary>
    internal static Dictionary<string, Kind> ConfigProperties { get; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Hostname"] = Kind.String,
        ["Domainname"] = Kind.String,
        ["User"] = Kind.String,
        ["Memory"] = Kind.Int64,
        ["MemorySwap"] = Kind.Int64,
        ["CpuShares"] = Kind.Int64,
        ["Cpuset"] = Kind.String,
        ["AttachStdin"] = Kind.Boolean,
        ["AttachStdout"] = Kind.Boolean,
        ["AttachStderr"] = Kind.Boolean,
        ["PortSpecs"] = Kind.StringList,
        ["ExposedPorts"] = Kind.Set,
        ["PublishService"] = Kind.String,
        ["Tty"] = Kind.Boolean,
        ["OpenStdin"] = Kind.Boolean,
        ["StdinOnce"] = Kind.Boolean,
        ["Env"] = Kind.StringList,
        ["Cmd"] = Kind.StringOrList,
        ["Dns"] = Kind.StringOrList,
        ["VolumesFrom"] = Kind.String,
        ["Image"] = Kind.String,
        ["Volumes"] = Kind.Set,
        ["VolumeDriver"] = Kind.String,
        ["WorkingDir"] = Kind.String,
        ["Entrypoint"] = Kind.StringOrList,
        ["NetworkDisabled"] = Kind.Boolean,
        ["MacAddress"] = Kind.String,
        ["OnBuild"] = Kind.StringList,
        ["SecurityOpt"] = Kind.StringList,
        ["Labels"] = Kind.StringMap,
        ["StopSignal"] = Kind.String,
    };

    /// <summary>What a listing keeps of an image JSON document.</summary>
    internal readonly record struct Facts(string? Id, string? Parent, string? ParentId, RecordedTime? Created);

    /// <summary>Checks <paramref name="data"/> (a whole <c>json</c> file) and returns its facts when it certainly decodes.</summary>
    /// <returns><see langword="false"/> when unsure: deserialize instead.</returns>
    public static bool TryCheck(ReadOnlySpan<byte> data, out Facts facts)
    {
        facts = default;
        if (data.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            data = data[3..];
        }

        if (!System.Text.Unicode.Utf8.IsValid(data))
        {
            return false;
        }

        var reader = GoJson.Reader(data, firstValue: true);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            string? id = null, parent = null, parentId = null;
            RecordedTime? created = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!TryKnown(ref reader, ImageProperties, out var name, out var kind))
                {
                    return false;
                }

                reader.Read();
                if (name is null)
                {
                    reader.Skip(); // not a property of ImageJson: the deserializer skips it too
                    continue;
                }

                switch (name)
                {
                    case "id":
                        if (!TryString(ref reader, out id, keep: true))
                        {
                            return false;
                        }

                        break;
                    case "parent":
                        if (!TryString(ref reader, out parent, keep: true))
                        {
                            return false;
                        }

                        break;
                    case "parent_id":
                        if (!TryString(ref reader, out parentId, keep: true))
                        {
                            return false;
                        }

                        break;
                    case "created":
                        if (!TryTime(ref reader, out created))
                        {
                            return false;
                        }

                        break;
                    default:
                        if (!TryValue(ref reader, kind))
                        {
                            return false;
                        }

                        break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject)
            {
                return false;
            }

            facts = new Facts(id, parent, parentId, created);
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// Finds the property the deserializer would bind a name to: ASCII names compare ignoring case (as the serializer's
    /// case-insensitive matching does for them); escaped or non-ASCII names are left to the deserializer.
    /// </summary>
    private static bool TryKnown(ref Utf8JsonReader reader, Dictionary<string, Kind> properties, out string? name, out Kind kind)
    {
        name = null;
        kind = default;
        var raw = reader.ValueSpan;
        if (reader.ValueIsEscaped || !System.Text.Ascii.IsValid(raw))
        {
            return false;
        }

        if (raw.Length > MaxNameLength)
        {
            return true; // longer than any known name: a property the deserializer skips
        }

        Span<char> chars = stackalloc char[MaxNameLength];
        var text = chars[..System.Text.Encoding.ASCII.GetChars(raw, chars)];
        if (properties.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(text, out var known, out kind))
        {
            name = known;
        }

        return true;
    }

    private static bool TryValue(ref Utf8JsonReader reader, Kind kind)
    {
        switch (kind)
        {
            case Kind.String:
                return TryString(ref reader, out _);
            case Kind.Int64:
                return reader.TokenType == JsonTokenType.Null || (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out _));
            case Kind.Boolean:
                return reader.TokenType is JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null;
            case Kind.Time:
                return TryTime(ref reader, out _);
            case Kind.StringOrList when reader.TokenType == JsonTokenType.String:
                return TryString(ref reader, out _);
            case Kind.StringList or Kind.StringOrList:
                if (reader.TokenType == JsonTokenType.Null)
                {
                    return true;
                }

                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    return false;
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (!TryString(ref reader, out _))
                    {
                        return false;
                    }
                }

                return true;
            case Kind.Set or Kind.StringMap:
                if (reader.TokenType == JsonTokenType.Null)
                {
                    return true;
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (!Decodes(ref reader))
                    {
                        return false;
                    }

                    reader.Read();
                    if (kind == Kind.Set)
                    {
                        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.Null))
                        {
                            return false;
                        }

                        reader.Skip();
                    }
                    else if (!TryString(ref reader, out _))
                    {
                        return false;
                    }
                }

                return true;
            case Kind.Config:
                if (reader.TokenType == JsonTokenType.Null)
                {
                    return true;
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (!TryKnown(ref reader, ConfigProperties, out var name, out var inner))
                    {
                        return false;
                    }

                    reader.Read();
                    if (name is null)
                    {
                        reader.Skip();
                    }
                    else if (!TryValue(ref reader, inner))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return false;
        }
    }

    /// <summary>A string or null. Its value is decoded when wanted, or when it has escapes (they may not decode, and the deserializer's decoding would then fail).</summary>
    private static bool TryString(ref Utf8JsonReader reader, out string? value, bool keep = false)
    {
        value = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return true;
            case JsonTokenType.String:
                if (keep || reader.ValueIsEscaped)
                {
                    value = reader.GetString();
                }

                return true;
            default:
                return false;
        }
    }

    private static bool TryTime(ref Utf8JsonReader reader, out RecordedTime? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        return reader.TokenType == JsonTokenType.String && RecordedTime.TryParse(reader.GetString(), out value);
    }

    private static bool Decodes(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            _ = reader.GetString(); // throws, as the deserializer's would, when the escapes do not decode
        }

        return true;
    }
}
