using System.IO.Abstractions.TestingHelpers;
using System.Text.Json;
using Docker.Aufs.IO;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Cli;

/// <summary>
/// The docker habits of the listings (issue 13, feature 11): <c>-q</c>, <c>--filter</c>, <c>--format</c>, <c>--no-trunc</c>
/// on <c>images</c> and <c>containers</c>/<c>ps</c>, on a root of each era: base ← app (two tags) and an untagged head on
/// base; containers web (app, exited 0), db (base, running) and job (the untagged image, exited 3), newest first: job, db, web.
/// </summary>
public sealed class ListingHabitsTests
{
    private static readonly DateTimeOffset T0 = new(2017, 6, 1, 8, 0, 0, TimeSpan.Zero);

    public static TheoryData<ImageStoreKind> Eras() => [ImageStoreKind.Graph, ImageStoreKind.ContentAddressed];

    private sealed record Built(MockFileSystem FileSystem, string Base, string App, string Untagged)
    {
        public CliResult Run(params string[] args) => CliCapture.Run(FileSystem, ["--root", "/docker", .. args]);

        public string[] Lines(params string[] args)
        {
            var result = Run(args);
            Assert.True(result.ExitCode == 0, result.Error);
            Assert.Equal(string.Empty, result.Error);
            return result.Lines;
        }
    }

