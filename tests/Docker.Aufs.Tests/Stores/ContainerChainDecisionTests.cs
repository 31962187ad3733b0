using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.IO;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Stores;

/// <summary>
/// A container whose driver record names other layers below it than the image store chains (issue 16 class 13, found again
/// by its adversarial review): strict, the disagreement is the answer — an error naming the record — never a reason to
/// mount what the record lists; lenient, the store's chain with one warning.
/// </summary>
public sealed class ContainerChainDecisionTests
{
    private const string R = "/var/lib/docker";

    /// <summary>The content-addressed overlay2 sample with the redis container's <c>lower</c> reduced to its init layer and the image's base.</summary>
    private static BuiltRoot Overlay2WithShortLower()
    {
        var built = SampleRoots.Write(new DockerRootBuilder(new MockFileSystem(), ImageStoreKind.ContentAddressed, "overlay2", R, SpecialFileMode.Recorded));
        var fs = built.FileSystem;
        var mountId = fs.File.ReadAllText($"{R}/image/overlay2/layerdb/mounts/{SampleRoots.RedisContainerId}/mount-id").Trim();
        var lower = $"{R}/overlay2/{mountId}/lower";
        var links = fs.File.ReadAllText(lower).Split(':');
        Assert.True(links.Length > 2);
        fs.File.WriteAllText(lower, links[0] + ":" + links[^1]);
        return built;
    }

    [Fact]
    public void Strict_AnOverlay2ContainerWhoseLowerDisagrees_IsRefusedNamingLower()
    {
        var built = Overlay2WithShortLower();
        var root = DockerRoot.Open(built.FileSystem, R, new DockerRootOptions { Metadata = built.Metadata });

        var e = Assert.Throws<BrokenLayerChainException>(() => root.OpenContainer(SampleRoots.RedisContainerName));

        Assert.EndsWith("/lower", e.Path, StringComparison.Ordinal);
        Assert.Contains("layerdb/mounts names the layers below the container", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lenient_AnOverlay2ContainerWhoseLowerDisagrees_MergesTheStoresChainAndSaysSoOnce()
    {
        var built = Overlay2WithShortLower();
        var logs = new ListLoggerFactory();
        var strict = DockerRoot.Open(built.FileSystem, R, new DockerRootOptions { Metadata = built.Metadata, LoggerFactory = logs, StrictChains = false });
        var expected = DockerRoot.Open(built.FileSystem, R, new DockerRootOptions { Metadata = built.Metadata }).OpenImage("redis");

        var view = strict.OpenContainer(SampleRoots.RedisContainerName);

        Assert.True(view.TryGetEntry("/usr/local/bin/redis-cli", followSymbolicLinks: false, out _));
        Assert.True(expected.TryGetEntry("/usr/local/bin/redis-cli", followSymbolicLinks: false, out _));
        var warning = Assert.Single(logs.Warnings);
        Assert.Contains("/lower", warning, StringComparison.Ordinal);
        Assert.EndsWith("going on with the image store's chain", warning, StringComparison.Ordinal);
    }
}
