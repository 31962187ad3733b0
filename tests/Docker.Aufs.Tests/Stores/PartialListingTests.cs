using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.IO;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Stores;

/// <summary>
/// A listing skips what this process may not read and says so (issue 13 bug 5): <see cref="IDockerRoot.GetImages"/> and
/// <see cref="IDockerRoot.GetContainers"/> return a <see cref="Listing{T}"/> whose <see cref="Listing{T}.Unreadable"/>
/// names each refused part, and log it once as a warning, instead of throwing. The refusal is simulated by a file system
/// that answers <see cref="UnauthorizedAccessException"/> for chosen paths (the on-disk family is
/// <c>Hostile/PartlyReadableRootTests</c>).
/// </summary>
public sealed class PartialListingTests
{
    private const string Root = "/var/lib/docker";

    [Fact]
    public void GetImages_EveryPartReadable_IsACompleteListing()
    {
        var root = Open(ImageStoreKind.Graph, _ => false, out _);

        var images = Assert.IsType<Listing<ImageSummary>>(root.GetImages());

        Assert.True(images.IsComplete);
        Assert.Empty(images.Unreadable);
        Assert.Equal(2, images.Count);
    }

    [Fact]
    public void GetImages_GraphDirectoryOfOneImageRefused_ListsTheOtherAndReportsTheRefusedDirectory()
    {
        var busybox = Open(ImageStoreKind.Graph, _ => false, out _).ResolveImage("busybox").Id;
        var refused = $"{Root}/graph/{busybox}";
        var root = Open(ImageStoreKind.Graph, p => p.StartsWith(refused, StringComparison.Ordinal), out var log);

        var images = Assert.IsType<Listing<ImageSummary>>(root.GetImages());

        Assert.False(images.IsComplete);
        Assert.Contains(images, i => i.RepoTags.Contains("redis:latest"));
        Assert.DoesNotContain(images, i => i.Id == busybox);
        var finding = Assert.Single(images.Unreadable);
        Assert.Equal((FindingCodes.Unreadable, refused, "permission denied: image " + busybox + " is not listed", "run as root or with read access to the copy"),
            (finding.Code, finding.Path, finding.Message, finding.Hint));
        Assert.Single(log.Entries, e => e.Id.Id == 1101 && e.Message.StartsWith($"permission denied: graph/{busybox}: run as root", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(ImageStoreKind.Graph, "repositories-aufs")]
    [InlineData(ImageStoreKind.ContentAddressed, "image/aufs/repositories.json")]
    public void GetImages_TagStoreRefused_ListsEveryImageUntaggedAndReportsIt(ImageStoreKind store, string tagStore)
    {
        var root = Open(store, p => p == $"{Root}/{tagStore}", out _);

        var images = Assert.IsType<Listing<ImageSummary>>(root.GetImages());

        Assert.Equal(2, images.Count);
        Assert.All(images, i => Assert.Empty(i.RepoTags));
        Assert.Equal($"{Root}/{tagStore}", Assert.Single(images.Unreadable).Path);
    }

    [Theory]
    [InlineData(ImageStoreKind.Graph, "config.json")]
    [InlineData(ImageStoreKind.ContentAddressed, "config.v2.json")]
    public void GetContainers_ConfigurationRefused_IsSkippedAndReported(ImageStoreKind store, string config)
    {
        var container = Open(store, _ => false, out _).GetContainers()[0].Id;
        var refused = $"{Root}/containers/{container}/{config}";
        var root = Open(store, p => p == refused, out _);

        var containers = Assert.IsType<Listing<Container>>(root.GetContainers());

        Assert.Empty(containers);
        var finding = Assert.Single(containers.Unreadable);
        Assert.Equal((refused, $"permission denied: container {container} is not listed"), (finding.Path, finding.Message));
    }

    private static IDockerRoot Open(ImageStoreKind store, Func<string, bool> deny, out ListLoggerFactory log)
    {
        var fileSystem = new MockFileSystem();
        SampleRoots.Write(new DockerRootBuilder(fileSystem, store, "aufs", Root, SpecialFileMode.Recorded));
        log = new ListLoggerFactory();
        return DockerRoot.Open(SpyFileSystem.Denying(fileSystem, deny), Root, new DockerRootOptions { LoggerFactory = log });
    }
}
