using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Drivers;
using Docker.Aufs.Drivers.Vfs;
using Docker.Aufs.IO;
using Microsoft.Extensions.Logging.Abstractions;

namespace Docker.Aufs.Tests.Drivers.Vfs;

/// <summary>
/// vfs layers are whole trees: a view is the top tree itself, and <c>docker diff</c> compares it with its parent's tree
/// as Docker's naive diff does.
/// </summary>
public sealed class VfsDriverTests
{
    private const string Root = "/var/lib/docker";
    private static readonly string Base = new('b', 64);
    private static readonly string Top = new('c', 64);
    private static readonly DateTimeOffset Then = new(2018, 5, 16, 10, 0, 0, TimeSpan.Zero);

    private readonly MockFileSystem _fs = new();
    private readonly RecordedMetadataProvider _metadata;
    private ulong _inode = 100;

    public VfsDriverTests()
    {
        _metadata = new RecordedMetadataProvider(MetadataProviders.For(_fs));
    }

    private VfsDriver Driver() => new(new DriverContext(_fs, Root, Root + "/vfs", _metadata, NullLogger.Instance));

    /// <summary>
    /// The base tree holds <c>a</c>, <c>keep</c>, <c>d/x</c>, <c>d/y</c>. The top tree, a copy of it, lost <c>a</c> and
    /// <c>d/y</c>, changed <c>d/x</c>, gained <c>n</c> and <c>e/f</c>, and left <c>keep</c> and <c>d</c> as they were.
    /// </summary>
    private VfsDriver WriteTwoTrees()
    {
        var driver = Driver();
        var lower = driver.CreateLayer(Base, null);
        Directory(lower);
        File(lower + "/a", "a", Then);
        File(lower + "/keep", "keep", Then);
        Directory(lower + "/d");
        File(lower + "/d/x", "x", Then);
        File(lower + "/d/y", "y", Then);
        var upper = driver.CreateLayer(Top, Base);
        Directory(upper);
        File(upper + "/keep", "keep", Then);
        Directory(upper + "/d");
        File(upper + "/d/x", "x changed", Then.AddMinutes(1));
        File(upper + "/n", "n", Then.AddMinutes(1));
        Directory(upper + "/e");
        File(upper + "/e/f", "f", Then.AddMinutes(1));
        return driver;
    }

    private void File(string path, string content, DateTimeOffset time)
    {
        _fs.AddFile(path, new MockFileData(content));
        _metadata.Record(path, new UnixFileStatus { Type = UnixFileType.RegularFile, Permissions = 0x1A4, Size = content.Length, ModifiedTime = time, Inode = _inode++ });
    }

    private void Directory(string path)
    {
        _fs.AddDirectory(path);
        _metadata.Record(path, new UnixFileStatus { Type = UnixFileType.Directory, Permissions = 0x1ED, ModifiedTime = Then, Inode = _inode++ });
    }

    [Fact]
    public void OpenView_OfTwoLayers_IsTheTopTreeAlone()
    {
        var view = WriteTwoTrees().OpenView([Top, Base]);

        Assert.Equal(["d", "d/x", "e", "e/f", "keep", "n"], view.EnumerateRecursive().Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.Equal("x changed", new StreamReader(view.OpenRead("d/x")).ReadToEnd());
        Assert.False(view.TryGetEntry("a", followSymbolicLinks: false, out _));
    }

    [Fact]
    public void GetChanges_ComparesTheTopTreeWithItsParentsAsDockersNaiveDiff()
    {
        var changes = WriteTwoTrees().OpenView([Top, Base]).GetChanges().Select(c => c.ToString());

        Assert.Equal(["D /a", "C /d", "C /d/x", "D /d/y", "A /e", "A /e/f", "A /n"], changes);
    }

    [Fact]
    public void GetChanges_AFileWhoseOwnerOrModeChangedOnly_IsModified()
    {
        var driver = WriteTwoTrees();
        _metadata.Record(driver.GetTreePath(Top) + "/keep", new UnixFileStatus { Type = UnixFileType.RegularFile, Permissions = 0x1ED, Size = 4, ModifiedTime = Then });

        Assert.Contains("C /keep", driver.OpenView([Top, Base]).GetChanges().Select(c => c.ToString()));
    }

    [Fact]
    public void OpenLayerView_OfALayerAlone_ListsEverythingAsAdded()
    {
        var view = WriteTwoTrees().OpenLayerView(Base);

        Assert.Equal(["A /a", "A /d", "A /d/x", "A /d/y", "A /keep"], view.GetChanges().Select(c => c.ToString()));
    }

    [Fact]
    public void Driver_ListsItsTreesAndSaysTheyAreWholeTrees()
    {
        var driver = WriteTwoTrees();

        Assert.Equal([Base, Top], driver.ListLayerIds());
        Assert.Equal(LayerContentFormat.FullTree, driver.GetContent(Top).Format);
        Assert.Throws<LayerNotFoundException>(() => driver.OpenLayerView(new string('e', 64)));
        Assert.Throws<BrokenLayerChainException>(() => driver.OpenView([new string('e', 64)]));
    }

    [Fact]
    public void DockerRoot_WithOnlyVfsData_OpensItsViews()
    {
        WriteTwoTrees();
        _fs.AddDirectory(Root + "/image/vfs/imagedb/content/sha256");

        var root = DockerRoot.Open(_fs, Root, new DockerRootOptions { Metadata = _metadata });

        Assert.Equal("vfs", root.Driver);
        Assert.Equal(["d", "e", "keep", "n"], root.OpenLayer(Top[..12]).ListDirectory("/").Select(e => e.Name));
    }
}
