using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.IO;

namespace Docker.Aufs.Tests.Building;

/// <summary>The built-in sample root has one stopped container of redis; its images stay exactly as they were.</summary>
public sealed class SampleRootContainerTests
{
    private static IDockerRoot Open() => SampleRoots.Write(new MockFileSystem(), DockerRoot.DefaultPath, SpecialFileMode.Recorded).Open();

    [Fact]
    public void GetContainers_Sample_ListsTheStoppedRedisContainer()
    {
        var container = Assert.Single(Open().GetContainers());

        Assert.Equal(SampleRoots.RedisContainerId, container.Id);
        Assert.Equal(("redis-cache", "redis", SampleRoots.RedisId, ContainerStatus.Exited, "aufs"), (container.Name, container.Image, container.ImageId, container.State.Status, container.Driver));
        Assert.Equal("docker-entrypoint.sh redis-server", container.Command);
        Assert.Equal(0, container.State!.ExitCode);
    }

    [Fact]
    public void GetContainerChanges_Sample_ShowsWhatTheContainerDid()
    {
        // /usr and /usr/local were copied up unchanged (same mode, size and time as the image's): not reported.
        Assert.Equal(
            ["C /data", "A /data/dump.rdb", "C /root", "A /root/.rediscli_history", "C /usr/local/bin", "D /usr/local/bin/redis-benchmark"],
            Open().OpenContainer(SampleRoots.RedisContainerId[..12]).GetChanges().Select(c => c.ToString()));
    }

    [Fact]
    public void GetContainerView_Sample_MergesTheContainerOnRedis()
    {
        var view = Open().OpenContainer("redis-cache");

        Assert.Equal(18, view.Branches.Count); // the container, its init layer, the 16 layers of redis
        Assert.Equal((999, 999), (view.GetEntry("data/dump.rdb").Uid, view.GetEntry("data/dump.rdb").Gid));
        Assert.False(view.TryGetEntry("usr/local/bin/redis-benchmark", followSymbolicLinks: false, out _));
        Assert.True(view.TryGetEntry("usr/local/bin/redis-cli", followSymbolicLinks: false, out _));
        Assert.Equal("redis-server", view.GetEntry("usr/local/bin/redis-check-aof").LinkTarget);
    }

    [Fact]
    public void GetImages_SampleWithItsContainer_StillHasTheSameImagesAndLayers()
    {
        var root = Open();

        Assert.Equal([SampleRoots.RedisId, SampleRoots.BusyboxId], root.GetImages().Select(i => i.Id));
        Assert.Equal(SampleRoots.RedisLayers, root.ResolveImage("redis").Layers.Select(l => l.Id));
        Assert.Equal(SampleRoots.BusyboxLayers, root.ResolveImage("busybox").Layers.Select(l => l.Id));
        Assert.Equal(18, root.Graph().GetImageIds().Count);
    }
}
