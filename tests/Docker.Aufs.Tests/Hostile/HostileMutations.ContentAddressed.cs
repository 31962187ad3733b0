using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Docker.Aufs.Tests.Hostile;

/// <summary>
/// The families of the corpus for a Docker 1.10+ root (<see cref="HostileSeed.Cas"/>): bad digests wherever a digest is
/// read, traversal through the driver layer names, oversized and lying tar-split data, links in place of the store's
/// directories, hostile <c>config.v2.json</c> and image configs, and byte-level damage to every kind of record.
/// </summary>
internal static partial class HostileMutations
{
    private const string CasStore = "image/aufs";

    private const string CasContent = CasStore + "/imagedb/content/sha256";

    private const string CasMetadata = CasStore + "/imagedb/metadata/sha256";

    private const string CasLayers = CasStore + "/layerdb/sha256";

    private const string CasMounts = CasStore + "/layerdb/mounts";

    private const string CasReferences = CasStore + "/repositories.json";

    private static readonly string SomeHex = Convert.ToHexStringLower(SHA256.HashData("hostile"u8));

    /// <summary>Digests Docker's <c>digest.Parse</c> refuses, each a replacement for a well-formed one (given, for the uppercase form).</summary>
    private static readonly (string Name, Func<string, string> Value)[] BadDigests =
    [
        ("non-hex", _ => "sha256:" + new string('g', 64)),
        ("63 hex characters", _ => "sha256:" + SomeHex[..63]),
        ("65 hex characters", _ => "sha256:" + SomeHex + "a"),
        ("uppercase hex", d => "sha256:" + d[(d.IndexOf(':', StringComparison.Ordinal) + 1)..].ToUpperInvariant()),
        ("uppercase algorithm", d => "SHA256:" + d[(d.IndexOf(':', StringComparison.Ordinal) + 1)..]),
        ("sha512", _ => "sha512:" + SomeHex + SomeHex),
        ("md5", _ => "md5:" + SomeHex[..32]),
        ("no algorithm", d => d[(d.IndexOf(':', StringComparison.Ordinal) + 1)..]),
        ("a traversal", _ => "sha256:" + Traversal),
        ("empty hex", _ => "sha256:"),
        ("a NUL inside", _ => "sha256:" + SomeHex[..32] + "\0" + SomeHex[33..]),
        ("1 MiB long", _ => "sha256:" + new string('a', 1 << 20)),
    ];

    /// <summary>Driver layer names that would leave <c>aufs/diff/</c> or name something else, for <c>cache-id</c>, <c>mount-id</c>, <c>init-id</c>.</summary>
    private static readonly (string Name, string Value)[] BadDriverIds =
    [
        ("a traversal", Traversal),
        ("absolute", Outside),
        ("hex, a slash and hex", SomeHex[..32] + "/" + SomeHex[33..]),
        ("hex then /..", SomeHex + "/.."),
        ("..", ".."),
        ("a NUL inside", SomeHex[..32] + "\0" + SomeHex[33..]),
        ("uppercase hex", SomeHex.ToUpperInvariant()),
        ("10 MiB long", new string('a', 10 << 20)),
        ("empty", string.Empty),
        ("hex with -init", SomeHex + "-init"),
        ("hex with -removing", SomeHex + "-removing"),
    ];

    public static IEnumerable<HostileCase> ContentAddressed(HostileSeed seed)
    {
        var cases = new List<HostileCase>();
        var busybox = Hex(seed.LayerIds[0]);
        var top = Hex(seed.LayerIds[^1]);
        var container = seed.ContainerIds[0];
        foreach (var file in new[]
        {
            CasReferences, $"{CasLayers}/{busybox}/diff", $"{CasLayers}/{busybox}/size", $"{CasLayers}/{busybox}/cache-id", $"{CasLayers}/{top}/parent",
            $"{CasMounts}/{container}/mount-id", $"{CasMounts}/{container}/init-id", $"{CasMounts}/{container}/parent", $"{CasMetadata}/{Hex(seed.ImageIds[1])}/parent",
            $"{CasContent}/{Hex(seed.ImageIds[0])}", $"containers/{container}/config.v2.json", $"containers/{container}/hostconfig.json",
        })
        {
            cases.AddRange(Bytes(seed, file));
        }

        cases.AddRange(CasDigests(seed));
        cases.AddRange(CasDriverIds(seed));
        cases.AddRange(CasTarSplit(seed));
        cases.AddRange(CasLinks(seed));
        cases.AddRange(CasContainerConfig(seed));
        cases.AddRange(CasImageConfig(seed));
        return cases;
    }

