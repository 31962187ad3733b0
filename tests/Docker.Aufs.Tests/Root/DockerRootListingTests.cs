using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Testing;
using Docker.Aufs.Stores.Graph;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.IO;

namespace Docker.Aufs.Tests.Root;

/// <summary>
/// GetImages reads large roots on the real file system with several threads and in-memory ones on one: both must give the
/// same images, the same warnings in the same order, and the same exceptions.
/// </summary>
public sealed class DockerRootListingTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(GraphStore.ParallelListingThreshold - 10)]
    [InlineData(GraphStore.ParallelListingThreshold * 3)]
    public void GetImages_RealDiskAndMemory_GiveTheSameImagesAndWarningsInTheSameOrder(int layers)
    {
        var onDisk = Build(new FileSystem(), _temp.Combine("docker"), layers);
        var inMemory = Build(new MockFileSystem(), "/var/lib/docker", layers);
        var diskLog = new ListLoggerFactory();
        var memoryLog = new ListLoggerFactory();

        var fromDisk = onDisk.Open(new DockerRootOptions { LoggerFactory = diskLog }).GetImages();
        var fromMemory = inMemory.Open(new DockerRootOptions { LoggerFactory = memoryLog }).GetImages();

        Assert.Equal(Describe(fromMemory), Describe(fromDisk));
        Assert.NotEmpty(diskLog.Warnings);
        Assert.Equal(memoryLog.Warnings.Select(w => w.Replace("/var/lib/docker", _temp.Combine("docker"), StringComparison.Ordinal)), diskLog.Warnings);
    }

    [Theory]
    [InlineData(GraphStore.ParallelListingThreshold - 10)]
    [InlineData(GraphStore.ParallelListingThreshold * 3)]
    public void GetImages_LayerJsonThatIsALinkLoop_IsRefusedAndOnlyThatImageIsSkipped(int layers)
    {
        var root = Build(new FileSystem(), _temp.Combine("docker"), layers);
        var victim = root.LayerIds[layers / 2];
        var json = _temp.Combine("docker", "graph", victim, "json");
        File.Delete(json);
        File.CreateSymbolicLink(json, json); // a loop: Docker never writes a link there, so it is refused, not opened
        var log = new ListLoggerFactory();

        var images = root.Open(new DockerRootOptions { LoggerFactory = log }).GetImages();

        Assert.DoesNotContain(images, i => i.Id == victim);
        Assert.Contains(log.Warnings, w => w.Contains(victim, StringComparison.Ordinal) && w.Contains("symbolic link", StringComparison.Ordinal));
    }

    [Fact]
    public void GetImages_AfterGetLayer_ReusesTheLayerAlreadyRead()
    {
        var root = Build(new FileSystem(), _temp.Combine("docker"), GraphStore.ParallelListingThreshold * 2);
        var opened = root.Open();
        var first = opened.GetImages();
        var top = opened.Graph().ReadLayer(first[0].Id);

        Assert.Equal(Describe(first), Describe(opened.GetImages()));
        Assert.Same(top, opened.Graph().ReadLayer(first[0].Id));
    }

    [Fact]
    public void TryReadForListing_AgreesWithReadOnEveryKindOfLayer()
    {
        var fileSystem = new MockFileSystem();
        var builder = new DockerRootBuilder(fileSystem, "/var/lib/docker", SpecialFileMode.Recorded);
        var parent = builder.AddLayer(l => l.Id(Ids.Of("p")).File("a", "a"));
        var other = builder.AddLayer(l => l.Id(Ids.Of("o")));
        builder.AddLayer(l => l.Id(Ids.Of("plain")).Parent(parent));
        builder.AddLayer(l => l.Id(Ids.Of("strong")).Parent(parent).StrongIdJson().ParentFile(other + "\n").Checksum("sha256:" + new string('0', 64))
            .V1Compatibility("{}"));
        builder.AddLayer(l => l.Id(Ids.Of("parent-id")).StrongIdJson().Image(i => i with { ParentId = "sha256:" + parent }));
        builder.AddLayer(l => l.Id(Ids.Of("bad-parent-file")).ParentFile("../../etc"));
        builder.AddLayer(l => l.Id(Ids.Of("no-size")).WithoutLayerSize());
        builder.AddLayer(l => l.Id(Ids.Of("bad-size")).RawLayerSize(" 12\n"));
        builder.AddLayer(l => l.Id(Ids.Of("null-json")).RawJson("null"));
        builder.AddLayer(l => l.Id(Ids.Of("wrong-id")).Image(i => i with { Id = Ids.Of("else") }));
        builder.AddLayer(l => l.Id(Ids.Of("bad-json")).RawJson("{\"config\":5}"));
        var root = builder.Build();
        fileSystem.File.Delete(fileSystem.Path.Combine(root.Path, "graph", Ids.Of("null-json"), "layersize"));
        var graph = fileSystem.Path.Combine(root.Path, "graph");

        foreach (var id in root.LayerIds)
        {
            string expected;
            try
            {
                var layer = Docker.Aufs.Stores.Graph.GraphLayer.Read(fileSystem, graph, id);
                expected = $"{layer.Parent} {layer.Image.Created:O} {layer.Size}";
            }
            catch (DockerDataException)
            {
                expected = "(read fails)";
            }

            var light = Docker.Aufs.Stores.Graph.GraphLayer.TryReadForListing(fileSystem, graph, id);
            Assert.True(light is null || expected == $"{light.Value.Parent} {light.Value.Created:O} {light.Value.Size}", id);
            Assert.True(light is not null || expected == "(read fails)" || id == Ids.Of("no-size") || id == Ids.Of("null-json"), id);
        }
    }

    [Fact]
    public void GetImages_DanglingParentLink_IsRefusedAndTheImageSkipped()
    {
        var root = Build(new FileSystem(), _temp.Combine("docker"), 20);
        var parent = _temp.Combine("docker", "graph", root.LayerIds[5], "parent");
        File.CreateSymbolicLink(parent, "/nonexistent/parent");
        var log = new ListLoggerFactory();

        var images = root.Open(new DockerRootOptions { LoggerFactory = log }).GetImages();

        Assert.DoesNotContain(images, i => i.Id == root.LayerIds[5]);
        Assert.Contains(log.Warnings, w => w.Contains(parent, StringComparison.Ordinal));
    }

    [Fact]
    public void GetImages_OversizedChecksum_DoesNotHideTheImage_AsDockersRestoreDoesNotReadIt()
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), "/var/lib/docker", SpecialFileMode.Recorded);
        var id = builder.AddLayer(l => l.Checksum(new string('x', 10_000)).V1Compatibility("{}"));
        builder.Tag("odd:latest", id);
        var root = builder.Build().Open();

        Assert.Equal(["odd:latest"], Assert.Single(root.GetImages()).RepoTags);
        Assert.Throws<CorruptFileException>(() => root.Graph().ReadLayer(id)); // GetLayer reads every file, and says so
    }

    private static BuiltRoot Build(IFileSystem fileSystem, string path, int layers)
    {
        var builder = new DockerRootBuilder(fileSystem, path, SpecialFileMode.Recorded);
        string? parent = null;
        for (var i = 0; i < layers; i++)
        {
            var n = i;
            var newChain = i % 7 == 0;
            var id = builder.AddLayer(l =>
            {
                l.Id(Ids.Of("listing-" + n)).Parent(newChain ? null : parent).CreatedBy("step " + n).File("f" + n, new string('x', n));
                switch (n % 11)
                {
                    case 3:
                        l.RawJson("{\"id\":"); // truncated: skipped with a warning
                        break;
                    case 5:
                        l.RawLayerSize("12 34"); // size unknown
                        break;
                    case 8:
                        l.WithoutLayerSize();
                        break;
                }
            });
            if (n % 4 == 0)
            {
                builder.Tag($"app{n % 3}:v{n}", id);
            }

            parent = id;
        }

        builder.Tag("gone:latest", Ids.Of("not-an-image-of-this-root"));
        return builder.Build();
    }

    private static List<string> Describe(IReadOnlyList<ImageSummary> images) =>
        [.. images.Select(i => $"{i.Id} {i.ParentId} {i.Created:O} {i.Size} {i.VirtualSize} {string.Join(',', i.RepoTags)} {string.Join(',', i.RepoDigests)}")];
}
