using System.Buffers;
using System.Text.Json;

namespace Docker.Aufs.Formats;

/// <summary>One item of an image config's <c>history</c> (Go type <c>image.History</c>, moby v1.10.0).</summary>
internal readonly record struct GoHistoryItem(GoTimestamp Created, string Author, string CreatedBy, string Comment);

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
internal static class GoImageConfig
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
        var reader = new Utf8JsonReader(json, GoJson.ReaderOptions);
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
        var reader = new Utf8JsonReader(json, GoJson.ReaderOptions);
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

    /// <summary>Go's <c>image.V1Image</c> of Docker 1.10 (with engine-api's <c>container.Config</c>): decoded and marshalled as Go does.</summary>
    private sealed class V1Image
    {
        public string Id { get; private set; } = string.Empty;

        public string Parent { get; private set; } = string.Empty;

        public string Comment { get; private set; } = string.Empty;

        public GoTimestamp Created { get; private set; } = GoTimestamp.Zero;

        public string Container { get; private set; } = string.Empty;

        public ContainerConfig ContainerConfig { get; private set; } = new();

        public string DockerVersion { get; private set; } = string.Empty;

        public string Author { get; private set; } = string.Empty;

        public ContainerConfig? Config { get; private set; }

        public string Architecture { get; private set; } = string.Empty;

        public string Os { get; private set; } = string.Empty;

        public long Size { get; private set; }

        public static V1Image Decode(ReadOnlySpan<byte> json, string path)
        {
            var image = new V1Image();
            var reader = new Utf8JsonReader(json, GoJson.ReaderOptions);
            Read(ref reader, path);
            if (reader.TokenType == JsonTokenType.Null)
            {
                return image;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw TypeError(path, "the image JSON", "an object", reader.TokenType);
            }

            while (Read(ref reader, path) && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString()!;
                Read(ref reader, path);
                switch (key.ToUpperInvariant())
                {
                    case "ID": image.Id = ReadString(ref reader, path, key) ?? image.Id; break;
                    case "PARENT": image.Parent = ReadString(ref reader, path, key) ?? image.Parent; break;
                    case "COMMENT": image.Comment = ReadString(ref reader, path, key) ?? image.Comment; break;
                    case "CREATED": image.Created = ReadTime(ref reader, path, key); break;
                    case "CONTAINER": image.Container = ReadString(ref reader, path, key) ?? image.Container; break;
                    case "CONTAINER_CONFIG":
                        if (reader.TokenType != JsonTokenType.Null)
                        {
                            image.ContainerConfig = ContainerConfig.Decode(ref reader, path, key, image.ContainerConfig);
                        }

                        break;
                    case "DOCKER_VERSION": image.DockerVersion = ReadString(ref reader, path, key) ?? image.DockerVersion; break;
                    case "AUTHOR": image.Author = ReadString(ref reader, path, key) ?? image.Author; break;
                    case "CONFIG":
                        image.Config = reader.TokenType == JsonTokenType.Null ? null : ContainerConfig.Decode(ref reader, path, key, image.Config ?? new ContainerConfig());
                        break;
                    case "ARCHITECTURE": image.Architecture = ReadString(ref reader, path, key) ?? image.Architecture; break;
                    case "OS": image.Os = ReadString(ref reader, path, key) ?? image.Os; break;
                    case "SIZE": image.Size = ReadInt64(ref reader, path, key) ?? image.Size; break;
                    default: reader.Skip(); break;
                }
            }

            return image;
        }

        public byte[] Marshal()
        {
            var output = new ArrayBufferWriter<byte>(1024);
            var fields = new FieldWriter(output);
            fields.StringOmitEmpty("id", Id);
            fields.StringOmitEmpty("parent", Parent);
            fields.StringOmitEmpty("comment", Comment);
            fields.Name("created");
            GoJsonWriter.WriteString(output, Created.ToString());
            fields.StringOmitEmpty("container", Container);
            fields.Name("container_config");
            ContainerConfig.Marshal(output);
            fields.StringOmitEmpty("docker_version", DockerVersion);
            fields.StringOmitEmpty("author", Author);
            if (Config is not null)
            {
                fields.Name("config");
                Config.Marshal(output);
            }

            fields.StringOmitEmpty("architecture", Architecture);
            fields.StringOmitEmpty("os", Os);
            if (Size != 0)
            {
                fields.Name("Size");
                GoJsonWriter.WriteNumber(output, Size);
            }

            fields.End();
            return output.WrittenSpan.ToArray();
        }

        internal static string? ReadString(ref Utf8JsonReader reader, string path, string key) => reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString()!,
            JsonTokenType.Null => null,
            _ => throw TypeError(path, key, "a string", reader.TokenType),
        };

        internal static bool? ReadBool(ref Utf8JsonReader reader, string path, string key) => reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            JsonTokenType.Null => null,
            _ => throw TypeError(path, key, "true or false", reader.TokenType),
        };

        private static long? ReadInt64(ref Utf8JsonReader reader, string path, string key)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            if (reader.TokenType == JsonTokenType.Number && !reader.ValueSpan.ContainsAny("."u8) && !reader.ValueSpan.ContainsAny("eE"u8) && reader.TryGetInt64(out var value))
            {
                return value;
            }

            throw TypeError(path, key, "an integer", reader.TokenType);
        }

        private static GoTimestamp ReadTime(ref Utf8JsonReader reader, string path, string key)
        {
            if (reader.TokenType == JsonTokenType.String && GoTimestamp.TryParse(reader.GetString(), out var time))
            {
                return time;
            }

            throw new CorruptFileException(path, $"'{key}' is not an RFC 3339 time, as Go's time.Time requires");
        }

        internal static CorruptFileException TypeError(string path, string key, string expected, JsonTokenType found) =>
            new(path, $"'{DockerIds.Printable(key)}' should be {expected}, found {found}");
    }

    /// <summary>engine-api's <c>container.Config</c> as vendored in Docker 1.10.</summary>
    private sealed class ContainerConfig
    {
        private string _hostname = string.Empty;
        private string _domainname = string.Empty;
        private string _user = string.Empty;
        private bool _attachStdin;
        private bool _attachStdout;
        private bool _attachStderr;
        private SortedSet<string>? _exposedPorts;
        private string _publishService = string.Empty;
        private bool _tty;
        private bool _openStdin;
        private bool _stdinOnce;
        private List<string>? _env;
        private bool _argsEscaped;
        private string _image = string.Empty;
        private SortedSet<string>? _volumes;
        private string _workingDir = string.Empty;
        private List<string>? _entrypoint;
        private bool _networkDisabled;
        private string _macAddress = string.Empty;
        private List<string>? _onBuild;
        private SortedDictionary<string, string>? _labels;
        private string _stopSignal = string.Empty;

        public List<string>? Cmd { get; private set; }

        public static ContainerConfig Decode(ref Utf8JsonReader reader, string path, string key, ContainerConfig config)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw V1Image.TypeError(path, key, "an object", reader.TokenType);
            }

            while (Read(ref reader, path) && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                Read(ref reader, path);
                switch (name.ToUpperInvariant())
                {
                    case "HOSTNAME": config._hostname = V1Image.ReadString(ref reader, path, name) ?? config._hostname; break;
                    case "DOMAINNAME": config._domainname = V1Image.ReadString(ref reader, path, name) ?? config._domainname; break;
                    case "USER": config._user = V1Image.ReadString(ref reader, path, name) ?? config._user; break;
                    case "ATTACHSTDIN": config._attachStdin = V1Image.ReadBool(ref reader, path, name) ?? config._attachStdin; break;
                    case "ATTACHSTDOUT": config._attachStdout = V1Image.ReadBool(ref reader, path, name) ?? config._attachStdout; break;
                    case "ATTACHSTDERR": config._attachStderr = V1Image.ReadBool(ref reader, path, name) ?? config._attachStderr; break;
                    case "EXPOSEDPORTS": config._exposedPorts = ReadSet(ref reader, path, name, config._exposedPorts); break;
                    case "PUBLISHSERVICE": config._publishService = V1Image.ReadString(ref reader, path, name) ?? config._publishService; break;
                    case "TTY": config._tty = V1Image.ReadBool(ref reader, path, name) ?? config._tty; break;
                    case "OPENSTDIN": config._openStdin = V1Image.ReadBool(ref reader, path, name) ?? config._openStdin; break;
                    case "STDINONCE": config._stdinOnce = V1Image.ReadBool(ref reader, path, name) ?? config._stdinOnce; break;
                    case "ENV": config._env = ReadList(ref reader, path, name); break;
                    case "CMD": config.Cmd = ReadStrSlice(ref reader, path, name); break;
                    case "ARGSESCAPED": config._argsEscaped = V1Image.ReadBool(ref reader, path, name) ?? config._argsEscaped; break;
                    case "IMAGE": config._image = V1Image.ReadString(ref reader, path, name) ?? config._image; break;
                    case "VOLUMES": config._volumes = ReadSet(ref reader, path, name, config._volumes); break;
                    case "WORKINGDIR": config._workingDir = V1Image.ReadString(ref reader, path, name) ?? config._workingDir; break;
                    case "ENTRYPOINT": config._entrypoint = ReadStrSlice(ref reader, path, name); break;
                    case "NETWORKDISABLED": config._networkDisabled = V1Image.ReadBool(ref reader, path, name) ?? config._networkDisabled; break;
                    case "MACADDRESS": config._macAddress = V1Image.ReadString(ref reader, path, name) ?? config._macAddress; break;
                    case "ONBUILD": config._onBuild = ReadList(ref reader, path, name); break;
                    case "LABELS": config._labels = ReadLabels(ref reader, path, name, config._labels); break;
                    case "STOPSIGNAL": config._stopSignal = V1Image.ReadString(ref reader, path, name) ?? config._stopSignal; break;
                    default: reader.Skip(); break;
                }
            }

            return config;
        }

        public void Marshal(ArrayBufferWriter<byte> output)
        {
            var fields = new FieldWriter(output);
            fields.String("Hostname", _hostname);
            fields.String("Domainname", _domainname);
            fields.String("User", _user);
            fields.Bool("AttachStdin", _attachStdin);
            fields.Bool("AttachStdout", _attachStdout);
            fields.Bool("AttachStderr", _attachStderr);
            if (_exposedPorts is { Count: > 0 })
            {
                fields.Name("ExposedPorts");
                WriteSet(output, _exposedPorts);
            }

            fields.StringOmitEmpty("PublishService", _publishService);
            fields.Bool("Tty", _tty);
            fields.Bool("OpenStdin", _openStdin);
            fields.Bool("StdinOnce", _stdinOnce);
            fields.Name("Env");
            GoJsonWriter.WriteStringArray(output, _env);
            fields.Name("Cmd");
            GoJsonWriter.WriteStringArray(output, Cmd);
            if (_argsEscaped)
            {
                fields.Bool("ArgsEscaped", true);
            }

            fields.String("Image", _image);
            fields.Name("Volumes");
            if (_volumes is null)
            {
                GoJsonWriter.Write(output, "null"u8);
            }
            else
            {
                WriteSet(output, _volumes);
            }

            fields.String("WorkingDir", _workingDir);
            fields.Name("Entrypoint");
            GoJsonWriter.WriteStringArray(output, _entrypoint);
            if (_networkDisabled)
            {
                fields.Bool("NetworkDisabled", true);
            }

            fields.StringOmitEmpty("MacAddress", _macAddress);
            fields.Name("OnBuild");
            GoJsonWriter.WriteStringArray(output, _onBuild);
            fields.Name("Labels");
            GoJsonWriter.WriteStringMap(output, _labels);
            fields.StringOmitEmpty("StopSignal", _stopSignal);
            fields.End();
        }

        private static List<string>? ReadList(ref Utf8JsonReader reader, string path, string key)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw V1Image.TypeError(path, key, "a list of strings", reader.TokenType);
            }

            var items = new List<string>();
            while (Read(ref reader, path) && reader.TokenType != JsonTokenType.EndArray)
            {
                items.Add(V1Image.ReadString(ref reader, path, key) ?? string.Empty);
            }

            return items;
        }

        // engine-api StrSlice: a list of strings, or one string; null leaves the pointer nil.
        private static List<string>? ReadStrSlice(ref Utf8JsonReader reader, string path, string key) => reader.TokenType switch
        {
            JsonTokenType.String => [reader.GetString()!],
            _ => ReadList(ref reader, path, key),
        };

        private static SortedSet<string>? ReadSet(ref Utf8JsonReader reader, string path, string key, SortedSet<string>? existing)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw V1Image.TypeError(path, key, "an object", reader.TokenType);
            }

            var set = existing ?? new SortedSet<string>(Utf8Ordinal.Instance);
            while (Read(ref reader, path) && reader.TokenType == JsonTokenType.PropertyName)
            {
                var member = reader.GetString()!;
                Read(ref reader, path);
                if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.Null))
                {
                    throw V1Image.TypeError(path, $"{key}.{member}", "{}", reader.TokenType);
                }

                reader.Skip();
                set.Add(member);
            }

            return set;
        }

        private static SortedDictionary<string, string>? ReadLabels(ref Utf8JsonReader reader, string path, string key, SortedDictionary<string, string>? existing)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw V1Image.TypeError(path, key, "an object", reader.TokenType);
            }

            var labels = existing ?? new SortedDictionary<string, string>(Utf8Ordinal.Instance);
            while (Read(ref reader, path) && reader.TokenType == JsonTokenType.PropertyName)
            {
                var label = reader.GetString()!;
                Read(ref reader, path);
                labels[label] = V1Image.ReadString(ref reader, path, $"{key}.{label}") ?? string.Empty;
            }

            return labels;
        }

        private static void WriteSet(ArrayBufferWriter<byte> output, SortedSet<string> set)
        {
            GoJsonWriter.Write(output, "{"u8);
            var first = true;
            foreach (var member in set)
            {
                GoJsonWriter.Write(output, first ? ""u8 : ","u8);
                first = false;
                GoJsonWriter.WriteString(output, member);
                GoJsonWriter.Write(output, ":{}"u8);
            }

            GoJsonWriter.Write(output, "}"u8);
        }
    }

    /// <summary>Writes the members of one JSON object in order, with Go's separators.</summary>
    private ref struct FieldWriter
    {
        private readonly ArrayBufferWriter<byte> _output;
        private bool _any;

        public FieldWriter(ArrayBufferWriter<byte> output)
        {
            _output = output;
            GoJsonWriter.Write(output, "{"u8);
        }

        public void Name(string name)
        {
            GoJsonWriter.Write(_output, _any ? ","u8 : ""u8);
            _any = true;
            GoJsonWriter.WriteString(_output, name);
            GoJsonWriter.Write(_output, ":"u8);
        }

        public void String(string name, string value)
        {
            Name(name);
            GoJsonWriter.WriteString(_output, value);
        }

        public void StringOmitEmpty(string name, string value)
        {
            if (value.Length > 0)
            {
                String(name, value);
            }
        }

        public void Bool(string name, bool value)
        {
            Name(name);
            GoJsonWriter.Write(_output, value ? "true"u8 : "false"u8);
        }

        public readonly void End() => GoJsonWriter.Write(_output, "}"u8);
    }
}
