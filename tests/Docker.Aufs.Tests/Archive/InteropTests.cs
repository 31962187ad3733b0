using System.IO.Abstractions;
using System.Text.Json;
using Docker.Aufs.Archive;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.IO;

namespace Docker.Aufs.Tests.Archive;

/// <summary>Our archives, checked by tools we did not write: skopeo, umoci, oci-image-tool.</summary>
public sealed class InteropTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private IDockerRoot SampleOnDisk() => SampleRoots.Write(new FileSystem(), _temp.Combine("sample"), SpecialFileMode.Native).Open();

    private IDockerRoot Import(string fixture)
    {
        ImageImporter.Import(new FileSystem(), Fixtures.Path(fixture), _temp.Combine(fixture + "-root"), cancellationToken: Token);
        return DockerRoot.Open(new FileSystem(), _temp.Combine(fixture + "-root"));
    }

    private static List<string> SkopeoLayers(string reference) =>
        [.. JsonDocument.Parse(InteropTools.Run("skopeo", "inspect", reference)).RootElement.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()!)];

    private static List<string> SkopeoDiffIds(string reference) =>
        [.. JsonDocument.Parse(InteropTools.Run("skopeo", "inspect", "--config", reference)).RootElement.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(l => l.GetString()!)];

    [Fact]
    public void DockerArchive_SkopeoInspectsEachImageWithOurDiffIds_AndCopiesItToAnOciLayout()
    {
        var root = SampleOnDisk();
        var output = _temp.Combine("images.tar");
        var result = new ImageArchiver(root).Save(["busybox:latest", "redis:latest"], output, cancellationToken: Token);

        Assert.Equal(result.Images[0].Layers.Select(l => l.DiffId), SkopeoLayers($"docker-archive:{output}:busybox:latest"));
        Assert.Equal(result.Images[1].Layers.Select(l => l.DiffId), SkopeoLayers($"docker-archive:{output}:redis:latest"));

        var oci = _temp.Combine("copied");
        InteropTools.Run("skopeo", "copy", $"docker-archive:{output}:redis:latest", $"oci:{oci}:redis");
        Assert.Equal(result.Images[1].Layers.Select(l => l.DiffId), SkopeoDiffIds($"oci:{oci}:redis")); // skopeo compresses the blobs it copies
        InteropTools.Run("oci-image-tool", "validate", "--type", "image", oci);
    }

    [Fact]
    public void DockerArchive_WithGzipLayers_SkopeoReadsIt()
    {
        var root = SampleOnDisk();
        var output = _temp.Combine("busybox-gz.tar");
        var result = new ImageArchiver(root).Save(["busybox"], output, new ArchiveOptions { Gzip = true }, cancellationToken: Token);
        Assert.Equal(result.Images[0].Layers.Select(l => l.DiffId), SkopeoDiffIds($"docker-archive:{output}"));
        InteropTools.Run("skopeo", "copy", $"docker-archive:{output}", $"oci:{_temp.Combine("gz-copied")}:busybox");
    }

    [Fact]
    public void OciArchiveAndDirectory_SkopeoInspectsThemByTag()
    {
        var root = SampleOnDisk();
        var archive = _temp.Combine("busybox-oci.tar");
        var directory = _temp.Combine("busybox-oci");
        var fromArchive = new ImageArchiver(root).Save(["busybox"], archive, new ArchiveOptions { Format = ArchiveFormat.Oci }, cancellationToken: Token);
        new ImageArchiver(root).Save(["busybox"], directory, new ArchiveOptions { Format = ArchiveFormat.OciDirectory, Gzip = true }, cancellationToken: Token);

        var expected = fromArchive.Images[0].Layers.Select(l => l.DiffId).ToList();
        Assert.Equal(expected, SkopeoLayers($"oci-archive:{archive}:latest"));
        var inspected = JsonDocument.Parse(InteropTools.Run("skopeo", "inspect", "--raw", $"oci:{directory}:latest")).RootElement;
        Assert.All(inspected.GetProperty("layers").EnumerateArray(), l => Assert.EndsWith("tar+gzip", l.GetProperty("mediaType").GetString(), StringComparison.Ordinal));
        var config = JsonDocument.Parse(InteropTools.Run("skopeo", "inspect", "--config", $"oci:{directory}:latest")).RootElement;
        Assert.Equal(expected, config.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(d => d.GetString()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OciDirectory_OciImageToolValidatesIt(bool gzip)
    {
        var root = SampleOnDisk();
        var directory = _temp.Combine("layout");
        new ImageArchiver(root).Save(["busybox", "redis"], directory, new ArchiveOptions { Format = ArchiveFormat.OciDirectory, Gzip = gzip }, cancellationToken: Token);
        var output = InteropTools.Run("oci-image-tool", "validate", "--type", "image", directory);
        Assert.Contains("Validation succeeded", output, StringComparison.Ordinal);
    }

    [Fact]
    public void OciDirectory_OciImageToolRejectsADamagedOne_SoItsApprovalMeansSomething()
    {
        var root = SampleOnDisk();
        var directory = _temp.Combine("damaged");
        new ImageArchiver(root).Save(["busybox"], directory, new ArchiveOptions { Format = ArchiveFormat.OciDirectory }, cancellationToken: Token);
        var blob = Directory.EnumerateFiles(Path.Combine(directory, "blobs", "sha256")).OrderByDescending(f => new FileInfo(f).Length).First();
        File.AppendAllText(blob, "x");
        Assert.NotEqual(0, InteropTools.TryRun("oci-image-tool", "validate", "--type", "image", directory).Exit);
    }

    [Theory]
    [InlineData("dive-test-image.tar", "dive-test:latest", "latest")]
    [InlineData("moby-empty-layer.tar", "matthughes/library-centos", "6-2015.03.20")]
    public void OciDirectory_UmociUnpacksTheTreeTheExportedLayersDescribe(string fixture, string reference, string tag)
    {
        var root = Import(fixture);
        var directory = _temp.Combine("unpack-layout");
        var result = new ImageArchiver(root).Save([reference], directory, new ArchiveOptions { Format = ArchiveFormat.OciDirectory }, cancellationToken: Token);
        var layerBlobs = result.Images[0].Layers.Select(l => File.ReadAllBytes(Path.Combine(directory, "blobs", "sha256", l.DiffId[7..]))).ToList();
        var expected = LayerApplier.Apply(layerBlobs);

        var bundle = _temp.Combine("bundle");
        InteropTools.Run("umoci", "unpack", "--rootless", "--image", $"{directory}:{tag}", bundle);
        var unpacked = LayerApplier.Read(Path.Combine(bundle, "rootfs"));

        Assert.Equal(expected.Keys, unpacked.Keys);
        foreach (var (path, entry) in expected)
        {
            var actual = unpacked[path];
            Assert.True((entry.Type, entry.Size, entry.LinkTarget) == (actual.Type, actual.Size, actual.LinkTarget), $"{path}: expected {entry}, unpacked {actual}");
            Assert.True((entry.Mode & 0xFFF) == (actual.Mode & 0xFFF), $"{path}: mode expected {Convert.ToString(entry.Mode & 0xFFF, 8)}, unpacked {Convert.ToString(actual.Mode & 0xFFF, 8)}");
        }

        if (fixture.StartsWith("dive", StringComparison.Ordinal))
        {
            Assert.DoesNotContain("root/example", unpacked.Keys);
            Assert.Equal(0x1ED, unpacked["root/saved.txt"].Mode & 0x1FF);
        }
    }

    [Fact]
    public void DockerArchive_OfTheMobyEmptyLayerImage_SkopeoAcceptsTheZeroByteLayer()
    {
        var root = Import("moby-empty-layer.tar");
        var output = _temp.Combine("centos.tar");
        new ImageArchiver(root).Save(["matthughes/library-centos:6-2015.03.20"], output, cancellationToken: Token);
        var layers = SkopeoLayers($"docker-archive:{output}");
        Assert.Equal("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", layers[1]);
        Assert.Equal(layers, SkopeoDiffIds($"docker-archive:{output}"));
        InteropTools.Run("skopeo", "copy", $"docker-archive:{output}", $"oci:{_temp.Combine("centos-oci")}:centos");
    }
}
