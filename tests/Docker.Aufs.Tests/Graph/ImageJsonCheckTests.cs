using System.IO.Abstractions.TestingHelpers;
using System.Text;
using System.Text.Json.Nodes;
using Docker.Aufs.Testing;
using Docker.Aufs.Formats;
using Docker.Aufs.Stores.Graph;
using Kind = Docker.Aufs.Stores.Graph.ImageJsonCheck.Kind;
using Docker.Aufs.IO;

namespace Docker.Aufs.Tests.Graph;

/// <summary>
/// The listing checks image JSON without building it. Whenever the check says yes, deserializing must succeed and give
/// the same id, parent, parent_id and created; these tests hold it to that on real documents and on thousands of
/// mutations of them, and keep its property tables equal to the serializer's metadata.
/// </summary>
public sealed class ImageJsonCheckTests
{
    private static readonly string[] Replacements =
    [
        "null", "true", "false", "0", "-1", "1.5", "1e3", "99999999999999999999", "\"\"", "\"x\"", "\"\\ud800\"", "\"a\\u0026b\"",
        "\"2015-11-03T12:00:00Z\"", "\"2015-11-03T12:00:00.123456789+02:00\"", "\"not a time\"", "[]", "[\"a\",null]", "[1]", "[[]]", "{}",
        "{\"a\":{}}", "{\"a\":null}", "{\"a\":\"b\"}", "{\"a\":1}", "{\"\\ud800\":{}}", "{\"Cmd\":\"sh\"}", "{\"Cmd\":5}", "{\"Env\":[\"A\"]}",
    ];

    [Fact]
    public void PropertyTables_MatchTheSerializersMetadata()
    {
        Assert.Equal(Describe(DockerJsonContext.Default.ImageJson.Properties), Describe(ImageJsonCheck.ImageProperties));
        Assert.Equal(Describe(DockerJsonContext.Default.GetTypeInfo(typeof(ContainerConfig))!.Properties), Describe(ImageJsonCheck.ConfigProperties));
    }

    [Fact]
    public void TryCheck_RealAndGeneratedDocuments_AreAcceptedWithTheDeserializersFacts()
    {
        var accepted = 0;
        foreach (var document in Corpus())
        {
            accepted += AssertAgrees(document) ? 1 : 0;
        }

        Assert.True(accepted >= 20, $"only {accepted} documents took the fast path");
    }

    [Fact]
    public void TryCheck_EveryValueReplacedByEveryKindOfValue_NeverSaysYesWhenDeserializingFails()
    {
        var checkedCount = 0;
        foreach (var document in Corpus().Take(6))
        {
            var root = JsonNode.Parse(document)!.AsObject();
            foreach (var (path, mutated) in Mutations(root))
            {
                _ = path;
                AssertAgrees(Encoding.UTF8.GetBytes(mutated));
                checkedCount++;
            }
        }

        Assert.True(checkedCount > 1000, $"only {checkedCount} mutations");
    }

    [Theory]
    [InlineData("{\"ID\":\"a\",\"id\":\"b\",\"PARENT\":\"p\",\"Created\":\"2015-11-03T12:00:00Z\"}")]
    [InlineData("{\"id\":\"a\"} trailing {")]
    [InlineData("\uFEFF {\"parent_id\":\"sha256:x\"}")]
    [InlineData("{\"unknown\":[1,{\"deep\":[null,true]}],\"config\":{\"Unknown\":5,\"Tty\":null}}")]
    [InlineData("{\"container_config\":{\"Labels\":{\"a\":\"b\",\"a\":null},\"ExposedPorts\":{\"80/tcp\":{\"x\":1}}}}")]
    [InlineData("{\"\\u0069d\":\"escaped name\"}")]
    [InlineData("{\"ıd\":\"dotless\"}")]
    [InlineData("{\"id\":\"a\"")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{\"created\":null,\"Size\":null,\"throwaway\":null}")]
    [InlineData("{\"averyveryveryveryverylongpropertynamethatisunknown\":1}")]
    public void TryCheck_Edges_AgreeWithTheDeserializer(string document) =>
        AssertAgrees(Encoding.UTF8.GetBytes(document));

    [Fact]
    public void TryCheck_InvalidUtf8_IsLeftToTheDeserializer() =>
        Assert.False(ImageJsonCheck.TryCheck([.. "{\"id\":\""u8, 0xFF, .. "\"}"u8], out _));

    /// <summary>When the check says yes, deserializing succeeds with the same facts. Returns whether it said yes.</summary>
    private static bool AssertAgrees(byte[] document)
    {
        if (!ImageJsonCheck.TryCheck(document, out var facts))
        {
            return false;
        }

        var image = GoJson.Deserialize(document, DockerJsonContext.Default.ImageJson, "/json") ?? new ImageJson();
        Assert.Equal(new ImageJsonCheck.Facts(image.Id, image.Parent, image.ParentId, image.Created), facts);
        return true;
    }

