using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Drivers;
using Docker.Aufs.Drivers.Overlay;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Drivers.Overlay;

/// <summary>
/// overlay (v1) layers: image layers are whole <c>root/</c> trees sharing inodes with their parent's by hard link; a
/// container's init and read-write layers are <c>upper/</c> over the <c>root/</c> their <c>lower-id</c> names, the
/// read-write <c>upper/</c> starting as a copy of the init layer's.
/// </summary>
public sealed class OverlayDriverTests
{
    private const string Root = "/var/lib/docker";
    private static readonly string Base = new('b', 64);
    private static readonly string Top = new('c', 64);
    private static readonly string Mount = new('d', 64);
    private static readonly string Init = Mount + "-init";
    private static readonly DateTimeOffset Then = new(2016, 5, 16, 10, 0, 0, TimeSpan.Zero);

    private readonly MockFileSystem _fs = new();
    private readonly RecordedMetadataProvider _metadata;
    private ulong _inode = 100;

    public OverlayDriverTests()
    {
        _metadata = new RecordedMetadataProvider(MetadataProviders.For(_fs));
    }

    private readonly ListLoggerFactory _logs = new();

    private OverlayDriver Driver(bool strictChains = true) =>
        new(new DriverContext(_fs, Root, Root + "/overlay", _metadata, _logs.CreateLogger("Docker.Aufs"), strictChains));

    /// <summary>
    /// Base <c>root/</c>: <c>a</c>, <c>keep</c>, <c>d/{x,y}</c>. Top <c>root/</c> as <c>ApplyDiff</c> leaves it: <c>keep</c>
    /// and <c>d/y</c> hard links to the base's, <c>d/x</c> replaced, <c>n</c> added, <c>a</c> deleted.
    /// </summary>
    private OverlayDriver WriteImage()
    {
        var driver = Driver();
        var lower = driver.CreateLayer(Base, null);
        File(lower + "/a", "a", Then);
        var keep = File(lower + "/keep", "keep", Then);
        Directory(lower + "/d");
        File(lower + "/d/x", "x", Then);
        var y = File(lower + "/d/y", "y", Then);
        driver.CreateLayer(Top, Base);
        Assert.True(_fs.Directory.Exists(driver.GetUpperPath(Top)));
        Assert.Equal(Base, _fs.File.ReadAllText(driver.GetLowerIdPath(Top)));

        // ApplyDiff: root/ replaces upper/, work/, merged/ and lower-id.
        _fs.Directory.Delete(driver.GetLayerDirectory(Top), recursive: true);
        _metadata.Forget(driver.GetUpperPath(Top));
        var upper = driver.GetRootPath(Top);
        Directory(upper);
        Link(upper + "/keep", "keep", keep);
        Directory(upper + "/d");
        File(upper + "/d/x", "x changed", Then.AddMinutes(1));
        Link(upper + "/d/y", "y", y);
        File(upper + "/n", "n", Then.AddMinutes(1));
        return driver;
    }

    /// <summary>
    /// A container on the image: its init layer's <c>upper/</c> holds <c>etc/hostname</c>; the read-write <c>upper/</c>
    /// holds a copy of it, a whiteout of <c>keep</c>, an opaque <c>d</c> with <c>d/z</c>, and <c>new</c>.
    /// </summary>
    private OverlayDriver WriteContainer()
    {
        var driver = WriteImage();
        var init = driver.CreateLayer(Init, Top);
        Directory(init + "/etc");
        File(init + "/etc/hostname", "host\n", Then.AddHours(1));
        var upper = driver.CreateLayer(Mount, Init);
        Assert.Equal(Top, _fs.File.ReadAllText(driver.GetLowerIdPath(Mount)));
        Directory(upper + "/etc");
        File(upper + "/etc/hostname", "host\n", Then.AddHours(1)); // Create's copyDir of the init layer's upper/
        _fs.AddFile(upper + "/keep", new MockFileData([]));
        _metadata.Record(upper + "/keep", new UnixFileStatus { Type = UnixFileType.CharacterDevice, Inode = _inode++ });
        Directory(upper + "/d");
        _metadata.RecordAttribute(upper + "/d", OverlayBranches.OpaqueAttribute, "y"u8.ToArray());
        File(upper + "/d/z", "z", Then.AddHours(2));
        File(upper + "/new", "new", Then.AddHours(2));
        return driver;
    }

