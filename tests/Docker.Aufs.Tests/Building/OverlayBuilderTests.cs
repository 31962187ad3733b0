using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Archive;
using Docker.Aufs.IO;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Building;

/// <summary>
/// Overlay (v1) roots written by the Testing package, in both eras: laid out as Docker lays them out (image layers
/// <c>root/</c> sharing inodes with their parent's, container layers <c>upper/</c> and <c>lower-id</c>), with the tars,
/// DiffIDs and image IDs of the AUFS root of the same content.
/// </summary>
public sealed class OverlayBuilderTests
{
    public static TheoryData<ImageStoreKind> Stores => [ImageStoreKind.ContentAddressed, ImageStoreKind.Graph];

    /// <summary>A base with <c>keep</c>, <c>change</c> and <c>gone</c>; a child that changes <c>change</c>, deletes <c>gone</c> and adds <c>new</c>; a container that adds a file.</summary>
    private static (BuiltRoot Root, string Image, string Container) Write(IFileSystem fs, string path, ImageStoreKind store, string driver)
    {
        var builder = new DockerRootBuilder(fs, store, driver, path, fs is MockFileSystem ? SpecialFileMode.Recorded : SpecialFileMode.Auto);
        var graph = store == ImageStoreKind.Graph;
        var bottom = builder.AddLayer(l => (graph ? l.Id(Ids.Of("overlay-base")) : l).CreatedBy("#(nop) ADD file:base in /")
            .File("keep", "keep\n").File("change", "before\n").File("gone", "gone\n").Directory("etc").File("etc/motd", "hi\n"));
        var top = builder.AddLayer(l => (graph ? l.Id(Ids.Of("overlay-top")) : l).Parent(bottom).CreatedBy("echo")
            .File("change", "after\n").Whiteout("gone").File("new", "new\n"));
        builder.Tag("app:latest", top);
        var container = builder.AddContainer(c => c.Id(Ids.Of("overlay-container")).Name("worker").Image(top, "app").Changes(l => l.File("data", "data\n")));
        return (builder.Build(), top, container);
    }

    private static string Cache(BuiltRoot root, IDockerRoot docker, string image, int layer) =>
        docker.ResolveImage(image).Layers[layer].DriverLayerId;