    private static string Hex(string digest) => digest[(digest.IndexOf(':', StringComparison.Ordinal) + 1)..];

    /// <summary>A bad digest in each place one is read: a reference's target and key, a layer's DiffID and parent, an image's and a mount's parent, a container's image.</summary>
    private static IEnumerable<HostileCase> CasDigests(HostileSeed seed)
    {
        var top = Hex(seed.LayerIds[^1]);
        var redis = seed.ImageIds[1];
        var container = seed.ContainerIds[0];
        foreach (var (name, value) in BadDigests)
        {
            yield return Case(seed, CasReferences, $"redis:latest names a digest that is {name}", e => EditReferences(e, r => r["redis"]!["redis:latest"] = value(redis)));
            yield return Case(seed, CasReferences, $"a digest reference that is {name}", e => EditReferences(e, r => r["redis"]!["redis@" + value(redis)] = redis));
            foreach (var file in new[] { $"{CasLayers}/{top}/diff", $"{CasLayers}/{top}/parent", $"{CasMounts}/{container}/parent", $"{CasMetadata}/{Hex(redis)}/parent" })
            {
                yield return Case(seed, file, $"a digest that is {name}", e => e.Write(file, value(e.ReadText(file))));
            }

            yield return Case(seed, $"containers/{container}/config.v2.json", $"Image is a digest that is {name}", SetField($"containers/{container}/config.v2.json", "Image", () => value(redis)));
        }
    }

    /// <summary>Each bad driver layer name in <c>cache-id</c> (of a base and a top layer), <c>mount-id</c> and <c>init-id</c>; and names shared where Docker never shares one.</summary>
    private static IEnumerable<HostileCase> CasDriverIds(HostileSeed seed)
    {
        var mount = $"{CasMounts}/{seed.ContainerIds[0]}";
        var (busybox, top) = ($"{CasLayers}/{Hex(seed.LayerIds[0])}", $"{CasLayers}/{Hex(seed.LayerIds[^1])}");
        foreach (var (name, value) in BadDriverIds)
        {
            foreach (var file in new[] { $"{busybox}/cache-id", $"{top}/cache-id", $"{mount}/mount-id", $"{mount}/init-id" })
            {
                yield return Case(seed, file, $"a driver layer name that is {name}", e => e.Write(file, value));
            }
        }

        yield return Case(seed, $"{top}/cache-id", "the cache-id of another layer", e => e.Write($"{top}/cache-id", e.Read($"{busybox}/cache-id")));
        yield return Case(seed, $"{top}/cache-id", "the container's mount-id", e => e.Write($"{top}/cache-id", e.Read($"{mount}/mount-id")));
        yield return Case(seed, $"{mount}/mount-id", "the cache-id of an image layer", e => e.Write($"{mount}/mount-id", e.Read($"{top}/cache-id")));
        yield return Case(seed, $"{mount}/init-id", "the init layer of another mount", e => e.Write($"{mount}/init-id", SomeHex + "-init"));
        yield return Case(seed, $"{mount}/init-id", "the mount-id itself", e => e.Write($"{mount}/init-id", e.Read($"{mount}/mount-id")));
    }

