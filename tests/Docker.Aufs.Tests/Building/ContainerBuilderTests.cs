using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.IO;
using Docker.Aufs.Stores;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.Union;

namespace Docker.Aufs.Tests.Building;

/// <summary>Containers written by the builder look like those Docker 1.x left on disk (docs/format/graph-era.md §6, §8).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ContainerBuilderTests
{
    private static readonly string Base = Ids.Of("cb-base");
    private static readonly string Image = Ids.Of("cb-image");
    private static readonly string Container = Ids.Of("cb-container");

    private static TestRoot Build(Disk disk) => TestRoot.Build(disk, b =>
    {
        b.AddLayer(l => l.Id(Base).File("etc/motd", "hi"));
        b.AddLayer(l => l.Id(Image).Parent(Base).File("app", "x"));
        b.AddContainer(c => c.Id(Container).Name("/app-1").Image(Image, "app").Changes(l => l.File("data/out", "1")).Delete("etc/motd"));
    });

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void AddContainer_AufsContainer_WritesItsLayersFilesAsDockerCreateDoes(Disk disk)
    {
        using var root = Build(disk);
        var fs = root.FileSystem;
        string Layers(string id) => fs.File.ReadAllText(fs.Path.Combine(root.Path, "aufs", "layers", id));

        Assert.Equal($"{Image}\n{Base}\n", Layers(Container + "-init"));
        Assert.Equal($"{Container}-init\n{Image}\n{Base}\n", Layers(Container));
        Assert.Equal(200, Layers(Container).Length); // as on a real host: <cid>-init, image, parent
        Assert.True(fs.Directory.Exists(fs.Path.Combine(root.Path, "aufs", "mnt", Container)));
        Assert.True(fs.Directory.Exists(fs.Path.Combine(root.Path, "aufs", "mnt", Container + "-init")));
        Assert.Equal([Container], root.Root.ContainerIds);
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void AddContainer_Branches_HoldTheInitPlaceholdersAndTheReadWriteBookkeeping(Disk disk)
    {
        using var root = Build(disk);
        var fs = root.FileSystem;
        var metadata = disk == Disk.Memory ? root.Root.Metadata : (IUnixMetadataProvider)LinuxMetadataProvider.Instance;
        var init = fs.Path.Combine(root.Path, "aufs", "diff", Container + "-init");
        var rw = fs.Path.Combine(root.Path, "aufs", "diff", Container);

        foreach (var branch in new[] { init, rw })
        {
            Assert.True(metadata.TryGetStatus(branch + "/.wh..wh.aufs", out var whiteoutBase));
            Assert.Equal((UnixFileType.RegularFile, 0x124 /* 0444 */), (whiteoutBase.Type, whiteoutBase.Permissions));
            Assert.True(metadata.TryGetStatus(branch + "/.wh..wh.plnk", out var plnk));
            Assert.Equal((UnixFileType.Directory, 0x1C0 /* 0700 */), (plnk.Type, plnk.Permissions));
            Assert.True(metadata.TryGetStatus(branch + "/.wh..wh.orph", out _));
        }

        foreach (var placeholder in new[] { ".dockerinit", ".dockerenv", "etc/resolv.conf", "etc/hosts", "etc/hostname", "dev/console" })
        {
            Assert.True(metadata.TryGetStatus(init + "/" + placeholder, out var file), placeholder);
            Assert.Equal((UnixFileType.RegularFile, 0L), (file.Type, file.Size));
        }

        Assert.True(metadata.TryGetStatus(init + "/etc/mtab", out var mtab));
        Assert.Equal((UnixFileType.SymbolicLink, "/proc/mounts"), (mtab.Type, mtab.LinkTarget));

        // Deletions are whiteouts hardlinked to the whiteout base, as the kernel's AUFS writes them.
        Assert.True(metadata.TryGetStatus(rw + "/etc/.wh.motd", out var whiteout));
        Assert.True(metadata.TryGetStatus(rw + "/.wh..wh.aufs", out var rwBase));
        Assert.Equal((rwBase.Device, rwBase.Inode), (whiteout.Device, whiteout.Inode));
        Assert.Equal(2u, whiteout.LinkCount);
    }

    [Fact]
    public void AddContainer_Config_IsDocker19sConfigJson()
    {
        using var root = Build(Disk.Memory);
        var text = root.FileSystem.File.ReadAllText(root.FileSystem.Path.Combine(root.Path, "containers", Container, "config.json"));

        Assert.StartsWith("{\"State\":{\"Running\":false,", text, StringComparison.Ordinal);
        Assert.Contains($"\"ID\":\"{Container}\"", text, StringComparison.Ordinal);
        Assert.Contains("\"Name\":\"/app-1\"", text, StringComparison.Ordinal);
        Assert.Contains($"\"Image\":\"{Image}\"", text, StringComparison.Ordinal);
        Assert.Contains("\"Driver\":\"aufs\"", text, StringComparison.Ordinal);
        Assert.Contains("\"StartedAt\":\"0001-01-01T00:00:00Z\"", text, StringComparison.Ordinal);
        var container = ContainerRecord.Read(root.FileSystem, root.FileSystem.Path.Combine(root.Path, "containers"), Container);
        Assert.Equal((ContainerStatus.Created, "app"), (container.State.Status, container.Config.Config!.Image));
    }

    [Fact]
    public void AddContainer_WithoutImage_ThrowsInvalidOperation() =>
        Assert.Throws<InvalidOperationException>(() => new DockerRootBuilder(new MockFileSystem()).AddContainer(c => c.Name("x")));

    [Fact]
    public void AddContainer_ContainerOfAnotherDriver_GetsNoAufsLayers()
    {
        using var root = TestRoot.Build(Disk.Memory, b => b.AddContainer(c => c.Id(Container).Image(Image).Driver("overlay")));

        Assert.False(root.FileSystem.File.Exists(root.FileSystem.Path.Combine(root.Path, "aufs", "layers", Container)));
        Assert.True(root.FileSystem.File.Exists(root.FileSystem.Path.Combine(root.Path, "containers", Container, "config.json")));
    }

    [Fact]
    public void ForAufsLayer_ReadWriteLayerAlone_ShowsNoBookkeeping()
    {
        using var root = Build(Disk.Memory);

        var view = root.Open().OpenLayer(Container);

        Assert.DoesNotContain(view.EnumerateRecursive(), e => e.Name.StartsWith(".wh.", StringComparison.Ordinal));
        Assert.IsType<UnionView>(view);
    }

    [Fact]
    public void AddContainer_ConfigAndHostConfig_ReadBackWithContainerRecord()
    {
        using var root = TestRoot.Build(Disk.Memory, b => b.AddContainer(c => c.Id(Container).Name("web").Image(Image, "nginx:1.9").Command("nginx", "-g", "daemon off;")
            .Exited(2, new DateTimeOffset(2015, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2015, 1, 2, 0, 0, 0, TimeSpan.Zero))));

        var container = ContainerRecord.Read(root.FileSystem, root.FileSystem.Path.Combine(root.Path, "containers"), Container);

        Assert.Equal(("web", Image, "nginx:1.9", "nginx -g daemon off;"), (container.Name, container.ImageId, container.Config.Config!.Image, container.Command));
        Assert.Equal((ContainerStatus.Exited, 2), (container.State.Status, container.Config.State!.ExitCode));
        Assert.Equal("default", container.HostConfig!.NetworkMode);
    }
}
