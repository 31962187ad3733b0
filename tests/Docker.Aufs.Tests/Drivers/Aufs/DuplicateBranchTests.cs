using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Drivers.Aufs;

/// <summary>
/// A layer record that names a layer twice (issue 16, class 7): AUFS refuses to mount a branch given twice ("duplicated",
/// EINVAL), so Docker could not mount such a layer, and a view of it is refused here too — instead of merging the same
/// directory 40,001 times. fsck reports it as <c>duplicate-branch</c>.
/// </summary>
public sealed class DuplicateBranchTests
{
    private readonly MockFileSystem _fs = new();
    private readonly string _base;
    private readonly string _top;
    private readonly BuiltRoot _root;

    public DuplicateBranchTests()
    {
        var builder = new DockerRootBuilder(_fs, "/r");
        _base = builder.AddLayer(l => l.File("etc/issue", "base"));
        _top = builder.AddLayer(l => l.Parent(_base).File("etc/motd", "top"));
        builder.Tag("app", _top);
        _root = builder.Build();
    }

    private string LayersFile => $"/r/aufs/layers/{_top}";

    [Theory]
    [InlineData(2)]
    [InlineData(40_000)]
    public void OpenLayer_ALayersFileNamingItsParentRepeatedly_IsRefusedNamingTheFile(int times)
    {
        _fs.File.WriteAllText(LayersFile, string.Concat(Enumerable.Repeat(_base + "\n", times)));

        var e = Assert.Throws<BrokenLayerChainException>(() => _root.Open().OpenLayer(_top));

        Assert.Equal(LayersFile, e.Path);
        Assert.Contains($"names the layer {_base} twice (positions 1 and 2)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenLayer_ALayersFileNamingTheLayerItself_IsRefused()
    {
        _fs.File.WriteAllText(LayersFile, $"{_base}\n{_top}\n");

        var e = Assert.Throws<BrokenLayerChainException>(() => _root.Open().OpenLayer(_top));

        Assert.Contains($"names the layer itself ({_top}) as its ancestor at position 2", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OpenImage_ALayersFileWithADuplicate_IsRefusedStrictOrLenient(bool strict)
    {
        _fs.File.WriteAllText(LayersFile, $"{_base}\n{_base}\n");

        var e = Assert.Throws<BrokenLayerChainException>(() => _root.Open(new DockerRootOptions { StrictChains = strict }).OpenImage("app"));

        Assert.Equal(LayersFile, e.Path);
        Assert.Contains("twice", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenView_AChainGivingOneBranchTwice_IsRefusedByTheView()
    {
        var driver = _root.Open().AufsDriver()!;

        var e = Assert.Throws<BrokenLayerChainException>(() => driver.OpenView([_top, _base, _base]));

        Assert.Equal($"/r/aufs/diff/{_base}", e.Path);
        Assert.Contains("positions 2 and 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fsck_ALayersFileWithADuplicate_ReportsDuplicateBranchAndNotAMismatch()
    {
        _fs.File.WriteAllText(LayersFile, $"{_base}\n{_base}\n");

        var report = RootChecker.Check(_fs, "/r", new DockerRootOptions { Metadata = _root.Metadata }, cancellationToken: TestContext.Current.CancellationToken);

        var finding = Assert.Single(report.Findings);
        Assert.Equal((FindingCodes.DuplicateBranch, FindingSeverity.Error, LayersFile), (finding.Code, finding.Severity, finding.Path));
    }
}
