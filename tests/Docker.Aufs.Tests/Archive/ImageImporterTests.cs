using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Docker.Aufs.Archive;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Stores.Graph;
using Docker.Aufs.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Docker.Aufs.Tests.Archive;

public sealed class ImageImporterTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>The chain of <paramref name="topId"/>, base first, read from graph/ (the facade's Resolve, without the facade).</summary>
    internal static List<ImageLayer> Chain(IFileSystem fs, string root, string topId)
    {
        var chain = new List<ImageLayer>();
        for (string? id = topId; id is not null;)
        {
            var layer = GraphLayer.Read(fs, fs.Path.Combine(root, "graph"), id);
            chain.Insert(0, TestLayers.ExportLayer(fs, layer, fs.Path.Combine(root, "aufs", "diff", id)));
            id = layer.Parent;
        }

        return chain;
    }

    internal static ImageDigests Digests(IFileSystem fs, IUnixMetadataProvider metadata, string root, string topId, LayerSource policy = LayerSource.TarSplit)
    {
        var chain = Chain(fs, root, topId);
        var image = new Image { Id = topId, Config = chain[^1].LegacyJson, Layers = [.. Enumerable.Reverse(chain)] };
        return SyncCore.Run(new ImageExporter(fs, null, metadata, NullLogger.Instance).DigestAsync<SyncIo>(image, chain, policy, null, default));
    }

    private string Target => _temp.Combine("root");

    private void AssertNothingLeft()
    {
        Assert.False(Directory.Exists(Target));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_temp.Path), e => Path.GetFileName(e).StartsWith(".root.tmp-", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_DiveFixture_ReexportsWithTheDiffIdsSkopeoListsForTheFixture()
    {
        var fixture = Fixtures.Path("dive-test-image.tar");
        var expected = JsonDocument.Parse(InteropTools.Run("skopeo", "inspect", "docker-archive:" + fixture)).RootElement
            .GetProperty("Layers").EnumerateArray().Select(l => l.GetString()!).ToList();
        Assert.Equal(14, expected.Count);
        Assert.Equal("sha256:23bc2b70b2014dec0ac22f27bb93e9babd08cdd6f1115d0c955b9ff22b382f5a", expected[0]);

        var result = ImageImporter.Import(new FileSystem(), fixture, Target, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.HadManifest);
        var image = Assert.Single(result.Images);
        Assert.Equal("cfb35bb5c127d848739be5ca726057e6e2c77b2849f588e7aebb642c0d3d4b7b", image.Id); // the archive's own legacy IDs
        Assert.Equal(["dive-test:latest"], image.RepoTags);
        var digests = Digests(new FileSystem(), LinuxMetadataProvider.Instance, Target, image.Id);
        Assert.Equal(expected, digests.Layers.Select(l => l.DiffId));
        Assert.All(digests.Layers, l => Assert.Equal(LayerSource.TarSplit, l.Source));
        Assert.Equal("dive-test", JsonDocument.Parse(File.ReadAllText(Path.Combine(Target, "repositories-aufs"))).RootElement.GetProperty("Repositories").EnumerateObject().Single().Name);
    }

    [Fact]
    public void Import_DiveFixture_RegeneratedTarsOfItsAufsShapedLayersMatchDockersBytes()
    {
        // In memory, so owners come from the tar as recorded, whoever runs the test (on disk only root can chown).
        var fs = new MockFileSystem();
        fs.AddFile("/in/dive.tar", new MockFileData(File.ReadAllBytes(Fixtures.Path("dive-test-image.tar"))));
        fs.AddDirectory("/out");
        var result = ImageImporter.Import(fs, "/in/dive.tar", "/out/root", cancellationToken: TestContext.Current.CancellationToken);
        var regenerated = Digests(fs, result.Metadata, "/out/root", result.Images[0].Id, LayerSource.Regenerated);
        var reassembled = Digests(fs, result.Metadata, "/out/root", result.Images[0].Id);

        // Docker 18.09 wrote these tars with Go's archive/tar; every layer without a deletion regenerates to the same bytes,
        // which checks the Go 1.5 header layout, the walk order and the exclusions on real Docker output. The two layers
        // with whiteouts differ: overlay2's naive diff wrote them as typeflag NUL, mode 0; from an AUFS directory they are files.
        var same = regenerated.Layers.Zip(reassembled.Layers).Count(p => p.First.DiffId == p.Second.DiffId);
        Assert.Equal(12, same);
        Assert.Equal(reassembled.Layers[0].DiffId, regenerated.Layers[0].DiffId);
    }

    [Fact]
    public void Import_MobyEmptyLayer_LegacySaveWithAZeroByteLayer()
    {
        var result = ImageImporter.Import(new FileSystem(), Fixtures.Path("moby-empty-layer.tar"), Target, cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(result.HadManifest);
        var image = Assert.Single(result.Images);
        Assert.Equal("25445a0fc5025c3917a0cd6e307d92322540e0da691614312ddea22511b71513", image.Id);
        Assert.Equal(["matthughes/library-centos:6-2015.03.20"], image.RepoTags);
        const string Empty = "9c7cb910d84346a3fbf3cc2be046f44bf0af7f11eb8db2ef1f45e93c1202faac";
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Target, "aufs", "diff", Empty)));
        Assert.Equal("0", File.ReadAllText(Path.Combine(Target, "graph", Empty, "layersize")));
        var digests = Digests(new FileSystem(), LinuxMetadataProvider.Instance, Target, image.Id);
        Assert.Equal(
            ["sha256:f624397841595b2369935cbd47fde10171ff91347afa9a5c793275d3765e8e0d", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
             "sha256:3b90aed61465a1f294fdd312108c1e7f476b3e1b7246c8eebc0f537dec42f2de"],
            digests.Layers.Select(l => l.DiffId));
        Assert.Equal(
            File.ReadAllBytes(Path.Combine(Target, "graph", image.Id, "json")),
            Docker.Aufs.Tests.Formats.TarStreamReaderTests.ExtractMember(Fixtures.Path("moby-empty-layer.tar"), image.Id + "/json"));
    }

    [Fact]
    public void Import_IntoAMockFileSystem_RoundTripsTheLayers()
    {
        var fs = new MockFileSystem();
        fs.AddFile("/in/dive.tar", new MockFileData(File.ReadAllBytes(Fixtures.Path("dive-test-image.tar"))));
        fs.AddDirectory("/out");
        var result = ImageImporter.Import(fs, "/in/dive.tar", "/out/root", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("/out/root", result.Path);
        var digests = Digests(fs, result.Metadata, "/out/root", result.Images[0].Id);
        Assert.Equal("sha256:ba689cac6a98c92d121fa5c9716a1bab526b8bb1fd6d43625c575b79e97300c5", digests.Layers[^1].DiffId);
        Assert.DoesNotContain(fs.Directory.EnumerateFileSystemEntries("/out"), e => e.Contains(".tmp-", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_ManifestWithoutLegacyEntries_DerivesTheChainFromTheConfig()
    {
        // What skopeo's docker-archive writer produces: blobs at the top level, no <id>/json.
        var layer1 = new TarBytes().File("a", "1").Build();
        var layer2 = new TarBytes().File("b", "22").Build();
        var d1 = Docker.Aufs.Formats.Digests.Sha256(layer1);
        var d2 = Docker.Aufs.Formats.Digests.Sha256(layer2);
        var config = Encoding.UTF8.GetBytes(
            "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2020-01-02T03:04:05.123456789Z\",\"docker_version\":\"19.03.1\",\"config\":{\"Cmd\":[\"sh\"]}," +
            $"\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{d1}\",\"{d2}\"]}}," +
            "\"history\":[{\"created\":\"2020-01-01T00:00:00Z\",\"created_by\":\"ADD a /\"},{\"created\":\"2020-01-01T00:00:01Z\",\"created_by\":\"ENV X=1\",\"empty_layer\":true},{\"created\":\"2020-01-02T03:04:05.123456789Z\",\"created_by\":\"ADD b /\",\"author\":\"me\"}]}");
        var configName = Docker.Aufs.Formats.Digests.Sha256(config)[7..] + ".json";
        var archive = new TarBytes()
            .Entry(configName, TarType.Regular, 0x81A4, config)
            .Entry(d1[7..] + ".tar", TarType.Regular, 0x81A4, layer1)
            .Entry(d2[7..] + ".tar", TarType.Regular, 0x81A4, layer2)
            .File("manifest.json", $"[{{\"Config\":\"{configName}\",\"RepoTags\":[\"docker.io/library/app:1\"],\"Layers\":[\"{d1[7..]}.tar\",\"{d2[7..]}.tar\"]}}]")
            .Build();
        var path = _temp.Combine("skopeo.tar");
        File.WriteAllBytes(path, archive);

        var result = ImageImporter.Import(new FileSystem(), path, Target, cancellationToken: TestContext.Current.CancellationToken);

        var image = Assert.Single(result.Images);
        Assert.Equal(["app:1"], image.RepoTags);
        var chain = Chain(new FileSystem(), Target, image.Id);
        Assert.Equal(2, chain.Count);
        var lower = GoImageConfig.HistoryFromV1(ImageConfigFactory.JsonValue(chain[0]).Span, "/json");
        Assert.Equal(("ADD a /", "2020-01-01T00:00:00Z"), (lower.CreatedBy, lower.Created.ToString())); // the history item of a layer below the top
        Assert.Equal(chain[0].Id, chain[1].ParentId);
        Assert.Equal(["sh"], GraphLayer.Read(new FileSystem(), Target + "/graph", chain[1].Id).Image.Config!.Cmd); // the top layer's JSON is the config (Docker 1.10's MakeV1ConfigFromConfig)
        Assert.Equal([d1, d2], Digests(new FileSystem(), LinuxMetadataProvider.Instance, Target, image.Id).Layers.Select(l => l.DiffId));
    }

    [Fact]
    public void Import_LayerTarThatIsASymlinkToAnotherMember_IsFollowed()
    {
        var layer = new TarBytes().File("x", "x").Build();
        var archive = new TarBytes()
            .Entry("blob.tar", TarType.Regular, 0x81A4, layer)
            .Directory(Ids.Of("a"))
            .File(Ids.Of("a") + "/json", $"{{\"id\":\"{Ids.Of("a")}\"}}")
            .Symlink(Ids.Of("a") + "/layer.tar", "../blob.tar")
            .Build();
        var path = _temp.Combine("linked.tar");
        File.WriteAllBytes(path, archive);
        var result = ImageImporter.Import(new FileSystem(), path, Target, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(Ids.Of("a"), Assert.Single(result.Images).Id);
        Assert.True(File.Exists(Path.Combine(Target, "aufs", "diff", Ids.Of("a"), "x")));
    }

    [Fact]
    public void Import_GzipArchiveWithAGzipLayer_IsDecompressed()
    {
        var layer = new TarBytes().File("x", "content").Build();
        using var gzLayer = new MemoryStream();
        using (var gz = new GZipStream(gzLayer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(layer);
        }

        var id = Ids.Of("gz");
        var archive = new TarBytes().File(id + "/json", $"{{\"id\":\"{id}\"}}").Entry(id + "/layer.tar", TarType.Regular, 0x81A4, gzLayer.ToArray()).Build();
        var path = _temp.Combine("saved.tar.gz");
        using (var file = File.Create(path))
        using (var gz = new GZipStream(file, CompressionLevel.Fastest))
        {
            gz.Write(archive);
        }

        var result = ImageImporter.Import(new FileSystem(), path, Target, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("content", File.ReadAllText(Path.Combine(Target, "aufs", "diff", id, "x")));
        Assert.Equal(Docker.Aufs.Formats.Digests.Sha256(layer), Digests(new FileSystem(), LinuxMetadataProvider.Instance, Target, result.Images[0].Id).Layers[0].DiffId);
        Assert.False(File.Exists(Path.Combine(Target, ".archive.tar")));
    }

    public static TheoryData<string, string, Type, string> BadArchives()
    {
        var id = Ids.Of("bad");
        var other = Ids.Of("other");
        var layerBytes = new TarBytes().File("f", "x").Build();
        var layer = Convert.ToBase64String(layerBytes);
        var image = $"F|c.json|{{\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{Docker.Aufs.Formats.Digests.Sha256(layerBytes)}\"]}}}}\nB|l.tar|{layer}";
        return new()
        {
            // Tags are checked as Docker's load checks them (the reference grammar), in manifest.json and in the legacy map.
            { "legacy repositories tag holding NUL", $"F|{id}/json|{{\"id\":\"{id}\"}}\nB|{id}/layer.tar|{layer}\nF|repositories|{{\"app\":{{\"6\\u0000x\":\"{id}\"}}}}", typeof(ArchiveFormatException), "repositories: the tag 'app:6\\u0000x' holds a NUL byte" },
            { "legacy repositories name in upper case", $"F|{id}/json|{{\"id\":\"{id}\"}}\nB|{id}/layer.tar|{layer}\nF|repositories|{{\"App\":{{\"1\":\"{id}\"}}}}", typeof(ArchiveFormatException), "the tag 'App:1' is not a reference Docker accepts" },
            { "legacy repositories empty tag", $"F|{id}/json|{{\"id\":\"{id}\"}}\nB|{id}/layer.tar|{layer}\nF|repositories|{{\"app\":{{\"\":\"{id}\"}}}}", typeof(ArchiveFormatException), "the tag 'app:' is not a reference Docker accepts" },
            { "RepoTags with an invalid escape", $"{image}\nF|manifest.json|[{{\"Config\":\"c.json\",\"Layers\":[\"l.tar\"],\"RepoTags\":[\"ev\\ud800il:latest\"]}}]", typeof(ArchiveFormatException), "is not a reference Docker accepts" },
            { "RepoTags with a tag too long", $"{image}\nF|manifest.json|[{{\"Config\":\"c.json\",\"Layers\":[\"l.tar\"],\"RepoTags\":[\"app:{new string('t', 129)}\"]}}]", typeof(ArchiveFormatException), "is not a reference Docker accepts" },
            { "dot-dot member", "F|../escape.txt|x", typeof(UnsafePathException), "must stay inside the archive" },
            { "absolute member", "F|/etc/cron.d/evil|x", typeof(UnsafePathException), "must stay inside the archive" },
            { "layer.tar symlink out of the archive", $"F|{id}/json|{{\"id\":\"{id}\"}}\nS|{id}/layer.tar|../../../etc/passwd", typeof(UnsafePathException), "leads outside the archive" },
            { "absolute symlink", $"F|{id}/json|{{\"id\":\"{id}\"}}\nS|{id}/layer.tar|/etc/passwd", typeof(UnsafePathException), "leads outside the archive" },
            { "hardlink out of the archive", $"F|{id}/json|{{\"id\":\"{id}\"}}\nH|{id}/layer.tar|../secret", typeof(UnsafePathException), "outside the archive" },
            { "duplicate member", $"F|{id}/json|{{\"id\":\"{id}\"}}\nB|{id}/layer.tar|{layer}\nF|{id}/json|{{\"id\":\"{other}\"}}", typeof(ArchiveFormatException), "holds this member twice" },
            { "manifest names a missing config", "F|manifest.json|[{\"Config\":\"missing.json\",\"Layers\":[]}]", typeof(ArchiveFormatException), "missing.json: the image config named by manifest.json is missing" },
            { "manifest names a missing layer", $"F|c.json|{{\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"sha256:{id}\"]}}}}\nF|manifest.json|[{{\"Config\":\"c.json\",\"Layers\":[\"{id}/layer.tar\"]}}]", typeof(ArchiveFormatException), "a layer named by manifest.json is missing" },
            { "manifest names a file outside", "F|manifest.json|[{\"Config\":\"../c.json\",\"Layers\":[]}]", typeof(UnsafePathException), "outside the archive" },
            { "layer count differs from diff_ids", $"F|c.json|{{\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[]}}}}\nB|l.tar|{layer}\nF|manifest.json|[{{\"Config\":\"c.json\",\"Layers\":[\"l.tar\"]}}]", typeof(ArchiveFormatException), "names 1 layers" },
            { "layer digest differs from diff_id", $"F|c.json|{{\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"sha256:{id}\"]}}}}\nB|l.tar|{layer}\nF|manifest.json|[{{\"Config\":\"c.json\",\"Layers\":[\"l.tar\"]}}]", typeof(ArchiveFormatException), "invalid diffID" },
            { "legacy layer without json", $"B|{id}/layer.tar|{layer}", typeof(ArchiveFormatException), "the layer's JSON is missing" },
            { "legacy parent missing", $"F|{id}/json|{{\"id\":\"{id}\",\"parent\":\"{other}\"}}\nB|{id}/layer.tar|{layer}", typeof(ArchiveFormatException), $"its parent {other} is not in the archive" },
            { "repositories names an unknown image", $"F|{id}/json|{{\"id\":\"{id}\"}}\nB|{id}/layer.tar|{layer}\nF|repositories|{{\"app\":{{\"1\":\"{other}\"}}}}", typeof(ArchiveFormatException), "invalid target ID" },
            { "layer escaping its directory", $"F|{id}/json|{{\"id\":\"{id}\"}}\nB|{id}/layer.tar|{Convert.ToBase64String(new TarBytes().File("../../../../tmp/pwned", "x").Build())}", typeof(UnsafePathException), "outside the layer directory" },
            { "layer writing through a symlink", $"F|{id}/json|{{\"id\":\"{id}\"}}\nB|{id}/layer.tar|{Convert.ToBase64String(new TarBytes().Symlink("etc", "/etc").File("etc/passwd", "x").Build())}", typeof(UnsafePathException), "through the symbolic link" },
            { "manifest.json that is not a list", "F|manifest.json|{\"Config\":\"c.json\"}", typeof(CorruptFileException), "unexpected JSON content" },
            { "config without rootfs", "F|c.json|{\"os\":\"linux\"}\nF|manifest.json|[{\"Config\":\"c.json\",\"Layers\":[]}]", typeof(ArchiveFormatException), "no rootfs object" },
            { "config with a diff_id that is no digest", "F|c.json|{\"rootfs\":{\"diff_ids\":[\"md5:00\"]}}\nF|manifest.json|[{\"Config\":\"c.json\",\"Layers\":[\"l.tar\"]}]", typeof(ArchiveFormatException), "not a sha256 digest" },
            { "json that is not JSON", $"F|{id}/json|{{not json\nB|{id}/layer.tar|{layer}", typeof(CorruptFileException), "not valid JSON" },
            { "not a docker save", "F|hello.txt|hi", typeof(ArchiveFormatException), "not a docker save archive" },
            { "an OCI layout", "F|oci-layout|{}\nF|index.json|{}", typeof(ArchiveFormatException), "OCI image layout" },
        };
    }

    [Theory]
    [MemberData(nameof(BadArchives))]
    public void Import_BadArchive_ThrowsNamingTheProblemAndLeavesNothing(string label, string members, Type exception, string message)
    {
        var tar = new TarBytes();
        foreach (var line in members.Split('\n'))
        {
            var parts = line.Split('|', 3);
            _ = parts[0] switch
            {
                "F" => tar.File(parts[1], parts[2]),
                "B" => tar.Entry(parts[1], TarType.Regular, 0x81A4, Convert.FromBase64String(parts[2])),
                "S" => tar.Symlink(parts[1], parts[2]),
                "H" => tar.Hardlink(parts[1], parts[2]),
                _ => throw new InvalidOperationException(label),
            };
        }

        var path = _temp.Combine("bad.tar");
        File.WriteAllBytes(path, tar.Build());

        var e = Assert.Throws(exception, () => ImageImporter.Import(new FileSystem(), path, Target, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        AssertNothingLeft();
        Assert.False(File.Exists("/tmp/pwned"));
    }

    [Fact]
    public void Import_NotATarAtAll_IsAnArchiveFormatError()
    {
        var path = _temp.Combine("garbage.tar");
        File.WriteAllText(path, new string('z', 4096));
        Assert.Contains("not a readable tar archive", Assert.Throws<ArchiveFormatException>(() => ImageImporter.Import(new FileSystem(), path, Target, cancellationToken: TestContext.Current.CancellationToken)).Message, StringComparison.Ordinal);
        AssertNothingLeft();
    }

    [Theory]
    [InlineData(512 + 100)]             // inside the manifest's data
    [InlineData(512 + 512 + 512 + 10)]  // inside c.json's data, the last member
    public void Import_ArchiveCutShortInsideAMember_IsAnArchiveFormatErrorNamingIt(int keep)
    {
        var manifest = "[{\"Config\":\"c.json\",\"Layers\":[]}]" + new string(' ', 400);
        var bytes = new TarBytes().File("manifest.json", manifest).File("c.json", "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}").Build();
        var path = _temp.Combine("cut.tar");
        File.WriteAllBytes(path, bytes[..keep]);

        var e = Assert.Throws<ArchiveFormatException>(() => ImageImporter.Import(new FileSystem(), path, Target, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("cut short", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        AssertNothingLeft();
    }

    [Fact]
    public void Import_IntoADirectoryThatIsNotEmpty_RefusesAndTouchesNothing()
    {
        Directory.CreateDirectory(Target);
        File.WriteAllText(Path.Combine(Target, "keep"), "mine");
        var e = Assert.Throws<IOException>(() => ImageImporter.Import(new FileSystem(), Fixtures.Path("moby-empty-layer.tar"), Target, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("not empty", e.Message, StringComparison.Ordinal);
        Assert.Equal(["keep"], Directory.EnumerateFileSystemEntries(Target).Select(Path.GetFileName));
    }

    [Fact]
    public void Import_Cancelled_LeavesNothing()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => ImageImporter.Import(new FileSystem(), Fixtures.Path("dive-test-image.tar"), Target, cancellationToken: cancel.Token));
        AssertNothingLeft();
    }
}
