using System.IO.Abstractions.TestingHelpers;
using System.IO.Compression;
using Docker.Aufs.Archive;
using Docker.Aufs.Testing;
using Docker.Aufs.IO;

namespace Docker.Aufs.Fuzz.Targets;

/// <summary>
/// <c>graph/&lt;id&gt;/tar-data.json.gz</c> reassembled into the layer's tar (tar-split only, no regeneration). The layer holds
/// the files of the seeds' real layers: tmp/foo of moby's emptyLayer.tar and the empty files of balena's aufs root.
/// </summary>
internal sealed class TarSplitTarget(bool gzipInput) : FuzzTarget
{
    private const string RootPath = "/docker";
    private const string Id = "25445a0fc5025c3917a0cd6e307d92322540e0da691614312ddea22511b71513";

    private static readonly ArchiveOptions TarSplitOnly = new() { Source = LayerSource.TarSplit };

    private MockFileSystem _fileSystem = null!;
    private BuiltRoot _built = null!;

    public override string Name => gzipInput ? "tar-split-json" : "tar-split";

    public override string Description => gzipInput
        ? "tar-data.json.gz with the input gzipped first (reaches the JSON lines): WriteLayerTar, tar-split only"
        : "tar-data.json.gz as stored (gzip): WriteLayerTar, tar-split only";

    protected override void Setup()
    {
        _fileSystem = new MockFileSystem();
        var builder = new DockerRootBuilder(_fileSystem, RootPath, SpecialFileMode.Recorded);
        builder.AddLayer(l => l.Id(Id)
            .Directory("tmp", "1777")
            .File("tmp/foo", "foo\n")
            .Directory("tmp/d1")
            .File("tmp/d1/d1f1", string.Empty)
            .File("tmp/f1", string.Empty)
            .File("tmp/f2", string.Empty));
        _built = builder.Build();
    }

    protected override void Execute(byte[] input)
    {
        var path = $"{RootPath}/graph/{Id}/tar-data.json.gz";
        _fileSystem.File.WriteAllBytes(path, gzipInput ? Gzip(input) : input);
        var root = DockerRoot.Open(_fileSystem, RootPath, new DockerRootOptions { Metadata = _built.Metadata });
        Step(() => new Archive.ImageArchiver(root).WriteLayerTar(Id, Stream.Null, TarSplitOnly));
    }

    private static byte[] Gzip(byte[] input)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(input);
        }

        return output.ToArray();
    }
}
