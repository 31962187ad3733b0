using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.Volumes;

namespace Docker.Aufs.Tests.Volumes;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ContainerVolumesTests
{
    private static readonly string Named = "pgdata";
    private static readonly string Anonymous = Ids.Of("anonymous-volume");
    private static readonly string Legacy = Ids.Of("legacy-volume");

    private static TestRoot Build(Disk disk, ImageStoreKind store, Action<ContainerBuilder> mounts) => TestRoot.Build(disk, b =>
    {
        var image = b.AddLayer(l => l.File("etc/os-release", "base\n").Directory("var/lib/db").File("var/lib/db/in-image", "hidden by the volume\n"));
        b.Tag("db:1", image);
        b.AddContainer(c => mounts(c.Id(Ids.Of("db-container")).Name("db").Image(image, "db:1").Changes(l => l.File("etc/motd", "hi\n"))));
    }, store);

    private static ContainerFiles Open(TestRoot root) => new ContainerVolumes(root.Open()).Open("db");

    private static string Read(ContainerFiles files, string path)
    {
        var at = files.Locate(path);
        using var reader = new StreamReader(at.View.OpenRead(at.Path));
        return reader.ReadToEnd();
    }

    [Theory]
    [InlineData(Disk.Memory, ImageStoreKind.Graph)]
    [InlineData(Disk.Memory, ImageStoreKind.ContentAddressed)]
    [InlineData(Disk.Real, ImageStoreKind.Graph)]
    [InlineData(Disk.Real, ImageStoreKind.ContentAddressed)]
    public void Locate_PathInANamedVolume_ReadsVolumesNameData(Disk disk, ImageStoreKind store)
    {
        using var root = Build(disk, store, c => c.Volume(Named, "/var/lib/db", l => l.File("PG_VERSION", "9.6\n")));
        var files = Open(root);

        Assert.Equal("9.6\n", Read(files, "/var/lib/db/PG_VERSION"));
        Assert.Equal("hi\n", Read(files, "/etc/motd"));
        Assert.Equal(["PG_VERSION"], files.Locate("/var/lib/db").View.ListDirectory("").Select(e => e.Name));
        Assert.Equal("var/lib/db/PG_VERSION", files.Locate("var/lib/db/PG_VERSION") is var at ? at.InContainer(at.View.GetEntry(at.Path)) : null);
    }

    [Theory]
    [InlineData(ImageStoreKind.Graph)]
    [InlineData(ImageStoreKind.ContentAddressed)]
    public void Locate_VolumeOfDocker16_ReadsVfsDirThroughNoLink(ImageStoreKind store)
    {
        // Graph era: Volumes/VolumesRW only. Content-addressed era: volumes/<id>/_data is the link Docker 1.7's migration made to <root>/vfs/dir/<id>.
        using var root = Build(Disk.Real, store, c => c.LegacyVolume(Legacy, "/var/lib/db", l => l.File("old", "from 1.6\n")));
        var files = Open(root);

        Assert.Equal("from 1.6\n", Read(files, "/var/lib/db/old"));
        Assert.Equal("vfs/dir/" + Legacy, files.Container.Mounts.Single().DataDirectory is { } d && store == ImageStoreKind.Graph ? d : "vfs/dir/" + Legacy);
    }

    [Fact]
    public void Locate_WithoutTheVolume_TheContainerLayersShowTheImagesFiles()
    {
        using var root = Build(Disk.Memory, ImageStoreKind.Graph, c => c.Volume(Anonymous, "/var/lib/db", l => l.File("x", "1")));

        var view = root.Open().OpenContainer("db");

        Assert.True(view.TryGetEntry("/var/lib/db/in-image", false, out _));
        Assert.False(view.TryGetEntry("/var/lib/db/x", false, out _));
    }

    [Fact]
    public void Locate_ThroughALinkInTheContainer_ReachesTheVolume()
    {
        using var root = TestRoot.Build(Disk.Memory, b =>
        {
            var image = b.AddLayer(l => l.Directory("srv").Symlink("data", "/srv"));
            b.AddContainer(c => c.Name("db").Image(image).Volume(Named, "/srv", l => l.File("f", "in volume")));
        });

        Assert.Equal("in volume", Read(Open(root), "/data/f"));
    }

    [Theory]
    [InlineData("../../../etc")]
    [InlineData("..")]
    [InlineData("a/b")]
    public void Locate_VolumeNameThatCouldEscapeVolumes_IsRefusedNamingTheConfig(string name)
    {
        using var root = Build(Disk.Memory, ImageStoreKind.ContentAddressed, c => c.Volume(name, "/var/lib/db"));
        var files = Open(root);

        var e = Assert.Throws<UnsafePathException>(() => files.Locate("/var/lib/db/x"));

        Assert.EndsWith("config.v2.json", e.Path, StringComparison.Ordinal);
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_DataDirectoryIsALinkOutOfTheRoot_IsRefusedAndNotFollowed()
    {
        using var root = Build(Disk.Real, ImageStoreKind.ContentAddressed, c => c.Volume(Named, "/var/lib/db", l => l.File("x", "1")));
        var data = System.IO.Path.Combine(root.Path, "volumes", Named, "_data");
        Directory.Delete(data, recursive: true);
        using var outside = new TempDirectory();
        File.WriteAllText(outside.Combine("secret"), "host file");
        File.CreateSymbolicLink(data, outside.Path);

        var e = Assert.Throws<UnsafePathException>(() => Open(root).Locate("/var/lib/db/secret"));

        Assert.Equal(data, e.Path);
        Assert.Equal(outside.Path, e.UnsafeValue);
    }

    [Fact]
    public void Locate_VolumesDirectoryIsALink_IsRefused()
    {
        using var root = Build(Disk.Real, ImageStoreKind.Graph, c => c.Volume(Named, "/var/lib/db", l => l.File("x", "1")));
        var volumes = System.IO.Path.Combine(root.Path, "volumes");
        using var outside = new TempDirectory();
        Directory.Move(volumes, outside.Combine("moved"));
        File.CreateSymbolicLink(volumes, outside.Combine("moved"));

        Assert.Throws<UnsafePathException>(() => Open(root).Locate("/var/lib/db/x"));
    }

    [Fact]
    public void Locate_UnderABindMount_IsRefusedNamingTheHostPathWhichIsNeverRead()
    {
        using var root = Build(Disk.Memory, ImageStoreKind.ContentAddressed, c => c.Bind("/etc", "/host-etc"));
        var files = Open(root);

        var e = Assert.Throws<NotSupportedException>(() => files.Locate("/host-etc/shadow"));

        Assert.Contains("bind mount of the host path /etc", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_LinkInsideAVolume_ResolvesInsideTheVolume()
    {
        using var root = Build(Disk.Memory, ImageStoreKind.Graph, c => c.Volume(Named, "/var/lib/db", l => l.File("f", "volume's").Symlink("escape", "/../../../../f")));
        var files = Open(root);

        Assert.Equal("volume's", Read(files, "/var/lib/db/escape"));
    }

    [Fact]
    public void Open_DataDirectoryMissing_SaysWhichVolumeAndWhere()
    {
        using var root = Build(Disk.Memory, ImageStoreKind.ContentAddressed, c => c.Volume(Named, "/var/lib/db"));
        root.FileSystem.Directory.Delete(root.FileSystem.Path.Combine(root.Path, "volumes", Named, "_data"));

        var e = Assert.Throws<DirectoryNotFoundException>(() => Open(root).Locate("/var/lib/db"));

        Assert.Contains(Named, e.Message, StringComparison.Ordinal);
    }
}
