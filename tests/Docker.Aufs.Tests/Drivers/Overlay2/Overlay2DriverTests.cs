using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Drivers;
using Docker.Aufs.Drivers.Overlay2;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;
using Microsoft.Extensions.Logging;

namespace Docker.Aufs.Tests.Drivers.Overlay2;

/// <summary>
/// overlay2 layers read with AUFS's conventions: whiteouts are 0/0 character devices, opaque directories carry
/// <c>trusted.overlay.opaque=y</c>, and <c>lower</c> names the ancestors through <c>l/</c> links.
/// </summary>
public sealed class Overlay2DriverTests
{
    private const string Root = "/var/lib/docker";
    private static readonly string Base = new('b', 64);
    private static readonly string Top = new('c', 64);

    private readonly MockFileSystem _fs = new();
    private readonly RecordedMetadataProvider _metadata;
    private readonly ListLoggerFactory _logs = new();

    public Overlay2DriverTests()
    {
        _metadata = new RecordedMetadataProvider(MetadataProviders.For(_fs));
    }

    private Overlay2Driver Driver(IUnixMetadataProvider? metadata = null) =>
        new(new DriverContext(_fs, Root, Root + "/overlay2", metadata ?? _metadata, _logs.CreateLogger("Docker.Aufs")));

    /// <summary>A base layer with <c>a</c>, <c>keep</c> and <c>d/{x,y}</c>; above it <c>a</c> whited out and <c>d</c> opaque with <c>d/z</c>.</summary>
    private Overlay2Driver WriteTwoLayers(bool opaqueMark = true)
    {
        var driver = Driver();
        var lower = driver.CreateLayer(Base, null);
        File(lower + "/a", "a");
        File(lower + "/keep", "keep");
        Directory(lower + "/d");
        File(lower + "/d/x", "x");
        File(lower + "/d/y", "y");
        var upper = driver.CreateLayer(Top, Base);
        _fs.AddFile(upper + "/a", new MockFileData([]));
        _metadata.Record(upper + "/a", new UnixFileStatus { Type = UnixFileType.CharacterDevice, DeviceMajor = 0, DeviceMinor = 0 });
        Directory(upper + "/d");
        if (opaqueMark)
        {
            _metadata.RecordAttribute(upper + "/d", OverlayBranches.OpaqueAttribute, "y"u8.ToArray());
        }

        File(upper + "/d/z", "z");
        return driver;
    }

    private void File(string path, string content)
    {
        _fs.AddFile(path, new MockFileData(content));
        _metadata.Record(path, new UnixFileStatus { Type = UnixFileType.RegularFile, Permissions = 0x1A4, Size = content.Length, Inode = (ulong)path.GetHashCode(StringComparison.Ordinal) });
    }

    private void Directory(string path)
    {
        _fs.AddDirectory(path);
        _metadata.Record(path, new UnixFileStatus { Type = UnixFileType.Directory, Permissions = 0x1ED });
    }

    private static string[] Names(IEnumerable<Docker.Aufs.Union.UnionEntry> entries) => [.. entries.Select(e => e.Path).Order(StringComparer.Ordinal)];

    [Fact]
    public void OpenLayerView_HidesAWhitedOutFileAndTheLowerContentOfAnOpaqueDirectory()
    {
        var view = WriteTwoLayers().OpenLayerView(Top);

        Assert.Equal(["d", "d/z", "keep"], Names(view.EnumerateRecursive()));
        Assert.False(view.TryGetEntry("a", followSymbolicLinks: false, out _));
        Assert.False(view.TryGetEntry("d/x", followSymbolicLinks: false, out _));
        Assert.Equal("z", new StreamReader(view.OpenRead("d/z")).ReadToEnd());
        Assert.Empty(_logs.Warnings);
    }

    [Fact]
    public void GetChanges_ReportsTheWhiteoutAsADeletionAndTheOpaqueDirectoryAsDocker()
    {
        var changes = WriteTwoLayers().OpenLayerView(Top).GetChanges().Select(c => c.ToString()).ToList();

        Assert.Contains("D /a", changes);
        Assert.Contains("A /d/z", changes);
        Assert.DoesNotContain(changes, c => c.Contains(".wh.", StringComparison.Ordinal));
    }

