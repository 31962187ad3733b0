using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Archive;
using Docker.Aufs.IO;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.Union;
using CasIds = Docker.Aufs.Testing.SampleRoots.ContentAddressedIds;

namespace Docker.Aufs.Tests.Building;

/// <summary>The built-in sample written as a Docker 1.10+ root: the same images and container, pinned IDs.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ContentAddressedSampleRootTests
{
    private static IDockerRoot Open() => SampleRoots.WriteInMemory(ImageStoreKind.ContentAddressed).Open();

    private static IDockerRoot OpenGraph() => SampleRoots.WriteInMemory().Open();

    [Fact]
    public void ContentAddressedIds_SampleWritten_ArePinnedAndAreTheWrittenIds()
    {
        var built = SampleRoots.WriteInMemory(ImageStoreKind.ContentAddressed);

        Assert.Equal("sha256:b34e82d046b0a247d633f5aae5db992e7d9ba1700b9431b0e9e00c40a80fc153", CasIds.BusyboxId);
        Assert.Equal("sha256:59bc11bfb35ddf89509cfdc33fad3522ab335a817a6a8f7884635b5261b1bd65", CasIds.RedisId);
        Assert.Equal("30228c7eddc6ce65569dd521504d52861ac57c0d7bcbfa65d3bf159b1d8a4b98", CasIds.RedisMountId);
        Assert.Equal(SampleRoots.RedisContainerId, CasIds.RedisContainerId);
        Assert.Equal(18, built.ImageIds.Count);
        Assert.Equal((CasIds.BusyboxId, CasIds.RedisId), (built.ImageIds[1], built.ImageIds[^1]));
        Assert.Equal([CasIds.RedisContainerId], built.ContainerIds);
        Assert.Equal(CasIds.RedisMountId, built.FileSystem.File.ReadAllText($"/var/lib/docker/image/aufs/layerdb/mounts/{CasIds.RedisContainerId}/mount-id"));
    }

    [Fact]
    public void Write_OnTheRealDisk_GivesTheSameIds()
    {
        using var temp = new TempDirectory();
        var built = SampleRoots.Write(new FileSystem(), ImageStoreKind.ContentAddressed, temp.Path);

        Assert.Equal(SampleRoots.WriteInMemory(ImageStoreKind.ContentAddressed).ImageIds, built.ImageIds);
        Assert.Equal(SampleRoots.WriteInMemory(ImageStoreKind.ContentAddressed).LayerIds, built.LayerIds);
        Assert.Equal([CasIds.RedisId, CasIds.BusyboxId], DockerRoot.Open(new FileSystem(), temp.Path).GetImages().Select(i => i.Id));
    }

    [Fact]
    public void GetImages_Sample_ListsBusyboxAndRedisByTheirPinnedIds()
    {
        var images = Open().GetImages();
        Assert.Equal([(CasIds.RedisId, "redis:latest"), (CasIds.BusyboxId, "busybox:latest")], images.Select(i => (i.Id, Assert.Single(i.RepoTags))));
    }

    [Fact]
    public void Write_GraphKind_IsTheGraphEraSample()
    {
        var built = SampleRoots.Write(new MockFileSystem(), ImageStoreKind.Graph);
        var memory = SampleRoots.WriteInMemory(ImageStoreKind.Graph);

        Assert.Equal(SampleRoots.WriteInMemory().LayerIds, built.LayerIds);
        Assert.Equal(built.LayerIds, memory.ImageIds);
        Assert.Equal(ImageStoreKind.Graph, memory.Open().Store);
        Assert.Equal([SampleRoots.RedisId, SampleRoots.BusyboxId], built.Open().GetImages().Select(i => i.Id));
    }

    [Fact]
    public void ResolveImage_SampleBusybox_HasOneLayerAndItsCmdAsAnEmptyLayer()
    {
        var image = Open().ResolveImage("busybox");

        Assert.Single(image.Layers);
        Assert.Equal([true, false], image.History.Select(h => h.EmptyLayer));
        Assert.Equal(["/bin/sh -c #(nop)  CMD [\"sh\"]", "/bin/sh -c #(nop) ADD file:6cd9e761a7e0a9a2b6c8b2b4c0f8f4f4ee1d6cbbc6a2ae9b9fa4b77f0bd5b5f8 in / "],
            image.History.Select(h => h.CreatedBy));
        Assert.Equal(221L, image.Layers[0].Size);
    }

    [Fact]
    public void ResolveImage_SampleRedis_HasSixLayersAndTheGraphSamplesHistory()
    {
        var image = Open().ResolveImage("redis");
        var graph = OpenGraph().ResolveImage("redis");

        Assert.Equal(6, image.Layers.Count);
        Assert.Equal(16, image.History.Count);
        Assert.Equal(10, image.History.Count(h => h.EmptyLayer));
        Assert.Equal(graph.History.Select(h => h.CreatedBy), image.History.Select(h => h.CreatedBy));
        Assert.Equal(graph.History.Select(h => h.Created?.Value), image.History.Select(h => h.Created?.Value));
        Assert.Equal(graph.History.Where(h => h.Size > 0).Select(h => h.Size), image.History.Where(h => h.Size > 0).Select(h => h.Size));
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("busybox")]
    public void OpenImage_Sample_HasTheGraphSamplesFiles(string reference)
    {
        static IEnumerable<(string, UnixFileType, int, int, int, long, string?)> Files(UnionView view) =>
            view.EnumerateRecursive().Select(e => (e.Path, e.Type, e.Permissions, e.Uid, e.Gid, e.Size, e.LinkTarget)).OrderBy(e => e.Path, StringComparer.Ordinal);

        Assert.Equal(Files(OpenGraph().OpenImage(reference)), Files(Open().OpenImage(reference)));
    }

    [Fact]
    public void GetContainers_Sample_IsTheGraphSamplesContainerOnTheNewRedis()
    {
        var root = Open();
        var container = Assert.Single(root.GetContainers());

        Assert.Equal((CasIds.RedisContainerId, "redis-cache", "redis", CasIds.RedisId, ContainerStatus.Exited, CasIds.RedisMountId),
            (container.Id, container.Name, container.Image, container.ImageId, container.State.Status, container.LayerId));
        Assert.Equal(OpenGraph().OpenContainer("redis-cache").GetChanges().Select(c => c.ToString()), root.OpenContainer("redis-cache").GetChanges().Select(c => c.ToString()));
        Assert.Equal(8, root.OpenContainer("redis-cache").Branches.Count); // the container, its init layer, the 6 layers of redis
    }

    [Theory]
    [InlineData("busybox")]
    [InlineData("redis")]
    public void ComputeDigests_Sample_ReproducesThePinnedImageIds(string reference)
    {
        var root = Open();
        var digests = new ImageArchiver(root).ComputeDigests(reference, new ArchiveOptions { Source = LayerSource.TarSplit }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(root.ResolveImage(reference).Id, digests.ImageId);
        Assert.Equal(root.ResolveImage(reference).Layers.Reverse().Select(l => l.DiffId), digests.Layers.Select(l => l.DiffId));
    }

    [Fact]
    public void Check_Sample_HasNoFindings()
    {
        var built = SampleRoots.WriteInMemory(ImageStoreKind.ContentAddressed);
        var report = RootChecker.Check(built.FileSystem, built.Path, new DockerRootOptions { Metadata = built.Metadata }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Empty(report.Findings);
    }
}
