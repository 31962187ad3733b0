using System.IO.Abstractions;
using Docker.Aufs.Drivers.Aufs;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.Union;

[assembly: AssemblyFixture(typeof(Docker.Aufs.Tests.Union.BalenaFixtureTests.ExtractedRoot))]

namespace Docker.Aufs.Tests.Union;

/// <summary>
/// The merged view of real AUFS data: balena-aufs-root.tar.gz, a /var/lib/docker written by an AUFS-backed engine,
/// extracted onto the real disk with its hardlinks and symbolic links and read through its aufs/ part by layer ID.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BalenaFixtureTests
{
    private const string TopLayer = "0ea3c275c06095f504eeded40409cb1c8f2df7a0c13999a290855f5d583b6b78";
    private readonly ExtractedRoot _root;

    public BalenaFixtureTests(ExtractedRoot root)
    {
        _root = root;
    }

    [Fact]
    public void ForAufsLayer_TopLayerOfTheFixture_StacksTheFiveBranchesOfItsLayersFile()
    {
        var view = _root.View();

        Assert.Equal(
            [TopLayer, "9446707512e403607689c46bd12bca72b49b40e90421f3af74dc5dd2d33e3e05", "f43c33770c600233d4a1c457df649d3fd3ba9cf1d428619f44c651bfa8a3c502",
             "71538963aa4bf139c2dd362ca9d2fb4f4688523261020e320a0578df48e2e2cc", "34999927091de7ae41baa85f0be576c4b70ff81bf30d6850bf84c16d5d8cb9f5"],
            view.Branches.Select(b => b.LayerId));
    }

    [Fact]
    public void EnumerateRecursive_Fixture_Yields427EntriesBelowTheRoot()
    {
        // 422 entries of the busybox base (every path below its root) + /tmp/d1, /tmp/d1/d1f2, /tmp/f2, /tmp/slkn, /tmp/hlkn.
        var entries = _root.View().EnumerateRecursive().ToList();

        Assert.Equal(427, entries.Count);
        Assert.Equal(entries.Count, entries.Select(e => e.Path).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void EnumerateRecursive_Fixture_HidesTheDeletedFilesAndTheWhiteouts()
    {
        var paths = _root.View().EnumerateRecursive().Select(e => e.Path).ToHashSet(StringComparer.Ordinal);

        Assert.DoesNotContain("tmp/f1", paths);
        Assert.DoesNotContain("tmp/d1/d1f1", paths);
        Assert.DoesNotContain(paths, p => p.Split('/').Any(part => part.StartsWith(".wh.", StringComparison.Ordinal)));
        Assert.Equal(["tmp/d1", "tmp/d1/d1f2", "tmp/f2", "tmp/hlkn", "tmp/slkn"], paths.Where(p => p.StartsWith("tmp/", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void GetEntry_Fixture_ShowsTheSymbolicLinkAndTheHardlinkAsWritten()
    {
        var view = _root.View();

        var link = view.GetEntry("/tmp/slkn");
        Assert.Equal(UnixFileType.SymbolicLink, link.Type);
        Assert.Equal("/tmp/d1/d1f2", link.LinkTarget);
        Assert.Equal("/tmp/d1/d1f2".Length, link.Size);

        var file = view.GetEntry("/tmp/d1/d1f2");
        var hardlink = view.GetEntry("/tmp/hlkn");
        Assert.Equal(UnixFileType.RegularFile, hardlink.Type);
        Assert.True(hardlink.IsHardlinkOf(file));
        Assert.Equal(TopLayer, hardlink.LayerId);
        Assert.Equal(2u, hardlink.LinkCount);
        Assert.False(view.GetEntry("/tmp/f2").IsHardlinkOf(file));
    }

    [Fact]
    public void GetEntry_OpaqueDirectoryStoredAsHardlinkOfAWhiteout_HidesTheOldContent()
    {
        var view = _root.View();

        Assert.Equal(["d1f2"], view.ListDirectory("tmp/d1").Select(e => e.Name));
        Assert.False(view.TryGetEntry("tmp/d1/d1f1", followSymbolicLinks: false, out _));
        Assert.False(view.TryGetEntry("tmp/d1/.wh..wh..opq", followSymbolicLinks: false, out _));
    }

    [Fact]
    public void GetEntry_SymbolicLinkFollowed_ResolvesInsideTheImage()
    {
        var view = _root.View();

        var target = view.GetEntry("tmp/slkn", followSymbolicLinks: true);

        Assert.Equal("tmp/d1/d1f2", target.Path);
        Assert.StartsWith(_root.Path, target.SourcePath, StringComparison.Ordinal);
    }

    [Fact]
    public void GetEntry_TheTmpDirectory_ComesFromTheTopBranchWithItsStickyMode()
    {
        var tmp = _root.View().GetEntry("tmp");

        Assert.Equal(TopLayer, tmp.LayerId);
        Assert.Equal(0x3FF /* 01777 */, tmp.Permissions);
        Assert.Equal(0, tmp.Size);
    }

    [Fact]
    public void ResolveAufsLayerId_UniquePrefix_GivesTheFullId()
    {
        var driver = new AufsDriver(new FileSystem(), System.IO.Path.Combine(_root.Path, "aufs"));

        Assert.Equal(TopLayer, driver.ResolveLayerId("0ea3c275"));
        Assert.Throws<LayerNotFoundException>(() => driver.ResolveLayerId("ffff"));
    }

    /// <summary>The fixture extracted once into a temporary directory for the whole test run.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public sealed class ExtractedRoot : IDisposable
    {
        private readonly TempDirectory _directory = new();

        public ExtractedRoot()
        {
            TarExtraction.ExtractGzip(Fixtures.Path("balena-aufs-root.tar.gz"), _directory.Path);
        }

        public string Path => _directory.Path;

        public UnionView View()
        {
            var driver = new AufsDriver(new FileSystem(), System.IO.Path.Combine(Path, "aufs"));
            return AufsViews.Open(driver, TopLayer, LinuxMetadataProvider.Instance);
        }

        public void Dispose() => _directory.Dispose();
    }
}
