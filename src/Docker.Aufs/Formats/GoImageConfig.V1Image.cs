using System.Buffers;
using System.Text.Json;

namespace Docker.Aufs.Formats;

/// <summary>The legacy image JSON (Docker 1.10's <c>image.V1Image</c>) as Go decodes it, for the v1 → v2 conversion.</summary>
internal static partial class GoImageConfig
{
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
            var reader = GoJson.Reader(json);
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
}
