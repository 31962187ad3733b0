using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Archive;
using Docker.Aufs.Drivers;
using Docker.Aufs.Drivers.Overlay2;
using Docker.Aufs.IO;
using Docker.Aufs.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Docker.Aufs.Tests.Drivers.Overlay2;

/// <summary>
/// Deep overlay2 chains (issue 12 item 7). Docker's layer store creates at most 125 layers (moby <c>layer/layer_store.go</c>
/// <c>maxLayerDepth</c>), overlay2's <c>Create</c> refuses a <c>lower</c> of more than 128 entries ("max depth exceeded",
/// moby v18.09.0 and v23.0.0 <c>daemon/graphdriver/overlay2/overlay.go</c> <c>getLower</c>), but nothing that reads
/// <c>lower</c> (<c>getLowerDirs</c>, <c>Get</c>) counts its entries: a longer one is read entry by entry. So is it here.
/// </summary>
public sealed class DeepLowerChainTests
{
    private const string Root = "/var/lib/docker";

    private static string Id(int i) => i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Writes <paramref name="depth"/> layers, each on the previous one with its own file <c>/f&lt;i&gt;</c>; returns the driver.</summary>
    private static Overlay2Driver WriteChain(MockFileSystem fs, RecordedMetadataProvider metadata, int depth)
    {
        var driver = new Overlay2Driver(new DriverContext(fs, Root, Root + "/overlay2", metadata, NullLogger.Instance));
        for (var i = 1; i <= depth; i++)
        {
            var diff = driver.CreateLayer(Id(i), i == 1 ? null : Id(i - 1));
            fs.AddFile($"{diff}/f{i}", new MockFileData(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return driver;
    }

    [Theory]
    [InlineData(125)]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(129)]
    [InlineData(130)]
    public void OpenLayerView_OfAChainAsDeepAsDockersLimitsOrDeeper_MergesEveryLayer(int depth)
    {
        var fs = new MockFileSystem();
        var metadata = new RecordedMetadataProvider(MetadataProviders.For(fs));
        var driver = WriteChain(fs, metadata, depth);

        var lower = fs.File.ReadAllText($"{Root}/overlay2/{Id(depth)}/lower");
        var view = driver.OpenLayerView(Id(depth));

        Assert.Equal(depth - 1, lower.Split(':').Length);
        Assert.Equal(Enumerable.Range(1, depth).Select(i => "f" + i).Order(StringComparer.Ordinal), view.ListDirectory("/").Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal(depth, view.LayerIds.Count);
    }

    [Fact]
    public void ReadAncestors_ALowerFileLongerThanMobyWrites_IsReadEntryByEntryAsGetLowerDirsDoes()
    {
        var fs = new MockFileSystem();
        var metadata = new RecordedMetadataProvider(MetadataProviders.For(fs));
        var driver = WriteChain(fs, metadata, 300);

        Assert.Equal(299, fs.File.ReadAllText($"{Root}/overlay2/{Id(300)}/lower").Split(':').Length); // more than maxDepth (128)
        Assert.Equal(Enumerable.Range(1, 299).Reverse().Select(Id), driver.ReadAncestors(Id(300)));
        Assert.Equal("1", new StreamReader(driver.OpenLayerView(Id(300)).OpenRead("/f1")).ReadToEnd());
    }

    [Fact]
    public void ReadAncestors_AnEntryDockerCouldNotResolve_IsRefusedNamingTheLowerFileAndTheEntry()
    {
        var fs = new MockFileSystem();
        var metadata = new RecordedMetadataProvider(MetadataProviders.For(fs));
        var driver = WriteChain(fs, metadata, 130);
        var lowerPath = $"{Root}/overlay2/{Id(130)}/lower";
        fs.File.WriteAllText(lowerPath, fs.File.ReadAllText(lowerPath) + ":l/NOSUCHLINKNOSUCHLINKNOSUCH");

        var e = Assert.Throws<CorruptFileException>(() => driver.ReadAncestors(Id(130)));

        Assert.Equal(lowerPath, e.Path);
        Assert.Contains("l/NOSUCHLINKNOSUCHLINKNOSUCH has no link", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(125)]
    [InlineData(130)]
    public void Image_OfAsManyLayersOnOverlay2_IsMergedAndEveryLayerReassembledToItsDiffId(int depth)
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), ImageStoreKind.ContentAddressed, "overlay2", Root, SpecialFileMode.Recorded);
        string? image = null;
        for (var i = 1; i <= depth; i++)
        {
            var n = i;
            var parent = image;
            image = builder.AddLayer(l => l.Parent(parent).CreatedBy($"RUN echo {n} > /f{n}").File($"f{n}", n + "\n"));
        }

        builder.Tag("deep:latest", image!);
        var root = builder.Build().Open();

        var view = root.OpenImage("deep");
        var digests = new ImageArchiver(root).ComputeDigests("deep", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(depth, view.ListDirectory("/").Count);
        Assert.Equal($"{depth}\n", new StreamReader(view.OpenRead($"/f{depth}")).ReadToEnd());
        Assert.Equal(depth, digests.Layers.Count);
        Assert.All(digests.Layers, l => Assert.Equal(LayerSource.TarSplit, l.Source));
        Assert.Equal(image, digests.ImageId);
    }
}