    private ulong File(string path, string content, DateTimeOffset time)
    {
        _fs.AddFile(path, new MockFileData(content));
        var inode = _inode++;
        _metadata.Record(path, new UnixFileStatus { Type = UnixFileType.RegularFile, Permissions = 0x1A4, Size = content.Length, ModifiedTime = time, Inode = inode, Device = 0x801 });
        return inode;
    }

    private void Link(string path, string content, ulong inode)
    {
        _fs.AddFile(path, new MockFileData(content));
        _metadata.Record(path, new UnixFileStatus { Type = UnixFileType.RegularFile, Permissions = 0x1A4, Size = content.Length, ModifiedTime = Then, Inode = inode, Device = 0x801, LinkCount = 2 });
    }

    private void Directory(string path)
    {
        _fs.AddDirectory(path);
        _metadata.Record(path, new UnixFileStatus { Type = UnixFileType.Directory, Permissions = 0x1ED, ModifiedTime = Then, Inode = _inode++ });
    }

    private static string[] Changes(Docker.Aufs.Union.UnionView view) => [.. view.GetChanges().Select(c => c.ToString())];

    [Fact]
    public void CreateLayer_WithoutParent_MakesRootAndOnALayerWithoutRoot_CopiesItsLowerId()
    {
        var driver = WriteImage();
        driver.CreateLayer(Init, Top);
        driver.CreateLayer(Mount, Init);

        Assert.True(_fs.Directory.Exists(driver.GetRootPath(Base)));
        Assert.Equal(Top, _fs.File.ReadAllText(driver.GetLowerIdPath(Init)));
        Assert.Equal(Top, _fs.File.ReadAllText(driver.GetLowerIdPath(Mount)));
        Assert.True(_fs.Directory.Exists(driver.GetLayerDirectory(Mount) + "/work"));
        Assert.True(_fs.Directory.Exists(driver.GetLayerDirectory(Mount) + "/merged"));
    }

