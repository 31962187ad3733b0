using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.IO;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Root;

/// <summary>
/// A root where several storage drivers left data (issue 12 item 5). Docker refuses to start on it; the library reads
/// the driver whose image store holds images when only one does, else the first in Docker's order of preference, warns
/// once naming the others, and reads each of them when it is named.
/// </summary>
public sealed class SeveralDriversTests
{
    private const string R = "/r";

    /// <summary>Writes one image tagged <paramref name="tag"/> on <paramref name="driver"/> into the root.</summary>
    private static BuiltRoot WriteImage(IFileSystem fs, string driver, string tag, string file)
    {
        var builder = new DockerRootBuilder(fs, ImageStoreKind.ContentAddressed, driver, R, SpecialFileMode.Recorded);
        var image = builder.AddLayer(l => l.CreatedBy("#(nop) ADD file:" + file + " in /").File(file, driver + "\n"));
        builder.Tag(tag, image);
        return builder.Build();
    }

    private static (IDockerRoot Root, ListLoggerFactory Logs) Open(BuiltRoot built, string? driver = null)
    {
        var logs = new ListLoggerFactory();
        return (built.Open(new DockerRootOptions { Driver = driver, LoggerFactory = logs }), logs);
    }

    private static string Read(Docker.Aufs.Union.UnionView view, string path)
    {
        using var reader = new StreamReader(view.OpenRead(path));
        return reader.ReadToEnd();
    }

    private static string[] Warnings(ListLoggerFactory logs) => [.. logs.Entries.Where(e => e.Id.Id == 1006).Select(e => e.Message)];

    [Fact]
    public void Open_TwoDriversBothWithImages_ReadsTheFirstInDockersOrderAndWarnsOnceNamingTheOther()
    {
        var fs = new MockFileSystem();
        var aufs = WriteImage(fs, "aufs", "on-aufs:latest", "a");
        WriteImage(fs, "overlay2", "on-overlay2:latest", "b");

        var (root, logs) = Open(aufs);

        Assert.Equal("aufs", root.Driver);
        Assert.Equal(["on-aufs:latest"], root.GetImages().SelectMany(i => i.RepoTags));
        var warning = Assert.Single(Warnings(logs));
        Assert.Contains("reading aufs (the first in Docker's order of preference of those whose image stores hold images (aufs, overlay2))", warning, StringComparison.Ordinal);
        Assert.Contains("the others (overlay2) are read by naming one (--driver NAME", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_TwoDriversBothWithImages_ReadsEachWhenNamedWithoutWarning()
    {
        var fs = new MockFileSystem();
        var aufs = WriteImage(fs, "aufs", "on-aufs:latest", "a");
        var overlay2 = WriteImage(fs, "overlay2", "on-overlay2:latest", "b");

        var (onOverlay2, logs) = Open(overlay2, "overlay2");
        var (onAufs, _) = Open(aufs, "aufs");

        Assert.Equal("overlay2", onOverlay2.Driver);
        Assert.Equal(["on-overlay2:latest"], onOverlay2.GetImages().SelectMany(i => i.RepoTags));
        Assert.Equal("overlay2\n", Read(onOverlay2.OpenImage("on-overlay2"), "/b"));
        Assert.Equal("aufs\n", Read(onAufs.OpenImage("on-aufs"), "/a"));
        Assert.Empty(Warnings(logs));
    }

    [Fact]
    public void Open_OneDriverWithImagesBesideAnEarlierOneWithAnEmptyStore_ReadsTheOneWithImages()
    {
        var fs = new MockFileSystem();
        var overlay2 = WriteImage(fs, "overlay2", "on-overlay2:latest", "b");
        fs.AddDirectory($"{R}/image/aufs/imagedb/content/sha256");
        fs.AddDirectory($"{R}/image/aufs/layerdb/sha256");
        fs.AddDirectory($"{R}/aufs/diff/{new string('1', 64)}");

        var (root, logs) = Open(overlay2);

        Assert.Equal("overlay2", root.Driver);
        Assert.Equal(["on-overlay2:latest"], root.GetImages().SelectMany(i => i.RepoTags));
        var warning = Assert.Single(Warnings(logs));
        Assert.Contains("reading overlay2 (the only one whose image store holds images)", warning, StringComparison.Ordinal);
        Assert.Contains("the others (aufs)", warning, StringComparison.Ordinal);
        Assert.Equal("aufs", Open(overlay2, "aufs").Root.Driver);
        Assert.Empty(Open(overlay2, "aufs").Root.GetImages());
    }

    [Fact]
    public void Open_OnlyDriverDirectoriesWithData_ReadsTheFirstInDockersOrderWithoutAnImageStore()
    {
        var fs = new MockFileSystem();
        fs.AddDirectory($"{R}/aufs/diff/{new string('1', 64)}");
        fs.AddDirectory($"{R}/aufs/layers");
        fs.AddDirectory($"{R}/aufs/mnt");
        fs.AddDirectory($"{R}/overlay2/l");
        fs.AddDirectory($"{R}/overlay2/{new string('2', 64)}/diff");
        var logs = new ListLoggerFactory();

        var root = DockerRoot.Open(fs, R, new DockerRootOptions { LoggerFactory = logs });

        Assert.Equal("aufs", root.Driver);
        Assert.Null(root.Store);
        Assert.Contains("none has an image store with images; the first in Docker's order of preference", Assert.Single(Warnings(logs)), StringComparison.Ordinal);
        var named = DockerRoot.Open(fs, R, new DockerRootOptions { Driver = "overlay2" });
        Assert.Equal("overlay2", named.Driver);
        Assert.Empty(named.OpenLayer("2222").EnumerateRecursive()); // its one layer, an empty diff/, is readable
    }

    [Fact]
    public void Open_GraphEraRootWithTagsForOneOfTwoDrivers_ReadsThatDriver()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, R, SpecialFileMode.Recorded);
        var layer = builder.AddLayer(l => l.CreatedBy("#(nop) ADD file:a in /").File("a", "aufs\n"));
        builder.Tag("on-aufs:latest", layer);
        var built = builder.Build();
        fs.AddDirectory($"{R}/btrfs/subvolumes/{new string('3', 64)}");
        fs.AddFile($"{R}/repositories-btrfs", new MockFileData("{\"Repositories\":{}}"));

        var (root, logs) = Open(built);

        Assert.Equal("aufs", root.Driver);
        Assert.Contains("reading aufs (the only one whose image store holds images)", Assert.Single(Warnings(logs)), StringComparison.Ordinal);
    }

