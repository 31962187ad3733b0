using System.Diagnostics;
using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using System.Text;
using Docker.Aufs.Archive;
using Docker.Aufs.Formats;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Archive;

/// <summary>
/// Import's work grows with the archive (issue 16, class 6): hard links cost one lookup each, a blob named by many manifest
/// entries is read and parsed once, and the bounds that are needed are errors that say so.
/// </summary>
public sealed class ImageImporterAmplificationTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A layer of one file and <paramref name="links"/> hard links to it (the 127 KB archive of the issue, once compressed).</summary>
    internal static byte[] HardlinkLayer(int links)
    {
        var tar = new TarBytes().File("f", "x");
        for (var i = 0; i < links; i++)
        {
            tar.Hardlink("l" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), "f");
        }

        return tar.Build();
    }

    internal static byte[] LegacyArchive(byte[] layer)
    {
        var id = Ids.Of("links");
        return new TarBytes().File(id + "/json", $"{{\"id\":\"{id}\"}}").Entry(id + "/layer.tar", TarType.Regular, 0x81A4, layer).Build();
    }

    [Fact]
    public void Import_EighteenThousandHardLinksToOneFile_TakesSecondsAndRecordsTheLinkCount()
    {
        // On the real disk: MockFileSystem's own operations grow with the number of files it holds.
        const int Links = 18_000;
        var archive = LegacyArchive(HardlinkLayer(Links));
        IFileSystem fs = new FileSystem();
        var input = _temp.Combine("links.tar");
        var target = _temp.Combine("root");
        fs.File.WriteAllBytes(input, archive);

        var clock = Stopwatch.StartNew();
        var result = ImageImporter.Import(fs, input, target, cancellationToken: TestContext.Current.CancellationToken);
        clock.Stop();

        // Quadratic work (each link rescanning every entry and re-recording every name) took minutes here.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"{clock.Elapsed.TotalSeconds:F1} s");
        var diff = fs.Path.Combine(target, "aufs", "diff", Ids.Of("links"));
        Assert.True(result.Metadata.TryGetStatus(fs.Path.Combine(diff, "l17999"), out var status));
        Assert.Equal((uint)(Links + 1), status.LinkCount);
        Assert.Equal("1", fs.File.ReadAllText(fs.Path.Combine(target, "graph", Ids.Of("links"), "layersize"))); // one inode of one byte, as Docker's DiffSize counts it
    }

    [Fact]
    public void Import_OneConfigAndLayerNamedByThreeHundredEntries_ReadsEachBlobOnce()
    {
        var layer = new TarBytes().File("x", "x").Build();
        var diffId = Digests.Sha256(layer);
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{{}},\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{diffId}\"]}},\"padding\":\"{new string('p', 256 * 1024)}\"}}");
        var configName = Digests.Sha256(config)[7..] + ".json";
        var entries = string.Join(",", Enumerable.Range(0, 300).Select(i => $"{{\"Config\":\"{configName}\",\"RepoTags\":[\"app:{i}\"],\"Layers\":[\"layer.tar\"]}}"));
        var archive = new TarBytes()
            .Entry(configName, TarType.Regular, 0x81A4, config)
            .Entry("layer.tar", TarType.Regular, 0x81A4, layer)
            .File("manifest.json", "[" + entries + "]")
            .Build();
        var inner = new MockFileSystem();
        inner.AddFile("/in/app.tar", new MockFileData(archive));
        inner.AddDirectory("/out");
        var (fs, log) = SpyFileSystem.Wrap(inner);

        var result = ImageImporter.Import(fs, "/in/app.tar", "/out/root", ImportOptions.Default with { Store = ImageStoreKind.ContentAddressed }, TestContext.Current.CancellationToken);

        var image = Assert.Single(result.Images.DistinctBy(i => i.Id));
        Assert.Equal(300, image.RepoTags.Count);
        var opens = log.Calls.Count(c => c.Contains("New(", StringComparison.Ordinal) && c.Contains("/in/app.tar", StringComparison.Ordinal));
        Assert.True(opens <= 6, $"the archive was opened {opens} times: once to list it, then once per member read (the config, the layer and the manifest once each)");
    }

    [Fact]
    public void Import_AManifestListingMoreImagesThanTheBound_IsRefusedNamingTheBound()
    {
        var layer = new TarBytes().File("x", "x").Build();
        var config = Encoding.UTF8.GetBytes($"{{\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{Digests.Sha256(layer)}\"]}}}}");
        var entry = "{\"Config\":\"c.json\",\"Layers\":[\"layer.tar\"]}";
        var manifest = "[" + string.Join(",", Enumerable.Repeat(entry, 65_537)) + "]";
        var path = _temp.Combine("many.tar");
        File.WriteAllBytes(path, new TarBytes().Entry("c.json", TarType.Regular, 0x81A4, config).Entry("layer.tar", TarType.Regular, 0x81A4, layer).File("manifest.json", manifest).Build());

        var error = Assert.Throws<ArchiveFormatException>(() => ImageImporter.Import(new FileSystem(), path, _temp.Combine("root"), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("65537 images, more than the 65536 import accepts", error.Message, StringComparison.Ordinal);
    }
}