    [Fact]
    public void OpenView_OfAnImage_IsItsTopRootTreeAlone()
    {
        var view = WriteImage().OpenView([Top, Base]);

        Assert.Equal(["d", "d/x", "d/y", "keep", "n"], view.EnumerateRecursive().Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.Equal("x changed", new StreamReader(view.OpenRead("d/x")).ReadToEnd());
        Assert.False(view.TryGetEntry("a", followSymbolicLinks: false, out _));
    }

    [Fact]
    public void GetChanges_OfAnImageLayer_ComparesItsRootWithItsParentsAndTakesHardLinksAsUnchanged()
    {
        var changes = Changes(WriteImage().OpenView([Top, Base]));

        Assert.Equal(["D /a", "C /d", "C /d/x", "A /n"], changes);
    }

    [Fact]
    public void OpenView_OfAContainer_IsTheReadWriteUpperOverTheImageRootWithWhiteoutsAndOpaqueDirectories()
    {
        var view = WriteContainer().OpenView([Mount, Init, Top, Base]);

        Assert.Equal(["d", "d/z", "etc", "etc/hostname", "n", "new"], view.EnumerateRecursive().Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.False(view.TryGetEntry("keep", followSymbolicLinks: false, out _));
        Assert.False(view.TryGetEntry("d/x", followSymbolicLinks: false, out _));
    }

    [Fact]
    public void GetChanges_OfAContainer_IsItsViewAgainstItsInitLayersSoTheCopiedInitFilesAreNotChanges()
    {
        var changes = Changes(WriteContainer().OpenView([Mount, Init, Top, Base]));

        Assert.Equal(["C /d", "D /d/x", "D /d/y", "A /d/z", "D /keep", "A /new"], changes);
    }

    [Fact]
    public void GetChanges_OfAnInitLayer_IsItsUpperAgainstTheImage()
    {
        var changes = Changes(WriteContainer().OpenView([Init, Top, Base]));

        Assert.Equal(["A /etc", "A /etc/hostname"], changes);
    }

    [Fact]
    public void OpenLayerView_OfAnUpperLayer_MergesItOverTheRootItsLowerIdNames()
    {
        var view = WriteContainer().OpenLayerView(Init);

        Assert.Equal(["d", "etc", "keep", "n"], view.ListDirectory("/").Select(e => e.Name));
    }

    [Fact]
    public void GetContent_IsRootForAnImageLayerAndUpperForAContainerLayer()
    {
        var driver = WriteContainer();

        Assert.Equal((driver.GetRootPath(Top), LayerContentFormat.FullTree), (driver.GetContent(Top).Path, driver.GetContent(Top).Format));
        Assert.Equal((driver.GetUpperPath(Mount), LayerContentFormat.OverlayChanges), (driver.GetContent(Mount).Path, driver.GetContent(Mount).Format));
        Assert.Equal([Base, Top, Mount, Init], driver.ListLayerIds().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void OpenView_WhenLowerIdIsNotTheImageBelow_FailsNamingLowerId()
    {
        var driver = WriteContainer();
        _fs.File.WriteAllText(driver.GetLowerIdPath(Mount), Base);

        var e = Assert.Throws<BrokenLayerChainException>(() => driver.OpenView([Mount, Init, Top, Base]));

        Assert.Equal(driver.GetLowerIdPath(Mount), e.Path);
        Assert.Contains($"the image below this layer is {Top}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenView_Lenient_WhenLowerIdIsNotTheImageBelow_MergesTheImageOfTheStoresChainAndWarnsNamingLowerId()
    {
        var strict = WriteContainer();
        _fs.File.WriteAllText(strict.GetLowerIdPath(Mount), Base); // Base's tree still has a, Top's has n and no a
        var driver = Driver(strictChains: false);

        var view = driver.OpenView([Mount, Init, Top, Base]);

        Assert.True(view.TryGetEntry("n", followSymbolicLinks: false, out _));
        Assert.False(view.TryGetEntry("a", followSymbolicLinks: false, out _));
        var warning = Assert.Single(_logs.Warnings);
        Assert.Contains(driver.GetLowerIdPath(Mount), warning, StringComparison.Ordinal);
        Assert.EndsWith("going on with the image store's chain", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenView_OfAContainerWhoseImageIsGone_UsesTheLowerIdItRecords()
    {
        var view = WriteContainer().OpenView([Mount, Init]);

        Assert.True(view.TryGetEntry("n", followSymbolicLinks: false, out _));
    }

    /// <summary>Each damaged <c>lower-id</c> or layer directory, and the exception that names the file.</summary>
    public static TheoryData<string, Type> HostileLowerIds => new()
    {
        { "missing layer", typeof(BrokenLayerChainException) },
        { "traversal", typeof(UnsafePathException) },
        { "absolute", typeof(UnsafePathException) },
        { "symbolic link", typeof(UnsafePathException) },
        { "huge", typeof(CorruptFileException) },
        { "not hex", typeof(CorruptFileException) },
        { "newline", typeof(CorruptFileException) },
        { "itself", typeof(BrokenLayerChainException) },
        { "cycle", typeof(BrokenLayerChainException) },
        { "missing file", typeof(BrokenLayerChainException) },
        { "a directory", typeof(CorruptFileException) },
    };

    [Theory]
    [MemberData(nameof(HostileLowerIds))]
    public void OpenLayerView_OfALayerWithAHostileLowerId_FailsNamingTheFile(string what, Type expected)
    {
        var driver = WriteContainer();
        var file = driver.GetLowerIdPath(Init);
        switch (what)
        {
            case "missing layer": _fs.File.WriteAllText(file, new string('e', 64)); break;
            case "traversal": _fs.File.WriteAllText(file, "../../../../etc"); break;
            case "absolute": _fs.File.WriteAllText(file, "/etc"); break;
            case "symbolic link":
                _fs.File.Delete(file);
                _fs.AddFile("/etc/" + Top, new MockFileData(Top)); // a lower-id elsewhere, whose content would pass
                _fs.File.CreateSymbolicLink(file, "/etc/" + Top);
                break;
            case "huge": _fs.File.WriteAllText(file, new string('a', 1 << 20)); break;
            case "not hex": _fs.File.WriteAllText(file, new string('Z', 64)); break;
            case "newline": _fs.File.WriteAllText(file, Top + "\n"); break;
            case "itself": _fs.File.WriteAllText(file, Init); break;
            case "cycle": _fs.File.WriteAllText(file, Mount); break; // Mount's own lower-id names Top; Mount has no root/
            case "missing file": _fs.File.Delete(file); break;
            case "a directory": _fs.File.Delete(file); _fs.AddDirectory(file); break;
        }

        var e = Assert.Throws(expected, () => driver.OpenLayerView(Init));

        Assert.Contains(file, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenView_OfALayerWithBothRootAndUpper_FailsNamingItsDirectory()
    {
        var driver = WriteContainer();
        Directory(driver.GetUpperPath(Top));

        var e = Assert.Throws<BrokenLayerChainException>(() => driver.OpenView([Top, Base]));

        Assert.Equal(driver.GetLayerDirectory(Top), e.Path);
        Assert.Contains("has both root/", e.Message, StringComparison.Ordinal);
        Assert.Throws<BrokenLayerChainException>(() => driver.GetContent(Top));
    }

    [Fact]
    public void OpenView_OfALayerWithNeitherRootNorUpper_FailsNamingItsDirectory()
    {
        var driver = WriteContainer();
        _fs.Directory.Delete(driver.GetRootPath(Top), recursive: true);
        _metadata.Forget(driver.GetRootPath(Top));

        var e = Assert.Throws<BrokenLayerChainException>(() => driver.OpenView([Top, Base]));

        Assert.Equal(driver.GetLayerDirectory(Top), e.Path);
        Assert.Contains("has neither root/", e.Message, StringComparison.Ordinal);
        Assert.Null(driver.GetContent(Top).Type); // fsck reports it as a layer whose files are missing
    }

    [Fact]
    public void OpenView_OfARootThatIsASymbolicLink_IsRefused()
    {
        var driver = WriteImage();
        _fs.Directory.Delete(driver.GetRootPath(Top), recursive: true);
        _fs.AddFile(driver.GetRootPath(Top), new MockFileData([]));
        _metadata.Record(driver.GetRootPath(Top), new UnixFileStatus { Type = UnixFileType.SymbolicLink, LinkTarget = "/etc", Size = 4 });

        var e = Assert.Throws<BrokenLayerChainException>(() => driver.OpenView([Top, Base]));

        Assert.Contains(driver.GetRootPath(Top), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DockerRoot_WithOverlayData_ReadsItWithTheOverlayDriver()
    {
        WriteImage();
        _fs.AddDirectory(Root + "/image/overlay/imagedb/content/sha256");

        var root = DockerRoot.Open(_fs, Root, new DockerRootOptions { Metadata = _metadata });

        Assert.Equal("overlay", root.Driver);
        Assert.Equal(["d", "keep", "n"], root.OpenLayer(Top[..12]).ListDirectory("/").Select(e => e.Name));
    }
}
