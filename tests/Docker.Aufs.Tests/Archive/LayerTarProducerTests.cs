using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Archive;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Stores.Graph;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;
using Microsoft.Extensions.Logging;

namespace Docker.Aufs.Tests.Archive;

public sealed class LayerTarProducerTests
{
    private static readonly byte[] Tar = new TarBytes().File("etc/hostname", "box\n").File("bin/sh", "#!").Build();

    private static (MockFileSystem Fs, BuiltRoot Root, ImageLayer Layer) Imported()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r", SpecialFileMode.Recorded);
        var id = builder.AddLayer(l => l.FromTar(() => new MemoryStream(Tar)));
        var root = builder.Build();
        return (fs, root, TestLayers.ExportLayer(fs, GraphLayer.Read(fs, "/r/graph", id), $"/r/aufs/diff/{id}"));
    }

    private static (LayerDigest Result, byte[] Bytes) Produce(MockFileSystem fs, BuiltRoot root, ImageLayer layer, LayerSource policy, ILogger? logger = null, bool seekable = true)
    {
        using var output = new MemoryStream();
        using var sink = new LayerSink(seekable ? output : new NonSeekable(output));
        var (result, _) = SyncCore.Run(new LayerTarProducer(fs, root.Metadata, logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
            .ProduceAsync<SyncIo>(layer, sink, policy, null, default));
        return (result, output.ToArray());
    }

    [Fact]
    public void Produce_Auto_WithMatchingTarSplitData_ReassemblesTheOriginalBytes()
    {
        var (fs, root, layer) = Imported();
        var (result, bytes) = Produce(fs, root, layer, LayerSource.Auto);
        Assert.Equal(LayerSource.TarSplit, result.Source);
        Assert.Equal(Tar, bytes);
        Assert.Equal(Docker.Aufs.Formats.Digests.Sha256(Tar), result.DiffId);
        Assert.Equal(Tar.Length, result.Size);
    }

    [Fact]
    public void Produce_Auto_FileChanged_LogsWhyAndRegeneratesFromTheStart()
    {
        var (fs, root, layer) = Imported();
        fs.File.WriteAllText(layer.ContentPath + "/etc/hostname", "BOX\n");
        var logs = new ListLoggerFactory();

        var (result, bytes) = Produce(fs, root, layer, LayerSource.Auto, logs.CreateLogger("t"));

        Assert.Equal(LayerSource.Regenerated, result.Source);
        var names = LayerTarGeneratorTests.Entries(bytes).Select(e => e.Name);
        Assert.Equal(["bin/", "bin/sh", "etc/", "etc/hostname"], names); // a whole tar, no reassembled prefix left in front
        Assert.Equal(Docker.Aufs.Formats.Digests.Sha256(bytes), result.DiffId);
        var warning = Assert.Single(logs.Entries, e => e.Id.Id == 4001);
        Assert.Contains("etc/hostname", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Produce_Auto_FileChangedAndTheSinkCannotRewind_ThrowsTheReason()
    {
        var (fs, root, layer) = Imported();
        fs.File.WriteAllText(layer.ContentPath + "/etc/hostname", "BOX\n");
        Assert.Throws<LayerReassemblyException>(() => Produce(fs, root, layer, LayerSource.Auto, seekable: false));
    }

    [Fact]
    public void Produce_TarSplitOnly_WithoutDataOrWithChangedFiles_Throws()
    {
        var (fs, root, layer) = Imported();
        fs.File.Delete(layer.Directory + "/tar-data.json.gz");
        var without = TestLayers.ExportLayer(fs, GraphLayer.Read(fs, "/r/graph", layer.Id), layer.ContentPath);
        Assert.Contains("no tar-split data", Assert.Throws<LayerReassemblyException>(() => Produce(fs, root, without, LayerSource.TarSplit)).Problem, StringComparison.Ordinal);

        var (fs2, root2, layer2) = Imported();
        fs2.File.Delete(layer2.ContentPath + "/bin/sh");
        Assert.Throws<LayerReassemblyException>(() => Produce(fs2, root2, layer2, LayerSource.TarSplit));
    }

    [Fact]
    public void Produce_RegenerateOnly_IgnoresTarSplitData()
    {
        var (fs, root, layer) = Imported();
        var (result, bytes) = Produce(fs, root, layer, LayerSource.Regenerated);
        Assert.Equal(LayerSource.Regenerated, result.Source);
        Assert.NotEqual(Tar, bytes); // TarBytes wrote no directory entries; regeneration lists bin/ and etc/
    }

    [Fact]
    public void Produce_LayerOfADriverWithoutItsOwnDiffs_CanOnlyBeReassembled()
    {
        var (fs, root, layer) = Imported();
        var overlayLike = layer with { ContentFormat = LayerContentFormat.FullTree };
        Assert.Equal(LayerSource.TarSplit, Produce(fs, root, overlayLike, LayerSource.Auto).Result.Source);
        var e = Assert.Throws<LayerReassemblyException>(() => Produce(fs, root, overlayLike, LayerSource.Regenerated));
        Assert.Contains("a whole-tree layer (vfs) cannot yet", e.Problem, StringComparison.Ordinal);
    }

    private sealed class NonSeekable(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }

    /// <summary>Replaces the layer's tar-split data by one that smuggles a member named with '..' (content and all) in a segment.</summary>
    private static void Lie(MockFileSystem fs, ImageLayer layer)
    {
        byte[] smuggled = [.. TarSplitVerifierTests.Lines.Header("../../etc/cron.d/evil", 5), .. "evil\n"u8, .. new byte[507]];
        var lines = new TarSplitVerifierTests.Lines().Member("etc/hostname", "box\n").Segment(smuggled).End();
        var path = System.IO.Path.GetTempFileName();
        try
        {
            lines.WriteTo(path);
            fs.File.WriteAllBytes(layer.TarSplitPath!, File.ReadAllBytes(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Produce_Auto_TarSplitDataThatLies_IsRegeneratedFromTheDirectoryWithAWarning_AndNoMemberClimbsOut()
    {
        var (fs, root, layer) = Imported();
        Lie(fs, layer);
        var logs = new ListLoggerFactory();

        var (result, bytes) = Produce(fs, root, layer, LayerSource.Auto, logs.CreateLogger("t"));

        Assert.Equal(LayerSource.Regenerated, result.Source);
        Assert.Equal(["bin/", "bin/sh", "etc/", "etc/hostname"], LayerTarGeneratorTests.Entries(bytes).Select(e => e.Name));
        Assert.Contains("'..'", Assert.Single(logs.Entries, e => e.Id.Id == 4001).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Produce_TarSplitDataThatLies_IntoASinkThatCannotRewind_FailsWithoutWritingTheLie()
    {
        var (fs, root, layer) = Imported();
        Lie(fs, layer);
        using var output = new MemoryStream();
        using var sink = new LayerSink(new NonSeekable(output));
        Assert.Throws<UnsafePathException>(() => SyncCore.Run(new LayerTarProducer(fs, root.Metadata, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
            .ProduceAsync<SyncIo>(layer, sink, LayerSource.Auto, null, TestContext.Current.CancellationToken)));
        Assert.True(output.ToArray().AsSpan().IndexOf("../"u8) < 0, "a member named with '..' reached the output");
    }

    [Fact]
    public void Produce_AFileWhoseModeChangedAfterThePull_KeepsTheRecordedHeaderAsDockerDoes_AndWarnsOnce()
    {
        var (fs, root, layer) = Imported();
        var path = layer.ContentPath + "/etc/hostname";
        Assert.True(root.Metadata.TryGetStatus(path, out var status));
        root.Metadata.Record(path, status with { Permissions = 0xDED }); // 06755: set-ID bits added
        root.Metadata.Record(layer.ContentPath + "/bin/sh", status with { Uid = 1000, Size = 2 });
        var logs = new ListLoggerFactory();

        var (result, bytes) = Produce(fs, root, layer, LayerSource.Auto, logs.CreateLogger("t"));

        Assert.Equal(LayerSource.TarSplit, result.Source);
        Assert.Equal(Tar, bytes); // the DiffID the registry gave
        var warning = Assert.Single(logs.Entries, e => e.Id.Id == 4101);
        Assert.Contains("2 header(s)", warning.Message, StringComparison.Ordinal);
        Assert.Contains("mode 0644, the layer directory holds 6755", warning.Message, StringComparison.Ordinal);
    }
}
