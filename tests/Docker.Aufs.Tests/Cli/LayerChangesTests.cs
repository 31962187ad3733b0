using System.IO.Abstractions.TestingHelpers;
using System.Text.Json;
using Docker.Aufs.IO;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Cli;

/// <summary>
/// <c>layers REF --changes</c>, the per-layer view (issue 13, feature 13): what each layer adds, changes and removes, and
/// the bytes of each layer that later layers overwrite or remove, on both image stores (built roots on aufs; the sample on
/// aufs and overlay2).
/// </summary>
public sealed class LayerChangesTests
{
    public static TheoryData<ImageStoreKind, string> Roots() => new()
    {
        { ImageStoreKind.Graph, "aufs" },
        { ImageStoreKind.ContentAddressed, "aufs" },
    };

    /// <summary>
    /// base: /a (10 B), /d/x (5 B), /d/y (7 B), /keep (4 B); middle: /a rewritten (3 B), /d removed, /new (6 B);
    /// top: /new removed, /d a file now (2 B).
    /// </summary>
    private static MockFileSystem Root(ImageStoreKind store, string driver)
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, store, driver, "/docker", SpecialFileMode.Recorded);
        var @base = builder.AddLayer(l => l.File("a", "0123456789").Directory("d").File("d/x", "xxxxx").File("d/y", "yyyyyyy").File("keep", "keep"));
        var middle = builder.AddLayer(l => l.Parent(@base).File("a", "abc").Whiteout("d").File("new", "newnew"));
        var top = builder.AddLayer(l => l.Parent(middle).Whiteout("new").File("d", "dd"));
        builder.Tag("img:latest", top);
        builder.Build();
        return fs;
    }

    [Theory]
    [MemberData(nameof(Roots))]
    public void LayersChanges_Json_CountsEachLayersChangesAndWhatLaterLayersWaste(ImageStoreKind store, string driver)
    {
        var fs = Root(store, driver);

        var result = CliCapture.Run(fs, "--root", "/docker", "layers", "img", "--changes", "--json");

        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Out);
        var layers = json.RootElement.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(3, layers.Count);
        string[] Changes(int i) => [.. layers[i].GetProperty("changes").EnumerateArray().Select(c => $"{c.GetProperty("kind").GetString()} {c.GetProperty("path").GetString()} {c.GetProperty("size").GetInt64()}")];
        Assert.Equal(["A /a 10", "A /d 0", "A /d/x 5", "A /d/y 7", "A /keep 4"], Changes(0));
        Assert.Equal(["D /d 12", "C /a 3", "A /new 6"], Changes(1)); // docker diff's order: the branch in code point order, '.wh.d' first
        Assert.Equal(["D /new 6", "C /d 2"], Changes(2)); // /d was a directory in the base: a file there now is a change
        // base: /a's 10 B rewritten, /d's 12 B removed; middle: /new's 6 B removed; top: nothing after it.
        Assert.Equal([22L, 6L, 0L], layers.Select(l => l.GetProperty("wastedBytes").GetInt64()));
        Assert.Equal((26 + 9 + 2, 28), (json.RootElement.GetProperty("totalBytes").GetInt64(), json.RootElement.GetProperty("wastedBytes").GetInt64()));
        Assert.Equal(12, layers[1].GetProperty("removed").GetProperty("bytes").GetInt64());
        Assert.Equal(1, layers[1].GetProperty("changed").GetProperty("paths").GetInt32());
    }

    [Fact]
    public void LayersChanges_Text_ShowsASectionPerLayerBaseFirstAndTheWastedShare()
    {
        var fs = Root(ImageStoreKind.Graph, "aufs");

        var result = CliCapture.Run(fs, "--root", "/docker", "layers", "img", "--changes");

        Assert.Equal((0, string.Empty), (result.ExitCode, result.Error));
        var lines = result.Out.Split('\n');
        Assert.Matches(@"^LAYER 1/3 [0-9a-f]{12}: added 5 \(26 B\), changed 0 \(0 B\), removed 0 \(0 B\), wasted by later layers 22 B$", lines[0]);
        Assert.Equal(["CHANGE    SIZE      PATH", "A         10 B      /a"], lines[1..3]);
        Assert.Contains("D         12 B      /d", lines);
        Assert.Equal("3 layers, 37 B of files, 28 B wasted (75.7%): overwritten or removed by later layers", lines[^2]);
    }

    [Theory]
    [InlineData("16", "--store", "graph")]
    [InlineData("6", "--store", "content-addressed")]
    [InlineData("6", "--driver", "overlay2")]
    public void LayersChanges_OnTheSample_TotalsTheImagesSizeAndItsWaste(string layers, string option, string value)
    {
        var images = CliCapture.Run("--sample", option, value, "images", "--format", "{{.Repository}} {{.Size}}");
        var changes = CliCapture.Run("--sample", option, value, "layers", "redis", "--changes");

        Assert.Equal((0, string.Empty), (changes.ExitCode, changes.Error));
        Assert.Contains("redis 1.594 kB", images.Lines);
        Assert.Equal($"{layers} layers, 1.594 kB of files, 286 B wasted (17.9%): overwritten or removed by later layers", changes.Lines[^1]);
    }

    [Fact]
    public void LayersChanges_OnVfs_IsRefusedWithOneLine_NotReportedAsEverythingAdded()
    {
        var result = CliCapture.Run("--sample", "--driver", "vfs", "layers", "redis", "--changes");

        Assert.Equal((1, string.Empty), (result.ExitCode, result.Out));
        Assert.Equal("docker-aufs: layers --changes reads each layer against the layers below it, which vfs does not record beside the layer (its layers are whole copies): not supported on vfs\n", result.Error);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void LayersChanges_HardlinksOfOneFileOnTheRealDisk_CountItsBytesOnce()
    {
        using var root = TestRoot.Build(Disk.Real, b => b.Tag("img:latest", b.AddLayer(l => l.File("bin/busybox", "0123456789").Hardlink("bin/ls", "bin/busybox").Hardlink("bin/cat", "bin/busybox"))));

        using var json = JsonDocument.Parse(CliCapture.Run("--root", root.Path, "layers", "img", "--changes", "--json").Out);

        Assert.Equal(10, json.RootElement.GetProperty("totalBytes").GetInt64());
        Assert.Equal(10, json.RootElement.GetProperty("layers")[0].GetProperty("changes").EnumerateArray().Sum(c => c.GetProperty("size").GetInt64()));
    }
}