    private static Built Root(ImageStoreKind store)
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, store, "/docker", SpecialFileMode.Recorded);
        var @base = builder.AddLayer(l => l.File("bin/sh", "#!").Created(T0).Config("""{"Labels":{"tier":"base"}}"""));
        var app = builder.AddLayer(l => l.Parent(@base).File("app", "x").Created(T0.AddDays(1)).Config("""{"Labels":{"tier":"app","team":"blue"}}"""));
        var untagged = builder.AddLayer(l => l.Parent(@base).File("old", "y").Created(T0.AddDays(2)));
        builder.Tag("example.com/base:1", @base).Tag("app:latest", app).Tag("app:v2", app);
        builder.AddContainer(c => c.Name("web").Image(app, "app").Created(T0.AddDays(3)).Config("""{"Labels":{"role":"web"}}""").Exited(0, T0.AddDays(3), T0.AddDays(4)));
        builder.AddContainer(c => c.Name("db").Image(@base, "example.com/base:1").Created(T0.AddDays(5)).Running(T0.AddDays(5)));
        builder.AddContainer(c => c.Name("job").Image(untagged).Created(T0.AddDays(6)).Exited(3, T0.AddDays(6), T0.AddDays(7)));
        builder.Build();
        return new Built(fs, @base, app, untagged);
    }

    private static string Short(string id) => id.Replace("sha256:", string.Empty, StringComparison.Ordinal)[..12];

    [Theory]
    [MemberData(nameof(Eras))]
    public void ImagesQuiet_PrintsOneShortIdPerRow_AndFullIdsWithNoTrunc(ImageStoreKind store)
    {
        var root = Root(store);

        Assert.Equal([Short(root.Untagged), Short(root.App), Short(root.App), Short(root.Base)], root.Lines("images", "-q"));
        Assert.Equal([root.Untagged, root.App, root.App, root.Base], root.Lines("images", "--quiet", "--no-trunc"));
    }

    [Theory]
    [MemberData(nameof(Eras))]
    public void ImagesFilterDangling_TrueKeepsTheUntaggedHead_FalseTheTaggedImages(ImageStoreKind store)
    {
        var root = Root(store);

        Assert.Equal([Short(root.Untagged)], root.Lines("images", "-q", "--filter", "dangling=true"));
        Assert.Equal([Short(root.App), Short(root.App), Short(root.Base)], root.Lines("images", "-q", "-f", "dangling=false"));
    }

    [Theory]
    [MemberData(nameof(Eras))]
    public void ImagesFilterReference_MatchesGoGlobsOnTheFamiliarReferenceOrName_AndKeepsOnlyMatchingTags(ImageStoreKind store)
    {
        var root = Root(store);

        Assert.Equal(["app:v2"], root.Lines("images", "--format", "{{.Repository}}:{{.Tag}}", "-f", "reference=app:v?"));
        Assert.Equal(["app:latest", "app:v2"], root.Lines("images", "--format", "{{.Repository}}:{{.Tag}}", "-f", "reference=app"));
        Assert.Equal(["example.com/base:1"], root.Lines("images", "--format", "{{.Repository}}:{{.Tag}}", "-f", "reference=*/*"));
        Assert.Equal(["app:latest", "app:v2", "example.com/base:1"], root.Lines("images", "--format", "{{.Repository}}:{{.Tag}}", "-f", "reference=app", "-f", "reference=example.com/*")); // one key: any value
        Assert.Empty(root.Lines("images", "-q", "-f", "reference=ap")); // the whole name must match
    }

    [Theory]
    [MemberData(nameof(Eras))]
    public void ImagesFilterLabel_KeepsImagesHoldingEveryLabelGiven(ImageStoreKind store)
    {
        var root = Root(store);

        Assert.Equal([Short(root.App), Short(root.App)], root.Lines("images", "-q", "-f", "label=team"));
        Assert.Equal([Short(root.Base)], root.Lines("images", "-q", "-f", "label=tier=base"));
        Assert.Empty(root.Lines("images", "-q", "-f", "label=tier=base", "-f", "label=team")); // label: every value must match
    }

    [Theory]
    [MemberData(nameof(Eras))]
    public void ImagesFilterBeforeAndSince_CompareCreationTimesWithTheImageNamed(ImageStoreKind store)
    {
        var root = Root(store);

        Assert.Equal([Short(root.Base)], root.Lines("images", "-q", "-f", "before=app"));
        Assert.Equal([Short(root.Untagged), Short(root.App), Short(root.App)], root.Lines("images", "-q", "-f", "since=example.com/base:1"));
        Assert.Equal([Short(root.App), Short(root.App)], root.Lines("images", "-q", "-f", "since=example.com/base:1", "-f", "dangling=false")); // keys AND
    }

    [Theory]
    [MemberData(nameof(Eras))]
    public void ImagesFormat_Table_AlignsColumnsUnderDockersHeaders(ImageStoreKind store)
    {
        var root = Root(store);

        Assert.Equal(
            [
                "REPOSITORY         TAG       IMAGE ID",
                "<none>             <none>    " + Short(root.Untagged),
                "app                latest    " + Short(root.App),
                "app                v2        " + Short(root.App),
                "example.com/base   1         " + Short(root.Base),
            ],
            root.Lines("images", "--format", "table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}"));
    }

    [Fact]
    public void ImagesFormat_JsonAndJsonDot_WriteOneObjectPerRowWithEveryField()
    {
        var root = Root(ImageStoreKind.Graph);

        var lines = root.Lines("images", "--format", "json", "-f", "reference=example.com/*");
        var same = root.Lines("images", "--format", "{{json .}}", "-f", "reference=example.com/*");

        Assert.Equal(lines, same);
        using var row = JsonDocument.Parse(Assert.Single(lines));
        Assert.Equal(["Containers", "CreatedAt", "CreatedSince", "Digest", "ID", "Repository", "SharedSize", "Size", "Tag", "UniqueSize", "VirtualSize"], row.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("example.com/base", row.RootElement.GetProperty("Repository").GetString());
        Assert.Equal("2017-06-01 08:00:00 +0000 UTC", row.RootElement.GetProperty("CreatedAt").GetString());
        Assert.Equal(["\"example.com/base\""], root.Lines("images", "--format", "{{json .Repository}}", "-f", "reference=example.com/*"));
    }

    [Theory]
    [InlineData("{{.Colour}}", "the listing has no field {{.Colour}}")]
    [InlineData("{{.ID", "the '{{' at character 1 is never closed")]
    [InlineData("{{range .}}", "'{{range .}}' is not a placeholder this format reads")]
    [InlineData("{{.ID | upper}}", "'{{.ID | upper}}' is not a placeholder")]
    public void ImagesFormat_UnknownPlaceholderOrMalformedTemplate_IsAUsageErrorNamingIt(string format, string expected)
    {
        var result = Root(ImageStoreKind.Graph).Run("images", "--format", format);

        Assert.Equal((2, string.Empty), (result.ExitCode, result.Out));
        Assert.StartsWith("docker-aufs: --format: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.Contains("usage: docker-aufs images", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("images", "dangling", "'dangling' is not a filter")]
    [InlineData("images", "colour=red", "'colour' is not a filter of this listing (keys: dangling, label, before, since, reference)")]
    [InlineData("images", "dangling=maybe", "'dangling=maybe': the value is not one of true, false")]
    [InlineData("images", "reference=app[", "'reference=app[': the pattern is malformed")]
    [InlineData("ps", "status=sleeping", "'status=sleeping': the value is not one of created, restarting, running, removing, paused, exited, dead")]
    [InlineData("ps", "name=(", "'name=(': the value is not a regular expression")]
    [InlineData("ps", "exited=zero", "'exited=zero': the value is not an integer")]
    [InlineData("ps", "name=c{1000000}", "'name=c{1000000}': the value repeats more than 1000 times")]
    [InlineData("ps", "name=c{1001}", "'name=c{1001}': the value repeats more than 1000 times")]
    [InlineData("ps", "id=(c{1000}){1000}", "'id=(c{1000}){1000}': the value repeats more than 1000 times")]
    [InlineData("ps", "name=((a{10}){10}){11}", "the value repeats more than 1000 times")]
    public void Filter_BadKeyOrValue_IsAUsageErrorNamingIt(string command, string filter, string expected)
    {
        var result = Root(ImageStoreKind.Graph).Run(command, "--filter", filter);

        Assert.Equal((2, string.Empty), (result.ExitCode, result.Out));
        Assert.StartsWith("docker-aufs: --filter: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("c{1000}")]
    [InlineData("(c{2}){500}")]
    [InlineData("[{]{5}x{3,}")]
    [InlineData("a{,5}")]
    [InlineData("\\{1001}")]
    public void Filter_RepeatWithinGosLimit_IsAccepted(string pattern)
    {
        Assert.Null(Docker.Aufs.Cli.Commands.ListFilters.Regex(pattern));
    }

    [Theory]
    [InlineData("images", "-q")]
    [InlineData("containers", "--format")]
    public void JsonWithQuietOrFormat_IsAUsageError(string command, string option)
    {
        string[] args = option == "-q" ? [command, "--json", "-q"] : [command, "--json", option, "{{.ID}}"];
        var result = Root(ImageStoreKind.Graph).Run(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--json cannot be combined with", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Eras))]
    public void ContainersQuiet_PrintsIds_AndPsWithoutAllOnlyTheRunningOne(ImageStoreKind store)
    {
        var root = Root(store);

        var all = root.Lines("containers", "-q", "--no-trunc");
        Assert.Equal(3, all.Length);
        Assert.All(all, id => Assert.Equal(64, id.Length));
        Assert.Equal([all[1][..12]], root.Lines("ps", "-q"));
        Assert.Equal(["job", "db", "web"], root.Lines("ps", "-a", "--format", "{{.Names}}"));
    }

    [Theory]
    [MemberData(nameof(Eras))]
    public void ContainersFilter_StatusNameExitedLabel_AsDockerPsReadsThem(ImageStoreKind store)
    {
        var root = Root(store);

        Assert.Equal(["job", "web"], root.Lines("ps", "--format", "{{.Names}}", "-f", "status=exited")); // a status filter implies -a
        Assert.Equal(["job", "db"], root.Lines("ps", "--format", "{{.Names}}", "-f", "status=exited", "-f", "status=running", "-f", "name=^/[jd]"));
        Assert.Equal(["web"], root.Lines("containers", "--format", "{{.Names}}", "-f", "name=w"));
        Assert.Equal(["job"], root.Lines("containers", "--format", "{{.Names}}", "-f", "exited=3"));
        Assert.Equal(["web"], root.Lines("containers", "--format", "{{.Names}} {{.Labels}}", "-f", "label=role=web").Select(l => l.Split(' ')[0]));
        Assert.Equal(["web role=web"], root.Lines("containers", "--format", "{{.Names}} {{.Labels}}", "-f", "label=role"));
    }

    [Theory]
    [MemberData(nameof(Eras))]
    public void ContainersFilter_AncestorBeforeSince_UseTheImageChainAndTheListingOrder(ImageStoreKind store)
    {
        var root = Root(store);

        Assert.Equal(["job", "db", "web"], root.Lines("containers", "--format", "{{.Names}}", "-f", "ancestor=example.com/base:1"));
        Assert.Equal(["web"], root.Lines("containers", "--format", "{{.Names}}", "-f", "ancestor=app:v2"));
        Assert.Equal(["web"], root.Lines("containers", "--format", "{{.Names}}", "-f", "before=db"));
        Assert.Equal(["job"], root.Lines("containers", "--format", "{{.Names}}", "-f", "since=db"));
    }

    [Fact]
    public void ContainersFormat_TableOfRecordedFields_WithStatusAsRecorded()
    {
        var root = Root(ImageStoreKind.Graph);

        var lines = root.Lines("containers", "--format", "table {{.Names}}\\t{{.State}}\\t{{.Status}}\\t{{.CreatedAt}}");

        Assert.Equal("NAMES     STATE     STATUS                                      CREATED AT", lines[0]);
        Assert.Equal("db        running   Running when recorded, started 2017-06-06   2017-06-06 08:00:00 +0000 UTC", lines[2]);
    }

    [Fact]
    public void FormatValues_ThatHoldControlCharacters_AreEscapedCellByCell()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/docker", SpecialFileMode.Recorded);
        var image = builder.AddLayer(l => l.File("bin/sh", "#!"));
        builder.AddContainer(c => c.Name("evil").Image(image).Command("sh", "-c", "printf '\u001b]0;owned\u0007'\tx"));
        builder.Build();

        var result = CliCapture.Run(fs, "--root", "/docker", "containers", "--no-trunc", "--format", "{{.Names}}\\t{{.Command}}");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("evil\t$'\"sh -c printf \\'\\x1b]0;owned\\a\\'\\tx\"'\n", result.Out);
    }
}
