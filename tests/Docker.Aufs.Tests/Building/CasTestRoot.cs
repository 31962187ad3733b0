using System.IO.Abstractions;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Docker.Aufs.IO;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Building;

/// <summary>
/// A content-addressed root (Docker 1.10+) built with <see cref="DockerRootBuilder"/> on the chosen disk, removed again when
/// disposed: the <see cref="TestRoot"/> of <see cref="ImageStoreKind.ContentAddressed"/>.
/// </summary>
internal sealed class CasTestRoot : IDisposable
{
    private readonly TestRoot _root;

    private CasTestRoot(TestRoot root)
    {
        _root = root;
    }

    public Disk Disk => _root.Disk;

    public BuiltRoot Root => _root.Root;

    public IFileSystem FileSystem => Root.FileSystem;

    public string Path => Root.Path;

    /// <summary>Gets the full path of <c>image/aufs</c>.</summary>
    public string Store => Combine("image", "aufs");

    /// <summary>Builds a root; <paramref name="configure"/> gets the builder (steps are written as they are added).</summary>
    public static CasTestRoot Build(Disk disk, Action<DockerRootBuilder> configure) => new(TestRoot.Build(disk, configure, ImageStoreKind.ContentAddressed));

    /// <summary>Opens the root: in memory with the recorded metadata, on the real disk with what statx says (nothing recorded).</summary>
    public IDockerRoot Open(DockerRootOptions? options = null) => _root.Open(options);

    /// <summary>The metadata a reader of this root uses.</summary>
    public IUnixMetadataProvider Metadata => Disk == Disk.Memory ? Root.Metadata : LinuxMetadataProvider.Instance;

    /// <summary>The options that read the root as <see cref="Open"/> does (for <see cref="RootChecker"/>).</summary>
    public DockerRootOptions Options => Disk == Disk.Memory ? new DockerRootOptions { Metadata = Root.Metadata } : DockerRootOptions.Default;

    public string Combine(params string[] parts) => FileSystem.Path.Combine([Path, .. parts]);

    public string ReadText(params string[] parts) => FileSystem.File.ReadAllText(Combine(parts));

    public byte[] ReadBytes(params string[] parts) => FileSystem.File.ReadAllBytes(Combine(parts));

    /// <summary>The full path of a layer record, <c>layerdb/sha256/&lt;hex&gt;</c>.</summary>
    public string LayerRecord(string chainId) => Combine("image", "aufs", "layerdb", "sha256", Hex(chainId));

    /// <summary>A file of a layer record.</summary>
    public string LayerFile(string chainId, string name) => FileSystem.File.ReadAllText(FileSystem.Path.Combine(LayerRecord(chainId), name));

    /// <summary>The bytes of an image config.</summary>
    public byte[] Config(string imageId) => ReadBytes("image", "aufs", "imagedb", "content", "sha256", Hex(imageId));

    /// <summary>The JSON lines of a layer's <c>tar-split.json.gz</c>.</summary>
    public List<string> TarSplitLines(string chainId)
    {
        using var gzip = new GZipStream(FileSystem.File.OpenRead(FileSystem.Path.Combine(LayerRecord(chainId), "tar-split.json.gz")), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return [.. reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    public void Dispose() => _root.Dispose();

    /// <summary>The hex of a <c>sha256:</c> digest.</summary>
    public static string Hex(string digest) => digest["sha256:".Length..];

    /// <summary><c>sha256:</c> and the hex SHA-256 of <paramref name="data"/>, computed here, independently of the library.</summary>
    public static string Sha256(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>A ChainID from its parent's and a DiffID (moby <c>createChainIDFromParent</c>), computed here.</summary>
    public static string ChainId(string parent, string diffId) => Sha256(Encoding.UTF8.GetBytes(parent + " " + diffId));
}
