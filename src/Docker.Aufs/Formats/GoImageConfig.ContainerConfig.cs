using System.Buffers;
using System.Text.Json;

namespace Docker.Aufs.Formats;

/// <summary>The container config of the v1 → v2 conversion, decoded and marshalled in Go's field order.</summary>
internal static partial class GoImageConfig
{
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
