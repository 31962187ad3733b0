using System.IO.Abstractions.TestingHelpers;
using System.Text;
using Docker.Aufs.Testing;
using Docker.Aufs.Stores.Graph;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Building;

/// <summary>The built-in sample reproduces the seed's host exactly: IDs, chains, aufs/layers files and JSON documents.</summary>
public sealed class SampleRootTests
{
    private static readonly string[] SeedRedisOrder =
    [
        "c7d952921cec16e2213a30b7e9251ae41d3388f8bb47a55115373eb8f5f86c0d",
        "cdae54488c335c13449ff5144e0314e70a800e123d8040d75cb232a9ac9d15f3",
        "b24a601bcb9d4e260f17cb62896fdac69879b9c9d1c20edf89148009bb7eabdd",
        "b7619ad72c9ec5b3c9c46d8d97889980814a97429133efa4c9029d0a2377a053",
        "893c56607b58ceaf230a05b23bf0d623e25cdcdb3f294851c51aaadddd2ffa4a",
        "41f541aa23f61e71734713a96b4e9051b1c069e0c7ce9f90ec5af9225782d87d",
        "a2c7b01316337e88a14f8a0b7c3be69a3d97b2a53a2cea086c9df1e903687101",
        "f450a2878ab6a2d234f3a5107205e5599dd3c75565d8fc360f5b7f889c0e78ed",
        "3729e0036a740d3154b22675958accc7182a43a3a1885a1af3ea2fe3d01edc34",
        "c0f8939f779a9f6bcf63aa97be01909f3f12015b60d9aef29ff77d8c0c0bd517",
        "148cfbb17c8f4695253afa1a26d91c01f04d062d95d7e955c6093c9a744c1e07",
        "adcb27129429d01e1b72617a732163644ee7be9b031398c97c2e21987f78a608",
        "e4b18f28200c126f9d4e95cd987204b68dbc4dcc2b7729a43ae10fe5ecd6700e",
        "e5bcc9ce9b776659b5d8a8dc4d1b4bccb0d3f5a9c3ec750f5e1aa5f58c3e5a4e",
        "77fe44e7dc795ca45a75317956361c79a69e03f2e231eecabab43fb4828c1e02",
        "2e4125888032d525ea7911decb974240d77d5946a00262bbabf6a765b28351c4",
    ];

    // `ls -la layers/` in the seed: file sizes in bytes (65 per ancestor).
    private static readonly Dictionary<string, int> SeedLayerFileSizes = new()
    {
        ["148cfbb17c8f"] = 325, ["2e4125888032"] = 0, ["3729e0036a74"] = 455, ["41f541aa23f6"] = 650, ["77fe44e7dc79"] = 65,
        ["789355058656"] = 65, ["893c56607b58"] = 715, ["97d69bba9a9d"] = 0, ["a2c7b0131633"] = 585, ["adcb27129429"] = 260,
        ["b24a601bcb9d"] = 845, ["b7619ad72c9e"] = 780, ["c0f8939f779a"] = 390, ["c7d952921cec"] = 975, ["cdae54488c33"] = 910,
        ["e4b18f28200c"] = 195, ["e5bcc9ce9b77"] = 130, ["f450a2878ab6"] = 520,
    };

    private static (MockFileSystem Fs, IDockerRoot Root) Sample()
    {
        var fs = new MockFileSystem();
        return (fs, SampleRoots.Write(fs).Open());
    }

    [Fact]
    public void RedisLatest_ResolvesToItsSixteenLayersInTheSeedsOrder()
    {
        var stack = Sample().Root.ResolveImage("redis:latest");
        Assert.Equal(SeedRedisOrder, stack.Layers.Select(l => l.Id));
        Assert.Equal(SeedRedisOrder, SampleRoots.RedisLayers);
    }

    [Fact]
    public void BusyboxLatest_ResolvesToTwoLayers() =>
        Assert.Equal(
            ["789355058656ec2ca0a856283e2597852ccd444548c9ef4fcbf8c9c24a73e169", "97d69bba9a9d8406055d0fdc38a7f00162823ee5ca3751fc71531cb210204ff9"],
            Sample().Root.ResolveImage("busybox").Layers.Select(l => l.Id));

    [Fact]
    public void TheRepositoriesFileHoldsTheSeedsTwoTags()
    {
        var (fs, _) = Sample();
        Assert.Equal(
            "{\"Repositories\":{\"busybox\":{\"latest\":\"789355058656ec2ca0a856283e2597852ccd444548c9ef4fcbf8c9c24a73e169\"},\"redis\":{\"latest\":\"c7d952921cec16e2213a30b7e9251ae41d3388f8bb47a55115373eb8f5f86c0d\"}}}",
            fs.File.ReadAllText("/var/lib/docker/repositories-aufs"));
    }

    [Fact]
    public void TheGraphHoldsTheSeedsEighteenLayersAndTmp()
    {
        var (fs, root) = Sample();
        Assert.Equal(18, root.Graph().GetImageIds().Count);
        Assert.Equal(SeedLayerFileSizes.Keys.Order(StringComparer.Ordinal), root.Graph().GetImageIds().Select(id => id[..12]));
        Assert.True(fs.Directory.Exists("/var/lib/docker/graph/_tmp"));
    }

