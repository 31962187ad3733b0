using System.Formats.Tar;
using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Cli;

/// <summary>
/// One chain decision (issue 16, class 13): on a root where <c>graph/</c> and <c>aufs/layers</c> disagree, every command
/// run with <c>--lenient</c> — <c>ls</c>, <c>cat</c>, <c>export</c>, <c>diff</c>, <c>layers</c>, <c>save</c> — sees the chain
/// of <c>graph/</c>, the one the warning names; none follows the driver's record to another image's base layer, and a
/// container keeps its init layer.
/// </summary>
public sealed class LenientChainTests
{
    private const string R = "/r";
    private const string Lenient = "--lenient";

    private readonly MockFileSystem _fs = new();
    private readonly string _base;
    private readonly string _top;
    private readonly string _stranger;
    private readonly string _container;

    public LenientChainTests()
    {
        var builder = new DockerRootBuilder(_fs, R);
        _base = builder.AddLayer(l => l.File("which", "graph chain"));
        _top = builder.AddLayer(l => l.Parent(_base).File("top", "top"));
        _stranger = builder.AddLayer(l => l.File("which", "another image's base"));
        builder.Tag("app", _top);
        builder.Tag("other", _stranger);
        _container = builder.AddContainer(c => c.Name("web").Image(_top, "app").Changes(l => l.File("rw", "written")));
        builder.Build();

        // The driver's records name another image's base below the image and below the container's init layer.
        _fs.File.WriteAllText($"{R}/aufs/layers/{_top}", _stranger + "\n");
        _fs.File.WriteAllText($"{R}/aufs/layers/{_container}", $"{_container}-init\n{_top}\n{_stranger}\n");
    }

    private (int Exit, string Out, string Err) Run(params string[] args) => CliRunner.Run(_fs, ["--root", R, Lenient, .. args]);

    /// <summary>The same disagreement without --lenient is refused, naming the record: never the record's chain used silently.</summary>
    [Fact]
    public void Cat_Strict_OfAContainerWhoseRecordNamesAnotherBase_IsRefusedNamingTheRecord()
    {
        var (exit, output, error) = CliRunner.Run(_fs, ["--root", R, "cat", "web", "/which"]);

        Assert.Equal((1, string.Empty), (exit, output));
        Assert.Contains($"aufs/layers/{_container}", error, StringComparison.Ordinal);
        Assert.DoesNotContain("another image's base", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("app")]
    [InlineData("web")]
    public void Cat_Lenient_ReadsTheFileOfTheGraphChainAndSaysSo(string reference)
    {
        var (exit, output, error) = Run("cat", reference, "/which");

        Assert.Equal((0, "graph chain"), (exit, output));
        Assert.Contains("going on with the image store's chain", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("app")]
    [InlineData("web")]
    public void Ls_Lenient_ShowsTheEntryFromTheGraphChainsLayer(string reference)
    {
        var (exit, output, _) = Run("ls", reference, "/which");

        Assert.Equal(0, exit);
        Assert.Contains(_base[..12], output, StringComparison.Ordinal);
        Assert.DoesNotContain(_stranger[..12], output, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_Lenient_WritesTheFileOfTheGraphChain()
    {
        var (exit, _, _) = Run("export", "app", "-o", "/out.tar");

        Assert.Equal(0, exit);
        using var reader = new TarReader(_fs.File.OpenRead("/out.tar"));
        var contents = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is { } data)
            {
                contents[entry.Name] = new StreamReader(data).ReadToEnd();
            }
        }

        Assert.Equal("graph chain", contents["which"]);
        Assert.Equal("top", contents["top"]);
    }

    [Fact]
    public void LayersAndSave_Lenient_FollowTheGraphChain()
    {
        var (exit, output, error) = Run("layers", "app", "--no-trunc");

        Assert.Equal(0, exit);
        Assert.Contains(_base, output, StringComparison.Ordinal);
        Assert.DoesNotContain(_stranger, output, StringComparison.Ordinal);
        Assert.Contains("going on with the image store's chain", error, StringComparison.Ordinal);
        Assert.Equal(0, Run("save", "app", "-o", "/save.tar").Exit);
    }

    [Fact]
    public void Diff_Lenient_ComparesTheContainerWithItsInitLayerAndTheGraphChain()
    {
        var (exit, output, _) = Run("diff", "web");

        Assert.Equal(0, exit);
        Assert.Contains("A /rw", output, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenContainer_AnInitLayerThatLostItsOwnLayersFile_IsStillMerged()
    {
        // Docker mounts a container from its own record; the init layer's record does not matter to the mount.
        _fs.File.WriteAllText($"{R}/aufs/layers/{_container}", $"{_container}-init\n{_top}\n{_base}\n");
        _fs.File.Delete($"{R}/aufs/layers/{_container}-init");

        var view = DockerRoot.Open(_fs, R).OpenContainer("web");

        Assert.Equal([_container, _container + "-init", _top, _base], view.LayerIds);
    }
}
