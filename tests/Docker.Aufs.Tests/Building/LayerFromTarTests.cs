using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using System.IO.Compression;
using System.Text;
using Docker.Aufs.Testing;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Building;

public sealed class LayerFromTarTests
{
    private static readonly string Id = Ids.Of("from-tar");

    private static byte[] SampleTar() => new TarBytes()
        .Directory("./")
        .Directory("etc")
        .File("etc/passwd", "root:x:0:0::/root:/bin/sh\n", mode: 0x1A4)
        .File("etc/shadow", "root:*::\n", mode: 0x1A0, gid: 42)
        .Hardlink("etc/passwd-", "etc/passwd")
        .Symlink("etc/mtab", "/proc/mounts")
        .Directory("tmp", mode: 0x3FF | 0x200)
        .File("tmp/.wh.gone", string.Empty, mode: 0)
        .Directory("var/lib/apt/lists")
        .File("var/lib/apt/lists/.wh..wh..opq", string.Empty)
        .File("bin/sh", "#!busybox\n", mode: 0x1ED, uid: 0)
        .Device("dev/null", TarType.CharDevice, 1, 3)
        .Build();

    private static (MockFileSystem Fs, BuiltRoot Root) BuildMock(byte[] tar, TarSplitDialect dialect = TarSplitDialect.Version0910)
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r", SpecialFileMode.Recorded);
        builder.AddLayer(l => l.Id(Id).FromTar(() => new MemoryStream(tar), dialect));
        return (fs, builder.Build());
    }

    private static List<string> TarSplitLines(IFileSystem fs, string root)
    {
        using var gzip = new GZipStream(fs.File.OpenRead($"{root}/graph/{Id}/tar-data.json.gz"), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return [.. reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    [Fact]
    public void FromTar_ExtractsVerbatimKeepingWhiteoutsAndRecordsWhatTheMockCannotHold()
    {
        var (fs, root) = BuildMock(SampleTar());
        var diff = $"/r/aufs/diff/{Id}";

        Assert.Equal("root:x:0:0::/root:/bin/sh\n", fs.File.ReadAllText(diff + "/etc/passwd"));
        Assert.True(fs.File.Exists(diff + "/tmp/.wh.gone"));
        Assert.True(fs.File.Exists(diff + "/var/lib/apt/lists/.wh..wh..opq"));
        Assert.True(root.Metadata.TryGetStatus(diff + "/etc/mtab", out var mtab));
        Assert.Equal((UnixFileType.SymbolicLink, "/proc/mounts"), (mtab.Type, mtab.LinkTarget));
        Assert.True(root.Metadata.TryGetStatus(diff + "/dev/null", out var devnull));
        Assert.Equal((UnixFileType.CharacterDevice, 1u, 3u), (devnull.Type, devnull.DeviceMajor, devnull.DeviceMinor));
        Assert.True(root.Metadata.TryGetStatus(diff + "/etc/shadow", out var shadow));
        Assert.Equal((0x1A0, 42), (shadow.Permissions, shadow.Gid));
        Assert.True(root.Metadata.TryGetStatus(diff + "/etc/passwd", out var passwd));
        Assert.True(root.Metadata.TryGetStatus(diff + "/etc/passwd-", out var link));
        Assert.Equal(passwd.Inode, link.Inode);
        Assert.Equal(2u, link.LinkCount);
        Assert.True(root.Metadata.TryGetStatus(diff + "/tmp", out var tmp));
        Assert.Equal(0x3FF, tmp.Permissions); // sticky bit and 0777
        Assert.True(root.Metadata.TryGetStatus(diff + "/var/lib", out var implicitParent));
        Assert.Equal((UnixFileType.Directory, 0x1ED), (implicitParent.Type, implicitParent.Permissions));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_500_000_000), passwd.ModifiedTime);
    }

    [Fact]
    public void FromTar_LayerSizeIsDockersDiffSize()
    {
        var (fs, _) = BuildMock(SampleTar());
        // passwd (26) + shadow (9) + sh (10) + the symlink target "/proc/mounts" (12); the hardlink counted once.
        Assert.Equal("57", fs.File.ReadAllText($"/r/graph/{Id}/layersize"));
    }

    [Fact]
    public void FromTar_WritesTarSplitDataNamingEveryEntryWithItsCrc()
    {
        var (fs, _) = BuildMock(SampleTar());
        var lines = TarSplitLines(fs, "/r");
        Assert.Contains("{\"type\":1,\"name\":\"etc/passwd\",\"size\":26,\"payload\":\"" + Convert.ToBase64String(Crc64Iso.ToBytes(Crc64Iso.Compute("root:x:0:0::/root:/bin/sh\n"u8))) + "\",\"position\":5}", lines);
        Assert.Contains("{\"type\":1,\"name\":\"etc/passwd-\",\"payload\":null,\"position\":9}", lines);
        Assert.Equal("{\"type\":2,\"payload\":\"\",\"position\":" + (lines.Count - 1) + "}", lines[^1]);
    }

    [Theory]
    [InlineData(nameof(TarSplitDialect.Version094), "{\"type\":2,\"name\":\"\",\"size\":0,\"payload\":\"\",\"position\":")]
    [InlineData(nameof(TarSplitDialect.Version096), "{\"type\":2,\"payload\":\"\",\"position\":")]
    public void FromTar_WritesTheChosenDialect(string dialectName, string lastLinePrefix)
    {
        var dialect = Enum.Parse<TarSplitDialect>(dialectName);
        var (fs, _) = BuildMock(SampleTar(), dialect);
        Assert.StartsWith(lastLinePrefix, TarSplitLines(fs, "/r")[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void FromTar_OnRealDisk_TarSplitAsmRebuildsTheTarByteForByte()
    {
        using var temp = new TempDirectory();
        var tar = SampleTar();
        var builder = new DockerRootBuilder(new FileSystem(), temp.Combine("root"), SpecialFileMode.Native);
        builder.AddLayer(l => l.Id(Id).FromTar(() => new MemoryStream(tar)));
        builder.Build();

        Assert.True(LinuxMetadataProvider.Instance.TryGetStatus(temp.Combine("root", "aufs", "diff", Id, "etc", "passwd-"), out var link));
        Assert.Equal(2u, link.LinkCount);
        var rebuilt = InteropTools.RunBytes("tar-split", null, "asm", "--input", temp.Combine("root", "graph", Id, "tar-data.json.gz"), "--path", temp.Combine("root", "aufs", "diff", Id));
        Assert.Equal(tar, rebuilt);
    }

    [Fact]
    public void FromTar_EmptyStream_IsAnEmptyLayerWithOneEmptySegment()
    {
        var (fs, _) = BuildMock([]);
        Assert.Equal("0", fs.File.ReadAllText($"/r/graph/{Id}/layersize"));
        Assert.Equal(["{\"type\":2,\"payload\":\"\",\"position\":0}"], TarSplitLines(fs, "/r"));
        Assert.Empty(fs.Directory.EnumerateFileSystemEntries($"/r/aufs/diff/{Id}"));
    }

    [Fact]
    public void FromTar_LaterEntryReplacesEarlierOne_UnlessBothAreDirectories()
    {
        var tar = new TarBytes().File("a", "first").Directory("d").File("d/x", "x").Entry("a", TarType.Regular, 0x81A4, "second"u8.ToArray()).File("d", "now a file").Build();
        var (fs, _) = BuildMock(tar, TarSplitDialect.Version094); // v0.9.4 did not refuse duplicate names
        Assert.Equal("second", fs.File.ReadAllText($"/r/aufs/diff/{Id}/a"));
        Assert.Equal("now a file", fs.File.ReadAllText($"/r/aufs/diff/{Id}/d"));
    }

    [Fact]
    public void FromTar_DuplicateNameFrom096On_IsRefusedAsDocker182Did()
    {
        var tar = new TarBytes().File("a", "1").File("./a", "2").Build();
        var e = Assert.Throws<ArchiveFormatException>(() => BuildMock(tar));
        Assert.Contains("twice", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../evil")]
    [InlineData("a/../../evil")]
    public void FromTar_EntryOutsideTheLayer_IsRefused(string name)
    {
        var e = Assert.Throws<UnsafePathException>(() => BuildMock(new TarBytes().File(name, "x").Build()));
        Assert.Contains("outside the layer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromTar_WritingThroughASymbolicLink_IsRefused()
    {
        var tar = new TarBytes().Symlink("etc", "/etc").File("etc/passwd", "pwned").Build();
        var e = Assert.Throws<UnsafePathException>(() => BuildMock(tar));
        Assert.Contains("through the symbolic link", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromTar_RelativeSymlinkClimbingOut_IsRefusedButAbsoluteTargetsAreFine()
    {
        Assert.Throws<UnsafePathException>(() => BuildMock(new TarBytes().Symlink("a/b", "../../x").Build()));
        var (_, root) = BuildMock(new TarBytes().Symlink("a/b", "/x").Symlink("c", "a/../a/b").Build());
        Assert.True(root.Metadata.TryGetStatus($"/r/aufs/diff/{Id}/a/b", out var link) && link.LinkTarget == "/x");
    }

    [Fact]
    public void FromTar_HardlinkOutsideOrToNothing_IsRefused()
    {
        Assert.Throws<UnsafePathException>(() => BuildMock(new TarBytes().Hardlink("a", "../../etc/shadow").Build()));
        var e = Assert.Throws<ArchiveFormatException>(() => BuildMock(new TarBytes().Hardlink("a", "missing").Build()));
        Assert.Contains("not a file of this layer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromTar_NotATar_ThrowsArchiveFormatNamingTheSource()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r", SpecialFileMode.Recorded);
        builder.AddLayer(l => l.Id(Id).FromTar(() => new MemoryStream(Encoding.ASCII.GetBytes(new string('x', 2000))), sourceName: "bad.tar"));
        var e = Assert.Throws<ArchiveFormatException>(() => builder.Build());
        Assert.Equal("bad.tar", e.Path);
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromTar_CannotBeMixedWithEntriesAddedOneByOne()
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), "/r");
        Assert.Throws<InvalidOperationException>(() => builder.AddLayer(l => l.File("a", "x").FromTar(() => new MemoryStream())));
        Assert.Throws<InvalidOperationException>(() => builder.AddLayer(l => l.FromTar(() => new MemoryStream()).File("a", "x")));
    }
}