    [Fact]
    public void EveryAufsLayersFileHasTheSeedsSizeAndIsTheFullAncestorChain()
    {
        var (fs, root) = Sample();
        foreach (var id in root.Graph().GetImageIds())
        {
            var path = $"/var/lib/docker/aufs/layers/{id}";
            Assert.Equal(SeedLayerFileSizes[id[..12]], fs.FileInfo.New(path).Length);
            Assert.Equal(root.ResolveImage(id).History.Skip(1).Select(h => h.Id), root.AufsDriver()!.ReadLayerFile(id).Ancestors);
            Assert.Empty(fs.Directory.EnumerateFileSystemEntries($"/var/lib/docker/aufs/mnt/{id}"));
        }

        Assert.Equal(string.Concat(SeedRedisOrder.Skip(1).Select(id => id + "\n")), fs.File.ReadAllText($"/var/lib/docker/aufs/layers/{SeedRedisOrder[0]}"));
    }

    [Fact]
    public void TheRedisTopJsonIsTheSeedsDocumentByteForByte()
    {
        var (fs, root) = Sample();
        var bytes = fs.File.ReadAllBytes($"/var/lib/docker/graph/{SeedRedisOrder[0]}/json");
        Assert.Equal(1988, bytes.Length);
        Assert.EndsWith("\"os\":\"linux\",\"Size\":0}\n", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        var image = root.Graph().ReadLayer(SeedRedisOrder[0]).Image;
        Assert.Equal(SeedRedisOrder[1], image.Parent);
        Assert.Equal("cf72799c32e80417751c6657f680d42cef1f5a03befe10074860e9fdfa8d9709", image.Container);
        Assert.Equal("17.06.2-ce", image.DockerVersion);
        Assert.Equal(["redis-server"], image.Config!.Cmd!);
        Assert.Equal(["docker-entrypoint.sh"], image.Config!.Entrypoint!);
        Assert.Equal(["6379/tcp"], image.Config!.ExposedPorts!);
        Assert.Equal(["/data"], image.Config!.Volumes!);
        Assert.Equal("/data", image.Config!.WorkingDir);
        Assert.Equal(["/bin/sh", "-c", "#(nop) ", "CMD [\"redis-server\"]"], image.ContainerConfig!.Cmd!);
        Assert.Equal(new DateTimeOffset(2017, 12, 12, 7, 15, 58, TimeSpan.Zero).AddTicks(9_017_798), image.Created?.Value);
        Assert.Equal("2017-12-12T07:15:58.901779813Z", image.Created?.Text); // the nanoseconds Docker wrote, not cut to 100 ns
        Assert.Equal("0", fs.File.ReadAllText($"/var/lib/docker/graph/{SeedRedisOrder[0]}/layersize"));
    }

    [Fact]
    public void TheRedisBaseJsonIsTheSeedsDocument()
    {
        var (fs, root) = Sample();
        var text = fs.File.ReadAllText($"/var/lib/docker/graph/{SeedRedisOrder[^1]}/json");
        Assert.StartsWith("{\"id\":\"2e4125888032d525ea7911decb974240d77d5946a00262bbabf6a765b28351c4\",\"created\":\"2017-12-12T01:41:34.77099551Z\",", text, StringComparison.Ordinal);
        Assert.EndsWith(",\"Size\":79146752}\n", text, StringComparison.Ordinal);
        var layer = root.Graph().ReadLayer(SeedRedisOrder[^1]);
        Assert.Null(layer.Parent);
        Assert.Equal(["/bin/sh -c #(nop) ADD file:e7ac45803c3ab9b7023933b75f5a88eda1f3edca97c7e462401860777cf312f7 in / "], layer.Image.ContainerConfig!.Cmd!);
    }

    [Fact]
    public void EveryLayersizeEqualsTheSizeOfItsDiffDirectory()
    {
        var (fs, root) = Sample();
        foreach (var id in root.Graph().GetImageIds())
        {
            var layer = root.Graph().ReadLayer(id);
            Assert.Equal(LayerSizeStatus.Present, layer.SizeStatus);
            var diff = $"/var/lib/docker/aufs/diff/{id}";
            var seenInodes = new HashSet<ulong>();
            long total = 0;
            foreach (var path in fs.Directory.EnumerateFileSystemEntries(diff, "*", SearchOption.AllDirectories))
            {
                Assert.True(root.Metadata.TryGetStatus(path, out var status));
                if (status.Type != IO.UnixFileType.Directory && seenInodes.Add(status.Inode))
                {
                    total += status.Size;
                }
            }

            Assert.Equal(total, layer.Size);
        }
    }

    [Fact]
    public void TheSampleHasHardlinksSymlinksAWhiteoutAndAnOpaqueDirectory()
    {
        var (fs, root) = Sample();
        var busyboxBase = $"/var/lib/docker/aufs/diff/{SampleRoots.BusyboxLayers[1]}";
        Assert.True(root.Metadata.TryGetStatus(busyboxBase + "/bin/sh", out var sh));
        Assert.True(root.Metadata.TryGetStatus(busyboxBase + "/bin/busybox", out var busybox));
        Assert.Equal(busybox.Inode, sh.Inode);
        Assert.Equal(5u, sh.LinkCount);
        Assert.True(root.Metadata.TryGetStatus($"/var/lib/docker/aufs/diff/{SeedRedisOrder[^1]}/bin/sh", out var link));
        Assert.Equal(("dash", IO.UnixFileType.SymbolicLink), (link.LinkTarget, link.Type));
        var gosuLayer = $"/var/lib/docker/aufs/diff/{SeedRedisOrder[11]}";
        Assert.True(fs.File.Exists(gosuLayer + "/var/cache/debconf/.wh.templates.dat-old"));
        Assert.True(fs.File.Exists(gosuLayer + "/var/lib/apt/lists/.wh..wh..opq"));
    }

    [Fact]
    public void GetImages_ListsBothImagesLikeDockerImages()
    {
        var images = Sample().Root.GetImages();
        Assert.Equal(["redis:latest", "busybox:latest"], images.Select(i => i.RepoTags.Single()));
        Assert.All(images, i => Assert.NotNull(i.VirtualSize));
    }
}
