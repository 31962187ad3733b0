using System.Buffers;
using System.Text.Json;

namespace Docker.Aufs.Formats;

/// <summary>One item of an image config's <c>history</c> (Go type <c>image.History</c>, moby v1.10.0).</summary>
/// <param name="Created">When the step ran.</param>
/// <param name="Author">Its author.</param>
/// <param name="CreatedBy">The command of the step.</param>
/// <param name="Comment">A comment.</param>
/// <param name="EmptyLayer">Whether the step made no layer (<c>empty_layer</c>).</param>
internal readonly record struct GoHistoryItem(GoTimestamp Created, string Author, string CreatedBy, string Comment, bool EmptyLayer = false);

/// <summary>
/// Docker 1.10's conversion of a legacy image chain into a v2 image config (moby v1.10.0 <c>image/v1/imagev1.go</c>,
/// <c>MakeConfigFromV1Config</c> and <c>HistoryFromConfig</c>), reproduced byte for byte so the image ID — the sha256 of
/// the config — is the one Docker computed when it migrated the root (docs/format/graph-era.md §9.3).
/// </summary>
/// <remarks>
/// <para>The config is the top layer's JSON read as <c>map[string]json.RawMessage</c> (case-sensitive keys, the last of
/// duplicates wins), without <c>id</c>, <c>parent</c>, <c>Size</c>, <c>parent_id</c>, <c>layer_id</c>, <c>throwaway</c>, with
/// <c>rootfs</c> and <c>history</c> added, marshalled with sorted keys, every value compacted and HTML-escaped.</para>
/// <para>When the JSON's <c>docker_version</c> is below 1.8.3 it is first round-tripped through Go's <c>V1Image</c> struct
/// (v1.10.0 <c>image/image.go</c>, with engine-api's <c>container.Config</c>): unknown and obsolete keys are dropped, struct
/// field order and <c>omitempty</c> rules applied. That path follows the structs as the project documents them; no public
/// test vector covers it.</para>
/// </remarks>
internal static partial class GoImageConfig
{
    private static readonly string[] RemovedKeys = ["id", "parent", "Size", "parent_id", "layer_id", "throwaway"];

    /// <summary>Returns the history item Docker 1.10 derives from one legacy layer's JSON (<c>HistoryFromConfig(json, false)</c>).</summary>
    /// <exception cref="CorruptFileException">The JSON does not decode into Go's <c>V1Image</c>.</exception>
    public static GoHistoryItem HistoryFromV1(ReadOnlySpan<byte> json, string path)
    {
        var image = V1Image.Decode(json, path);
        return new GoHistoryItem(image.Created, image.Author, image.ContainerConfig.Cmd is { } cmd ? string.Join(' ', cmd) : string.Empty, image.Comment);
    }

    /// <summary>Builds the v2 config from the top layer's JSON, the history of the chain and its DiffIDs (both base first).</summary>
    /// <exception cref="CorruptFileException">The JSON is not an object, or (for old images) does not decode into <c>V1Image</c>.</exception>
    public static byte[] MakeConfig(ReadOnlySpan<byte> topJson, IReadOnlyList<GoHistoryItem> history, IReadOnlyList<string> diffIds, string path)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(diffIds);
        byte[]? normalized = null;
        if (VersionLessThan(ReadDockerVersion(topJson, path), "1.8.3"))
        {
            normalized = V1Image.Decode(topJson, path).Marshal();
            topJson = normalized;
        }

