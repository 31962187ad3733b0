using System.IO.Abstractions;
using Docker.Aufs.Testing;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Root;

/// <summary>The sample written to a real directory reads back as in memory (that reading it never writes: <see cref="ReadOnlyGuaranteeTests"/>).</summary>
public sealed class OnDiskTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _root;

    public OnDiskTests()
    {
        _root = _temp.Combine("docker");
        SampleRoots.Write(new FileSystem(), _root);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void SampleOnDisk_ReadsBackLikeTheInMemorySample()
    {
        var disk = DockerRoot.Open(new FileSystem(), _root);
        var memory = SampleRoots.Write(new System.IO.Abstractions.TestingHelpers.MockFileSystem()).Open();

        Assert.IsType<LinuxMetadataProvider>(disk.Metadata);
        Assert.Equal(memory.Graph().GetImageIds(), disk.Graph().GetImageIds());
        Assert.Equal(
            memory.GetImages().Select(i => (i.Id, i.Size, i.VirtualSize, string.Join(',', i.RepoTags))),
            disk.GetImages().Select(i => (i.Id, i.Size, i.VirtualSize, string.Join(',', i.RepoTags))));
        Assert.Equal(SampleRoots.RedisLayers, disk.ResolveImage("redis").Layers.Select(l => l.Id));
        Assert.All(disk.ResolveImage("redis").Layers, l => Assert.True(Directory.Exists(l.ContentPath)));
    }

    [Fact]
    public void SampleOnDisk_HasRealHardlinksAndSymlinks()
    {
        var diff = Path.Combine(_root, "aufs", "diff", SampleRoots.BusyboxLayers[1], "bin");
        Assert.True(LinuxMetadataProvider.Instance.TryGetStatus(Path.Combine(diff, "sh"), out var sh));
        Assert.True(LinuxMetadataProvider.Instance.TryGetStatus(Path.Combine(diff, "busybox"), out var busybox));
        Assert.Equal(busybox.Inode, sh.Inode);
        Assert.Equal(5u, busybox.LinkCount);
        Assert.Equal("dash", new FileInfo(Path.Combine(_root, "aufs", "diff", SampleRoots.RedisLayers[^1], "bin", "sh")).LinkTarget);
    }
}