    [Fact]
    public void OpenLayerView_WhenOpaqueMarksCannotBeRead_WarnsOnceAndShowsTheLowerFiles()
    {
        WriteTwoLayers(opaqueMark: false);
        var driver = Driver(MetadataProviders.For(_fs)); // reads no extended attributes

        var view = driver.OpenLayerView(Base);
        _ = view.EnumerateRecursive().ToList();
        _ = driver.OpenLayerView(Base).ListDirectory("d");

        var warning = Assert.Single(_logs.Entries, e => e.Level == LogLevel.Warning);
        Assert.Equal(3005, warning.Id.Id);
        Assert.Contains("Opaque directories of the overlay2 layers cannot be seen", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadAncestors_FollowsTheShortNamesOfLowerNearestFirst()
    {
        var driver = WriteTwoLayers();
        var third = new string('d', 64);
        driver.CreateLayer(third, Top);

        Assert.Equal([Top, Base], driver.ReadAncestors(third));
        Assert.Equal([], driver.ReadAncestors(Base));
        Assert.Null(driver.ReadAncestors(new string('e', 64)));
    }

    [Fact]
    public void ReadAncestorsAndOpenLayerView_ALowerFileListingALayerTwice_AreRefusedAsOverlayfsRefusesIt()
    {
        // Linux 5.2+ refuses a lowerdir given twice ("conflicting lowerdir path", ELOOP): Docker could not mount the layer.
        var driver = WriteTwoLayers();
        var third = new string('d', 64);
        driver.CreateLayer(third, Top);
        var lower = _fs.File.ReadAllText(driver.RecordPath(third)); // l/<top>:l/<base>
        _fs.File.WriteAllText(driver.RecordPath(third), lower + ":" + lower.Split(':')[1]);

        Assert.Equal([Top, Base, Base], driver.ReadRecord(third)); // what fsck reads
        var e = Assert.Throws<BrokenLayerChainException>(() => driver.ReadAncestors(third));
        Assert.Equal(driver.RecordPath(third), e.Path);
        Assert.Contains($"names the layer {Base} twice (positions 2 and 3)", e.Message, StringComparison.Ordinal);
        Assert.Throws<BrokenLayerChainException>(() => driver.OpenLayerView(third));
    }

    [Theory]
    [InlineData("l/../../etc")]
    [InlineData("/etc/passwd")]
    [InlineData("l/")]
    [InlineData("l/NOSUCHLINK")]
    public void ReadAncestors_OfALowerFileNamingNoShortNameLink_FailsNamingTheFile(string lower)
    {
        var driver = WriteTwoLayers();
        _fs.File.WriteAllText(driver.RecordPath(Top), lower);

        var e = Assert.Throws<CorruptFileException>(() => driver.ReadAncestors(Top));

        Assert.Contains(driver.RecordPath(Top), e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../../../../etc/diff")]
    [InlineData("/etc")]
    [InlineData("../bbbb/diff")]
    public void ReadAncestors_ThroughALinkThatLeadsElsewhere_IsRefused(string target)
    {
        var driver = WriteTwoLayers();
        var link = driver.LinkDirectory + "/EVIL";
        _fs.AddFile(link, new MockFileData([]));
        _metadata.Record(link, new UnixFileStatus { Type = UnixFileType.SymbolicLink, LinkTarget = target, Size = target.Length });
        _fs.File.WriteAllText(driver.RecordPath(Top), "l/EVIL");

        var e = Assert.Throws<UnsafePathException>(() => driver.ReadAncestors(Top));

        Assert.Contains(link, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateLayer_WritesTheShortNameLinkAndLowerAsTheDriverDoes()
    {
        var driver = WriteTwoLayers();
        var shortName = _fs.File.ReadAllText(Root + "/overlay2/" + Top + "/link");

        Assert.Matches("^[A-Z2-7]{26}$", shortName);
        Assert.True(_metadata.TryGetStatus(driver.LinkDirectory + "/" + shortName, out var link));
        Assert.Equal("../" + Top + "/diff", link.LinkTarget);
        Assert.Equal("l/" + _fs.File.ReadAllText(Root + "/overlay2/" + Base + "/link"), _fs.File.ReadAllText(driver.RecordPath(Top)));
        Assert.False(_fs.File.Exists(driver.RecordPath(Base)));
        Assert.NotEqual(shortName, _fs.File.ReadAllText(Root + "/overlay2/" + Base + "/link"));
    }
}