    private static IEnumerable<byte[]> Corpus()
    {
        var fileSystem = new MockFileSystem();
        var sample = SampleRoots.Write(fileSystem, "/var/lib/docker", SpecialFileMode.Recorded);
        foreach (var id in sample.LayerIds)
        {
            yield return fileSystem.File.ReadAllBytes($"/var/lib/docker/graph/{id}/json");
        }

        var builder = new DockerRootBuilder(fileSystem, "/other", SpecialFileMode.Recorded);
        var parent = builder.AddLayer(l => l.CreatedBy("#(nop) ADD file:abc in /").Author("me <me@example.org>").Comment("Imported from -"));
        builder.AddLayer(l => l.Parent(parent).CreatedBy("apt-get update && apt-get install -y curl").JsonStyle(ImageJsonStyle.Encoder)
            .Config(new ContainerConfig { Env = ["PATH=/bin", "A=<b>"], Cmd = ["sh"], ExposedPorts = ["80/tcp"], Volumes = ["/data"], Labels = new Dictionary<string, string> { ["k"] = "v" } }));
        builder.AddLayer(l => l.Parent(parent).StrongIdJson().Image(i => i with { ParentId = "sha256:" + parent, LayerId = "sha256:" + parent, Throwaway = true }));
        var other = builder.Build();
        foreach (var id in other.LayerIds)
        {
            yield return fileSystem.File.ReadAllBytes($"/other/graph/{id}/json");
        }
    }

    /// <summary>The document with one value (at any depth up to three) replaced, and with one property name's case changed.</summary>
    private static IEnumerable<(string Path, string Json)> Mutations(JsonObject root)
    {
        foreach (var (path, parent, key) in Slots(root, "$", 0))
        {
            var original = parent[key]?.DeepClone();
            foreach (var replacement in Replacements)
            {
                // Spliced in as text: some replacements (a lone surrogate escape) cannot be written by JsonNode.
                parent[key] = "__REPLACED__";
                yield return (path, root.ToJsonString().Replace("\"__REPLACED__\"", replacement, StringComparison.Ordinal));
            }

            parent[key] = original;
            parent.Remove(key);
            parent[key.ToUpperInvariant()] = original?.DeepClone();
            yield return (path + " (upper case)", root.ToJsonString());
            parent.Remove(key.ToUpperInvariant());
            parent[key] = original;
        }
    }

    private static List<(string Path, JsonObject Parent, string Key)> Slots(JsonObject node, string path, int depth)
    {
        var slots = new List<(string, JsonObject, string)>();
        foreach (var (key, value) in node.ToList())
        {
            slots.Add(($"{path}.{key}", node, key));
            if (value is JsonObject child && depth < 2)
            {
                slots.AddRange(Slots(child, $"{path}.{key}", depth + 1));
            }
        }

        return slots;
    }

    private static List<string> Describe(IEnumerable<System.Text.Json.Serialization.Metadata.JsonPropertyInfo> properties) =>
        [.. properties.Select(p => $"{p.Name}={KindOf(p)}").Order(StringComparer.Ordinal)];

    private static List<string> Describe(IReadOnlyDictionary<string, Kind> table) =>
        [.. table.Select(p => $"{p.Key}={p.Value}").Order(StringComparer.Ordinal)];

    private static Kind KindOf(System.Text.Json.Serialization.Metadata.JsonPropertyInfo property) => property switch
    {
        { CustomConverter: StringOrArrayConverter } => Kind.StringOrList,
        { CustomConverter: GoSetConverter } => Kind.Set,
        { CustomConverter: not null } when property.PropertyType == typeof(RecordedTime?) => Kind.Time, // RecordedTimeJsonConverter, made nullable
        { CustomConverter: GoBoolConverter } => Kind.Boolean,
        { CustomConverter: not null } => throw new InvalidOperationException($"{property.Name} has a converter the check does not know"),
        _ when property.PropertyType == typeof(string) => Kind.String,
        _ when property.PropertyType == typeof(long?) => Kind.Int64,
        _ when property.PropertyType == typeof(bool?) => Kind.Boolean,
        _ when property.PropertyType == typeof(IReadOnlyList<string>) => Kind.StringList,
        _ when property.PropertyType == typeof(IReadOnlyDictionary<string, string>) => Kind.StringMap,
        _ when property.PropertyType == typeof(ContainerConfig) => Kind.Config,
        _ => throw new InvalidOperationException($"{property.Name} has a type the check does not know: {property.PropertyType}"),
    };
}