    /// <summary>Tar-split data of busybox's layer that is a bomb, lies about sizes, or names paths outside the layer.</summary>
    private static IEnumerable<HostileCase> CasTarSplit(HostileSeed seed)
    {
        var layer = $"{CasLayers}/{Hex(seed.LayerIds[0])}";
        var file = $"{layer}/tar-split.json.gz";

        static Action<RootEditor> EditLines(string file, Func<List<JsonObject>, List<JsonObject>> edit) => e => e.Write(file, EditTarSplit(e.Read(file), edit));

        static Action<RootEditor> EditFirstFile(string file, Action<JsonObject> edit) => EditLines(file, lines =>
        {
            edit(lines.First(l => (int)l["type"]! == 1 && (long?)l["size"] > 0));
            return lines;
        });

        yield return Case(seed, file, "a gzip bomb: 300 MiB of zeros in one line", e => e.Write(file, GzipZeros(300L << 20)));
        yield return Case(seed, file, "a gzip bomb: 200,000 empty entries", e => e.Write(file, GzipRepeated("{\"type\":1,\"name\":\"x\",\"size\":0,\"position\":0}\n", 200_000)));
        yield return Case(seed, file, "an entry that claims 1 GiB more than its file", EditFirstFile(file, l => l["size"] = (long)l["size"]! + (1L << 30)));
        yield return Case(seed, file, "an entry that claims one byte more than its file", EditFirstFile(file, l => l["size"] = (long)l["size"]! + 1));
        yield return Case(seed, file, "an entry that claims less than its file", EditFirstFile(file, l => l["size"] = 1));
        yield return Case(seed, file, "an entry of size long.MaxValue", EditFirstFile(file, l => l["size"] = long.MaxValue));
        yield return Case(seed, file, "an entry named ../../../../etc/passwd", EditFirstFile(file, l => l["name"] = "../../../../etc/passwd"));
        yield return Case(seed, file, "an entry named /etc/passwd", EditFirstFile(file, l => l["name"] = "/etc/passwd"));
        yield return Case(seed, file, "an entry named bin/../../../../etc/passwd", EditFirstFile(file, l => l["name"] = "bin/../../../../etc/passwd"));
        yield return Case(seed, file, "a raw entry name escaping", EditFirstFile(file, l => { l.Remove("name"); l["name_raw"] = Convert.ToBase64String("../../../../etc/passwd"u8.ToArray()); }));
        yield return Case(seed, file, "an entry naming the layer's hardlink", EditFirstFile(file, l => l["name"] = "bin/sh"));
        yield return Case(seed, file, "a segment of 16 MiB", EditLines(file, lines => { lines.First(l => (int)l["type"]! == 2)["payload"] = Convert.ToBase64String(new byte[16 << 20]); return lines; }));
        yield return Case(seed, file, "a gzip cut in half", e => e.Write(file, e.Read(file)[..(e.Read(file).Length / 2)]));
        yield return Case(seed, file, "a directory instead", e => e.MakeDirectory(file, "x"));
        yield return Case(seed, file, "a link to a host file", e => e.Symlink(file, Outside + "/passwd"));
        yield return Case(seed, file, "a link to another layer's tar-split data", e => e.Symlink(file, e.Full($"{CasLayers}/{Hex(seed.LayerIds[1])}/tar-split.json.gz")));
        yield return Case(seed, file, "the tar-split data of another layer", e => e.Write(file, e.Read($"{CasLayers}/{Hex(seed.LayerIds[1])}/tar-split.json.gz")));
    }

