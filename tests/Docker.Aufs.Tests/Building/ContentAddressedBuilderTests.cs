using System.IO.Abstractions.TestingHelpers;
using System.Text;
using System.Text.Json;
using Docker.Aufs.Archive;
using Docker.Aufs.IO;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Building;

/// <summary>
/// The files a content-addressed root is made of, written by the builder byte for byte as docs/format/content-addressed.md
/// says Docker 1.10+ writes them: configs named by their SHA-256, layer records by ChainID, the AUFS data by cache-id, the
/// reference store.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ContentAddressedBuilderTests
{
    private static readonly DateTimeOffset T0 = new(2018, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private static DockerRootBuilder NewBuilder(MockFileSystem fs) => new(fs, ImageStoreKind.ContentAddressed, "/r", SpecialFileMode.Recorded);

    private static JsonElement Json(byte[] bytes) => JsonDocument.Parse(bytes).RootElement;

    private static string[] DiffIds(byte[] config) =>
        Json(config).GetProperty("rootfs").TryGetProperty("diff_ids", out var ids) ? [.. ids.EnumerateArray().Select(i => i.GetString()!)] : [];

    [Fact]
    public void Store_EachConstructor_IsTheStoreItWrites()
    {
        Assert.Equal(ImageStoreKind.Graph, new DockerRootBuilder(new MockFileSystem(), "/r").Store);
        Assert.Equal(ImageStoreKind.Graph, new DockerRootBuilder(new MockFileSystem(), ImageStoreKind.Graph, "/r").Store);
        Assert.Equal(ImageStoreKind.ContentAddressed, NewBuilder(new MockFileSystem()).Store);
    }

    [Fact]
    public void Constructor_UnknownStoreKind_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DockerRootBuilder(new MockFileSystem(), (ImageStoreKind)7, "/r"));

    [Fact]
    public void Build_NothingAdded_WritesTheSkeletonOfA110RootAndAnEmptyReferenceStore()
    {
        var fs = new MockFileSystem();
        var built = NewBuilder(fs).Build();

        foreach (var dir in new[] { "image/aufs/imagedb/content/sha256", "image/aufs/imagedb/metadata/sha256", "image/aufs/layerdb/sha256", "image/aufs/layerdb/mounts",
                     "image/aufs/layerdb/tmp", "image/aufs/distribution", "aufs/layers", "aufs/diff", "aufs/mnt", "containers", "tmp", "trust", "volumes", "network" })
        {
            Assert.True(fs.Directory.Exists("/r/" + dir), dir);
        }

        Assert.False(fs.Directory.Exists("/r/graph"));
        Assert.False(fs.File.Exists("/r/repositories-aufs"));
        Assert.Equal("{\"Repositories\":{}}", fs.File.ReadAllText("/r/image/aufs/repositories.json"));
        Assert.Equal((0, 0, 0), (built.ImageIds.Count, built.LayerIds.Count, built.ContainerIds.Count));
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void AddLayer_Step_ReturnsTheImageIdWhichIsTheSha256OfTheConfigFileNamedByIt(Disk disk)
    {
        string id = null!;
        using var root = CasTestRoot.Build(disk, b => id = b.AddLayer(l => l.File("etc/motd", "hi\n")));

        Assert.StartsWith("sha256:", id, StringComparison.Ordinal);
        Assert.Equal(id, CasTestRoot.Sha256(root.Config(id)));
        Assert.Equal([CasTestRoot.Hex(id)], root.FileSystem.Directory.EnumerateFiles(root.Combine("image", "aufs", "imagedb", "content", "sha256")).Select(root.FileSystem.Path.GetFileName));
        Assert.Equal([id], root.Root.ImageIds);
    }

    [Fact]
    public void AddLayer_Step_ConfigIsTheBuiltConfigWithSortedKeysRootfsAndHistory()
    {
        var fs = new MockFileSystem();
        var builder = NewBuilder(fs);
        var id = builder.AddLayer(l => l.Created(T0).CreatedBy("#(nop) ADD file:0123 in / ").Author("me <me@example.com>").Comment("first")
            .Config("{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"sh\"]}").File("etc/motd", "hi\n"));
        var config = fs.File.ReadAllBytes("/r/image/aufs/imagedb/content/sha256/" + CasTestRoot.Hex(id));
        var json = Json(config);
        var diffId = fs.File.ReadAllText("/r/image/aufs/layerdb/sha256/" + CasTestRoot.Hex(DiffIds(config)[0]) + "/diff");

        Assert.NotEqual((byte)'\n', config[^1]);
        Assert.Equal(["architecture", "author", "comment", "config", "container", "container_config", "created", "docker_version", "history", "os", "rootfs"],
            json.EnumerateObject().Select(p => p.Name));
        Assert.Equal($"{{\"type\":\"layers\",\"diff_ids\":[\"{diffId}\"]}}", json.GetProperty("rootfs").GetRawText());
        Assert.Equal("[{\"created\":\"2018-03-01T10:00:00Z\",\"author\":\"me \\u003cme@example.com\\u003e\",\"created_by\":\"/bin/sh -c #(nop) ADD file:0123 in / \",\"comment\":\"first\"}]",
            json.GetProperty("history").GetRawText());
        Assert.Equal(("2018-03-01T10:00:00Z", "17.06.2-ce", "amd64", "linux"),
            (json.GetProperty("created").GetString(), json.GetProperty("docker_version").GetString(), json.GetProperty("architecture").GetString(), json.GetProperty("os").GetString()));
        Assert.Equal(["/bin/sh", "-c", "#(nop) ADD file:0123 in / "], json.GetProperty("container_config").GetProperty("Cmd").EnumerateArray().Select(e => e.GetString()));
        Assert.False(json.GetProperty("container_config").TryGetProperty("Image", out _));
        Assert.Equal(["sh"], json.GetProperty("config").GetProperty("Cmd").EnumerateArray().Select(e => e.GetString()));
        Assert.True(Aufs.Formats.DockerIds.IsId(json.GetProperty("container").GetString()));
        Assert.DoesNotContain("\": ", Encoding.UTF8.GetString(config), StringComparison.Ordinal); // compact, as json.Marshal writes it
    }

    [Fact]
    public void AddLayer_StepOnAParent_RecordsTheParentInTheConfigAndTheImageMetadata()
    {
        var fs = new MockFileSystem();
        var builder = NewBuilder(fs);
        var parent = builder.AddLayer(l => l.Created(T0).File("a", "1"));
        var child = builder.AddLayer(l => l.Parent(parent).Created(T0.AddMinutes(1)).CreatedBy("#(nop)  CMD [\"sh\"]").EmptyLayer());
        var config = Json(fs.File.ReadAllBytes("/r/image/aufs/imagedb/content/sha256/" + CasTestRoot.Hex(child)));

        Assert.Equal(parent, config.GetProperty("container_config").GetProperty("Image").GetString());
        Assert.Equal(parent, fs.File.ReadAllText($"/r/image/aufs/imagedb/metadata/sha256/{CasTestRoot.Hex(child)}/parent"));
        Assert.False(fs.Directory.Exists($"/r/image/aufs/imagedb/metadata/sha256/{CasTestRoot.Hex(parent)}"));
        Assert.Equal("[{\"created\":\"2018-03-01T10:00:00Z\"},{\"created\":\"2018-03-01T10:01:00Z\",\"created_by\":\"/bin/sh -c #(nop)  CMD [\\\"sh\\\"]\",\"empty_layer\":true}]",
            config.GetProperty("history").GetRawText());
        Assert.Equal(DiffIds(fs.File.ReadAllBytes("/r/image/aufs/imagedb/content/sha256/" + CasTestRoot.Hex(parent))), config.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(e => e.GetString()));
        Assert.False(config.TryGetProperty("id", out _) || config.TryGetProperty("parent", out _) || config.TryGetProperty("Size", out _));
    }

    [Fact]
    public void AddLayer_ParentGivenAsBareHex_IsTheSameParent()
    {
        var fs = new MockFileSystem();
        var builder = NewBuilder(fs);
        var parent = builder.AddLayer(l => l.File("a", "1"));
        var child = builder.AddLayer(l => l.Parent(CasTestRoot.Hex(parent)).EmptyLayer());
        Assert.Equal(parent, fs.File.ReadAllText($"/r/image/aufs/imagedb/metadata/sha256/{CasTestRoot.Hex(child)}/parent"));
    }

    [Fact]
    public void AddLayer_ParentNotAddedBefore_Throws()
    {
        var builder = NewBuilder(new MockFileSystem());
        var error = Assert.Throws<InvalidOperationException>(() => builder.AddLayer(l => l.Parent("sha256:" + Ids.Of("elsewhere")).File("a", "1")));
        Assert.Contains("sha256:" + Ids.Of("elsewhere"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddLayer_ParentThatIsNotAnId_Throws() =>
        Assert.Throws<ArgumentException>(() => NewBuilder(new MockFileSystem()).AddLayer(l => l.Parent("sha256:xyz")));

    [Fact]
    public void AddLayer_EmptyBaseStep_MakesAnImageWithoutLayers()
    {
        var fs = new MockFileSystem();
        var builder = NewBuilder(fs);
        var id = builder.AddLayer(l => l.Created(T0).CreatedBy("#(nop)  LABEL a=b").EmptyLayer());
        var built = builder.Build();

        Assert.Equal("{\"type\":\"layers\"}", Json(fs.File.ReadAllBytes("/r/image/aufs/imagedb/content/sha256/" + CasTestRoot.Hex(id))).GetProperty("rootfs").GetRawText());
        Assert.Empty(built.LayerIds);
        Assert.Empty(fs.Directory.EnumerateFileSystemEntries("/r/image/aufs/layerdb/sha256"));
        Assert.Empty(fs.Directory.EnumerateFileSystemEntries("/r/aufs/diff"));
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void AddLayer_TwoLayers_WritesLayerRecordsAsTheLayerStoreDoes(Disk disk)
    {
        string baseId = null!, topId = null!;
        using var root = CasTestRoot.Build(disk, b =>
        {
            baseId = b.AddLayer(l => l.File("etc/motd", "hi\n").Symlink("etc/mtab", "/proc/mounts").Directory("tmp", mode: "1777"));
            topId = b.AddLayer(l => l.Parent(baseId).File("app", "12345").Hardlink("app2", "app").Whiteout("etc/motd").OpaqueDirectory("tmp"));
        });
        var fs = root.FileSystem;
        var diffIds = DiffIds(root.Config(topId));
        var chain = new[] { diffIds[0], CasTestRoot.ChainId(diffIds[0], diffIds[1]) };

        Assert.Equal(diffIds[..1], DiffIds(root.Config(baseId)));
        Assert.Equal(chain, root.Root.LayerIds);
        Assert.Equal(["cache-id", "diff", "size", "tar-split.json.gz"], fs.Directory.EnumerateFiles(root.LayerRecord(chain[0])).Select(fs.Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["cache-id", "diff", "parent", "size", "tar-split.json.gz"], fs.Directory.EnumerateFiles(root.LayerRecord(chain[1])).Select(fs.Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal((diffIds[0], diffIds[1], chain[0]), (root.LayerFile(chain[0], "diff"), root.LayerFile(chain[1], "diff"), root.LayerFile(chain[1], "parent")));
        Assert.Equal(71, root.LayerFile(chain[1], "parent").Length);

        // directory.Size: lstat sizes of non-directories, each inode once (symbolic links count their target's length).
        Assert.Equal(("15", "5"), (root.LayerFile(chain[0], "size"), root.LayerFile(chain[1], "size")));

        var cacheIds = chain.Select(c => root.LayerFile(c, "cache-id")).ToArray();
        Assert.All(cacheIds, id => Assert.True(Aufs.Formats.DockerIds.IsId(id), id));
        Assert.NotEqual(cacheIds[0], cacheIds[1]);
        Assert.Equal("", root.ReadText("aufs", "layers", cacheIds[0]));
        Assert.Equal(cacheIds[0] + "\n", root.ReadText("aufs", "layers", cacheIds[1]));
        Assert.True(fs.Directory.Exists(root.Combine("aufs", "mnt", cacheIds[1])));
        Assert.Equal("12345", root.ReadText("aufs", "diff", cacheIds[1], "app2"));
        Assert.True(fs.File.Exists(root.Combine("aufs", "diff", cacheIds[1], "etc", ".wh.motd")));
        Assert.True(fs.File.Exists(root.Combine("aufs", "diff", cacheIds[1], "tmp", ".wh..wh..opq")));
        Assert.Equal(cacheIds.Order(StringComparer.Ordinal), fs.Directory.EnumerateDirectories(root.Combine("aufs", "diff")).Select(fs.Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void AddLayer_Layer_TarSplitDescribesTheTarOfItsFiles(Disk disk)
    {
        string id = null!;
        using var root = CasTestRoot.Build(disk, b => id = b.AddLayer(l => l.File("etc/motd", "hi\n").Hardlink("etc/motd2", "etc/motd").Symlink("etc/mtab", "/proc/mounts")));
        var lines = root.TarSplitLines(DiffIds(root.Config(id))[0]).Select(line => Json(Encoding.UTF8.GetBytes(line))).ToList();
        var files = lines.Where(l => l.GetProperty("type").GetInt32() == 1).Select(l => (l.GetProperty("name").GetString(), l.TryGetProperty("size", out var s) ? s.GetInt64() : 0)).ToList();

        // Docker's Diff: a directory before its entries, sorted by name, the layer root left out, a hardlink once with content.
        Assert.Equal([("etc/", 0L), ("etc/motd", 3L), ("etc/motd2", 0L), ("etc/mtab", 0L)], files);
        Assert.Equal(2, lines[0].GetProperty("type").GetInt32());
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void AddLayer_Layer_DiffIdIsTheSha256OfTheTarReassembledAndOfTheTarRegenerated(Disk disk)
    {
        string id = null!;
        using var root = CasTestRoot.Build(disk, b =>
        {
            var base1 = b.AddLayer(l => l.Created(T0).File("bin/tool", "x", mode: "4755", uid: 1, gid: 2).Hardlink("bin/alias", "bin/tool").Symlink("etc/mtab", "/proc/mounts")
                .Fifo("run/pipe").Directory("tmp", mode: "1777").File("etc/motd", "old"));
            id = b.AddLayer(l => l.Parent(base1).Created(T0.AddHours(1)).Whiteout("etc/motd").OpaqueDirectory("tmp").File("home/u/.profile", "PS1=$ ", uid: 1000, gid: 1000));
        });
        var archiver = new ImageArchiver(root.Open());
        var diffIds = DiffIds(root.Config(id));
        var chain = new[] { diffIds[0], CasTestRoot.ChainId(diffIds[0], diffIds[1]) };

        for (var i = 0; i < chain.Length; i++)
        {
            foreach (var source in new[] { LayerSource.TarSplit, LayerSource.Regenerated })
            {
                using var tar = new MemoryStream();
                var digest = archiver.WriteLayerTar(chain[i], tar, new ArchiveOptions { Source = source }, cancellationToken: TestContext.Current.CancellationToken);
                Assert.Equal((diffIds[i], source), (CasTestRoot.Sha256(tar.ToArray()), digest.Source));
            }
        }
    }

    [Fact]
    public void AddLayer_FromTar_DiffIdIsTheSha256OfTheTarAsGivenAndItReassemblesByteForByte()
    {
        var tar = new TarBytes()
            .Directory("etc")
            .File("etc/passwd", "root:x:0:0::/root:/bin/sh\n")
            .Hardlink("etc/passwd-", "etc/passwd")
            .Symlink("etc/mtab", "/proc/mounts")
            .File("tmp/.wh.gone", string.Empty, mode: 0)
            .Build();
        var fs = new MockFileSystem();
        var builder = NewBuilder(fs);
        var id = builder.AddLayer(l => l.FromTar(() => new MemoryStream(tar)));
        var built = builder.Build();
        var diffId = DiffIds(fs.File.ReadAllBytes("/r/image/aufs/imagedb/content/sha256/" + CasTestRoot.Hex(id)))[0];
        using var reassembled = new MemoryStream();
        new ImageArchiver(built.Open()).WriteLayerTar(diffId, reassembled, new ArchiveOptions { Source = LayerSource.TarSplit }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(CasTestRoot.Sha256(tar), diffId);
        Assert.Equal([diffId], built.LayerIds);
        Assert.Equal(tar, reassembled.ToArray());
        Assert.Equal("38", fs.File.ReadAllText($"/r/image/aufs/layerdb/sha256/{CasTestRoot.Hex(diffId)}/size")); // passwd (26) once, the link's target (12)
    }

    [Fact]
    public void AddLayer_EmptyLayer_AddsNoLayerAndTheImageKeepsItsParentsLayers()
    {
        var fs = new MockFileSystem();
        var builder = NewBuilder(fs);
        var parent = builder.AddLayer(l => l.File("a", "1"));
        var child = builder.AddLayer(l => l.Parent(parent).CreatedBy("#(nop)  ENV A=b").Config("{\"Env\":[\"A=b\"]}").EmptyLayer());
        var built = builder.Build();

        Assert.Equal(DiffIds(fs.File.ReadAllBytes("/r/image/aufs/imagedb/content/sha256/" + CasTestRoot.Hex(parent))),
            DiffIds(fs.File.ReadAllBytes("/r/image/aufs/imagedb/content/sha256/" + CasTestRoot.Hex(child))));
        Assert.Single(built.LayerIds);
        Assert.Equal([parent, child], built.ImageIds);
        Assert.Single(fs.Directory.EnumerateDirectories("/r/image/aufs/layerdb/sha256"));
        Assert.Single(fs.Directory.EnumerateDirectories("/r/aufs/diff"));
    }

    [Fact]
    public void EmptyLayer_CombinedWithFilesInEitherOrder_Throws()
    {
        var builder = NewBuilder(new MockFileSystem());
        Assert.Throws<InvalidOperationException>(() => builder.AddLayer(l => l.File("a", "1").EmptyLayer()));
        Assert.Throws<InvalidOperationException>(() => builder.AddLayer(l => l.EmptyLayer().File("a", "1")));
        Assert.Throws<InvalidOperationException>(() => builder.AddLayer(l => l.EmptyLayer().FromTar(() => new MemoryStream())));
        Assert.Throws<InvalidOperationException>(() => builder.AddLayer(l => l.FromTar(() => new MemoryStream()).EmptyLayer()));
        Assert.Empty(builder.Build().ImageIds);
    }

    public static TheoryData<string> GraphOnlyMembers() => ["Id", "Checksum", "V1Compatibility", "ParentFile", "StrongIdJson", "JsonStyle"];

    [Theory]
    [MemberData(nameof(GraphOnlyMembers))]
    public void AddLayer_GraphOnlyMember_ThrowsNamingTheMember(string member)
    {
        Action<LayerBuilder> use = member switch
        {
            "Id" => l => l.Id(Ids.Of("graph-only")),
            "Checksum" => l => l.Checksum("sha256:00"),
            "V1Compatibility" => l => l.V1Compatibility("{}"),
            "ParentFile" => l => l.ParentFile(Ids.Of("p")),
            "StrongIdJson" => l => l.StrongIdJson(),
            _ => l => l.JsonStyle(ImageJsonStyle.Encoder),
        };
        var fs = new MockFileSystem();
        var builder = NewBuilder(fs);

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddLayer(l => use(l.File("a", "1"))));

        Assert.Contains("LayerBuilder." + member, error.Message, StringComparison.Ordinal);
        Assert.Contains("graph-era", error.Message, StringComparison.Ordinal);
        Assert.Empty(builder.Build().ImageIds);
        Assert.Empty(fs.Directory.EnumerateFileSystemEntries("/r/image/aufs/imagedb/content/sha256"));
    }

    [Fact]
    public void AddLayer_SameConfigTwice_Throws()
    {
        var builder = NewBuilder(new MockFileSystem());
        var first = builder.AddLayer(l => l.RawJson("{\"rootfs\":{\"type\":\"layers\"}}").EmptyLayer());
        var error = Assert.Throws<InvalidOperationException>(() => builder.AddLayer(l => l.RawJson("{\"rootfs\":{\"type\":\"layers\"}}").EmptyLayer()));
        Assert.Contains(first, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void AddLayer_SameLayerOnTheSameParentTwice_ReusesTheChainIdAndDropsTheNewDriverLayer(Disk disk)
    {
        string first = null!, second = null!;
        using var root = CasTestRoot.Build(disk, b =>
        {
            var parent = b.AddLayer(l => l.Created(T0).File("a", "1"));
            first = b.AddLayer(l => l.Parent(parent).Created(T0.AddDays(1)).File("b", "2"));
            second = b.AddLayer(l => l.Parent(parent).Created(T0.AddDays(1)).Comment("built again").File("b", "2"));
        });
        var reader = root.Open();
        var layers = (reader.ResolveImage(first).Layers, reader.ResolveImage(second).Layers);

        Assert.NotEqual(first, second);
        Assert.Equal(layers.Item1.Select(l => (l.Id, l.DriverLayerId)), layers.Item2.Select(l => (l.Id, l.DriverLayerId)));
        Assert.Equal(2, root.Root.LayerIds.Count);
        Assert.Equal(layers.Item1.Select(l => l.DriverLayerId).Order(StringComparer.Ordinal),
            root.FileSystem.Directory.EnumerateDirectories(root.Combine("aufs", "diff")).Select(root.FileSystem.Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(2, root.FileSystem.Directory.EnumerateFiles(root.Combine("aufs", "layers")).Count());
    }

    [Theory]
    [InlineData("size", "42")]
    [InlineData("raw", " 42\n")]
    [InlineData("none", null)]
    public void AddLayer_SizeOptions_ActOnTheLayerRecordsSizeFile(string option, string? expected)
    {
        var fs = new MockFileSystem();
        var builder = NewBuilder(fs);
        var id = builder.AddLayer(l =>
        {
            l.File("a", "123");
            _ = option switch { "size" => l.LayerSize(42), "raw" => l.RawLayerSize(" 42\n"), _ => l.WithoutLayerSize() };
        });
        var record = "/r/image/aufs/layerdb/sha256/" + CasTestRoot.Hex(DiffIds(fs.File.ReadAllBytes("/r/image/aufs/imagedb/content/sha256/" + CasTestRoot.Hex(id)))[0]);

        Assert.Equal(expected, fs.File.Exists(record + "/size") ? fs.File.ReadAllText(record + "/size") : null);
        Assert.True(fs.File.Exists(record + "/diff"));
    }

    [Fact]
    public void AddLayer_WithoutTarSplit_WritesTheRecordWithoutTarSplitData()
    {
        var fs = new MockFileSystem();
        var builder = NewBuilder(fs);
        var id = builder.AddLayer(l => l.File("a", "123").WithoutTarSplit());
        var root = builder.Build();
        var layer = Assert.Single(root.Open().ResolveImage(id).Layers);

        Assert.Null(layer.TarSplitPath);
        Assert.False(fs.File.Exists($"/r/image/aufs/layerdb/sha256/{CasTestRoot.Hex(layer.Id)}/tar-split.json.gz"));
        Assert.Equal(["cache-id", "diff", "size"], fs.Directory.EnumerateFiles($"/r/image/aufs/layerdb/sha256/{CasTestRoot.Hex(layer.Id)}").Select(fs.Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains(RootChecker.Check(fs, "/r", new DockerRootOptions { Metadata = root.Metadata }, cancellationToken: TestContext.Current.CancellationToken).Findings,
            f => f.Code == FindingCodes.TarSplitMissing);
    }

    [Fact]
    public void AddLayer_WithoutDriverData_WritesTheRecordsButNoAufsData()
    {
        var fs = new MockFileSystem();
        var builder = NewBuilder(fs);
        var lost = builder.AddLayer(l => l.Created(T0).File("a", "123").Symlink("l", "a").WithoutDriverData());
        var child = builder.AddLayer(l => l.Parent(lost).File("b", "4"));
        var built = builder.Build();
        var chain = DiffIds(fs.File.ReadAllBytes("/r/image/aufs/imagedb/content/sha256/" + CasTestRoot.Hex(child)));
        var cacheId = fs.File.ReadAllText($"/r/image/aufs/layerdb/sha256/{CasTestRoot.Hex(chain[0])}/cache-id");
        var childCacheId = fs.File.ReadAllText($"/r/image/aufs/layerdb/sha256/{CasTestRoot.Hex(CasTestRoot.ChainId(chain[0], chain[1]))}/cache-id");

        var withData = NewBuilder(new MockFileSystem());
        var same = withData.AddLayer(l => l.Created(T0).File("a", "123").Symlink("l", "a"));
        Assert.Equal(same, lost); // the same config: the same DiffID, although the files are gone
        Assert.False(fs.Directory.Exists("/r/aufs/diff/" + cacheId));
        Assert.False(fs.Directory.Exists("/r/aufs/mnt/" + cacheId));
        Assert.False(fs.File.Exists("/r/aufs/layers/" + cacheId));
        Assert.False(built.Metadata.TryGetStatus($"/r/aufs/diff/{cacheId}/a", out _));
        Assert.Equal("4", fs.File.ReadAllText($"/r/image/aufs/layerdb/sha256/{CasTestRoot.Hex(chain[0])}/size"));
        Assert.True(fs.File.Exists($"/r/image/aufs/layerdb/sha256/{CasTestRoot.Hex(chain[0])}/tar-split.json.gz"));
        Assert.Equal(cacheId + "\n", fs.File.ReadAllText("/r/aufs/layers/" + childCacheId));
    }

    [Fact]
    public void Tag_References_AreStoredAsDockersReferenceStoreStoresThem()
    {
        var fs = new MockFileSystem();
        var builder = NewBuilder(fs);
        var a = builder.AddLayer(l => l.File("a", "1"));
        var b = builder.AddLayer(l => l.Parent(a).EmptyLayer());
        var digest = "sha256:" + Ids.Of("manifest");
        builder.Tag("busybox", a).Tag("busybox:1.27", a).Tag("docker.io/library/redis:4", b).Tag("localhost:5000/app@" + digest, b).Tag("user/app", a)
            .Tag("index.docker.io/user/tool:v1", b);
        builder.Build();

        Assert.Equal(
            $"{{\"Repositories\":{{\"busybox\":{{\"busybox:1.27\":\"{a}\",\"busybox:latest\":\"{a}\"}},\"localhost:5000/app\":{{\"localhost:5000/app@{digest}\":\"{b}\"}}," +
            $"\"redis\":{{\"redis:4\":\"{b}\"}},\"user/app\":{{\"user/app:latest\":\"{a}\"}},\"user/tool\":{{\"user/tool:v1\":\"{b}\"}}}}}}",
            fs.File.ReadAllText("/r/image/aufs/repositories.json"));
    }

    [Theory]
    [InlineData("UPPER:latest")]
    [InlineData("name:")]
    [InlineData("a@sha256:00")]
    public void Tag_ReferenceDockerDoesNotStore_Throws(string reference) =>
        Assert.ThrowsAny<ArgumentException>(() => NewBuilder(new MockFileSystem()).Tag(reference, "sha256:" + Ids.Of("x")));

    [Fact]
    public void RawRepositoriesOrWithoutRepositories_ContentAddressedRoot_ActOnRepositoriesJson()
    {
        var raw = new MockFileSystem();
        NewBuilder(raw).Tag("a", "sha256:" + Ids.Of("a")).RawRepositories(Encoding.UTF8.GetBytes("{broken")).Build();
        var none = new MockFileSystem();
        NewBuilder(none).Tag("a", "sha256:" + Ids.Of("a")).WithoutRepositories().Build();

        Assert.Equal("{broken", raw.File.ReadAllText("/r/image/aufs/repositories.json"));
        Assert.False(none.File.Exists("/r/image/aufs/repositories.json"));
        Assert.False(raw.File.Exists("/r/repositories-aufs") || none.File.Exists("/r/repositories-aufs"));
    }

    [Fact]
    public void RawJson_Step_WritesTheBytesAsTheConfig()
    {
        var fs = new MockFileSystem();
        var builder = NewBuilder(fs);
        const string Config = "{\"rootfs\":{\"type\":\"layers\"},\"created\":\"2016-01-01T00:00:00Z\"}";
        var id = builder.AddLayer(l => l.RawJson(Config).EmptyLayer());

        Assert.Equal(CasTestRoot.Sha256(Encoding.UTF8.GetBytes(Config)), id);
        Assert.Equal(Config, fs.File.ReadAllText("/r/image/aufs/imagedb/content/sha256/" + CasTestRoot.Hex(id)));
    }

    [Fact]
    public void EditJson_Step_EditsTheFinalConfigWhoseSha256IsTheImageId()
    {
        var fs = new MockFileSystem();
        var builder = NewBuilder(fs);
        var id = builder.AddLayer(l => l.File("a", "1").EditJson(o => { o["architecture"] = "arm64"; o.Remove("history"); }));
        var config = fs.File.ReadAllBytes("/r/image/aufs/imagedb/content/sha256/" + CasTestRoot.Hex(id));

        Assert.Equal(id, CasTestRoot.Sha256(config));
        Assert.Equal("arm64", Json(config).GetProperty("architecture").GetString());
        Assert.False(Json(config).TryGetProperty("history", out _));
        Assert.Single(DiffIds(config));
    }

    [Fact]
    public void Build_GraphEraRoot_ImageIdsAreItsLayerIds()
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), "/r");
        var a = builder.AddLayer(l => l.File("a", "1"));
        var b = builder.AddLayer(l => l.Parent(a));
        var built = builder.Build();

        Assert.Equal([a, b], built.ImageIds);
        Assert.Equal(built.LayerIds, built.ImageIds);
    }

    [Fact]
    public void Parent_GraphEraRoot_StillRefusesASha256ImageId() =>
        Assert.Throws<ArgumentException>(() => new DockerRootBuilder(new MockFileSystem(), "/r").AddLayer(l => l.Parent("sha256:" + Ids.Of("p"))));

    [Fact]
    public void WithoutTarSplit_GraphEraLayerFromTar_WritesNoTarData()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r", SpecialFileMode.Recorded);
        var id = builder.AddLayer(l => l.FromTar(() => new MemoryStream(new TarBytes().File("a", "1").Build())).WithoutTarSplit());
        builder.Build();

        Assert.Equal("1", fs.File.ReadAllText($"/r/aufs/diff/{id}/a"));
        Assert.False(fs.File.Exists($"/r/graph/{id}/tar-data.json.gz"));
    }

    [Fact]
    public void TarSplitAsm_WrittenLayers_GiveBytesThatHashToTheirDiffIds()
    {
        string id = null!;
        using var root = CasTestRoot.Build(Disk.Real, b =>
        {
            var base1 = b.AddLayer(l => l.File("bin/tool", "#!/bin/sh\necho tool\n", mode: "0755").Hardlink("bin/alias", "bin/tool").Symlink("etc/mtab", "/proc/mounts")
                .Directory("tmp", mode: "1777").File("etc/motd", "hello\n").Fifo("run/pipe"));
            id = b.AddLayer(l => l.Parent(base1).Whiteout("etc/motd").OpaqueDirectory("tmp").File("tmp/new", "n"));
        });
        var layers = root.Open().ResolveImage(id).Layers;

        Assert.Equal(2, layers.Count);
        foreach (var layer in layers)
        {
            var tar = InteropTools.RunBytes("tar-split", null, "asm", "--input", layer.TarSplitPath!, "--path", layer.ContentPath!);
            Assert.Equal(layer.DiffId, CasTestRoot.Sha256(tar));
        }
    }
}
