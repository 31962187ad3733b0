using System.IO.Abstractions.TestingHelpers;
using System.Text;
using Docker.Aufs.Testing;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Building;

public sealed class LegacyRootBuilderTests
{
    [Fact]
    public void Build_WritesTheLegacySkeleton()
    {
        var fs = new MockFileSystem();
        new DockerRootBuilder(fs, "/r").Build();
        foreach (var dir in new[] { "graph/_tmp", "aufs/layers", "aufs/diff", "aufs/mnt", "containers", "tmp", "trust", "volumes" })
        {
            Assert.True(fs.Directory.Exists("/r/" + dir), dir);
        }

        Assert.Equal("{\"Repositories\":{}}", fs.File.ReadAllText("/r/repositories-aufs"));
    }

    [Fact]
    public void AddLayer_WritesGraphDriverAndMountEntries()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r");
        var a = builder.AddLayer(l => l.File("etc/hostname", "box\n"));
        var b = builder.AddLayer(l => l.Parent(a).Checksum("sha256:00").V1Compatibility("{}"));
        builder.Build();

        Assert.Equal("4", fs.File.ReadAllText($"/r/graph/{a}/layersize"));
        Assert.Equal("sha256:00", fs.File.ReadAllText($"/r/graph/{b}/checksum"));
        Assert.Equal("{}", fs.File.ReadAllText($"/r/graph/{b}/v1Compatibility"));
        Assert.Equal($"{a}\n", fs.File.ReadAllText($"/r/aufs/layers/{b}"));
        Assert.Equal("", fs.File.ReadAllText($"/r/aufs/layers/{a}"));
        Assert.Equal("box\n", fs.File.ReadAllText($"/r/aufs/diff/{a}/etc/hostname"));
        Assert.True(fs.Directory.Exists($"/r/aufs/mnt/{b}"));
        Assert.False(fs.File.ReadAllText($"/r/graph/{a}/json").EndsWith('\n'));
    }

    [Fact]
    public void AddLayer_GeneratesDeterministicIds()
    {
        static string First() => new DockerRootBuilder(new MockFileSystem(), "/r").AddLayer(_ => { });
        Assert.Equal(First(), First());
        Assert.True(Aufs.Formats.DockerIds.IsId(First()));
    }

    [Fact]
    public void AddLayer_SameIdTwice_Throws()
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), "/r");
        var id = builder.AddLayer(_ => { });
        Assert.Throws<InvalidOperationException>(() => builder.AddLayer(l => l.Id(id)));
    }

    [Fact]
    public void AddLayer_RecordsTypesOwnersModesInodesAndTimes()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r");
        var time = new DateTimeOffset(2015, 6, 1, 10, 0, 0, TimeSpan.Zero);
        var id = builder.AddLayer(l => l
            .Created(time)
            .File("bin/tool", "x", mode: "4755", uid: 1, gid: 2)
            .Hardlink("bin/alias", "bin/tool")
            .Symlink("etc/mtab", "/proc/mounts")
            .Fifo("run/pipe")
            .CharacterDevice("dev/null", 1, 3)
            .BlockDevice("dev/sda", 8, 0)
            .Directory("tmp", mode: "1777")
            .Whiteout("var/old")
            .OpaqueDirectory("opt"));
        var built = builder.Build();
        var diff = $"/r/aufs/diff/{id}";
        UnixFileStatus Stat(string p) => built.Metadata.TryGetStatus($"{diff}/{p}", out var s) ? s : throw new InvalidOperationException(p);

        Assert.Equal((UnixFileType.RegularFile, 0x9ED, 1, 2, time), (Stat("bin/tool").Type, Stat("bin/tool").Permissions, Stat("bin/tool").Uid, Stat("bin/tool").Gid, Stat("bin/tool").ModifiedTime));
        Assert.Equal(Stat("bin/tool").Inode, Stat("bin/alias").Inode);
        Assert.Equal(2u, Stat("bin/alias").LinkCount);
        Assert.Equal((UnixFileType.SymbolicLink, "/proc/mounts", 12L), (Stat("etc/mtab").Type, Stat("etc/mtab").LinkTarget, Stat("etc/mtab").Size));
        Assert.Equal(UnixFileType.Fifo, Stat("run/pipe").Type);
        Assert.Equal((UnixFileType.CharacterDevice, 1u, 3u), (Stat("dev/null").Type, Stat("dev/null").DeviceMajor, Stat("dev/null").DeviceMinor));
        Assert.Equal(UnixFileType.BlockDevice, Stat("dev/sda").Type);
        Assert.Equal(0x3FF, Stat("tmp").Permissions);
        Assert.Equal(UnixFileType.Directory, Stat("var").Type);
        Assert.True(fs.File.Exists($"{diff}/var/.wh.old"));
        Assert.True(fs.File.Exists($"{diff}/opt/.wh..wh..opq"));
        Assert.Equal("x", fs.File.ReadAllText($"{diff}/bin/alias"));
        Assert.Equal(time.UtcDateTime, fs.File.GetLastWriteTimeUtc($"{diff}/bin/tool"));
        Assert.Equal(time.UtcDateTime, fs.Directory.GetLastWriteTimeUtc($"{diff}/bin"));
    }

    [Fact]
    public void AddLayer_SizeCountsHardlinksOnceAndSymlinksByTargetLength()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r");
        var id = builder.AddLayer(l => l.File("a", "12345").Hardlink("b", "a").Symlink("c", "abc").Directory("d").Whiteout("e"));
        builder.Build();
        Assert.Equal("8", fs.File.ReadAllText($"/r/graph/{id}/layersize"));
    }

    [Theory]
    [InlineData("755", 0x1ED)]
    [InlineData("0755", 0x1ED)]
    [InlineData("0640", 0x1A0)]
    [InlineData("07777", 0xFFF)]
    [InlineData("4711", 0x9C9)]
    public void LayerBuilder_AcceptsOctalModes_AndWritesThemAsTheFilesPermissions(string mode, int permissions)
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), "/r");
        var id = builder.AddLayer(l => l.File("a", "", mode: mode));
        var root = builder.Build();
        Assert.True(root.Metadata.TryGetStatus($"/r/aufs/diff/{id}/a", out var status));
        Assert.Equal(permissions, status.Permissions);
    }

    [Theory]
    [InlineData("0789")]
    [InlineData("rwx")]
    [InlineData("-1")]
    [InlineData("777777")]
    public void LayerBuilder_RejectsModesThatAreNotOctal(string mode) =>
        Assert.Throws<ArgumentException>(() => new DockerRootBuilder(new MockFileSystem(), "/r").AddLayer(l => l.File("a", "", mode: mode)));

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("a/../../b")]
    [InlineData("./")]
    [InlineData("")]
    public void LayerBuilder_RejectsPathsOutsideTheLayer(string path) =>
        Assert.ThrowsAny<ArgumentException>(() => new DockerRootBuilder(new MockFileSystem(), "/r").AddLayer(l => l.File(path, "")));

    [Fact]
    public void LayerBuilder_HardlinkToAnUnknownFile_Throws() =>
        Assert.Throws<ArgumentException>(() => new DockerRootBuilder(new MockFileSystem(), "/r").AddLayer(l => l.Hardlink("b", "a")));

    [Fact]
    public void LayerBuilder_RawFilesAreWrittenVerbatim()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r");
        var id = builder.AddLayer(l => l.RawJson("{\"id\": garbage").RawLayerSize(" 12\n"));
        builder.RawRepositories(Encoding.UTF8.GetBytes("not json"));
        builder.Build();
        Assert.Equal("{\"id\": garbage", fs.File.ReadAllText($"/r/graph/{id}/json"));
        Assert.Equal(" 12\n", fs.File.ReadAllText($"/r/graph/{id}/layersize"));
        Assert.Equal("not json", fs.File.ReadAllText("/r/repositories-aufs"));
    }

    [Fact]
    public void LayerBuilder_EncoderStyleEndsTheJsonWithANewline()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r");
        var id = builder.AddLayer(l => l.JsonStyle(ImageJsonStyle.Encoder));
        builder.Build();
        Assert.EndsWith("}\n", fs.File.ReadAllText($"/r/graph/{id}/json"), StringComparison.Ordinal);
    }

    [Fact]
    public void LayerBuilder_ImageEditCanWriteAnyField()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r");
        var id = builder.AddLayer(l => l.Image(i => i with { Architecture = "x86_64", Os = null, Author = "a <b> & c" }));
        var root = builder.Build().Open();
        var image = root.Graph().ReadLayer(id).Image;
        Assert.Equal(("x86_64", null, "a <b> & c"), (image.Architecture, image.Os, image.Author));
        Assert.Contains("a \\u003cb\\u003e \\u0026 c", fs.File.ReadAllText($"/r/graph/{id}/json"), StringComparison.Ordinal);
    }

    [Fact]
    public void Tag_NormalizesNamesAsDockerStoresThem()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r");
        var id = builder.AddLayer(_ => { });
        builder.Tag("docker.io/library/ubuntu:14.04", id).Tag("localhost:5000/app", id);
        var root = builder.Build().Open();
        Assert.Equal(["localhost:5000/app:latest", "ubuntu:14.04"], root.Graph().Repositories.Entries.Select(e => e.DisplayName));
    }

    [Fact]
    public void Build_OnRealDisk_WritesRealSymlinksHardlinksAndFifos()
    {
        using var temp = new TempDirectory();
        var fs = new System.IO.Abstractions.FileSystem();
        var builder = new DockerRootBuilder(fs, temp.Path);
        var id = builder.AddLayer(l => l.File("a", "1").Hardlink("b", "a").Symlink("c", "/etc/passwd").Fifo("d"));
        builder.Build();
        var diff = temp.Combine("aufs", "diff", id);

        Assert.True(LinuxMetadataProvider.Instance.TryGetStatus(Path.Combine(diff, "a"), out var a));
        Assert.True(LinuxMetadataProvider.Instance.TryGetStatus(Path.Combine(diff, "b"), out var b));
        Assert.Equal(a.Inode, b.Inode);
        Assert.Equal(2u, a.LinkCount);
        Assert.True(LinuxMetadataProvider.Instance.TryGetStatus(Path.Combine(diff, "c"), out var c));
        Assert.Equal((UnixFileType.SymbolicLink, "/etc/passwd"), (c.Type, c.LinkTarget));
        Assert.True(LinuxMetadataProvider.Instance.TryGetStatus(Path.Combine(diff, "d"), out var d));
        Assert.Equal(UnixFileType.Fifo, d.Type);
        Assert.Equal(new FileInfo(Path.Combine(diff, "a")).LastWriteTimeUtc, builder.Metadata.TryGetStatus(Path.Combine(diff, "a"), out var recorded) ? recorded.ModifiedTime.UtcDateTime : default);
    }

    [Fact]
    public void Build_NativeModeOnAMockFileSystem_IsRefused() =>
        Assert.Throws<ArgumentException>(() => new DockerRootBuilder(new MockFileSystem(), "/r", SpecialFileMode.Native));
}