    /// <summary>Links where Docker writes directories and files of the store, pointing outside the root or elsewhere in it.</summary>
    private static IEnumerable<HostileCase> CasLinks(HostileSeed seed)
    {
        var busybox = Hex(seed.LayerIds[0]);
        var redis = Hex(seed.ImageIds[1]);
        var container = seed.ContainerIds[0];
        string[] places =
        [
            "image", CasStore, CasStore + "/imagedb", CasStore + "/imagedb/content", CasContent, CasStore + "/imagedb/metadata", CasMetadata, $"{CasMetadata}/{redis}",
            CasStore + "/layerdb", CasLayers, $"{CasLayers}/{busybox}", CasMounts, $"{CasMounts}/{container}", CasReferences, $"{CasContent}/{redis}",
            $"{CasLayers}/{busybox}/cache-id", $"{CasLayers}/{busybox}/diff", $"{CasMounts}/{container}/mount-id", $"containers/{container}/config.v2.json",
        ];
        foreach (var place in places)
        {
            yield return Case(seed, place, "a link outside the root", e => e.Symlink(place, Outside));
        }

        yield return Case(seed, $"{CasLayers}/{busybox}", "a link to another layer record", e => e.Symlink($"{CasLayers}/{busybox}", e.Full($"{CasLayers}/{Hex(seed.LayerIds[1])}")));
        yield return Case(seed, $"{CasContent}/{redis}", "a link to another config", e => e.Symlink($"{CasContent}/{redis}", e.Full($"{CasContent}/{Hex(seed.ImageIds[0])}")));
        yield return Case(seed, CasReferences, "a link to a host file", e => e.Symlink(CasReferences, Outside + "/json"));
        yield return Case(seed, $"{CasLayers}/{busybox}/size", "a link to a host file", e => e.Symlink($"{CasLayers}/{busybox}/size", Outside + "/layersize"));

        foreach (var (what, id) in new[] { ("a cache-id", (string?)null), ("the mount-id", "mount-id"), ("the init-id", "init-id") })
        {
            yield return Case(seed, "aufs/diff", $"the directory of {what} linked outside", e => e.Symlink($"aufs/diff/{DriverId(e, seed, id)}", Outside + "/layer"));
            yield return Case(seed, "aufs/diff", $"the directory of {what} linked to another layer's", e =>
                e.Symlink($"aufs/diff/{DriverId(e, seed, id)}", e.Full($"aufs/diff/{e.ReadText($"{CasLayers}/{Hex(seed.LayerIds[1])}/cache-id")}")));
            yield return Case(seed, "aufs/layers", $"the layers file of {what} linked outside", e => e.Symlink($"aufs/layers/{DriverId(e, seed, id)}", Outside + "/parent"));
        }
    }

    /// <summary>The driver layer name in a record: busybox's cache-id, or a file of the container's mount.</summary>
    private static string DriverId(RootEditor e, HostileSeed seed, string? mountFile) =>
        e.ReadText(mountFile is null ? $"{CasLayers}/{Hex(seed.LayerIds[0])}/cache-id" : $"{CasMounts}/{seed.ContainerIds[0]}/{mountFile}");

    private static IEnumerable<HostileCase> CasContainerConfig(HostileSeed seed)
    {
        var id = seed.ContainerIds[0];
        var config = $"containers/{id}/config.v2.json";
        foreach (var c in WrongTypesOf(seed, config, ["ID", "Image", "Driver", "Name", "State", "Config", "Created", "MountPoints", "Path", "Args", "OS"]))
        {
            yield return c;
        }

        foreach (var c in JsonShapes(seed, config))
        {
            yield return c;
        }

        yield return Case(seed, config, "ID is a traversal", SetField(config, "ID", () => Traversal));
        yield return Case(seed, config, "ID is sha256: and the container ID", SetField(config, "ID", () => "sha256:" + id));
        yield return Case(seed, config, "ID names another container", SetField(config, "ID", () => SomeHex));
        yield return Case(seed, config, "Image is a traversal", SetField(config, "Image", () => Traversal));
        yield return Case(seed, config, "Image is a layer's ChainID", SetField(config, "Image", () => seed.LayerIds[^1]));
        yield return Case(seed, config, "Driver is a traversal", SetField(config, "Driver", () => "../../etc"));
        yield return Case(seed, config, "Driver is another driver", SetField(config, "Driver", () => "overlay2"));
        yield return Case(seed, config, "Name is 1 MiB long", SetField(config, "Name", () => "/" + new string('n', 1 << 20)));
        yield return Case(seed, config, "a config of 65 MiB", e =>
        {
            var big = new byte[65 << 20];
            Array.Fill(big, (byte)' ');
            var json = e.Read(config);
            json.CopyTo(big, 0);
            e.Write(config, big);
        });
        yield return Case(seed, $"containers/{id}", "only a graph-era config.json", e => e.Move(config, $"containers/{id}/config.json"));
    }

