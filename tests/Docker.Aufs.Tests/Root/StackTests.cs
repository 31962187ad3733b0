using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Root;

public sealed class StackTests
{
    private static (DockerRootBuilder Builder, MockFileSystem Fs, string[] Chain) ThreeLayers()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r");
        var a = builder.AddLayer(l => l.File("a", "1"));
        var b = builder.AddLayer(l => l.Parent(a).File("b", "22"));
        var c = builder.AddLayer(l => l.Parent(b).File("c", "333"));
        builder.Tag("app", c);
        return (builder, fs, [c, b, a]);
    }

    [Fact]
    public void Resolve_GivesTheStackTopFirstWithDiffPathsAndSizes()
    {
        var (builder, _, chain) = ThreeLayers();
        var stack = builder.Build().Open().ResolveImage("app");

        Assert.Equal(chain, stack.Layers.Select(l => l.Id));
        Assert.Equal(chain[0], stack.Id);
        Assert.Equal([chain[1], chain[2], null], stack.Layers.Select(l => l.ParentId));
        Assert.Equal([3L, 2L, 1L], stack.Layers.Select(l => l.Size!.Value));
        Assert.Equal(chain.Select(id => "/r/aufs/diff/" + id), stack.Layers.Select(l => l.ContentPath));
        Assert.Equal(chain[1], stack.ParentId);
    }

    [Fact]
    public void Resolve_MissingParent_ThrowsBrokenChainNamingTheChild()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r");
        var missing = Ids.Of("missing");
        var child = builder.AddLayer(l => l.Parent(missing));
        builder.Tag("app", child);
        var e = Assert.Throws<BrokenLayerChainException>(() => builder.Build().Open().ResolveImage("app"));
        Assert.Equal(child, e.LayerId);
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ChainThatLoops_ThrowsBrokenChain()
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), "/r");
        var a = Ids.Of("a");
        var b = Ids.Of("b");
        builder.AddLayer(l => l.Id(a).Parent(b));
        builder.AddLayer(l => l.Id(b).Parent(a));
        builder.Tag("app", a);
        var e = Assert.Throws<BrokenLayerChainException>(() => builder.Build().Open().ResolveImage("app"));
        Assert.Contains("loops", e.Message, StringComparison.Ordinal);
        Assert.Equal(b, e.LayerId);
    }

    [Fact]
    public void OpenImage_DriverChainDisagreesWithGraph_ThrowsBrokenChainNamingTheLayerFile()
    {
        var (builder, fs, chain) = ThreeLayers();
        var root = builder.Build();
        fs.File.WriteAllText($"/r/aufs/layers/{chain[0]}", $"{chain[2]}\n");

        Assert.Equal(chain, root.Open().ResolveImage("app").Layers.Select(l => l.Id)); // the store's record alone reads fine
        var e = Assert.Throws<BrokenLayerChainException>(() => root.Open().OpenImage("app"));
        Assert.Equal($"/r/aufs/layers/{chain[0]}", e.Path);
        Assert.Equal(chain[0], e.LayerId);
    }

    [Fact]
    public void OpenImage_DriverChainDisagrees_InLenientModeWarnsAndMergesTheGraphChain()
    {
        var (builder, fs, chain) = ThreeLayers();
        var root = builder.Build();
        fs.File.WriteAllText($"/r/aufs/layers/{chain[0]}", $"{chain[1]}\n");
        var logs = new ListLoggerFactory();

        var view = root.Open(new DockerRootOptions { StrictChains = false, LoggerFactory = logs }).OpenImage("app");

        Assert.Equal(chain, view.LayerIds); // the chain the warning names is the chain merged (not the driver's shorter one)
        Assert.Equal("1", new StreamReader(view.OpenRead("a")).ReadToEnd()); // the base layer's file, which the driver's record leaves out
        Assert.Contains(logs.Warnings, w => w.Contains(chain[1], StringComparison.Ordinal) && w.Contains("(nothing)", StringComparison.Ordinal));
    }

    [Fact]
    public void OpenImage_MissingDiffDirectory_ThrowsBrokenChainNamingIt()
    {
        var (builder, fs, chain) = ThreeLayers();
        var root = builder.Build();
        fs.Directory.Delete($"/r/aufs/diff/{chain[1]}", recursive: true);
        var e = Assert.Throws<BrokenLayerChainException>(() => root.Open().OpenImage("app"));
        Assert.Equal($"/r/aufs/diff/{chain[1]}", e.Path);
    }

    [Fact]
    public void OpenImage_LayersFileNamingAPath_ThrowsUnsafePath()
    {
        var (builder, fs, chain) = ThreeLayers();
        var root = builder.Build();
        fs.File.WriteAllText($"/r/aufs/layers/{chain[0]}", "../../../../etc\n");
        Assert.Throws<UnsafePathException>(() => root.Open().OpenImage("app"));
    }

    [Fact]
    public void Resolve_CorruptJsonInTheChain_ThrowsCorruptFileNamingIt()
    {
        var (builder, fs, chain) = ThreeLayers();
        var root = builder.Build();
        fs.File.WriteAllText($"/r/graph/{chain[1]}/json", "{\"id\":");
        var e = Assert.Throws<CorruptFileException>(() => root.Open().ResolveImage("app"));
        Assert.Equal($"/r/graph/{chain[1]}/json", e.Path);
    }

    [Fact]
    public void Resolve_ReadsOnlyTheChainItNeeds()
    {
        // Every other image's JSON, layer file and diff is garbage or gone: resolving one tag must not touch them.
        var (builder, fs, chain) = ThreeLayers();
        for (var i = 0; i < 20; i++)
        {
            builder.AddLayer(l => l.File("x", "y"));
        }

        var root = builder.Build();
        foreach (var id in root.LayerIds.Except(chain))
        {
            fs.File.WriteAllText($"/r/graph/{id}/json", "garbage");
            fs.File.WriteAllText($"/r/aufs/layers/{id}", "../../etc\n");
            fs.Directory.Delete($"/r/aufs/diff/{id}", recursive: true);
        }

        Assert.Equal(chain, root.Open().ResolveImage("app").Layers.Select(l => l.Id));
    }

    [Fact]
    public void Resolve_StrongIdLayersWithParentFiles_FollowTheParentFiles()
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), "/r");
        var a = builder.AddLayer(l => l.StrongIdJson());
        var b = builder.AddLayer(l => l.Parent(a).StrongIdJson().ParentFile(a));
        builder.Tag("app", b);
        Assert.Equal([b, a], builder.Build().Open().ResolveImage("app").Layers.Select(l => l.Id));
    }

    [Fact]
    public void GetLayer_UnknownId_ThrowsImageNotFound() =>
        Assert.Throws<ImageNotFoundException>(() => ThreeLayers().Builder.Build().Open().Graph().ReadLayer(Ids.Of("nope")));

    [Fact]
    public void GetLayer_NotAnId_ThrowsArgumentException() =>
        Assert.Throws<ArgumentException>(() => ThreeLayers().Builder.Build().Open().Graph().ReadLayer("../x"));

    [Fact]
    public void GetImageIds_ListsOnlyIdNamedDirectoriesSorted()
    {
        var (builder, fs, chain) = ThreeLayers();
        var root = builder.Build();
        fs.AddDirectory("/r/graph/_tmp/whatever");
        fs.AddDirectory($"/r/graph/{chain[0]}-removing");
        Assert.Equal(chain.Order(StringComparer.Ordinal), root.Open().Graph().GetImageIds());
    }
}
