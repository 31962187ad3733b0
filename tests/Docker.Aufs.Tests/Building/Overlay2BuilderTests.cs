using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Archive;
using Docker.Aufs.Drivers;
using Docker.Aufs.IO;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;
using CasIds = Docker.Aufs.Testing.SampleRoots.ContentAddressedIds;

namespace Docker.Aufs.Tests.Building;

/// <summary>
/// The builder writing a Docker 1.12+ root on overlay2: layers unpacked as Docker's overlay2 <c>ApplyDiff</c> leaves them,
/// so everything read from it — image IDs, DiffIDs, merged views, <c>docker diff</c> — is what the same root on AUFS gives.
/// </summary>
public sealed class Overlay2BuilderTests
{
    private const string Root = "/var/lib/docker";

    private static BuiltRoot WriteOverlay2(IFileSystem? fileSystem = null, string? path = null, SpecialFileMode mode = SpecialFileMode.Recorded) =>
        SampleRoots.Write(new DockerRootBuilder(fileSystem ?? new MockFileSystem(), ImageStoreKind.ContentAddressed, "overlay2", path, mode));

    [Fact]
    public void Check_TheSampleOnOverlay2_FindsNothing()
    {
        var built = WriteOverlay2();

        var report = RootChecker.Check(built.FileSystem, built.Path, new DockerRootOptions { Metadata = built.Metadata }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Empty(report.Findings);
    }

    [Fact]
    public void Sample_OnOverlay2_HasTheImageIdsOfTheSampleOnAufs()
    {
        var built = WriteOverlay2();
        var root = built.Open();

        Assert.Equal("overlay2", root.Driver);
        Assert.Equal(ImageStoreKind.ContentAddressed, root.Store);
        Assert.Equal(SampleRoots.WriteInMemory(ImageStoreKind.ContentAddressed).ImageIds, built.ImageIds);
        Assert.Equal([CasIds.RedisId, CasIds.BusyboxId], root.GetImages().Select(i => i.Id));
    }

    [Theory]
    [InlineData("busybox")]
    [InlineData("redis")]
    public void OpenImage_OnOverlay2_ShowsWhatTheSameImageShowsOnAufs(string image)
    {
        var overlay2 = WriteOverlay2().Open();
        var aufs = SampleRoots.WriteInMemory(ImageStoreKind.ContentAddressed).Open();

        Assert.Equal(AufsViews.Describe(aufs.OpenImage(image)), AufsViews.Describe(overlay2.OpenImage(image)));
    }

    [Fact]
    public void Container_OnOverlay2_HasTheViewAndChangesOfTheContainerOnAufs()
    {
        var overlay2 = WriteOverlay2().Open();
        var aufs = SampleRoots.WriteInMemory(ImageStoreKind.ContentAddressed).Open();

        var view = overlay2.OpenContainer(SampleRoots.RedisContainerName);

        Assert.Equal(AufsViews.Describe(aufs.OpenContainer(SampleRoots.RedisContainerName)), AufsViews.Describe(view));
        Assert.Equal(aufs.OpenContainer(SampleRoots.RedisContainerName).GetChanges(), view.GetChanges());
        Assert.Contains(view.GetChanges(), c => c.ToString() == "D /usr/local/bin/redis-benchmark");
        Assert.Equal("overlay2", overlay2.ResolveContainer(SampleRoots.RedisContainerName).Driver);
    }

    [Fact]
    public void ComputeDigests_OnOverlay2_ReassemblesEveryLayerToTheDiffIdOfLayerdb()
    {
        var digests = new ImageArchiver(WriteOverlay2().Open()).ComputeDigests("redis", cancellationToken: TestContext.Current.CancellationToken);
        var onAufs = new ImageArchiver(SampleRoots.WriteInMemory(ImageStoreKind.ContentAddressed).Open()).ComputeDigests("redis", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(CasIds.RedisId, digests.ImageId);
        Assert.Equal(onAufs.Layers.Select(l => l.DiffId), digests.Layers.Select(l => l.DiffId));
        Assert.All(digests.Layers, l => Assert.Equal(LayerSource.TarSplit, l.Source));
    }

    [Fact]
    public void LayerDirectories_OnOverlay2_HoldWhiteoutsAsDevicesAndOpaqueDirectoriesByAttribute()
    {
        var built = WriteOverlay2();
        var fs = built.FileSystem;
        var metadata = built.Metadata;
        var layers = fs.Directory.EnumerateDirectories(Root + "/overlay2").Where(d => !d.EndsWith("/l", StringComparison.Ordinal)).ToList();
        var entries = layers.SelectMany(l => fs.Directory.EnumerateFileSystemEntries(l + "/diff", "*", SearchOption.AllDirectories)).ToList();

        Assert.DoesNotContain(entries, e => Path.GetFileName(e).StartsWith(".wh.", StringComparison.Ordinal));
        var whiteouts = entries.Where(e => metadata.TryGetStatus(e, out var s) && OverlayBranches.IsWhiteout(s)).Select(e => e[(e.IndexOf("/diff/", StringComparison.Ordinal) + 6)..]).Order(StringComparer.Ordinal);
        Assert.Equal(["usr/local/bin/redis-benchmark", "var/cache/debconf/templates.dat-old", "var/lib/apt/lists/deb.debian.org_debian_dists_stretch_InRelease"], whiteouts);
        var opaque = entries.Where(e => ((IExtendedAttributeReader)metadata).TryGetAttribute(e, OverlayBranches.OpaqueAttribute, out _) == AttributeAnswer.Present);
        Assert.Equal("var/lib/apt/lists", Assert.Single(opaque)[(Assert.Single(opaque).IndexOf("/diff/", StringComparison.Ordinal) + 6)..]);
        Assert.All(layers, l => Assert.Matches("^[A-Z2-7]{26}$", fs.File.ReadAllText(l + "/link")));
    }

    [Fact]
    public void Sample_OnOverlay2OnTheRealDisk_ReadsBackLikeTheRecordedOne()
    {
        Assert.SkipUnless(LinuxNativeIsRoot(), "whiteouts on disk are character devices: mknod needs root");
        using var temp = new TempDirectory();

        var built = WriteOverlay2(new FileSystem(), temp.Path, SpecialFileMode.Native);
        var onDisk = DockerRoot.Open(new FileSystem(), temp.Path);

        Assert.Equal(WriteOverlay2().ImageIds, built.ImageIds);
        Assert.Equal(AufsViews.Describe(WriteOverlay2().Open().OpenImage("redis")), AufsViews.Describe(onDisk.OpenImage("redis")));
        Assert.Equal(
            WriteOverlay2().Open().OpenContainer(SampleRoots.RedisContainerName).GetChanges(),
            onDisk.OpenContainer(SampleRoots.RedisContainerName).GetChanges());
    }

    [Theory]
    [InlineData("overlay2", ImageStoreKind.Graph)]
    [InlineData("devicemapper", ImageStoreKind.ContentAddressed)]
    [InlineData("", ImageStoreKind.ContentAddressed)]
    public void Constructor_ADriverTheBuilderCannotWriteWithThatStore_IsRefused(string driver, ImageStoreKind store)
    {
        var e = Assert.Throws<ArgumentException>(() => new DockerRootBuilder(new MockFileSystem(), store, driver, null, SpecialFileMode.Recorded));

        Assert.Equal("driver", e.ParamName);
    }

    [Fact]
    public void SampleRootsWrite_ABuilderThatAlreadyHasLayers_IsRefused()
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), ImageStoreKind.ContentAddressed, "overlay2", null, SpecialFileMode.Recorded);
        builder.AddLayer(l => l.File("a", "a"));

        Assert.Throws<InvalidOperationException>(() => SampleRoots.Write(builder));
    }

    private static bool LinuxNativeIsRoot() => Environment.UserName == "root";
}
