using System.IO.Abstractions.TestingHelpers;
using System.Security.Cryptography;
using System.Text;
using Docker.Aufs.Archive;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.IO;

namespace Docker.Aufs.Tests.Root;

public sealed class ArchiveFacadeTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string Sha(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    private static (MockFileSystem Fs, IDockerRoot Root, string Top) Imported()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r", SpecialFileMode.Recorded);
        var bottom = builder.AddLayer(l => l.CreatedBy("ADD rootfs").FromTar(() => new MemoryStream(new TarBytes().File("etc/os-release", "ID=test\n").File("bin/sh", "#!").Build())));
        var top = builder.AddLayer(l => l.Parent(bottom).CreatedBy("touch /x").FromTar(() => new MemoryStream(new TarBytes().File("x", string.Empty).File("etc/.wh.os-release", string.Empty).Build())));
        builder.Tag("test:1", top);
        var root = builder.Build().Open();
        fs.AddDirectory("/out");
        return (fs, root, top);
    }

    [Fact]
    public void GetDigests_LayersBaseFirstWithChainIds_ImageIdIsTheConfigsDigest()
    {
        var (_, root, top) = Imported();
        var digests = new ImageArchiver(root).ComputeDigests("test:1", cancellationToken: Token);

        Assert.Equal(top, digests.SourceId);
        Assert.Equal(root.ResolveImage("test:1").Layers.Select(l => l.Id).Reverse(), digests.Layers.Select(l => l.Id));
        Assert.Equal(Sha(digests.Config.ToArray()), digests.ImageId);
        Assert.Equal(digests.Layers[0].DiffId, digests.Layers[0].ChainId);
        Assert.Equal(Sha(Encoding.ASCII.GetBytes(digests.Layers[0].ChainId + " " + digests.Layers[1].DiffId)), digests.Layers[1].ChainId);
        Assert.All(digests.Layers, l => Assert.Equal(LayerSource.TarSplit, l.Source));
        foreach (var layer in digests.Layers)
        {
            using var tar = new MemoryStream();
            var written = new ImageArchiver(root).WriteLayerTar(layer.Id, tar, cancellationToken: Token);
            Assert.Equal((layer.DiffId, layer.Size), (Sha(tar.ToArray()), tar.Length));
            Assert.Equal(layer.DiffId, written.DiffId);
        }
    }

    [Fact]
    public async Task GetDigestsAsync_AgreesWithGetDigests()
    {
        var (_, root, _) = Imported();
        var sync = new ImageArchiver(root).ComputeDigests("test:1", cancellationToken: Token);
        var async = await new ImageArchiver(root).ComputeDigestsAsync("test:1", cancellationToken: Token);
        Assert.Equal(sync.ImageId, async.ImageId);
        Assert.Equal(sync.Layers, async.Layers);
    }

    [Fact]
    public async Task WriteLayerTar_ChangedFile_FallsBackOnASeekableStreamButNotOnAPipe()
    {
        var (fs, root, top) = Imported();
        var bottom = root.Graph().ReadLayer(top).Parent!;
        fs.File.WriteAllText($"/r/aufs/diff/{bottom}/bin/sh", "#?");

        using var seekable = new MemoryStream();
        Assert.Equal(LayerSource.Regenerated, new ImageArchiver(root).WriteLayerTar(bottom, seekable, cancellationToken: Token).Source);

        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);
        using var reader = new System.IO.Pipes.AnonymousPipeClientStream(System.IO.Pipes.PipeDirection.In, pipe.ClientSafePipeHandle);
        var drain = Task.Run(() => reader.CopyTo(Stream.Null), Token);
        var e = Assert.Throws<LayerReassemblyException>(() => new ImageArchiver(root).WriteLayerTar(bottom, pipe, cancellationToken: Token));
        Assert.Equal("bin/sh", e.EntryName);
        pipe.Dispose();
        await drain;
    }

    [Fact]
    public async Task ExportLayerTar_WritesTheFileAtomically_SyncAndAsyncAlike()
    {
        var (fs, root, top) = Imported();
        var sync = new ImageArchiver(root).ExportLayerTar(top[..8], "/out/top.tar", cancellationToken: Token);
        var async = await new ImageArchiver(root).ExportLayerTarAsync(top, "/out/top-async.tar", cancellationToken: Token);
        Assert.Equal(sync, async);
        Assert.Equal(sync.DiffId, Sha(fs.File.ReadAllBytes("/out/top.tar")));
        Assert.Equal(["/out/top-async.tar", "/out/top.tar"], fs.Directory.EnumerateFileSystemEntries("/out").Order(StringComparer.Ordinal));

        var bottom = root.Graph().ReadLayer(top).Parent!;
        fs.File.Delete($"/r/aufs/diff/{bottom}/bin/sh");
        Assert.Throws<LayerReassemblyException>(() => new ImageArchiver(root).ExportLayerTar(bottom, "/out/failed.tar", new ArchiveOptions { Source = LayerSource.TarSplit }, cancellationToken: Token));
        Assert.Equal(2, fs.Directory.EnumerateFileSystemEntries("/out").Count());
    }

    [Fact]
    public void WriteLayerTar_UnknownLayer_IsImageNotFound()
    {
        var (_, root, _) = Imported();
        Assert.Throws<ImageNotFoundException>(() => new ImageArchiver(root).WriteLayerTar("ffff", Stream.Null, cancellationToken: Token));
    }

    [Fact]
    public void GetDigests_OfTheSample_RegeneratesLayersWithoutTarSplitData()
    {
        var fs = new MockFileSystem();
        var root = SampleRoots.Write(fs, "/r", SpecialFileMode.Recorded).Open();
        var digests = new ImageArchiver(root).ComputeDigests("busybox", cancellationToken: Token);
        Assert.All(digests.Layers, l => Assert.Equal(LayerSource.Regenerated, l.Source));
        Assert.Equal("sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef", digests.Layers[1].DiffId); // CMD ["sh"] changed no file
        Assert.Throws<LayerReassemblyException>(() => new ImageArchiver(root).ComputeDigests("busybox", new ArchiveOptions { Source = LayerSource.TarSplit }, cancellationToken: Token));
    }
}
