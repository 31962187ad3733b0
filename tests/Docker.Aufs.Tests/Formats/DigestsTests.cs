using System.Text;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Tests.Formats;

/// <summary>Digests as go-digest validates them, and the identities built from them.</summary>
public sealed class DigestsTests
{
    [Theory]
    [InlineData("sha256:6c199d37e39d942ab453c9a7786dacef7200d7c75fcac0fcf3e0873d730aee85", null)]
    [InlineData("sha384:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", null)]
    [InlineData("sha512:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", null)]
    [InlineData("6c199d37e39d942ab453c9a7786dacef7200d7c75fcac0fcf3e0873d730aee85", "invalid checksum digest format")]
    [InlineData(":6c19", "invalid checksum digest format")]
    [InlineData("sha256:", "invalid checksum digest format")]
    [InlineData("md5:0123456789abcdef0123456789abcdef", "unsupported digest algorithm")]
    [InlineData("sha256:6c199d", "invalid checksum digest length")]
    [InlineData("sha256:6C199D37E39D942AB453C9A7786DACEF7200D7C75FCAC0FCF3E0873D730AEE85", "invalid checksum digest format")]
    [InlineData("sha256:6c199d37e39d942ab453c9a7786dacef7200d7c75fcac0fcf3e0873d730aee8g", "invalid checksum digest format")]
    public void Problem_IsGoDigestsVerdict(string value, string? expected)
    {
        Assert.Equal(expected, Digests.Problem(value));
        Assert.Equal(expected is null && value.StartsWith("sha256:", StringComparison.Ordinal), Digests.IsSha256(value));
    }

    [Fact]
    public void ChainIds_OfTheBalenaFixturesLayers_AreItsLayerDirectoryNames()
    {
        // The first two layers of the fixture's a2o-test image; layerdb/sha256/0882720f… names the second one's ChainID.
        var chain = Digests.ChainIds(["sha256:6c199d37e39d942ab453c9a7786dacef7200d7c75fcac0fcf3e0873d730aee85", "sha256:ad31f1660cbe8727dee2ceb1d878d78d3e73fd9153ee85236fdb8f0140daf31a"]);

        Assert.Equal(["sha256:6c199d37e39d942ab453c9a7786dacef7200d7c75fcac0fcf3e0873d730aee85", "sha256:0882720f3ae1388774dda5b67a9cd7aca6512e46868ea4d2e3d2c1c476e0ddb1"], chain);
        Assert.Empty(Digests.ChainIds([]));
    }

    [Fact]
    public void Sha256_OfTheEmptyTar_IsDockersEmptyLayerDiffId()
    {
        Assert.Equal("sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef", Digests.Sha256(new byte[1024]));
        Assert.Equal("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Digests.Sha256(Encoding.UTF8.GetBytes("")));
    }
}
