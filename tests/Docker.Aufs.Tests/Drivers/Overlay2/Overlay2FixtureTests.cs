using System.IO.Abstractions;
using Docker.Aufs.Archive;
using Docker.Aufs.Tests.TestSupport;

[assembly: AssemblyFixture(typeof(Docker.Aufs.Tests.Drivers.Overlay2.Overlay2FixtureTests.ExtractedRoot))]

namespace Docker.Aufs.Tests.Drivers.Overlay2;

/// <summary>
/// The overlay2 driver on real data: docker-explorer-overlay2-root.tgz, a /var/lib/docker written by Docker 17.x on
/// overlay2 (a 1.10+ store in image/overlay2, an empty image/overlay beside it, five containers). What it must yield is in
/// the fixtures' README.
/// </summary>
public sealed class Overlay2FixtureTests
{
    private const string Busybox = "sha256:8ac48589692a53a9b8c2d1ceaa6b402665aa7fe667ba51ccc03002300856d8c7";
    private const string BusyboxDiffId = "sha256:0314be9edf00a925d59f9b88c9d8ccb34447ab677078874d8c14e7a6816e21e1";
    private const string BusyboxCacheId = "583c602e6bded61f85a9deb504a724d5cc7cce3902c8385a7620fe1c78ad3176";
    private const string Running = "8e8b7f23eb7cbd4dfe7e91646ddd0e0f524218e25d50113559f078dfb2690206";
    private const string RunningMountId = "92fd3b3e7d6101bb701743c9518c45b0d036b898c8a3d7cae84e1a06e6829b53";

    private readonly ExtractedRoot _fixture;

    public Overlay2FixtureTests(ExtractedRoot fixture)
    {
        _fixture = fixture;
    }

    private IDockerRoot Open() => DockerRoot.Open(new FileSystem(), _fixture.Path);

    [Fact]
    public void Open_TheOverlay2Root_ReadsImageOverlay2WithTheOverlay2DriverAndIgnoresTheEmptyOverlayDirectory()
    {
        var root = Open();

        Assert.Equal(ImageStoreKind.ContentAddressed, root.Store);
        Assert.Equal("overlay2", root.Driver);
    }

    [Fact]
    public void ResolveImage_BusyboxByTagAndByDigest_IsTheImageOfTheReadmeWithItsOneLayer()
    {
        var root = Open();

        var image = root.ResolveImage("busybox:latest");

        Assert.Equal(Busybox, image.Id);
        Assert.Equal(image.Id, root.ResolveImage("busybox@sha256:58ac43b2cc92c687a32c8be6278e50a063579655fe3090125dcb2af0ff9e1a64").Id);
        var layer = Assert.Single(image.Layers);
        Assert.Equal(BusyboxDiffId, layer.DiffId);
        Assert.Equal(BusyboxCacheId, layer.DriverLayerId);
        Assert.Equal(LayerContentFormat.OverlayChanges, layer.ContentFormat);
    }

    [Fact]
    public void GetContainers_ListsTheFiveContainersWithTheirStates()
    {
        var containers = Open().GetContainers().ToDictionary(c => c.Id[..12]);

        Assert.Equal(["10acac0b3466", "61ba4e6c012c", "8e8b7f23eb7c", "9949fa153b77", "f83f963c67cb"], containers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("festive_perlman", containers["8e8b7f23eb7c"].Name);
        Assert.True(containers["8e8b7f23eb7c"].State.Running);
        Assert.Equal(RunningMountId, containers["8e8b7f23eb7c"].LayerId);
        Assert.Equal(RunningMountId + "-init", containers["8e8b7f23eb7c"].InitLayerId);
        Assert.False(containers["10acac0b3466"].State.Running);
        Assert.All(containers.Values, c => Assert.Equal("overlay2", c.Driver));
    }

    [Fact]
    public void OpenContainer_TheRunningContainer_IsItsUpperOverItsInitLayerOverTheImage()
    {
        var root = Open();
        var driver = Path.Combine(_fixture.Path, "overlay2");
        string[] branches = [RunningMountId, RunningMountId + "-init", BusyboxCacheId];

        var view = root.OpenContainer("festive_perlman");
        Assert.Equal(view.LayerIds, root.OpenContainer(Running).LayerIds);

        Assert.Equal(branches, view.LayerIds);
        var expected = new SortedDictionary<string, string?>(StringComparer.Ordinal); // path → the top layer holding it (files)
        foreach (var branch in branches.Reverse())
        {
            var diff = Path.Combine(driver, branch, "diff");
            foreach (var path in Directory.EnumerateFileSystemEntries(diff, "*", SearchOption.AllDirectories))
            {
                var isDirectory = new FileInfo(path).LinkTarget is null && Directory.Exists(path);
                expected[Path.GetRelativePath(diff, path)] = isDirectory ? null : branch;
            }
        }

        var merged = view.EnumerateRecursive().ToDictionary(e => e.Path, e => e.LayerId);
        Assert.Equal(expected.Keys, merged.Keys.Order(StringComparer.Ordinal));
        Assert.All(expected.Where(e => e.Value is not null), e => Assert.Equal(e.Value, merged[e.Key]));
        Assert.Equal("A /tets", Assert.Single(view.GetChanges()).ToString());
    }

    [Fact]
    public void ComputeDigests_Busybox_ReassemblesTheOverlay2LayerToTheDiffIdOfLayerdb()
    {
        var digests = new ImageArchiver(Open()).ComputeDigests("busybox", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(Busybox, digests.ImageId);
        var layer = Assert.Single(digests.Layers);
        Assert.Equal(BusyboxDiffId, layer.DiffId);
        Assert.Equal(LayerSource.TarSplit, layer.Source);
    }

    [Fact]
    public void OpenLayer_ByMountId_FollowsTheLowerFileThroughItsShortNameLinks()
    {
        var view = Open().OpenLayer(RunningMountId);

        Assert.Equal([RunningMountId, RunningMountId + "-init", BusyboxCacheId], view.LayerIds);
    }

    /// <summary>The fixture extracted once into a temporary directory for the whole test run.</summary>
    public sealed class ExtractedRoot : IDisposable
    {
        private readonly TempDirectory _directory = new();

        public ExtractedRoot()
        {
            TarExtraction.ExtractGzip(Fixtures.Path("docker-explorer-overlay2-root.tgz"), _directory.Path);
        }

        /// <summary>Gets the Docker root (the archive's <c>docker/</c>).</summary>
        public string Path => System.IO.Path.Combine(_directory.Path, "docker");

        public void Dispose() => _directory.Dispose();
    }
}
