using System.IO.Abstractions.TestingHelpers;
using System.Text;
using Docker.Aufs.Drivers.Aufs;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Drivers.Aufs;

public sealed class AufsLayerFileTests
{
    private static readonly string Id = Ids.Of("top");
    private static readonly string A = Ids.Of("a");
    private static readonly string B = Ids.Of("b");

    private static AufsLayerFile Parse(string content) => AufsLayerFile.Parse(Id, Encoding.UTF8.GetBytes(content), "/r/aufs/layers/" + Id);

    [Fact]
    public void Parse_ReadsAncestorsNearestFirst()
    {
        var file = Parse($"{A}\n{B}\n");
        Assert.Equal([A, B], file.Ancestors);
        Assert.Equal(A, file.Parent);
    }

    [Fact]
    public void Parse_EmptyFile_IsABaseLayer()
    {
        var file = Parse("");
        Assert.Empty(file.Ancestors);
        Assert.Null(file.Parent);
    }

    [Fact]
    public void Parse_DropsCarriageReturnsAndSkipsEmptyLinesAsBufioScannerDoes() =>
        Assert.Equal([A, B, A + "-init"], Parse($"\n{A}\r\n\n{B}\n{A}-init").Ancestors);

    [Theory]
    [InlineData("../../etc")]
    [InlineData("/etc/passwd")]
    [InlineData("..")]
    public void Parse_LineThatLooksLikeAPath_ThrowsUnsafePath(string line)
    {
        var e = Assert.Throws<UnsafePathException>(() => Parse($"{A}\n{line}\n"));
        Assert.Equal("/r/aufs/layers/" + Id, e.Path);
    }

    [Theory]
    [InlineData("ABC")]
    [InlineData("latest")]
    public void Parse_LineThatIsNotALayerId_ThrowsCorruptFile(string line) =>
        Assert.Throws<CorruptFileException>(() => Parse(line + "\n"));

    [Fact]
    public void Serialize_WritesOneIdPerLineEachEndingInNewline()
    {
        var bytes = new AufsLayerFile(Id, [A, B]).Serialize();
        Assert.Equal(130, bytes.Length);
        Assert.Equal($"{A}\n{B}\n", Encoding.ASCII.GetString(bytes));
        Assert.Empty(new AufsLayerFile(Id, []).Serialize());
    }

    [Fact]
    public void Constructor_InvalidId_ThrowsArgumentException() =>
        Assert.Throws<ArgumentException>(() => new AufsLayerFile(Id, ["../x"]));

    [Fact]
    public void Driver_PathsAreBuiltOnlyFromValidIds()
    {
        var driver = new AufsDriver(new MockFileSystem(), "/r/aufs");
        Assert.Equal($"/r/aufs/diff/{A}", driver.GetDiffPath(A));
        Assert.Equal($"/r/aufs/mnt/{A}-init", driver.GetMountPath(A + "-init"));
        Assert.Equal($"/r/aufs/layers/{A}", driver.GetLayerFilePath(A));
        Assert.Throws<ArgumentException>(() => driver.GetDiffPath("../../etc"));
        Assert.Throws<ArgumentException>(() => driver.GetDiffPath(""));
    }

    [Fact]
    public void Driver_ListsOnlyLayerIdsInLayers()
    {
        var fs = new MockFileSystem();
        fs.AddFile($"/r/aufs/layers/{A}", new MockFileData(""));
        fs.AddFile($"/r/aufs/layers/{B}-init", new MockFileData(""));
        fs.AddFile("/r/aufs/layers/garbage", new MockFileData(""));
        var driver = new AufsDriver(fs, "/r/aufs");
        Assert.Equal(new[] { A, B + "-init" }.Order(StringComparer.Ordinal), driver.ListLayerIds());
        Assert.True(driver.Exists(A));
        Assert.False(driver.Exists(B));
    }
}
