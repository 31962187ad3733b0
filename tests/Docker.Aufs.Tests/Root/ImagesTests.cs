using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Root;

public sealed class ImagesTests
{
    private static readonly DateTimeOffset T0 = new(2016, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void GetImages_ListsTaggedImagesAndUntaggedHeadsNewestFirst()
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), "/r");
        var baseId = builder.AddLayer(l => l.Created(T0).File("f", "12345"));
        var tagged = builder.AddLayer(l => l.Parent(baseId).Created(T0.AddDays(1)).File("g", "123"));
        var dangling = builder.AddLayer(l => l.Parent(baseId).Created(T0.AddDays(2)).File("h", "1"));
        var alone = builder.AddLayer(l => l.Created(T0.AddDays(3)));
        builder.Tag("app:1.0", tagged).Tag("app:latest", tagged).Tag("app@sha256:0123", tagged).Tag("base", baseId);

        var images = builder.Build().Open().GetImages();

        Assert.Equal([alone, dangling, tagged, baseId], images.Select(i => i.Id));
        var app = images.Single(i => i.Id == tagged);
        Assert.Equal(["app:1.0", "app:latest"], app.RepoTags);
        Assert.Equal(["app@sha256:0123"], app.RepoDigests);
        Assert.Equal(3, app.Size);
        Assert.Equal(8, app.VirtualSize);
        Assert.Equal(baseId, app.ParentId);
        Assert.Equal(T0.AddDays(1), app.Created?.Value);
        Assert.Empty(images.Single(i => i.Id == dangling).RepoTags);
        Assert.Equal(6, images.Single(i => i.Id == dangling).VirtualSize);
        Assert.Equal(["base:latest"], images.Single(i => i.Id == baseId).RepoTags);
    }

    [Fact]
    public void GetImages_UntaggedImagesWithChildren_AreNotListed()
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), "/r");
        var a = builder.AddLayer(_ => { });
        var b = builder.AddLayer(l => l.Parent(a));
        Assert.Equal([b], builder.Build().Open().GetImages().Select(i => i.Id));
    }

    [Fact]
    public void GetImages_UnreadableImages_AreSkippedWithAWarning()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r");
        var good = builder.AddLayer(_ => { });
        var bad = builder.AddLayer(_ => { });
        builder.Tag("good", good).Tag("bad", bad);
        var root = builder.Build();
        fs.File.WriteAllText($"/r/graph/{bad}/json", "{\"Size\":\"x\"}");
        var logs = new ListLoggerFactory();

        var images = root.Open(new DockerRootOptions { LoggerFactory = logs }).GetImages();

        Assert.Equal([good], images.Select(i => i.Id));
        Assert.Contains(logs.Warnings, w => w.Contains(bad, StringComparison.Ordinal) && w.Contains("json", StringComparison.Ordinal));
        Assert.Contains(logs.Warnings, w => w.Contains("bad:latest", StringComparison.Ordinal));
    }

    [Fact]
    public void GetImages_UnknownSizeAnywhereInTheChain_MakesTheVirtualSizeUnknown()
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), "/r");
        var a = builder.AddLayer(l => l.WithoutLayerSize());
        var b = builder.AddLayer(l => l.Parent(a).File("x", "12"));
        var image = builder.Build().Open().GetImages().Single();
        Assert.Equal(b, image.Id);
        Assert.Equal(2, image.Size);
        Assert.Null(image.VirtualSize);
    }

    [Fact]
    public void GetImages_MissingParent_MakesTheVirtualSizeUnknownButListsTheImage()
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), "/r");
        var child = builder.AddLayer(l => l.Parent(Ids.Of("gone")));
        var image = builder.Build().Open().GetImages().Single();
        Assert.Equal(child, image.Id);
        Assert.Null(image.VirtualSize);
    }

    [Fact]
    public void GetImages_GraphEntriesWithoutDriverData_AreIgnoredAsDockerIgnoresThem()
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), "/r");
        builder.AddLayer(l => l.WithoutDriverData());
        var kept = builder.AddLayer(_ => { });
        Assert.Equal([kept], builder.Build().Open().GetImages().Select(i => i.Id));
    }

    [Fact]
    public void GetImages_CorruptTagStore_StillListsHeads()
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), "/r");
        var id = builder.AddLayer(_ => { });
        builder.RawRepositories([]);
        var image = builder.Build().Open().GetImages().Single();
        Assert.Equal(id, image.Id);
        Assert.Empty(image.RepoTags);
    }

    [Fact]
    public void GetHistory_IsTopFirstWithCreatedByFromTheCommand()
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), "/r");
        var a = builder.AddLayer(l => l.Created(T0).CreatedBy("#(nop) ADD file:abc in /").File("f", "1234"));
        var b = builder.AddLayer(l => l.Parent(a).Created(T0.AddHours(1)).CreatedBy("#(nop) CMD [\"sh\"]").Comment("hello"));
        builder.Tag("app:v1", b).Tag("base", a);

        var history = builder.Build().Open().ResolveImage("app:v1").History;

        Assert.Equal([b, a], history.Select(h => h.Id));
        Assert.Equal("/bin/sh -c #(nop) CMD [\"sh\"]", history[0].CreatedBy);
        Assert.Equal("hello", history[0].Comment);
        Assert.Equal(0, history[0].Size);
        Assert.Equal(4, history[1].Size);
        Assert.Equal(T0.AddHours(1), history[0].Created?.Value);
        Assert.Equal(["app:v1"], history[0].Tags);
        Assert.Equal(["base:latest"], history[1].Tags);
    }

    [Fact]
    public void GetHistory_DoesNotNeedTheDriversChain()
    {
        // History is graph/ only: a lost aufs/layers file does not stop it.
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r");
        var a = builder.AddLayer(_ => { });
        var b = builder.AddLayer(l => l.Parent(a));
        var root = builder.Build();
        fs.File.WriteAllText($"/r/aufs/layers/{b}", "");
        Assert.Equal(2, root.Open().ResolveImage(b).History.Count);
        Assert.Throws<BrokenLayerChainException>(() => root.Open().OpenImage(b)); // merging the files does need it
    }
}