        return Rewrite(topJson, RemovedKeys, [new("rootfs", RootFs(diffIds)), new("history", History(history))], path);
    }

    /// <summary>
    /// The config Docker 1.10+ writes for an image it builds or commits itself: the image's legacy fields with
    /// <c>rootfs</c> and <c>history</c>, top-level keys sorted, compact, no newline (moby v1.10.0 <c>image/image.go</c>
    /// <c>MarshalJSON</c>).
    /// </summary>
    /// <exception cref="CorruptFileException">The legacy JSON is not an object.</exception>
    public static byte[] MakeBuiltConfig(ReadOnlySpan<byte> v1Json, IReadOnlyList<GoHistoryItem> history, IReadOnlyList<string> diffIds, string path) =>
        Rewrite(v1Json, RemovedKeys, [new("rootfs", RootFs(diffIds)), new("history", History(history))], path);

    /// <summary>A config with its <c>rootfs.diff_ids</c> replaced (keys sorted, as Docker marshals a config it changes).</summary>
    /// <exception cref="CorruptFileException">The config is not a JSON object.</exception>
    public static byte[] WithDiffIds(ReadOnlySpan<byte> config, IReadOnlyList<string> diffIds, string path) =>
        Rewrite(config, [], [new("rootfs", RootFs(diffIds))], path);

    /// <summary>
    /// The core shared by Docker's config conversions (1.9's <c>MakeImageConfig</c>, 1.10's <c>MakeConfigFromV1Config</c>): read
    /// the JSON object as <c>map[string]json.RawMessage</c>, delete keys, set keys to raw JSON values, marshal with sorted keys.
    /// </summary>
    /// <exception cref="CorruptFileException">The JSON is not an object.</exception>
    internal static byte[] Rewrite(ReadOnlySpan<byte> json, IEnumerable<string> remove, IEnumerable<KeyValuePair<string, byte[]>> set, string path)
    {
        var members = ReadMembers(json, path);
        foreach (var key in remove)
        {
            members.Remove(key);
        }

        foreach (var (key, value) in set)
        {
            members[key] = value;
        }

        return Marshal(members);
    }

    /// <summary>
    /// Docker 1.10's <c>MakeV1ConfigFromConfig</c>: the legacy JSON of an image's top layer made from its v2 config — the
    /// config without <c>rootfs</c> and <c>history</c>, with <c>id</c> and <c>parent</c>, keys sorted.
    /// </summary>
    /// <exception cref="CorruptFileException">The config is not a JSON object.</exception>
    public static byte[] MakeV1FromConfig(ReadOnlySpan<byte> config, string id, string? parent, string path)
    {
        var members = ReadMembers(config, path);
        members.Remove("rootfs");
        members.Remove("history");
        members["id"] = Quoted(id);
        if (parent is not null)
        {
            members["parent"] = Quoted(parent);
        }

        return Marshal(members);
    }

    /// <summary>A legacy layer JSON for a layer below the top, from its history item (as Docker 1.10's save wrote them, plus the history).</summary>
    public static byte[] MakeV1ForLayer(string id, string? parent, GoHistoryItem history)
    {
        var members = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["id"] = Quoted(id),
            ["created"] = Quoted(history.Created.ToString()),
        };
        if (parent is not null)
        {
            members["parent"] = Quoted(parent);
        }

        if (history.Author.Length > 0)
        {
            members["author"] = Quoted(history.Author);
        }

        if (history.Comment.Length > 0)
        {
            members["comment"] = Quoted(history.Comment);
        }

        var cmd = new ArrayBufferWriter<byte>();
        GoJsonWriter.Write(cmd, "{\"Cmd\":"u8);
        if (history.CreatedBy.Length > 0)
        {
            GoJsonWriter.Write(cmd, "["u8);
            GoJsonWriter.WriteString(cmd, history.CreatedBy);
            GoJsonWriter.Write(cmd, "]}"u8);
        }
        else
        {
            GoJsonWriter.Write(cmd, "null}"u8);
        }

        members["container_config"] = cmd.WrittenSpan.ToArray();
        return Marshal(members);
    }

    private static byte[] Quoted(string value)
    {
        var output = new ArrayBufferWriter<byte>();
        GoJsonWriter.WriteString(output, value);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Marshal(Dictionary<string, byte[]> members)
    {
        var output = new ArrayBufferWriter<byte>(256);
        GoJsonWriter.Write(output, "{"u8);
        var first = true;
        foreach (var key in members.Keys.Order(Utf8Ordinal.Instance))
        {
            if (!first)
            {
                GoJsonWriter.Write(output, ","u8);
            }

            first = false;
            GoJsonWriter.WriteString(output, key);
            GoJsonWriter.Write(output, ":"u8);
            GoJsonWriter.Compact(output, members[key]);
        }

        GoJsonWriter.Write(output, "}"u8);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Docker's <c>versions.LessThan</c>: dot-separated parts compared as integers, a part that is not one counting 0.</summary>
    public static bool VersionLessThan(string version, string other)
    {
        var a = version.Split('.');
        var b = other.Split('.');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var x = i < a.Length ? Atoi(a[i]) : 0;
            var y = i < b.Length ? Atoi(b[i]) : 0;
            if (x != y)
            {
                return x < y;
            }
        }

        return false;

        static int Atoi(string s) => int.TryParse(s, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;
    }

    /// <summary>The <c>docker_version</c> as Go decodes it into <c>struct{ DockerVersion string `json:"docker_version"` }</c>.</summary>
    internal static string ReadDockerVersion(ReadOnlySpan<byte> json, string path)
    {
        var version = string.Empty;
        var reader = GoJson.Reader(json);
        Read(ref reader, path);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return version;
        }

        while (Read(ref reader, path) && reader.TokenType == JsonTokenType.PropertyName)
        {
            var matches = string.Equals(reader.GetString(), "docker_version", StringComparison.OrdinalIgnoreCase);
            Read(ref reader, path);
            if (matches)
            {
                version = V1Image.ReadString(ref reader, path, "docker_version") ?? version;
            }
            else
            {
                reader.Skip();
            }
        }

        return version;
    }

    /// <summary>The top-level members as Go's <c>map[string]*json.RawMessage</c> holds them: raw value bytes, last duplicate wins.</summary>
    private static Dictionary<string, byte[]> ReadMembers(ReadOnlySpan<byte> json, string path)
    {
        var reader = GoJson.Reader(json);
        Read(ref reader, path);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new CorruptFileException(path, $"the image JSON is not an object but {reader.TokenType}");
        }

        var members = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        while (Read(ref reader, path) && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            Read(ref reader, path);
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            members[key] = json[start..(int)reader.BytesConsumed].ToArray();
        }

        return members;
    }

    private static byte[] RootFs(IReadOnlyList<string> diffIds)
    {
        var output = new ArrayBufferWriter<byte>();
        GoJsonWriter.Write(output, "{\"type\":\"layers\""u8);
        if (diffIds.Count > 0)
        {
            GoJsonWriter.Write(output, ",\"diff_ids\":["u8);
            for (var i = 0; i < diffIds.Count; i++)
            {
                if (i > 0)
                {
                    GoJsonWriter.Write(output, ","u8);
                }

                GoJsonWriter.WriteString(output, diffIds[i]);
            }

            GoJsonWriter.Write(output, "]"u8);
        }

        GoJsonWriter.Write(output, "}"u8);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] History(IReadOnlyList<GoHistoryItem> history)
    {
        var output = new ArrayBufferWriter<byte>();
        GoJsonWriter.Write(output, "["u8);
        for (var i = 0; i < history.Count; i++)
        {
            var item = history[i];
            GoJsonWriter.Write(output, i == 0 ? "{\"created\":"u8 : ",{\"created\":"u8);
            GoJsonWriter.WriteString(output, item.Created.ToString());
            WriteOptional(output, ",\"author\":"u8, item.Author);
            WriteOptional(output, ",\"created_by\":"u8, item.CreatedBy);
            WriteOptional(output, ",\"comment\":"u8, item.Comment);
            if (item.EmptyLayer)
            {
                GoJsonWriter.Write(output, ",\"empty_layer\":true"u8);
            }

            GoJsonWriter.Write(output, "}"u8);
        }

        GoJsonWriter.Write(output, "]"u8);
        return output.WrittenSpan.ToArray();
    }

    private static void WriteOptional(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> key, string value)
    {
        if (value.Length > 0)
        {
            GoJsonWriter.Write(output, key);
            GoJsonWriter.WriteString(output, value);
        }
    }

    private static bool Read(ref Utf8JsonReader reader, string path)
    {
        try
        {
            return reader.Read();
        }
        catch (JsonException e)
        {
            throw new CorruptFileException(path, $"not valid JSON ({GoJson.Describe(e)})", e);
        }
    }
}