    /// <summary>Image configs with hostile fields, each stored under its own digest and tagged (a changed config in place is only a digest mismatch).</summary>
    private static IEnumerable<HostileCase> CasImageConfig(HostileSeed seed)
    {
        var image = seed.ImageIds[0];
        var where = $"{CasContent}/{Hex(image)}";
        foreach (var field in new[] { "rootfs", "history", "config", "created", "architecture" })
        {
            for (var t = 0; t < WrongTypes.Length; t++)
            {
                var index = t;
                yield return Case(seed, where, $"a tagged config whose {field} is {WrongTypeNames[index]}", e => StoreConfig(e, image, c => c[field] = WrongTypes[index]?.DeepClone()));
            }
        }

        yield return Case(seed, where, "a tagged config without layers, as FROM scratch builds one", e => StoreConfig(e, image, c => c["rootfs"] = new JsonObject { ["type"] = "layers" }));
        yield return Case(seed, where, "a tagged config whose diff_ids are not strings", e => StoreConfig(e, image, c => c["rootfs"]!["diff_ids"] = new JsonArray(1, null, true)));
        yield return Case(seed, where, "a tagged config with 10,000 layers", e => StoreConfig(e, image, c =>
            c["rootfs"]!["diff_ids"] = new JsonArray([.. Enumerable.Repeat(seed.LayerIds[0], 10_000).Select(d => (JsonNode)d)])));
        yield return Case(seed, where, "a tagged config with 100,000 history entries", e => StoreConfig(e, image, c =>
            c["history"] = new JsonArray([.. Enumerable.Range(0, 100_000).Select(_ => (JsonNode)new JsonObject { ["empty_layer"] = true })])));
        yield return Case(seed, where, "a tagged config with a rootfs of another type", e => StoreConfig(e, image, c => c["rootfs"]!["type"] = "../../etc"));
        yield return Case(seed, where, "a tagged config nested 10,000 arrays deep", e => StoreRaw(e, image, Encoding.UTF8.GetBytes(new string('[', 10_000) + new string(']', 10_000))));
        yield return Case(seed, where, "a tagged config of 65 MiB", e =>
        {
            var big = new byte[65 << 20];
            Array.Fill(big, (byte)' ');
            e.Read(where).CopyTo(big, 0);
            StoreRaw(e, image, big);
        });
    }

    /// <summary>Stores an edit of an image's config under its own digest and points every reference to the image at it.</summary>
    private static void StoreConfig(RootEditor e, string imageId, Action<JsonObject> edit)
    {
        var config = ReadObject(e, $"{CasContent}/{Hex(imageId)}");
        edit(config);
        StoreRaw(e, imageId, Encoding.UTF8.GetBytes(config.ToJsonString()));
    }

    private static void StoreRaw(RootEditor e, string imageId, byte[] bytes)
    {
        var id = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        e.Write($"{CasContent}/{Hex(id)}", bytes);
        var references = ReadObject(e, CasReferences);
        foreach (var repository in references["Repositories"]!.AsObject())
        {
            foreach (var reference in repository.Value!.AsObject().Where(r => (string?)r.Value == imageId).Select(r => r.Key).ToList())
            {
                repository.Value![reference] = id;
            }
        }

        WriteJson(e, CasReferences, references);
    }

    private static void EditReferences(RootEditor e, Action<JsonObject> edit)
    {
        var references = ReadObject(e, CasReferences);
        edit(references["Repositories"]!.AsObject());
        WriteJson(e, CasReferences, references);
    }

    /// <summary>A gzip stream of <paramref name="count"/> zero bytes, written a block at a time.</summary>
    private static byte[] GzipZeros(long count)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal))
        {
            var block = new byte[1 << 20];
            for (long written = 0; written < count; written += block.Length)
            {
                gzip.Write(block, 0, (int)Math.Min(block.Length, count - written));
            }
        }

        return buffer.ToArray();
    }

    private static byte[] GzipRepeated(string line, int count)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal))
        {
            var bytes = Encoding.UTF8.GetBytes(line);
            for (var i = 0; i < count; i++)
            {
                gzip.Write(bytes);
            }
        }

        return buffer.ToArray();
    }
}
