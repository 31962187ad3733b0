using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Archive;
using Docker.Aufs.IO;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;
using CasIds = Docker.Aufs.Testing.SampleRoots.ContentAddressedIds;

namespace Docker.Aufs.Tests.Building;

/// <summary>
/// The builder writing a Docker 1.10+ root on vfs: each layer the parent's whole tree with the layer's changes applied, so
/// image IDs, DiffIDs, merged views and <c>docker diff</c> are what the same root on AUFS gives.
/// </summary>
public sealed class VfsBuilderTests
{
    private static BuiltRoot WriteVfs(IFileSystem? fileSystem = null, string? path = null, SpecialFileMode mode = SpecialFileMode.Recorded) =>
        SampleRoots.Write(new DockerRootBuilder(fileSystem ?? new MockFileSystem(), ImageStoreKind.ContentAddressed, "vfs", path, mode));

    [Fact]
    public void Check_TheSampleOnVfs_FindsNothing()
    {
        var built = WriteVfs();

        var report = RootChecker.Check(built.FileSystem, built.Path, new DockerRootOptions { Metadata = built.Metadata }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Empty(report.Findings);
    }

    [Fact]
    public void Sample_OnVfs_HasTheImageIdsOfTheSampleOnAufs()
    {
        var built = WriteVfs();

        Assert.Equal("vfs", built.Open().Driver);
        Assert.Equal(SampleRoots.WriteInMemory(ImageStoreKind.ContentAddressed).ImageIds, built.ImageIds);
        Assert.Equal([CasIds.RedisId, CasIds.BusyboxId], built.Open().GetImages().Select(i => i.Id));
    }

    [Theory]
    [InlineData("busybox")]
    [InlineData("redis")]
    public void OpenImage_OnVfs_ShowsWhatTheSameImageShowsOnAufs(string image)
    {
        var aufs = SampleRoots.WriteInMemory(ImageStoreKind.ContentAddressed).Open();

        Assert.Equal(AufsViews.Describe(aufs.OpenImage(image)), AufsViews.Describe(WriteVfs().Open().OpenImage(image)));
    }

    [Fact]
    public void Container_OnVfs_HasTheViewAndChangesOfTheContainerOnAufs()
    {
        var vfs = WriteVfs().Open();
        var aufs = SampleRoots.WriteInMemory(ImageStoreKind.ContentAddressed).Open();

        var view = vfs.OpenContainer(SampleRoots.RedisContainerName);

        Assert.Equal(AufsViews.Describe(aufs.OpenContainer(SampleRoots.RedisContainerName)), AufsViews.Describe(view));

        // The naive diff reports every directory holding a change, up to the top, where AUFS reports the ones it copied up and changed.
        Assert.Equal(
            ["C /data", "A /data/dump.rdb", "C /root", "A /root/.rediscli_history", "C /usr", "C /usr/local", "C /usr/local/bin", "D /usr/local/bin/redis-benchmark"],
            view.GetChanges().Select(c => c.ToString()));
        Assert.Equal(
            ["C /data", "A /data/dump.rdb", "C /root", "A /root/.rediscli_history", "C /usr/local/bin", "D /usr/local/bin/redis-benchmark"],
            aufs.OpenContainer(SampleRoots.RedisContainerName).GetChanges().Select(c => c.ToString()));
    }

    [Fact]
    public void ComputeDigests_OnVfs_ReassemblesEveryLayerFromItsWholeTreeToTheDiffIdOfLayerdb()
    {
        var token = TestContext.Current.CancellationToken;
        var digests = new ImageArchiver(WriteVfs().Open()).ComputeDigests("redis", cancellationToken: token);
        var onAufs = new ImageArchiver(SampleRoots.WriteInMemory(ImageStoreKind.ContentAddressed).Open()).ComputeDigests("redis", cancellationToken: token);

        Assert.Equal(CasIds.RedisId, digests.ImageId);
        Assert.Equal(onAufs.Layers.Select(l => l.DiffId), digests.Layers.Select(l => l.DiffId));
        Assert.All(digests.Layers, l => Assert.Equal(LayerSource.TarSplit, l.Source));
    }

    [Fact]
    public void Trees_OnVfs_HoldNoWhiteoutsAndNoStagingLeftovers()
    {
        var built = WriteVfs();
        var fs = built.FileSystem;
        var trees = fs.Directory.EnumerateDirectories("/var/lib/docker/vfs/dir").ToList();

        Assert.All(trees, t => Assert.Matches("/[0-9a-f]{64}(-init)?$", t));
        Assert.DoesNotContain(trees.SelectMany(t => fs.Directory.EnumerateFileSystemEntries(t, "*", SearchOption.AllDirectories)), e => Path.GetFileName(e).StartsWith(".wh.", StringComparison.Ordinal));
    }

    [Fact]
    public void Sample_OnVfsOnTheRealDisk_ReadsBackLikeTheRecordedOne()
    {
        Assert.SkipUnless(Environment.UserName == "root", "the sample's files have other owners: chown needs root");
        using var temp = new TempDirectory();

        WriteVfs(new FileSystem(), temp.Path, SpecialFileMode.Native);
        var onDisk = DockerRoot.Open(new FileSystem(), temp.Path);

        Assert.Equal(AufsViews.Describe(WriteVfs().Open().OpenImage("redis")), AufsViews.Describe(onDisk.OpenImage("redis")));
        Assert.Equal(WriteVfs().Open().OpenContainer(SampleRoots.RedisContainerName).GetChanges(), onDisk.OpenContainer(SampleRoots.RedisContainerName).GetChanges());
    }
}
