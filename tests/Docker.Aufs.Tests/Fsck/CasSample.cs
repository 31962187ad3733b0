using System.IO.Abstractions.TestingHelpers;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Docker.Aufs.Testing;
using CasIds = Docker.Aufs.Testing.SampleRoots.ContentAddressedIds;

namespace Docker.Aufs.Tests.Fsck;

/// <summary>
/// A fresh content-addressed sample root (Docker 1.10+) in memory that one fault may damage, with the names a fault needs:
/// busybox's one layer, redis's six, the redis container's mount, the paths of the store's parts.
/// </summary>
internal sealed class CasSample
{
    public const string R = "/var/lib/docker";

    public const string Store = R + "/image/aufs";

    public const string Content = Store + "/imagedb/content/sha256";

    public const string Metadata = Store + "/imagedb/metadata/sha256";

    public const string Layers = Store + "/layerdb/sha256";

    public const string Mounts = Store + "/layerdb/mounts";

    public const string References = Store + "/repositories.json";

    public const string Container = CasIds.RedisContainerId;

    public const string MountId = CasIds.RedisMountId;

    public CasSample(string driver = "aufs")
    {
        Driver = driver;
        Built = driver == "aufs"
            ? SampleRoots.WriteInMemory(ImageStoreKind.ContentAddressed)
            : SampleRoots.Write(new DockerRootBuilder(new MockFileSystem(), ImageStoreKind.ContentAddressed, driver, R, IO.SpecialFileMode.Recorded));
        Fs = (MockFileSystem)Built.FileSystem;
    }

    /// <summary>Gets the storage driver the sample is written with (aufs unless a fault needs another).</summary>
    public string Driver { get; }

    /// <summary>The full path of a layer record in the sample's own store, <c>image/&lt;driver&gt;/layerdb/sha256/&lt;hex&gt;</c>.</summary>
    public string LayerRecord(string chainId) => $"{R}/image/{Driver}/layerdb/sha256/{Hex(chainId)}";

    /// <summary>The ChainIDs of the layers whose original tar (tar-split data) holds an entry whose name ends with <paramref name="suffix"/>.</summary>
    public IEnumerable<string> LayersWhoseTarHolds(string suffix) => Built.LayerIds.Where(chainId =>
    {
        using var gzip = new GZipStream(new MemoryStream(Fs.File.ReadAllBytes(LayerRecord(chainId) + "/tar-split.json.gz")), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return reader.ReadToEnd().Split('\n').Any(l => l.Length > 0 && JsonNode.Parse(l)!["name"]?.GetValue<string>() is { } name && name.EndsWith(suffix, StringComparison.Ordinal));
    }).ToList();

    public BuiltRoot Built { get; }

    public MockFileSystem Fs { get; }

    /// <summary>Gets the ChainID (and DiffID) of busybox's one layer.</summary>
    public string BusyboxLayer => Built.LayerIds[0];

    /// <summary>Gets the ChainID of redis's base layer.</summary>
    public string RedisBase => Built.LayerIds[1];

    /// <summary>Gets the ChainID of redis's top layer (the container's parent).</summary>
    public string RedisTop => Built.LayerIds[^1];

    /// <summary>Gets the ID of the image busybox is built on (its base step: the layer, no CMD yet).</summary>
    public string BusyboxBaseImage => Built.ImageIds[0];

    /// <summary>The full path of a layer record, <c>layerdb/sha256/&lt;hex&gt;</c>.</summary>
    public static string Layer(string chainId) => Layers + "/" + Hex(chainId);

    /// <summary>The full path of an image config.</summary>
    public static string Config(string imageId) => Content + "/" + Hex(imageId);

    /// <summary>The cache-id of a layer: its directory name in the driver.</summary>
    public string CacheId(string chainId) => Fs.File.ReadAllText(Layer(chainId) + "/cache-id");

    /// <summary>The full path of a driver directory, <c>aufs/&lt;part&gt;/&lt;id&gt;</c>.</summary>
    public static string Aufs(string part, string id) => $"{R}/aufs/{part}/{id}";

    public string DiffOf(string chainId) => Aufs("diff", CacheId(chainId));

    public FsckReport Check(bool verifyContent = true) =>
        RootChecker.Check(Fs, R, new DockerRootOptions { Metadata = Built.Metadata }, verifyContent, TestContext.Current.CancellationToken);

    /// <summary>Stores <paramref name="config"/> as an image config under its own SHA-256; returns the image ID.</summary>
    public string AddConfig(string config)
    {
        var bytes = Encoding.UTF8.GetBytes(config);
        var id = Sha256(bytes);
        Fs.AddFile(Config(id), new MockFileData(bytes));
        return id;
    }

    /// <summary>Rewrites the reference store through <paramref name="edit"/> of its <c>Repositories</c> object.</summary>
    public void EditReferences(Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(Fs.File.ReadAllText(References))!.AsObject();
        edit(json["Repositories"]!.AsObject());
        Fs.File.WriteAllText(References, json.ToJsonString());
    }

    /// <summary>Rewrites a JSON object file through <paramref name="edit"/>.</summary>
    public void EditJson(string path, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(Fs.File.ReadAllText(path))!.AsObject();
        edit(json);
        Fs.File.WriteAllText(path, json.ToJsonString());
    }

    /// <summary>Copies a directory (files only, one level), as a copy of a layer record.</summary>
    public void CopyDirectory(string from, string to)
    {
        Fs.AddDirectory(to);
        foreach (var file in Fs.Directory.GetFiles(from))
        {
            Fs.AddFile(to + "/" + Fs.Path.GetFileName(file), new MockFileData(Fs.File.ReadAllBytes(file)));
        }
    }

    /// <summary>The JSON lines of a layer's tar-split data.</summary>
    public List<string> TarSplitLines(string chainId)
    {
        using var gzip = new GZipStream(new MemoryStream(Fs.File.ReadAllBytes(Layer(chainId) + "/tar-split.json.gz")), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return [.. reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    /// <summary>Writes a layer's tar-split data from JSON lines.</summary>
    public void WriteTarSplit(string chainId, IEnumerable<string> lines)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n"))));
        }

        Fs.File.WriteAllBytes(Layer(chainId) + "/tar-split.json.gz", buffer.ToArray());
    }

    public static string Hex(string digest) => digest["sha256:".Length..];

    /// <summary><c>sha256:</c> and the hex SHA-256 of <paramref name="data"/>, computed here, independently of the library.</summary>
    public static string Sha256(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary><c>sha256:</c> and the SHA-256 of a name: a well-formed digest nothing in the root has.</summary>
    public static string DigestOf(string name) => Sha256(Encoding.UTF8.GetBytes(name));

    /// <summary>A ChainID from its parent's and a DiffID (moby <c>createChainIDFromParent</c>), computed here.</summary>
    public static string ChainId(string parent, string diffId) => Sha256(Encoding.UTF8.GetBytes(parent + " " + diffId));
}
