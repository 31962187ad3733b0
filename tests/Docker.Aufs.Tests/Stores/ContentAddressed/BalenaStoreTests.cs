using System.IO.Abstractions;
using System.Security.Cryptography;
using System.Text.Json;
using Docker.Aufs.Archive;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.Tests.Union;

namespace Docker.Aufs.Tests.Stores.ContentAddressed;

/// <summary>
/// The content-addressed store on real data: balena-aufs-root.tar.gz, written by balena-engine 18.09 (a Docker fork) on
/// AUFS, read through <c>image/aufs/</c> as its engine read it. What it must yield is in the fixtures' README.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BalenaStoreTests : IDisposable
{
    private const string A2oTest = "sha256:0f9f45320e215fcce9798ab2637f6fbfc4b065a00a046902da747265e36757d2";
    private const string Busybox = "sha256:af0f90b2d710db8743485fc4877f1024d395b0274305d8fc650e6247cb0c1382";
    private const string BusyboxDigest = "busybox@sha256:cde96a6db8ba29d051b91de849f6240e8aac5bcaf559e8cc5286183264cd8d48";

    // The four build steps of the fixture's Dockerfile, each an image whose metadata names the one before.
    private const string Step1 = "sha256:df64fe71bd06dd7cef947556273da8cb83d509c8356038af762145760c25a67e";
    private const string Step2 = "sha256:73d07b674b621b0c3dca544f0eddf4d76c7d291fbc5c5b7a0a2a7b2da5e5b639";
    private const string Step3 = "sha256:ce38686f1d49d5d36cd4826d36ff483b4cd714cf06e1186ca32f4b4dd8e203b9";

    private static readonly string[] CacheIdsTopFirst =
    [
        "0ea3c275c06095f504eeded40409cb1c8f2df7a0c13999a290855f5d583b6b78", "9446707512e403607689c46bd12bca72b49b40e90421f3af74dc5dd2d33e3e05",
        "f43c33770c600233d4a1c457df649d3fd3ba9cf1d428619f44c651bfa8a3c502", "71538963aa4bf139c2dd362ca9d2fb4f4688523261020e320a0578df48e2e2cc",
        "34999927091de7ae41baa85f0be576c4b70ff81bf30d6850bf84c16d5d8cb9f5",
    ];

    private static readonly string[] DiffIdsBaseFirst =
    [
        "sha256:6c199d37e39d942ab453c9a7786dacef7200d7c75fcac0fcf3e0873d730aee85", "sha256:ad31f1660cbe8727dee2ceb1d878d78d3e73fd9153ee85236fdb8f0140daf31a",
        "sha256:e3950e4871490e8a17eb2a581e20963a16cbfe2877f295813bb02fcbff6d197d", "sha256:75527bab1de9a230d40ed2beba6d499b44502707d35a569235d65f98a1b538b6",
        "sha256:a34908ff988325a966824eb8574a10ade3c89efeab484a4afab20c069e8ee919",
    ];

    private readonly BalenaFixtureTests.ExtractedRoot _fixture;
    private readonly TempDirectory _temp = new();

    public BalenaStoreTests(BalenaFixtureTests.ExtractedRoot fixture)
    {
        _fixture = fixture;
    }

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private IDockerRoot Open() => DockerRoot.Open(new FileSystem(), _fixture.Path);

    /// <summary>The regular files of a tar, by name.</summary>
    private static Dictionary<string, byte[]> Members(string tar)
    {
        var members = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var reader = new System.Formats.Tar.TarReader(File.OpenRead(tar));
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is { } data)
            {
                using var copy = new MemoryStream();
                data.CopyTo(copy);
                members[entry.Name] = copy.ToArray();
            }
        }

        return members;
    }

    private string ConfigPath(string id) => Path.Combine(_fixture.Path, "image", "aufs", "imagedb", "content", "sha256", id["sha256:".Length..]);

    [Fact]
    public void Open_TheBalenaRoot_ReadsItsContentAddressedStoreWithTheAufsDriver()
    {
        var root = Open();

        Assert.Equal(ImageStoreKind.ContentAddressed, root.Store);
        Assert.Equal("aufs", root.Driver);
    }

    [Fact]
    public void GetImages_TheBalenaRoot_ListsTheTwoTaggedImagesButNotTheBuildSteps()
    {
        var images = Open().GetImages();

        Assert.Equal([A2oTest, Busybox], images.Select(i => i.Id)); // newest first
        Assert.Equal(["a2o-test:latest"], images[0].RepoTags);
        Assert.Empty(images[0].RepoDigests);
        Assert.Equal(Step3, images[0].ParentId);
        Assert.Equal(["busybox:1.33.0"], images[1].RepoTags);
        Assert.Equal([BusyboxDigest], images[1].RepoDigests);
        Assert.Equal(1235829 + 12, images[0].Size); // the sum of the five layers' size files
        Assert.Equal(images[0].Size, images[0].VirtualSize);
        Assert.Equal("2021-01-25T16:25:43.411166141Z", images[0].Created?.Text);
    }

    [Theory]
    [InlineData("a2o-test", A2oTest)]
    [InlineData("a2o-test:latest", A2oTest)]
    [InlineData("library/a2o-test", A2oTest)]
    [InlineData("docker.io/library/a2o-test:latest", A2oTest)]
    [InlineData("index.docker.io/library/a2o-test", A2oTest)]
    [InlineData(A2oTest, A2oTest)]
    [InlineData("0f9f45320e215fcce9798ab2637f6fbfc4b065a00a046902da747265e36757d2", A2oTest)]
    [InlineData("0f9f45320e21", A2oTest)]
    [InlineData("0f9", A2oTest)]
    [InlineData("sha256:0f9f45", A2oTest)]
    [InlineData("a2o-test:0f9f45320e21", A2oTest)] // the deprecated name:<short ID>
    [InlineData("busybox:1.33.0", Busybox)]
    [InlineData("docker.io/library/busybox:1.33.0", Busybox)]
    [InlineData(BusyboxDigest, Busybox)]
    [InlineData("docker.io/library/" + BusyboxDigest, Busybox)]
    [InlineData("ce38686f1d49", Step3)]
    public void ResolveImage_EveryFormDockerAccepts_FindsTheImage(string reference, string expected)
    {
        Assert.Equal(expected, Open().ResolveImage(reference).Id);
    }

    [Theory]
    [InlineData("busybox")] // the default tag latest is not there
    [InlineData("busybox:latest")]
    [InlineData("a2o-test:v1")]
    [InlineData("sha256:0f9f45320e215fcce9798ab2637f6fbfc4b065a00a046902da747265e36757d3")]
    [InlineData("busybox@sha256:0000000000000000000000000000000000000000000000000000000000000000")]
    public void ResolveImage_AReferenceTheStoreDoesNotHold_IsNotFound(string reference)
    {
        Assert.Throws<ImageNotFoundException>(() => Open().ResolveImage(reference));
    }

    [Fact]
    public void ResolveImage_AnUppercaseName_SaysItIsNotAValidReference()
    {
        var e = Assert.Throws<ImageNotFoundException>(() => Open().ResolveImage("A2O-TEST"));

        Assert.Contains("repository name must be lowercase", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveImage_A2oTest_HasFiveLayersTopFirstWithTheirCacheIdsDiffIdsAndSizes()
    {
        var image = Open().ResolveImage("a2o-test");

        Assert.Equal(CacheIdsTopFirst, image.Layers.Select(l => l.DriverLayerId));
        Assert.Equal(DiffIdsBaseFirst.Reverse(), image.Layers.Select(l => l.DiffId));
        Assert.Equal(Docker.Aufs.Formats.Digests.ChainIds(DiffIdsBaseFirst).Reverse(), image.Layers.Select(l => l.Id));
        Assert.Equal([0L, 12, 0, 0, 1235829], image.Layers.Select(l => l.Size));
        Assert.All(image.Layers, l => Assert.Equal(LayerContentFormat.AufsChanges, l.ContentFormat));
        Assert.All(image.Layers, l => Assert.EndsWith("/tar-split.json.gz", l.TarSplitPath, StringComparison.Ordinal));
        Assert.Equal(File.ReadAllBytes(ConfigPath(A2oTest)), image.Config.ToArray());
        Assert.Equal(Step3, image.ParentId);
    }

    [Fact]
    public void OpenImage_A2oTest_MergesTheSame427EntriesAsItsTopAufsLayer()
    {
        var fromStore = Open().OpenImage("a2o-test:latest").EnumerateRecursive().Select(e => (e.Path, e.Type, e.LayerId)).ToList();
        var fromDriver = _fixture.View().EnumerateRecursive().Select(e => (e.Path, e.Type, e.LayerId)).ToList();

        Assert.Equal(427, fromStore.Count);
        Assert.Equal(fromDriver, fromStore);
    }

    [Fact]
    public void History_A2oTest_IsTheConfigsHistoryNewestFirstWithTheImagesOfTheBuildSteps()
    {
        var history = Open().ResolveImage("a2o-test").History;

        Assert.Equal([A2oTest, Step3, Step2, Step1, Busybox, null], history.Select(h => h.Id));
        Assert.Equal([false, false, false, false, true, false], history.Select(h => h.EmptyLayer));
        Assert.Equal([0L, 12, 0, 0, 0, 1235829], history.Select(h => h.Size));
        Assert.Equal("/bin/sh -c ln /tmp/d1/d1f2 /tmp/hlkn", history[0].CreatedBy);
        Assert.Equal("/bin/sh -c #(nop)  CMD [\"sh\"]", history[4].CreatedBy);
        Assert.Equal(["a2o-test:latest"], history[0].Tags);
        Assert.Equal(["busybox:1.33.0"], history[4].Tags);
        Assert.Null(history[4].LayerId); // an empty layer has none
        Assert.Equal(Docker.Aufs.Formats.Digests.ChainIds(DiffIdsBaseFirst)[0], history[5].LayerId);
        Assert.Equal("2021-01-13T09:25:58.702986619Z", history[5].Created?.Text);
    }

    [Fact]
    public void GetContainers_TheBalenaRoot_HasNone()
    {
        Assert.Empty(Open().GetContainers());
    }

    [Fact]
    public void ComputeDigests_A2oTest_ReassemblesEveryLayerToItsDiffIdAndKeepsTheImageId()
    {
        var digests = new ImageArchiver(Open()).ComputeDigests("a2o-test", new ArchiveOptions { Source = LayerSource.TarSplit }, cancellationToken: Token);

        Assert.Equal(A2oTest, digests.ImageId);
        Assert.Equal(A2oTest, digests.SourceId);
        Assert.Equal(File.ReadAllBytes(ConfigPath(A2oTest)), digests.Config.ToArray());
        Assert.Equal(DiffIdsBaseFirst, digests.Layers.Select(l => l.DiffId));
        Assert.All(digests.Layers, l => Assert.Equal(LayerSource.TarSplit, l.Source));
    }

    [Fact]
    public void Save_A2oTest_WritesTheStoredConfigSoTheArchivesImageIdIsTheIdOnDisk()
    {
        var output = _temp.Combine("a2o.tar");
        var result = new ImageArchiver(Open()).Save(["a2o-test"], output, cancellationToken: Token);

        Assert.Equal(A2oTest, result.Images[0].ImageId);
        Assert.Equal(["a2o-test:latest"], result.Images[0].RepoTags);
        var members = Members(output);
        var configName = A2oTest["sha256:".Length..] + ".json";
        Assert.Equal(File.ReadAllBytes(ConfigPath(A2oTest)), members[configName]);
        var manifest = JsonDocument.Parse(members["manifest.json"]).RootElement[0];
        Assert.Equal(configName, manifest.GetProperty("Config").GetString());
        var layerDigests = manifest.GetProperty("Layers").EnumerateArray().Select(l => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(members[l.GetString()!]))).ToList();
        Assert.Equal(DiffIdsBaseFirst, layerDigests);
    }

    [Fact]
    public void Save_A2oTest_SkopeoSeesTheImageIdAndDiffIdsAndCopiesIt()
    {
        var output = _temp.Combine("a2o.tar");
        new ImageArchiver(Open()).Save(["a2o-test:latest"], output, cancellationToken: Token);

        var config = InteropTools.Run("skopeo", "inspect", "--config", "--raw", $"docker-archive:{output}:a2o-test:latest");
        Assert.Equal(A2oTest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(config))));
        var copied = _temp.Combine("copied");
        InteropTools.Run("skopeo", "copy", $"docker-archive:{output}:a2o-test:latest", $"oci:{copied}:a2o");
        InteropTools.Run("oci-image-tool", "validate", "--type", "image", copied);
    }

    [Fact]
    public void Save_A2oTestAsAnOciLayout_ValidatesAndUnpacksToTheMergedView()
    {
        var layout = _temp.Combine("a2o-oci");
        var result = new ImageArchiver(Open()).Save(["a2o-test"], layout, new ArchiveOptions { Format = ArchiveFormat.OciDirectory }, cancellationToken: Token);

        Assert.Equal(A2oTest, result.Images[0].ImageId);
        InteropTools.Run("oci-image-tool", "validate", "--type", "image", layout);
        var manifest = JsonDocument.Parse(InteropTools.Run("skopeo", "inspect", "--raw", $"oci:{layout}:latest")).RootElement;
        Assert.Equal(A2oTest, manifest.GetProperty("config").GetProperty("digest").GetString());

        var bundle = _temp.Combine("bundle");
        InteropTools.Run("umoci", "unpack", "--rootless", "--image", $"{layout}:latest", bundle);
        var unpacked = Directory.EnumerateFileSystemEntries(Path.Combine(bundle, "rootfs"), "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Path.Combine(bundle, "rootfs"), p)).Order(StringComparer.Ordinal).ToList();
        var merged = _fixture.View().EnumerateRecursive().Select(e => e.Path).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(merged, unpacked);
    }

    [Fact]
    public void Check_TheBalenaRoot_FindsNoErrorAndVerifiesEveryLayerAgainstItsTarSplit()
    {
        var report = RootChecker.Check(new FileSystem(), _fixture.Path, verifyContent: true, cancellationToken: Token);

        Assert.DoesNotContain(report.Findings, f => f.Severity == FindingSeverity.Error);
        Assert.DoesNotContain(report.Findings, f => f.Code is FindingCodes.TarSplitMissing or FindingCodes.OrphanLayer or FindingCodes.OrphanDriverLayer);
    }
}