    [Fact]
    public void Open_GraphEraRootWhereOnlyALaterDriverHasTags_ReadsThatDriver()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, R, SpecialFileMode.Recorded);
        var layer = builder.AddLayer(l => l.CreatedBy("#(nop) ADD file:a in /").File("a", "aufs\n"));
        builder.Tag("on-aufs:latest", layer);
        var built = builder.Build();
        fs.AddFile($"{R}/repositories-aufs", new MockFileData("{\"Repositories\":{}}"));
        fs.AddDirectory($"{R}/devicemapper/metadata");
        fs.AddFile($"{R}/repositories-devicemapper", new MockFileData($"{{\"Repositories\":{{\"dm\":{{\"latest\":\"{layer}\"}}}}}}"));

        var (root, logs) = Open(built);

        Assert.Equal("devicemapper", root.Driver);
        Assert.Contains("the others (aufs)", Assert.Single(Warnings(logs)), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_TwoDriversBothWithImages_ReportsSeveralDriversAndChecksTheDriverTheOtherCommandsRead()
    {
        var fs = new MockFileSystem();
        fs.AddDirectory($"{R}/image/aufs/imagedb/content/sha256");
        fs.AddDirectory($"{R}/aufs/diff/{new string('1', 64)}");
        var overlay2 = WriteImage(fs, "overlay2", "on-overlay2:latest", "b");

        var report = RootChecker.Check(fs, R, new DockerRootOptions { Metadata = overlay2.Metadata }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("overlay2", report.Driver);
        var finding = Assert.Single(report.Findings, f => f.Code == FindingCodes.SeveralDrivers);
        Assert.Contains("(aufs, overlay2); overlay2 was checked (the only one whose image store holds images)", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_TwoDriversBothWithImages_ListsTheChosenOnesImagesWarnsOnceAndReadsTheOtherWithDriver()
    {
        var fs = new MockFileSystem();
        WriteImage(fs, "aufs", "on-aufs:latest", "a");
        WriteImage(fs, "overlay2", "on-overlay2:latest", "b");

        var chosen = CliRunner.Run(fs, "--root", R, "images");
        var named = CliRunner.Run(fs, "--root", R, "--driver", "overlay2", "images");

        Assert.Equal(0, chosen.Exit);
        Assert.Contains("on-aufs", chosen.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("on-overlay2", chosen.Out, StringComparison.Ordinal);
        var warning = Assert.Single(chosen.Err.TrimEnd('\n').Split('\n'));
        Assert.Contains("reading aufs", warning, StringComparison.Ordinal);
        Assert.Contains("(overlay2) are read by naming one (--driver NAME", warning, StringComparison.Ordinal);
        Assert.Equal((0, ""), (named.Exit, named.Err));
        Assert.Contains("on-overlay2", named.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("on-aufs", named.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_OneDriverWithImagesBesideAnEmptyStore_ListsItsImages()
    {
        var fs = new MockFileSystem();
        WriteImage(fs, "overlay2", "on-overlay2:latest", "b");
        fs.AddDirectory($"{R}/image/aufs/imagedb/content/sha256");
        fs.AddDirectory($"{R}/aufs/diff/{new string('1', 64)}");

        var (exit, output, error) = CliRunner.Run(fs, "--root", R, "images");

        Assert.Equal(0, exit);
        Assert.Contains("on-overlay2", output, StringComparison.Ordinal);
        Assert.Contains("reading overlay2 (the only one whose image store holds images)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_FsckOfTwoDrivers_ReportsSeveralDriversOnceWithoutTheOpeningWarning()
    {
        var fs = new MockFileSystem();
        WriteImage(fs, "aufs", "on-aufs:latest", "a");
        WriteImage(fs, "overlay2", "on-overlay2:latest", "b");

        var (_, output, error) = CliRunner.Run(fs, "--root", R, "fsck", "--quick");

        Assert.Contains("several-drivers", output, StringComparison.Ordinal);
        Assert.DoesNotContain("several storage drivers; reading", error, StringComparison.Ordinal);
    }
}