    [Theory]
    [MemberData(nameof(Stores))]
    public void OnDisk_AnImageLayersRootSharesTheInodesOfItsParentsUnchangedFilesAndKeepsNoUpper(ImageStoreKind store)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "hard links and lstat are read natively on Linux");
        using var temp = new TempDirectory();
        var (built, image, container) = Write(new FileSystem(), temp.Path, store, "overlay");
        var docker = DockerRoot.Open(new FileSystem(), temp.Path);
        var child = Cache(built, docker, image, 0);
        var parent = Cache(built, docker, image, 1);
        string Overlay(string relative) => temp.Combine("overlay", relative);

        Assert.True(LinuxNative.TryLstat(Overlay(parent + "/root/keep"), out var parentKeep));
        Assert.True(LinuxNative.TryLstat(Overlay(child + "/root/keep"), out var childKeep));
        Assert.True(LinuxNative.TryLstat(Overlay(child + "/root/change"), out var childChange));
        Assert.True(LinuxNative.TryLstat(Overlay(parent + "/root/change"), out var parentChange));
        Assert.Equal(parentKeep.Inode, childKeep.Inode);
        Assert.Equal(2u, childKeep.LinkCount);
        Assert.NotEqual(parentChange.Inode, childChange.Inode);
        Assert.False(File.Exists(Overlay(child + "/root/gone")));
        Assert.False(Directory.Exists(Overlay(child + "/upper")));
        Assert.False(File.Exists(Overlay(child + "/lower-id")));

        var mount = docker.OpenContainer(container).LayerIds[0];
        Assert.Equal(child, File.ReadAllText(Overlay(mount + "/lower-id")));
        Assert.Equal(child, File.ReadAllText(Overlay(mount + "-init/lower-id")));
        Assert.True(File.Exists(Overlay(mount + "/upper/etc/hostname"))); // the init layer's file, copied
        Assert.Equal(["A /data"], docker.OpenContainer(container).GetChanges().Select(c => c.ToString()));
        Assert.Equal(["C /change", "D /gone", "A /new"], docker.OpenImage(image).GetChanges().Select(c => c.ToString()));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public void InMemory_TheDigestsAndImageIdAreThoseOfTheAufsRootOfTheSameContent(ImageStoreKind store)
    {
        var (overlay, image, _) = Write(new MockFileSystem(), "/var/lib/docker", store, "overlay");
        var (aufs, aufsImage, _) = Write(new MockFileSystem(), "/var/lib/docker", store, "aufs");

        var overlayDigests = new ImageArchiver(overlay.Open()).ComputeDigests(image, cancellationToken: TestContext.Current.CancellationToken);
        var aufsDigests = new ImageArchiver(aufs.Open()).ComputeDigests(aufsImage, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(aufsImage, image);
        Assert.Equal(aufsDigests.ImageId, overlayDigests.ImageId);
        Assert.Equal(aufsDigests.Layers.Select(l => l.DiffId), overlayDigests.Layers.Select(l => l.DiffId));
        Assert.All(overlayDigests.Layers, l => Assert.Equal(LayerSource.TarSplit, l.Source));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public void InMemory_AnImageLayersRootIsRecordedWithItsParentsInodes(ImageStoreKind store)
    {
        var (built, image, container) = Write(new MockFileSystem(), "/var/lib/docker", store, "overlay");
        var docker = built.Open();
        var child = Cache(built, docker, image, 0);
        var parent = Cache(built, docker, image, 1);

        Assert.True(built.Metadata.TryGetStatus($"/var/lib/docker/overlay/{parent}/root/keep", out var parentKeep));
        Assert.True(built.Metadata.TryGetStatus($"/var/lib/docker/overlay/{child}/root/keep", out var childKeep));
        Assert.True(built.Metadata.TryGetStatus($"/var/lib/docker/overlay/{child}/root/change", out var childChange));
        Assert.Equal(parentKeep.Inode, childKeep.Inode);
        Assert.NotEqual(parentKeep.Inode, childChange.Inode);
        Assert.Equal(["change", "etc", "keep", "new"], docker.OpenImage(image).ListDirectory("/").Select(e => e.Name));
        Assert.Equal(["A /data"], docker.OpenContainer(container).GetChanges().Select(c => c.ToString()));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public void OpenContainer_WhoseOverlayLayerIsGone_FailsNamingTheLayersDirectoryNotAnAufsFile(ImageStoreKind store)
    {
        var (built, _, container) = Write(new MockFileSystem(), "/var/lib/docker", store, "overlay");
        var docker = built.Open();
        var mount = docker.OpenContainer(container).LayerIds[0];
        built.FileSystem.Directory.Delete("/var/lib/docker/overlay/" + mount, recursive: true);

        var e = Assert.Throws<BrokenLayerChainException>(() => built.Open().OpenContainer(container));

        Assert.Equal("/var/lib/docker/overlay/" + mount, e.Path);
        Assert.Contains("has no overlay layer", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("layers file", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public void Fsck_OfAHealthyOverlayRoot_IsClean(ImageStoreKind store)
    {
        var (built, _, _) = Write(new MockFileSystem(), "/var/lib/docker", store, "overlay");

        var report = RootChecker.Check(built.FileSystem, built.Path, new DockerRootOptions { Metadata = built.Metadata }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(report.IsClean, string.Join('\n', report.Findings));
    }

    /// <summary>The graph-era checks of a driver's files ran only for a driver that records each layer's ancestors (aufs): on overlay and vfs nothing was checked.</summary>
    [Theory]
    [InlineData("vfs")]
    [InlineData("overlay")]
    public void Fsck_OfAGraphEraRootOnADriverWithoutAncestorRecords_ReportsMissingLayersMissingContainerLayersAndOrphans(string driver)
    {
        var (built, image, container) = Write(new MockFileSystem(), "/var/lib/docker", ImageStoreKind.Graph, driver);
        var fs = built.FileSystem;
        var layers = driver == "overlay" ? "/var/lib/docker/overlay/" : "/var/lib/docker/vfs/dir/";
        var files = driver == "overlay" ? "/root" : string.Empty;
        fs.Directory.Delete(layers + image + files, recursive: true);
        fs.Directory.Delete(layers + container, recursive: true);
        built.Metadata.Forget(layers + image + files); // what the builder recorded of them goes with them
        built.Metadata.Forget(layers + container);
        var orphan = new string('f', 64);
        fs.Directory.CreateDirectory(layers + orphan + files);

        var findings = RootChecker.Check(fs, built.Path, new DockerRootOptions { Metadata = built.Metadata }, cancellationToken: TestContext.Current.CancellationToken).Findings;

        Assert.Contains(findings, driver == "overlay"
            ? f => f.Code == FindingCodes.DiffMissing && f.Path == layers + image + files // overlay/<id>/ is there, its root/ is not
            : f => f.Code == FindingCodes.GraphWithoutDriverData && f.Path == "/var/lib/docker/graph/" + image); // vfs: the layer is its directory
        Assert.Contains(findings, f => f.Code == FindingCodes.ContainerLayerMissing);
        Assert.Contains(findings, f => f.Code == FindingCodes.OrphanDriverLayer && f.Path == layers + orphan + files);
    }

    [Fact]
    public void Builder_OfOverlay2InTheGraphEra_IsRefused() =>
        Assert.Throws<ArgumentException>(() => new DockerRootBuilder(new MockFileSystem(), ImageStoreKind.Graph, "overlay2", null, SpecialFileMode.Recorded));
}
