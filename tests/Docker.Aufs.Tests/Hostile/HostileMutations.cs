using System.IO.Compression;
using System.Text;
using Docker.Aufs.Testing;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Hostile;

/// <summary>
/// The deterministic generator of the corpus: every damage the brief of issue 5 lists, applied to every metadata file it
/// fits (byte-level damage to each, wrong JSON types per field, huge and negative numbers, traversal IDs, links and special
/// files in metadata places) and the structural damage that needs a whole root (cycles, a 10,000-deep chain, missing
/// parents, leftovers, tar-split entries escaping the layer). Same seeds, same cases, same names, on every run.
/// </summary>
internal static partial class HostileMutations
{
    /// <summary>Where hostile links and traversal IDs point: a directory outside the root, shaped like a root's parts.</summary>
    public const string Outside = "/etc";

    private const string Traversal = "../../../../etc";

    private static readonly JsonNode?[] WrongTypes = [JsonValue.Create(42), JsonValue.Create("a string"), new JsonArray(1, "x"), new JsonObject { ["k"] = "v" }, null, JsonValue.Create(true)];

    private static readonly string[] WrongTypeNames = ["a number", "a string", "an array", "an object", "null", "a boolean"];

    public static IEnumerable<HostileCase> All(HostileSeed sample, HostileSeed small)
    {
        var cases = new List<HostileCase>();
        foreach (var seed in new[] { sample, small })
        {
            foreach (var file in InterestingFiles(seed))
            {
                cases.AddRange(Bytes(seed, file));
            }

            cases.AddRange(ImageJson(seed, seed.ImageIds[0]));
            cases.AddRange(ContainerJson(seed));
            cases.AddRange(Repositories(seed));
            cases.AddRange(LayersFiles(seed));
            cases.AddRange(Structure(seed));
        }

        cases.AddRange(ImageJson(small, small.LayerIds[0]));
        cases.AddRange(ConfigFields(small, small.ImageIds[0]));
        cases.AddRange(TarSplit(small));
        cases.AddRange(Diffs(small));
        cases.AddRange(Chains(small));

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in cases)
        {
            var name = c.Name;
            for (var n = 2; !seen.Add(name); n++)
            {
                name = $"{c.Name} #{n}";
            }

            yield return c with { Name = name };
        }
    }

    /// <summary>Shortens the 64-hex IDs in a path to their 12-character short form, for readable case names.</summary>
    public static string Short(string path) => LongId().Replace(path, m => m.Value[..12]);

    [GeneratedRegex("[0-9a-f]{64}")]
    private static partial Regex LongId();

    private static HostileCase Case(HostileSeed seed, string where, string what, Action<RootEditor> mutate) =>
        new($"{seed.Name} {Short(where)}: {what}", seed, mutate);

    /// <summary>The metadata files that get every byte-level damage: all of the small seed's, a representative few of the sample's.</summary>
    private static IEnumerable<string> InterestingFiles(HostileSeed seed)
    {
        if (seed.Name != "sample")
        {
            return seed.MetadataFiles;
        }

        // The sample is the slow seed (16 layers): its JSON, sizes and chain files of a top, a middle and a base layer, its tag
        // store and container configuration; the small seed has every file damaged.
        var (top, middle, bottom) = (SampleRoots.RedisId, SampleRoots.RedisLayers[8], SampleRoots.RedisLayers[^1]);
        var container = SampleRoots.RedisContainerId;
        return [$"graph/{top}/json", $"graph/{top}/layersize", $"graph/{middle}/json", $"graph/{bottom}/json", $"aufs/layers/{top}", $"aufs/layers/{middle}",
            "repositories-aufs", $"containers/{container}/config.json", $"containers/{container}/hostconfig.json"];
    }

    private static IEnumerable<HostileCase> Bytes(HostileSeed seed, string file)
    {
        var length = seed.FileSystem.File.ReadAllBytes(RootPathOf(file)).Length;
        yield return Case(seed, file, "deleted", e => e.Delete(file));
        yield return Case(seed, file, "empty", e => e.Write(file, []));
        yield return Case(seed, file, "truncated to one byte", e => e.Write(file, e.Read(file)[..Math.Min(1, length)]));
        yield return Case(seed, file, "truncated at half", e => e.Write(file, e.Read(file)[..(length / 2)]));
        yield return Case(seed, file, "last byte cut", e => e.Write(file, e.Read(file)[..Math.Max(0, length - 1)]));
        yield return Case(seed, file, "garbage bytes", e => e.Write(file, Garbage(file, 300)));
        yield return Case(seed, file, "invalid UTF-8 in the middle", e => e.Write(file, [.. e.Read(file)[..(length / 2)], 0xC3, 0x28, 0xFF, 0xFE, 0xED, 0xA0, 0x80, .. e.Read(file)[(length / 2)..]]));
        yield return Case(seed, file, "zero bytes of the same length", e => e.Write(file, new byte[length]));
        yield return Case(seed, file, "a directory instead", e => e.MakeDirectory(file, "json"));
        yield return Case(seed, file, "a fifo instead", e => e.MakeSpecial(file, UnixFileType.Fifo));
        yield return Case(seed, file, "a link to a host file", e => e.Symlink(file, Outside + "/passwd"));
        yield return Case(seed, file, "a link to another file of the root", e => e.Symlink(file, e.Full(seed.MetadataFiles.First(f => f != file))));
    }

    private static string RootPathOf(string relative) => HostileSeed.RootPath + "/" + relative;

    private static byte[] Garbage(string seed, int length)
    {
        var random = new Random(seed.Length * 7919 + seed.Sum(c => c));
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static JsonObject ReadObject(RootEditor editor, string file) => JsonNode.Parse(editor.Read(file))!.AsObject();

    private static void WriteJson(RootEditor editor, string file, JsonNode? node) => editor.Write(file, node?.ToJsonString() ?? "null");

    private static Action<RootEditor> SetField(string file, string field, Func<JsonNode?> value) => e =>
    {
        var json = ReadObject(e, file);
        json[field] = value();
        WriteJson(e, file, json);
    };

    private static IEnumerable<HostileCase> WrongTypesOf(HostileSeed seed, string file, IEnumerable<string> fields)
    {
        foreach (var field in fields)
        {
            for (var t = 0; t < WrongTypes.Length; t++)
            {
                var index = t;
                yield return Case(seed, file, $"{field} is {WrongTypeNames[index]}", SetField(file, field, () => WrongTypes[index]?.DeepClone()));
            }
        }
    }

    private static IEnumerable<HostileCase> JsonShapes(HostileSeed seed, string file)
    {
        yield return Case(seed, file, "a JSON array at the top", e => e.Write(file, "[" + e.ReadText(file) + "]"));
        yield return Case(seed, file, "a JSON string at the top", e => e.Write(file, "\"" + SampleRoots.RedisId + "\""));
        yield return Case(seed, file, "JSON null", e => e.Write(file, "null"));
        yield return Case(seed, file, "nested 10,000 arrays deep", e => e.Write(file, new string('[', 10_000) + new string(']', 10_000)));
        yield return Case(seed, file, "nested 300 objects deep", e => e.Write(file, string.Concat(Enumerable.Repeat("{\"a\":", 300)) + "1" + new string('}', 300)));
        yield return Case(seed, file, "unterminated nesting", e => e.Write(file, new string('{', 5_000)));
        yield return Case(seed, file, "trailing garbage after the value", e => e.Write(file, [.. e.Read(file), .. "}{]\0\xff"u8]));
        yield return Case(seed, file, "a byte-order mark", e => e.Write(file, [0xEF, 0xBB, 0xBF, .. e.Read(file)]));
        yield return Case(seed, file, "a 1 MiB string value", SetField(file, "comment", () => new string('x', 1 << 20)));
        yield return Case(seed, file, "invalid UTF-8 inside a string", e =>
        {
            var text = e.ReadText(file);
            var at = text.IndexOf(":\"", StringComparison.Ordinal) + 2;
            e.Write(file, [.. Encoding.UTF8.GetBytes(text[..at]), 0xFF, 0xC0, 0xAF, .. Encoding.UTF8.GetBytes(text[at..])]);
        });
        yield return Case(seed, file, "a lone surrogate escape", SetField(file, "comment", () => "\ud800"));
        yield return Case(seed, file, "lone, reversed and cut surrogate escapes in a key and a value (spliced as text)", e =>
        {
            var text = e.ReadText(file);
            var brace = text.IndexOf('{', StringComparison.Ordinal);
            e.Write(file, text[..(brace + 1)] + "\"k\\ud800\":\"\\udc00\\ud83d\\ud800\\u0041\\ude00\"," + text[(brace + 1)..]);
        });
        yield return Case(seed, file, "escaped NUL characters", SetField(file, "comment", () => "a\0b"));
    }

    private static IEnumerable<HostileCase> ImageJson(HostileSeed seed, string id)
    {
        var file = $"graph/{id}/json";
        var parent = id == seed.LayerIds[0] ? null : seed.LayerIds[seed.LayerIds.ToList().IndexOf(id) - 1];
        if (seed.Name != "sample" && id == seed.ImageIds[0])
        {
            foreach (var c in WrongTypesOf(seed, file, ["id", "parent", "created", "container_config", "config", "Size", "docker_version", "architecture", "os", "comment", "parent_id", "layer_id"]))
            {
                yield return c;
            }
        }

        foreach (var c in JsonShapes(seed, file))
        {
            yield return c;
        }

        yield return Case(seed, file, "Size is huge", e => e.Write(file, ReadObject(e, file).ToJsonString().Replace("{", "{\"Size\":1e400,", StringComparison.Ordinal)));
        yield return Case(seed, file, "Size is 2^63", e => e.Write(file, ReadObject(e, file).ToJsonString().Replace("{", "{\"Size\":9223372036854775808,", StringComparison.Ordinal)));
        yield return Case(seed, file, "Size is negative", SetField(file, "Size", () => -9_000_000_000L));
        yield return Case(seed, file, "created is year 0", SetField(file, "created", () => "0000-01-01T00:00:00Z"));
        yield return Case(seed, file, "created is year 99999", SetField(file, "created", () => "99999-12-31T23:59:59.999999999999Z"));
        yield return Case(seed, file, "created has an offset of 99 hours", SetField(file, "created", () => "2017-01-01T00:00:00+99:00"));
        yield return Case(seed, file, "id is a traversal", SetField(file, "id", () => Traversal));
        yield return Case(seed, file, "id is absolute", SetField(file, "id", () => Outside));
        yield return Case(seed, file, "id names another image", SetField(file, "id", () => Ids.Of("another")));
        yield return Case(seed, file, "parent is a traversal", SetField(file, "parent", () => Traversal));
        yield return Case(seed, file, "parent is absolute", SetField(file, "parent", () => Outside));
        yield return Case(seed, file, "parent is itself", SetField(file, "parent", () => id));
        yield return Case(seed, file, "parent is a missing image", SetField(file, "parent", () => Ids.Of("missing")));
        yield return Case(seed, file, "parent is uppercase hex", SetField(file, "parent", () => (parent ?? id).ToUpperInvariant()));
        yield return Case(seed, file, "parent_id is a traversal", SetField(file, "parent_id", () => "sha256:" + Traversal));
        yield return Case(seed, file, "duplicate parent keys, the last a traversal", e => e.Write(file, e.ReadText(file).Trim().TrimEnd('}') + $",\"parent\":\"{Traversal}\",\"PARENT\":\"{Traversal}\"}}"));
        yield return Case(seed, file, "duplicate id keys in other cases", e => e.Write(file, e.ReadText(file).Trim().TrimEnd('}') + $",\"Id\":\"{Ids.Of("x")}\",\"ID\":\"{Traversal}\"}}"));
        yield return Case(seed, file, "a parent file with a traversal", e => e.Write($"graph/{id}/parent", Traversal));
        yield return Case(seed, file, "a parent file naming itself", e => e.Write($"graph/{id}/parent", id));
        yield return Case(seed, file, "a parent file of 10 MiB", e => e.Write($"graph/{id}/parent", new string('a', 10 << 20)));
        yield return Case(seed, file, "a layersize of 2^64", e => e.Write($"graph/{id}/layersize", "18446744073709551616"));
        yield return Case(seed, file, "a negative layersize", e => e.Write($"graph/{id}/layersize", "-1"));
        yield return Case(seed, file, "a layersize of long.MinValue", e => e.Write($"graph/{id}/layersize", "-9223372036854775808"));
        yield return Case(seed, file, "a checksum of garbage", e => e.Write($"graph/{id}/checksum", "tarsum+sha256:\u00ff\0"));
        yield return Case(seed, file, "a v1Compatibility of garbage", e => e.Write($"graph/{id}/v1Compatibility", "{\"id\":"));
        yield return Case(seed, file, "a json of 65 MiB", e =>
        {
            var big = new byte[65 << 20];
            Array.Fill(big, (byte)'x');
            "{\"comment\":\""u8.CopyTo(big);
            "\"}"u8.CopyTo(big.AsSpan(big.Length - 2));
            e.Write(file, big);
        });
    }

    private static IEnumerable<HostileCase> ConfigFields(HostileSeed seed, string id)
    {
        var file = $"graph/{id}/json";
        foreach (var field in new[] { "Cmd", "Entrypoint", "Env", "Labels", "ExposedPorts", "Volumes", "OnBuild", "Memory", "User", "WorkingDir" })
        {
            for (var t = 0; t < WrongTypes.Length; t++)
            {
                var index = t;
                yield return Case(seed, file, $"config.{field} is {WrongTypeNames[index]}", e =>
                {
                    var json = ReadObject(e, file);
                    var config = json["config"] as JsonObject ?? [];
                    config[field] = WrongTypes[index]?.DeepClone();
                    json["config"] = config.DeepClone();
                    json["container_config"] = config.DeepClone();
                    WriteJson(e, file, json);
                });
            }
        }
    }

    private static IEnumerable<HostileCase> ContainerJson(HostileSeed seed)
    {
        var id = seed.ContainerIds[0];
        var config = $"containers/{id}/config.json";
        var host = $"containers/{id}/hostconfig.json";
        if (seed.Name != "sample")
        {
            foreach (var c in WrongTypesOf(seed, config, ["ID", "Name", "Image", "Created", "State", "Config", "Driver", "Path", "Args", "Mounts", "Volumes"])
                .Concat(JsonShapes(seed, config)).Concat(WrongTypesOf(seed, host, ["Binds", "PortBindings", "RestartPolicy", "Memory"])))
            {
                yield return c;
            }
        }

        yield return Case(seed, config, "ID is a traversal", SetField(config, "ID", () => Traversal));
        yield return Case(seed, config, "Image is a traversal", SetField(config, "Image", () => Traversal));
        yield return Case(seed, config, "Image is absolute", SetField(config, "Image", () => Outside));
        yield return Case(seed, config, "Image is a missing image", SetField(config, "Image", () => Ids.Of("missing")));
        yield return Case(seed, config, "Image is the container itself", SetField(config, "Image", () => id));
        yield return Case(seed, config, "ID names another container", SetField(config, "ID", () => Ids.Of("other container")));
        yield return Case(seed, config, "Name is a traversal", SetField(config, "Name", () => "/../../etc"));
        yield return Case(seed, config, "Name is 1 MiB long", SetField(config, "Name", () => "/" + new string('n', 1 << 20)));
        yield return Case(seed, config, "Driver is a traversal", SetField(config, "Driver", () => "../../etc"));
        yield return Case(seed, config, "State.Pid is huge", e =>
        {
            var json = ReadObject(e, config);
            json["State"] = new JsonObject { ["Running"] = true, ["Pid"] = JsonValue.Create(1e300), ["ExitCode"] = -1, ["StartedAt"] = "garbage" };
            WriteJson(e, config, json);
        });
        yield return Case(seed, config, "Created is not a time", SetField(config, "Created", () => "yesterday"));
        yield return Case(seed, $"containers/{id}", "a file instead of the container directory", e => e.Write($"containers/{id}", "x"));
        yield return Case(seed, $"containers/{id}", "the container directory is empty", e => e.MakeDirectory($"containers/{id}"));
        yield return Case(seed, $"containers/{id}", "the container directory links outside", e => e.Symlink($"containers/{id}", Outside));
        yield return Case(seed, "containers", "a file instead of the containers directory", e => e.Write("containers", "x"));
        yield return Case(seed, "containers", "the containers directory links outside", e => e.Symlink("containers", Outside));
        yield return Case(seed, "containers", "a directory named as a traversal", e => e.MakeDirectory("containers/..."));
        yield return Case(seed, "containers", "a container without driver data", e =>
        {
            e.Delete($"aufs/diff/{id}");
            e.Delete($"aufs/layers/{id}");
            e.Delete($"aufs/diff/{id}-init");
            e.Delete($"aufs/layers/{id}-init");
        });
        yield return Case(seed, "containers", "a container whose init layer is gone", e => e.Delete($"aufs/diff/{id}-init"));
        yield return Case(seed, "containers", "a container whose layers file skips the init layer", e => e.Write($"aufs/layers/{id}", seed.ImageIds[0] + "\n"));
    }

    private static IEnumerable<HostileCase> Repositories(HostileSeed seed)
    {
        const string file = "repositories-aufs";
        string Store(string inner) => $"{{\"Repositories\":{inner}}}";
        var image = seed.ImageIds[0];
        yield return Case(seed, file, "a tag naming a traversal", e => e.Write(file, Store($"{{\"evil\":{{\"latest\":\"{Traversal}\"}}}}")));
        yield return Case(seed, file, "a tag naming an absolute path", e => e.Write(file, Store($"{{\"evil\":{{\"latest\":\"{Outside}\"}}}}")));
        yield return Case(seed, file, "a tag of a missing image", e => e.Write(file, Store($"{{\"gone\":{{\"latest\":\"{Ids.Of("gone")}\"}}}}")));
        yield return Case(seed, file, "a tag naming a short ID", e => e.Write(file, Store($"{{\"short\":{{\"latest\":\"{image[..12]}\"}}}}")));
        yield return Case(seed, file, "a repository name that is a traversal", e => e.Write(file, Store($"{{\"../../etc\":{{\"latest\":\"{image}\"}}}}")));
        yield return Case(seed, file, "a tag name of 1 MiB", e => e.Write(file, Store($"{{\"big\":{{\"{new string('t', 1 << 20)}\":\"{image}\"}}}}")));
        yield return Case(seed, file, "10,000 tags", e => e.Write(file, Store("{\"many\":{" + string.Join(',', Enumerable.Range(0, 10_000).Select(i => $"\"t{i}\":\"{image}\"")) + "}}")));
        yield return Case(seed, file, "a tag value that is a number", e => e.Write(file, Store("{\"n\":{\"latest\":42}}")));
        yield return Case(seed, file, "a repository that is an array", e => e.Write(file, Store($"{{\"a\":[\"{image}\"]}}")));
        yield return Case(seed, file, "Repositories is a string", e => e.Write(file, Store("\"x\"")));
        yield return Case(seed, file, "Repositories is null", e => e.Write(file, Store("null")));
        yield return Case(seed, file, "duplicate repositories", e => e.Write(file, Store($"{{\"d\":{{\"latest\":\"{image}\"}},\"d\":{{\"latest\":\"{Traversal}\"}}}}")));
        yield return Case(seed, file, "a digest reference of garbage", e => e.Write(file, Store($"{{\"d\":{{\"sha256:zz\":\"{image}\",\"@\":\"{image}\"}}}}")));
        yield return Case(seed, file, "ConfirmedV2 is a string", e => e.Write(file, e.ReadText(file).Trim().TrimEnd('}') + ",\"ConfirmedV2\":\"yes\"}"));
        yield return Case(seed, file, "invalid UTF-8 in a repository name", e => e.Write(file, [.. "{\"Repositories\":{\"a"u8, 0xFF, 0xFE, .. Encoding.UTF8.GetBytes($"\":{{\"latest\":\"{image}\"}}}}}}")]));
        foreach (var c in JsonShapes(seed, file))
        {
            yield return c;
        }

        yield return Case(seed, file, "a corrupt copy beside it", e => e.Write(file + ".corrupt", Garbage(file, 100)));
        yield return Case(seed, file, "a second driver's tag store", e => e.Write("repositories-devicemapper", e.Read(file)));
    }

    private static IEnumerable<HostileCase> LayersFiles(HostileSeed seed)
    {
        var top = seed.ImageIds[0];
        var file = $"aufs/layers/{top}";
        yield return Case(seed, file, "a traversal line", e => e.Write(file, Traversal + "\n" + e.ReadText(file)));
        yield return Case(seed, file, "an absolute line", e => e.Write(file, Outside + "\n"));
        yield return Case(seed, file, "itself as its parent", e => e.Write(file, top + "\n" + e.ReadText(file)));
        yield return Case(seed, file, "10,000 lines", e => e.Write(file, string.Concat(Enumerable.Repeat(seed.LayerIds[0] + "\n", 10_000))));
        yield return Case(seed, file, "its parent 40,000 times", e => e.Write(file, string.Concat(Enumerable.Repeat(e.ReadText(file).Split('\n')[0] + "\n", 40_000))));
        yield return Case(seed, file, "its chain twice", e => e.Write(file, e.ReadText(file) + e.ReadText(file)));
        yield return Case(seed, file, "its base twice at the end", e => e.Write(file, e.ReadText(file) + seed.LayerIds[0] + "\n"));
        yield return Case(seed, file, "CRLF line ends", e => e.Write(file, e.ReadText(file).Replace("\n", "\r\n", StringComparison.Ordinal)));
        yield return Case(seed, file, "blank lines and spaces", e => e.Write(file, "\n \n" + e.ReadText(file).Replace("\n", " \n\n", StringComparison.Ordinal)));
        yield return Case(seed, file, "a line of 1 MiB", e => e.Write(file, new string('a', 1 << 20) + "\n"));
        yield return Case(seed, file, "a missing layer", e => e.Write(file, Ids.Of("missing") + "\n" + e.ReadText(file)));
        yield return Case(seed, file, "another image's chain", e => e.Write(file, seed.ImageIds[^1] + "\n"));
        yield return Case(seed, file, "the order reversed", e => e.Write(file, string.Concat(e.ReadText(file).Split('\n', StringSplitOptions.RemoveEmptyEntries).Reverse().Select(l => l + "\n"))));
        yield return Case(seed, file, "a container layer as an ancestor", e => e.Write(file, seed.ContainerIds[0] + "\n" + e.ReadText(file)));
        yield return Case(seed, file, "an -init layer with a traversal", e => e.Write(file, "../x-init\n"));
    }

    private static IEnumerable<HostileCase> Structure(HostileSeed seed)
    {
        var top = seed.ImageIds[0];
        var bottom = seed.LayerIds[0];
        var stranger = Ids.Of("stranger");
        yield return Case(seed, "graph", "a cycle through the parent files", e => e.Write($"graph/{bottom}/parent", top));
        yield return Case(seed, "graph", "a cycle through the JSON parents", SetField($"graph/{bottom}/json", "parent", () => top));
        yield return Case(seed, "graph", "a missing base image", e => e.Delete($"graph/{bottom}"));
        yield return Case(seed, "graph", "a missing base layer directory", e => e.Delete($"aufs/diff/{bottom}"));
        yield return Case(seed, "graph", "a missing base layers file", e => e.Delete($"aufs/layers/{bottom}"));
        yield return Case(seed, "graph", "a missing top image directory", e => e.Delete($"graph/{top}"));
        yield return Case(seed, "graph", "an image directory that is a file", e => e.Write($"graph/{top}", "x"));
        yield return Case(seed, "graph", "an empty image directory", e => e.MakeDirectory($"graph/{top}"));
        yield return Case(seed, "graph", "a diff directory that is a file", e => e.Write($"aufs/diff/{top}", "x"));
        yield return Case(seed, "graph", "a layers file that is a directory", e => e.MakeDirectory($"aufs/layers/{top}", "x"));
        yield return Case(seed, "graph", "an image directory linked outside", e => e.Symlink($"graph/{top}", Outside));
        yield return Case(seed, "graph", "a diff directory linked outside", e => e.Symlink($"aufs/diff/{top}", Outside));
        yield return Case(seed, "graph", "a diff directory linked to another layer", e => e.Symlink($"aufs/diff/{top}", e.Full($"aufs/diff/{bottom}")));
        yield return Case(seed, "graph", "a diff directory linked to graph/<id> instead of graph/<id>/layer", e => e.Symlink($"aufs/diff/{top}", e.Full($"graph/{top}")));
        yield return Case(seed, "graph", "a diff directory moved and linked as Docker 0.7 did", e =>
        {
            e.Move($"aufs/diff/{top}", $"graph/{top}/layer");
            e.Symlink($"aufs/diff/{top}", e.Full($"graph/{top}/layer"));
        });
        yield return Case(seed, "graph", "the graph directory linked outside", e => e.Symlink("graph", Outside));
        yield return Case(seed, "graph", "the graph directory is a file", e => e.Write("graph", "x"));
        yield return Case(seed, "graph", "the graph directory is gone", e => e.Delete("graph"));
        yield return Case(seed, "aufs", "the aufs directory is a file", e => e.Write("aufs", "x"));
        yield return Case(seed, "aufs", "the aufs directory is gone", e => e.Delete("aufs"));
        yield return Case(seed, "aufs", "aufs/layers is a file", e => e.Write("aufs/layers", "x"));
        yield return Case(seed, "aufs", "aufs/diff is gone", e => e.Delete("aufs/diff"));
        yield return Case(seed, "aufs", "aufs/mnt linked outside", e => e.Symlink("aufs/mnt", Outside));
        yield return Case(seed, "graph", "a staging leftover in graph/_tmp", e => e.Write($"graph/_tmp/{stranger}/json", "{\"id\":"));
        yield return Case(seed, "graph", "a removal leftover", e => e.Write($"graph/{stranger}-removing/json", "{}"));
        yield return Case(seed, "graph", "an orphan image directory without driver data", e => e.Write($"graph/{stranger}/json", $"{{\"id\":\"{stranger}\",\"parent\":\"{Traversal}\"}}"));
        yield return Case(seed, "graph", "entries that are not IDs", e =>
        {
            e.MakeDirectory("graph/..."); e.Write("graph/" + new string('A', 64), "x"); e.MakeDirectory("graph/" + top[..63]);
        });
        yield return Case(seed, "aufs", "an orphan driver layer", e => { e.Write($"aufs/layers/{stranger}", Traversal + "\n"); e.MakeDirectory($"aufs/diff/{stranger}", "x"); });
        yield return Case(seed, "aufs", "removal leftovers in diff and mnt", e => { e.MakeDirectory($"aufs/diff/{top}-removing", "x"); e.MakeDirectory($"aufs/mnt/{top}-removing", "x"); });
        yield return Case(seed, "aufs", "a populated mount point", e => e.Write($"aufs/mnt/{top}/etc/passwd", "mounted"));
        yield return Case(seed, "aufs", "a mount point that is a file", e => e.Write($"aufs/mnt/{top}", "x"));
        yield return Case(seed, "aufs", "aufs/tmp of Docker 0.7", e => e.Write("aufs/tmp/diff/x", "x"));
        yield return Case(seed, "", "a migrated root beside it", e => e.Write("image/aufs/repositories.json", "{}"));
        yield return Case(seed, "", "several drivers", e => e.MakeDirectory("devicemapper/metadata", "base"));
        yield return Case(seed, "", "a tag store of every image ID", e =>
            e.Write("repositories-aufs", "{\"Repositories\":{" + string.Join(',', seed.LayerIds.Select((l, i) => $"\"r{i}\":{{\"latest\":\"{l}\"}}")) + "}}"));
    }

    private static IEnumerable<HostileCase> Diffs(HostileSeed seed)
    {
        var top = seed.ImageIds[0];
        var diff = $"aufs/diff/{top}";
        yield return Case(seed, diff, "a whiteout of a whiteout", e => e.Write($"{diff}/.wh..wh.top.txt", string.Empty));
        yield return Case(seed, diff, "a whiteout of the opaque marker", e => e.Write($"{diff}/.wh..wh..wh..opq", string.Empty));
        yield return Case(seed, diff, "a whiteout named only .wh.", e => e.Write($"{diff}/etc/.wh.", string.Empty));
        yield return Case(seed, diff, "a whiteout of ..", e => e.Write($"{diff}/etc/.wh...", string.Empty));
        yield return Case(seed, diff, "an opaque marker that is a directory", e => e.MakeDirectory($"{diff}/etc/.wh..wh..opq", "x"));
        yield return Case(seed, diff, "a whiteout that is a directory", e => e.MakeDirectory($"{diff}/.wh.top.txt", "x"));
        yield return Case(seed, diff, "a file whose recorded size is larger than its bytes", e =>
            e.Record($"{diff}/top.txt", new UnixFileStatus { Type = UnixFileType.RegularFile, Permissions = 0x1A4, Size = 1L << 40 }));
        yield return Case(seed, diff, "a device of huge numbers", e =>
            e.Record($"{diff}/top.txt", new UnixFileStatus { Type = UnixFileType.CharacterDevice, Permissions = 0x1A4, DeviceMajor = uint.MaxValue, DeviceMinor = uint.MaxValue }));
        yield return Case(seed, diff, "a link with an empty target", e =>
            e.Record($"{diff}/etc/link", new UnixFileStatus { Type = UnixFileType.SymbolicLink, Permissions = 0x1FF, LinkTarget = string.Empty }));
        yield return Case(seed, diff, "a link with a target of 100 KiB", e =>
            e.Record($"{diff}/etc/link", new UnixFileStatus { Type = UnixFileType.SymbolicLink, Permissions = 0x1FF, LinkTarget = string.Concat(Enumerable.Repeat("../", 30_000)) }));
        yield return Case(seed, diff, "a link loop", e =>
        {
            e.Write($"{diff}/a", "a"); e.Write($"{diff}/b", "b");
            e.Record($"{diff}/a", new UnixFileStatus { Type = UnixFileType.SymbolicLink, Permissions = 0x1FF, LinkTarget = "b" });
            e.Record($"{diff}/b", new UnixFileStatus { Type = UnixFileType.SymbolicLink, Permissions = 0x1FF, LinkTarget = "/a" });
        });
        yield return Case(seed, diff, "a link chain of 1,000 links", e =>
        {
            for (var i = 0; i < 1_000; i++)
            {
                e.Write($"{diff}/l{i}", "x");
                e.Record($"{diff}/l{i}", new UnixFileStatus { Type = UnixFileType.SymbolicLink, Permissions = 0x1FF, LinkTarget = $"l{i + 1}" });
            }
        });
        yield return Case(seed, diff, "a directory 100 levels deep", e => e.Write(diff + "/" + string.Concat(Enumerable.Repeat("d/", 100)) + "f", "deep")); // 1,000 on disk
        yield return Case(seed, diff, "a name with a newline and invalid UTF-16", e => e.Write($"{diff}/new\nline\ud800", "x"));
        yield return Case(seed, diff, "a hardlink record to a missing inode", e =>
            e.Record($"{diff}/top.txt", new UnixFileStatus { Type = UnixFileType.RegularFile, Permissions = 0x1A4, Size = 4, Inode = ulong.MaxValue, LinkCount = uint.MaxValue }));
        yield return Case(seed, diff, "a negative recorded size", e =>
            e.Record($"{diff}/top.txt", new UnixFileStatus { Type = UnixFileType.RegularFile, Permissions = 0x1A4, Size = -5 }));
        yield return Case(seed, diff, "a time far outside the tar range", e =>
            e.Record($"{diff}/top.txt", new UnixFileStatus { Type = UnixFileType.RegularFile, Permissions = 0x1A4, Size = 4, ModifiedTime = DateTimeOffset.MaxValue }));
        yield return Case(seed, diff, "owners of -1", e =>
            e.Record($"{diff}/top.txt", new UnixFileStatus { Type = UnixFileType.RegularFile, Permissions = -1, Size = 4, Uid = -1, Gid = int.MinValue }));
        var container = seed.ContainerIds[0];
        yield return Case(seed, $"aufs/diff/{container}", "a whiteout of a whiteout in the container", e => e.Write($"aufs/diff/{container}/etc/.wh..wh.passwd", string.Empty));
        yield return Case(seed, $"aufs/diff/{container}", "a pseudo-link directory that is a file", e => e.Write($"aufs/diff/{container}/.wh..wh.plnk", "x"));
    }

    private static IEnumerable<HostileCase> TarSplit(HostileSeed seed)
    {
        var layer = seed.LayerIds[0];
        var file = $"graph/{layer}/tar-data.json.gz";

        static Action<RootEditor> EditLines(string file, Func<List<JsonObject>, List<JsonObject>> edit) => e => e.Write(file, EditTarSplit(e.Read(file), edit));

        static Action<RootEditor> EditFile(string file, Action<JsonObject> edit) => e => e.Write(file, EditTarSplitEntry(e.Read(file), "etc/passwd", edit));

        yield return Case(seed, file, "an entry named ../../etc/passwd", EditFile(file, l => l["name"] = "../../etc/passwd"));
        yield return Case(seed, file, "an entry with an absolute name", EditFile(file, l => l["name"] = "/etc/passwd"));
        yield return Case(seed, file, "an entry naming a whiteout of a whiteout", EditFile(file, l => l["name"] = "etc/.wh..wh.passwd"));
        yield return Case(seed, file, "an entry naming a missing file", EditFile(file, l => l["name"] = "etc/missing"));
        yield return Case(seed, file, "an entry naming a directory", EditFile(file, l => l["name"] = "etc"));
        yield return Case(seed, file, "an entry naming the fifo", EditFile(file, l => l["name"] = "run/fifo"));
        yield return Case(seed, file, "a huge size", EditFile(file, l => l["size"] = long.MaxValue));
        yield return Case(seed, file, "a negative size", EditFile(file, l => l["size"] = -1));
        yield return Case(seed, file, "a size of 1e300", EditFile(file, l => l["size"] = 1e300));
        yield return Case(seed, file, "a size larger than the file", EditFile(file, l => l["size"] = 1 << 20));
        yield return Case(seed, file, "a wrong checksum", EditFile(file, l => l["payload"] = Convert.ToBase64String(new byte[8])));
        yield return Case(seed, file, "a checksum of garbage base64", EditFile(file, l => l["payload"] = "!!!not base64"));
        yield return Case(seed, file, "a name of invalid UTF-8 bytes", EditFile(file, l => { l.Remove("name"); l["name_raw"] = Convert.ToBase64String([0xFF, 0xFE, (byte)'/', (byte)'.', (byte)'.']); }));
        yield return Case(seed, file, "an entry type of 99", EditFile(file, l => l["type"] = 99));
        yield return Case(seed, file, "a segment of garbage base64", EditLines(file, lines => { lines.First(l => (int)l["type"]! == 2)["payload"] = "%%%"; return lines; }));
        yield return Case(seed, file, "a segment of 8 MiB of zeros", EditLines(file, lines => { lines.First(l => (int)l["type"]! == 2)["payload"] = Convert.ToBase64String(new byte[8 << 20]); return lines; }));
        yield return Case(seed, file, "segments only", EditLines(file, lines => [.. lines.Where(l => (int)l["type"]! == 2)]));
        yield return Case(seed, file, "entries only", EditLines(file, lines => [.. lines.Where(l => (int)l["type"]! == 1)]));
        yield return Case(seed, file, "every entry twice", EditLines(file, lines => [.. lines.SelectMany(l => new[] { l, (JsonObject)l.DeepClone() })]));
        yield return Case(seed, file, "positions out of order", EditLines(file, lines => { foreach (var l in lines) { l["position"] = -7; } return lines; }));
        yield return Case(seed, file, "a line that is not JSON", e => e.Write(file, Gzip(Gunzip(e.Read(file)) + "{\"type\":1,\"name\":\n")));
        yield return Case(seed, file, "a line of wrong types", e => e.Write(file, Gzip("{\"type\":\"1\",\"name\":7,\"size\":\"x\",\"payload\":[],\"position\":{}}\n")));
        yield return Case(seed, file, "a gzip cut in half", e => e.Write(file, e.Read(file)[..(e.Read(file).Length / 2)]));
        yield return Case(seed, file, "a gzip with a corrupt body", e => { var b = e.Read(file); for (var i = 12; i < b.Length - 8; i += 3) { b[i] ^= 0x5A; } e.Write(file, b); });
        yield return Case(seed, file, "a gzip with a wrong CRC", e => { var b = e.Read(file); b[^6] ^= 0xFF; e.Write(file, b); });
        yield return Case(seed, file, "plain JSON lines, not gzip", e => e.Write(file, Gunzip(e.Read(file))));
        yield return Case(seed, file, "a gzip of nothing", e => e.Write(file, Gzip(string.Empty)));
        yield return Case(seed, file, "a gzip of 10 MiB of one line", e => e.Write(file, Gzip(new string('[', 10 << 20))));
        yield return Case(seed, file, "a diff file that shrank", e => e.Write($"aufs/diff/{layer}/etc/passwd", "r"));
        yield return Case(seed, file, "a diff file that grew", e => e.Write($"aufs/diff/{layer}/etc/passwd", new string('x', 100_000)));
        yield return Case(seed, file, "a diff file that became a directory", e => e.MakeDirectory($"aufs/diff/{layer}/etc/passwd", "x"));
        yield return Case(seed, file, "a diff file that is gone", e => e.Delete($"aufs/diff/{layer}/etc/passwd"));
        yield return Case(seed, file, "the layer directory is gone", e => e.Delete($"aufs/diff/{layer}"));
        yield return Case(seed, file, "the layer directory is a file", e => e.Write($"aufs/diff/{layer}", "x"));
        yield return Case(seed, file, "a diff file that links outside", e => e.Symlink($"aufs/diff/{layer}/etc/passwd", Outside + "/passwd"));
    }

    private static IEnumerable<HostileCase> Chains(HostileSeed seed)
    {
        // 300 deep in memory: an in-memory directory listing costs time in the number of entries of the whole file
        // system, which would measure the mock rather than the library; the on-disk corpus has the 10,000-deep chains.
        yield return Case(seed, "graph", "a chain 300 deep", e => DeepChain(e, 300, cycle: false));
        yield return Case(seed, "graph", "a chain 300 deep that loops at the bottom", e => DeepChain(e, 300, cycle: true));
        yield return Case(seed, "graph", "a chain 300 deep through JSON parents only", e => DeepChain(e, 300, cycle: false, parentFiles: false));
        yield return Case(seed, "graph", "two images that are each other's parent", e =>
        {
            var (a, b) = (Ids.Of("loop a"), Ids.Of("loop b"));
            foreach (var (id, parent) in new[] { (a, b), (b, a) })
            {
                e.Write($"graph/{id}/json", $"{{\"id\":\"{id}\",\"parent\":\"{parent}\"}}");
                e.Write($"aufs/layers/{id}", parent + "\n");
                e.MakeDirectory($"aufs/diff/{id}");
            }

            e.Write("repositories-aufs", $"{{\"Repositories\":{{\"loop\":{{\"latest\":\"{a}\"}}}}}}");
        });
    }

    /// <summary>Adds a chain of <paramref name="depth"/> images on the seed's first layer, tagged <c>deep:latest</c>.</summary>
    private static void DeepChain(RootEditor e, int depth, bool cycle, bool parentFiles = true)
    {
        var ids = Enumerable.Range(0, depth).Select(i => Ids.Of("deep " + i)).ToArray();
        var layers = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            var parent = i + 1 < depth ? ids[i + 1] : cycle ? ids[0] : e.Seed.LayerIds[0];
            e.FileSystem.AddFile(e.Full($"graph/{ids[i]}/json"), new(Encoding.UTF8.GetBytes($"{{\"id\":\"{ids[i]}\",\"parent\":\"{parent}\",\"created\":\"2017-01-01T00:00:00Z\"}}")));
            if (parentFiles)
            {
                e.FileSystem.AddFile(e.Full($"graph/{ids[i]}/parent"), new(parent));
            }

            e.FileSystem.AddFile(e.Full($"graph/{ids[i]}/layersize"), new("0"));
            e.FileSystem.AddFile(e.Full($"aufs/layers/{ids[i]}"), new(parent + "\n"));
            e.FileSystem.AddDirectory(e.Full($"aufs/diff/{ids[i]}"));
            if (i > 0)
            {
                layers.Append(ids[i]).Append('\n');
            }
        }

        layers.Append(cycle ? ids[0] + "\n" : e.Seed.LayerIds[0] + "\n");
        e.Write($"aufs/layers/{ids[0]}", layers.ToString());
        e.Write("repositories-aufs", $"{{\"Repositories\":{{\"deep\":{{\"latest\":\"{ids[0]}\"}}}}}}");
    }

    /// <summary>Rewrites gzipped tar-split data line by line (each line a JSON object).</summary>
    public static byte[] EditTarSplit(byte[] gzipped, Func<List<JsonObject>, List<JsonObject>> edit)
    {
        var lines = Gunzip(gzipped).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        return Gzip(string.Concat(edit(lines).Select(l => l.ToJsonString() + "\n")));
    }

    /// <summary>Rewrites the file entry named <paramref name="name"/> of gzipped tar-split data.</summary>
    public static byte[] EditTarSplitEntry(byte[] gzipped, string name, Action<JsonObject> edit) => EditTarSplit(gzipped, lines =>
    {
        edit(lines.First(l => (int)l["type"]! == 1 && (string?)l["name"] == name));
        return lines;
    });

    private static string Gunzip(byte[] bytes)
    {
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }
}
