using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Stores;

public sealed class ContainerMountReaderTests
{
    private static Container Read(ImageStoreKind store, Action<ContainerBuilder> mounts, string reference = "c")
    {
        using var root = TestRoot.Build(Disk.Memory, b =>
        {
            var image = b.AddLayer(l => l.File("a", "a"));
            b.AddContainer(c => mounts(c.Name("c").Image(image)));
        }, store);
        return root.Open().ResolveContainer(reference);
    }

    [Theory]
    [InlineData(ImageStoreKind.Graph)]
    [InlineData(ImageStoreKind.ContentAddressed)]
    public void Mounts_VolumeAndBind_AreTypedOrderedByDestination(ImageStoreKind store)
    {
        var container = Read(store, c => c.Volume("pgdata", "/var/lib/db").Bind("/srv/www", "/app", readWrite: false));

        Assert.Equal(["/app", "/var/lib/db"], container.Mounts.Select(m => m.Destination));
        var bind = container.Mounts[0];
        Assert.Equal((ContainerMountKind.Bind, "/srv/www", false, null), (bind.Kind, bind.Source, bind.ReadWrite, bind.DataDirectory));
        var volume = container.Mounts[1];
        Assert.Equal((ContainerMountKind.Volume, "pgdata", "local", true, "volumes/pgdata/_data"), (volume.Kind, volume.Name, volume.Driver, volume.ReadWrite, volume.DataDirectory));
    }

    [Fact]
    public void Mounts_Docker16Volumes_AreMigratedAsDocker17Did()
    {
        var id = Ids.Of("v");
        var container = Read(ImageStoreKind.Graph, c => c.LegacyVolume(id, "/data").Bind("/host", "/h"));

        Assert.Equal([(ContainerMountKind.Volume, id, "vfs/dir/" + id), (ContainerMountKind.Bind, "", (string?)null)],
            container.Mounts.Select(m => (m.Kind, m.Name, m.DataDirectory)));
    }

    [Fact]
    public void Mounts_DestinationMissingFromVolumesRW_IsReadOnlyAsGosMapLookupReadsIt()
    {
        var id = Ids.Of("v");
        var container = Read(ImageStoreKind.Graph, c => c.RawConfig(
            $"{{\"ID\":\"{Ids.Of("raw")}\",\"Image\":\"{Ids.Of("img")}\",\"Volumes\":{{\"/data\":\"/var/lib/docker/vfs/dir/{id}\"}},\"VolumesRW\":{{}}}}").Id(Ids.Of("raw")), Ids.Of("raw"));

        Assert.False(Assert.Single(container.Mounts).ReadWrite);
    }

    [Fact]
    public void Mounts_LocalVolumeWithoutSource_GetsTheLocalDriversPathUnderTheRoot()
    {
        var container = Read(ImageStoreKind.Graph, c => c.Volume("named", "/d"));

        Assert.Equal("/var/lib/docker/volumes/named/_data", Assert.Single(container.Mounts).Source);
    }
}
