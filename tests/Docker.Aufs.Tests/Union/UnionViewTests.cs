using Docker.Aufs.Testing;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.Union;

namespace Docker.Aufs.Tests.Union;

/// <summary>The merge rules of AUFS, on roots built with the builder, in memory and on the real disk.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class UnionViewTests
{
    private static readonly DateTimeOffset T0 = new(2016, 3, 1, 10, 0, 0, TimeSpan.Zero);

    /// <summary>Builds one image from layers given base first and returns the view of its top layer.</summary>
    private static (TestRoot Root, UnionView View) Image(Disk disk, params Action<LayerBuilder>[] layers)
    {
        var ids = new List<string>();
        var root = TestRoot.Build(disk, builder =>
        {
            for (var i = 0; i < layers.Length; i++)
            {
                var index = i;
                ids.Add(builder.AddLayer(l =>
                {
                    l.Id(Ids.Of("layer" + index)).Parent(index == 0 ? null : ids[index - 1]).Created(T0.AddHours(index));
                    layers[index](l);
                }));
            }

            builder.Tag("test:latest", ids[^1]);
        });
        return (root, root.Open().OpenImage("test"));
    }

    private static List<string> Paths(UnionView view) => [.. view.EnumerateRecursive().Select(e => e.Path)];

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void EnumerateRecursive_WhiteoutOfAFile_HidesItInLowerLayersOnly(Disk disk)
    {
        var (root, view) = Image(disk,
            l => l.File("etc/motd", "hello").File("etc/issue", "linux"),
            l => l.Whiteout("etc/motd").File("etc/hostname", "box"));
        using (root)
        {
            Assert.Equal(["etc", "etc/hostname", "etc/issue"], Paths(view));
        }
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void EnumerateRecursive_WhiteoutOfAWholeDirectoryThenRecreatedHigher_ShowsOnlyTheNewContent(Disk disk)
    {
        var (root, view) = Image(disk,
            l => l.File("app/old/a.txt", "a").File("app/b.txt", "b").Directory("app/cache", mode: "0700"),
            l => l.Whiteout("app"),
            l => l.Directory("app", mode: "0750").File("app/c.txt", "c"));
        using (root)
        {
            Assert.Equal(["app", "app/c.txt"], Paths(view));
            var app = view.GetEntry("/app");
            Assert.Equal(0x1E8 /* 0750 */, app.Permissions);
            Assert.Equal(Ids.Of("layer2"), app.LayerId);
        }
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void EnumerateRecursive_OpaqueDirectoryNestedDeep_HidesTheLowerContentOfThatDirectoryOnly(Disk disk)
    {
        var (root, view) = Image(disk,
            l => l.File("a/b/c/d/e/old.txt", "old").File("a/b/c/d/old.txt", "old").File("a/b/c/keep.txt", "keep").File("a/b/sibling.txt", "s"),
            l => l.OpaqueDirectory("a/b/c/d").File("a/b/c/d/new.txt", "new"),
            l => l.File("a/b/c/d/newer.txt", "newer"));
        using (root)
        {
            Assert.Equal(["a", "a/b", "a/b/c", "a/b/c/d", "a/b/c/d/new.txt", "a/b/c/d/newer.txt", "a/b/c/keep.txt", "a/b/sibling.txt"], Paths(view));
            Assert.False(view.TryGetEntry("a/b/c/d/e/old.txt", followSymbolicLinks: false, out _));
            Assert.False(view.TryGetEntry("a/b/c/d/old.txt", followSymbolicLinks: false, out _));
            Assert.Equal("new", ReadText(view, "/a/b/c/d/new.txt"));
        }
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void EnumerateRecursive_OpaqueDirectoryInTheMiddle_StillMergesTheLayersAboveIt(Disk disk)
    {
        var (root, view) = Image(disk,
            l => l.File("srv/base.txt", "base"),
            l => l.OpaqueDirectory("srv").File("srv/middle.txt", "middle"),
            l => l.File("srv/top.txt", "top"));
        using (root)
        {
            Assert.Equal(["middle.txt", "top.txt"], view.ListDirectory("srv").Select(e => e.Name));
        }
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void EnumerateRecursive_WhiteoutsThatAreHardlinks_HideLikeAnyWhiteout(Disk disk)
    {
        var (root, view) = Image(disk,
            l => l.File("x/one", "1").File("x/two", "2").File("x/three", "3"),
            l => l.FileBytes(".wh..wh.aufs", [], mode: "0444").Hardlink("x/.wh.one", ".wh..wh.aufs").Hardlink("x/.wh.two", ".wh..wh.aufs"));
        using (root)
        {
            Assert.Equal(["x", "x/three"], Paths(view));
        }
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void EnumerateRecursive_AufsBookkeepingAtTheTop_IsNeverShown(Disk disk)
    {
        var (root, view) = Image(disk,
            l => l.File("bin/sh", "#!"),
            l => l.FileBytes(".wh..wh.aufs", [], mode: "0444").Directory(".wh..wh.plnk", mode: "0700").File(".wh..wh.plnk/1234.5", "pseudo-link")
                .Directory(".wh..wh.orph", mode: "0700").File("etc/app.conf", "x"));
        using (root)
        {
            Assert.Equal(["bin", "bin/sh", "etc", "etc/app.conf"], Paths(view));
            Assert.False(view.TryGetEntry(".wh..wh.plnk", followSymbolicLinks: false, out _));
        }
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void ListDirectory_DirectoryInSeveralLayers_MergesThemAndTakesMetadataFromTheTop(Disk disk)
    {
        var (root, view) = Image(disk,
            l => l.Directory("usr/bin", mode: "0755").File("usr/bin/a", "a").File("usr/bin/b", "b-old"),
            l => l.File("usr/bin/c", "c"),
            l => l.Directory("usr/bin", mode: "0775").File("usr/bin/b", "b-new", mode: "0700"));
        using (root)
        {
            var entries = view.ListDirectory("/usr/bin");

            Assert.Equal(["a", "b", "c"], entries.Select(e => e.Name));
            Assert.Equal([Ids.Of("layer0"), Ids.Of("layer2"), Ids.Of("layer1")], entries.Select(e => e.LayerId));
            Assert.Equal(0x1C0 /* 0700 */, entries[1].Permissions);
            Assert.Equal("b-new", ReadText(view, "usr/bin/b"));
            Assert.Equal(0x1FD /* 0775 */, view.GetEntry("usr/bin").Permissions);
            Assert.Equal(Ids.Of("layer2"), view.GetEntry("usr/bin").LayerId);
        }
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void ListDirectory_AFileBetweenTwoDirectoriesOfTheSameName_IsIgnoredAsAufsIgnoresIt(Disk disk)
    {
        // A directory became a file (layer 1, written by a daemon that diffs naively: no whiteout) and a directory again
        // (layer 2, no opaque marker). AUFS's lookup treats a lower entry of another type than the topmost one as absent
        // and goes on merging directories; applying the tars in order would have dropped from-base instead.
        var (root, view) = Image(disk,
            l => l.File("x/from-base", "1"),
            l => l.File("x", "a file named x"),
            l => l.File("x/from-top", "3"));
        using (root)
        {
            Assert.Equal(UnixFileType.Directory, view.GetEntry("x").Type);
            Assert.Equal(["from-base", "from-top"], view.ListDirectory("x").Select(e => e.Name));
            Assert.Equal("1", ReadText(view, "x/from-base"));
        }
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void GetEntry_FileOverADirectory_HidesTheDirectoryAndItsContent(Disk disk)
    {
        var (root, view) = Image(disk,
            l => l.File("opt/tool/bin", "x"),
            l => l.File("opt/tool", "now a file"));
        using (root)
        {
            Assert.Equal(UnixFileType.RegularFile, view.GetEntry("opt/tool").Type);
            Assert.Equal(["opt", "opt/tool"], Paths(view));
            Assert.Throws<IOException>(() => view.GetEntry("opt/tool/bin"));
        }
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void GetEntry_EveryEntryType_KnowsItsTypeModeOwnerSizeTimeAndLayer(Disk disk)
    {
        var modified = new DateTimeOffset(2015, 6, 7, 8, 9, 10, TimeSpan.Zero);
        var (root, view) = Image(disk,
            l => l.Directory("srv", mode: "0710", uid: 33, gid: 34, modified: modified)
                .File("srv/index.html", "<html>", mode: "0640", uid: 33, gid: 34, modified: modified)
                .Symlink("srv/current", "index.html", modified: modified)
                .Fifo("srv/pipe", mode: "0600")
                .CharacterDevice("dev/null", 1, 3)
                .BlockDevice("dev/sda", 8, 0));
        using (root)
        {
            var directory = view.GetEntry("srv");
            Assert.Equal((UnixFileType.Directory, 0x1C8, 0L, modified), (directory.Type, directory.Permissions, directory.Size, directory.ModifiedTime));
            var file = view.GetEntry("srv/index.html");
            Assert.Equal((UnixFileType.RegularFile, 0x1A0, 6L, modified, Ids.Of("layer0")), (file.Type, file.Permissions, file.Size, file.ModifiedTime, file.LayerId));
            var link = view.GetEntry("srv/current");
            Assert.Equal((UnixFileType.SymbolicLink, "index.html", 10L), (link.Type, link.LinkTarget, link.Size));
            Assert.Equal(UnixFileType.Fifo, view.GetEntry("srv/pipe").Type);
            if (disk == Disk.Memory || TarExtraction.IsRoot)
            {
                Assert.Equal((33, 34), (file.Uid, file.Gid));
                Assert.Equal((33, 34), (directory.Uid, directory.Gid));
                var device = view.GetEntry("dev/null");
                Assert.Equal((UnixFileType.CharacterDevice, 1u, 3u), (device.Type, device.DeviceMajor, device.DeviceMinor));
                Assert.Equal((UnixFileType.BlockDevice, 8u, 0u), (view.GetEntry("dev/sda").Type, view.GetEntry("dev/sda").DeviceMajor, view.GetEntry("dev/sda").DeviceMinor));
            }
        }
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void GetEntry_HardlinksInOneLayer_ShareAnIdentity(Disk disk)
    {
        var (root, view) = Image(disk,
            l => l.File("bin/busybox", "BB", mode: "0755").Hardlink("bin/sh", "bin/busybox").Hardlink("bin/ls", "bin/busybox").File("bin/other", "BB"));
        using (root)
        {
            var busybox = view.GetEntry("bin/busybox");
            Assert.True(view.GetEntry("bin/sh").IsHardlinkOf(busybox));
            Assert.True(view.GetEntry("bin/ls").IsHardlinkOf(busybox));
            Assert.False(view.GetEntry("bin/other").IsHardlinkOf(busybox));
            Assert.Equal(3u, busybox.LinkCount);
        }
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void EnumerateRecursive_SymbolicLinks_AreEntriesAndAreNeverFollowed(Disk disk)
    {
        var (root, view) = Image(disk,
            l => l.File("usr/lib/libc.so", "libc").Symlink("lib", "usr/lib").Symlink("etc", "/etc").Symlink("loop", "loop"));
        using (root)
        {
            Assert.Equal(["etc", "lib", "loop", "usr", "usr/lib", "usr/lib/libc.so"], Paths(view));
            Assert.Equal(UnixFileType.SymbolicLink, view.GetEntry("lib").Type);
        }
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void GetEntry_LinksInTheMiddleOfAPath_AreResolvedInsideTheImage(Disk disk)
    {
        var (root, view) = Image(disk,
            l => l.File("usr/lib/x86_64/ld.so", "loader").Symlink("lib64", "usr/lib/x86_64").Symlink("usr/lib/up", "../..").Symlink("abs", "/usr/lib"));
        using (root)
        {
            Assert.Equal("usr/lib/x86_64/ld.so", view.GetEntry("/lib64/ld.so").Path);
            Assert.Equal("usr/lib/x86_64/ld.so", view.GetEntry("usr/lib/up/lib64/ld.so").Path);
            Assert.Equal("usr/lib/x86_64/ld.so", view.GetEntry("abs/x86_64/ld.so").Path);
            Assert.Equal("usr/lib/x86_64", view.GetEntry("lib64", followSymbolicLinks: true).Path);
            Assert.Equal("lib64", view.GetEntry("lib64").Path);
            Assert.Equal("loader", ReadText(view, "lib64/../x86_64/ld.so"));
            Assert.Throws<FileNotFoundException>(() => view.OpenRead("lib64/../lib64/ld.so")); // ".." applies to where the link led, as on Linux
            Assert.Equal(["ld.so"], view.ListDirectory("lib64").Select(e => e.Name));
        }
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void GetEntry_DotDotAboveTheRoot_StopsAtTheImageRoot(Disk disk)
    {
        var (root, view) = Image(disk, l => l.File("etc/hostname", "image").Symlink("a/b/c", "../../../../../../../etc/hostname"));
        using (root)
        {
            Assert.Equal("etc/hostname", view.GetEntry("../../../../etc/hostname").Path);
            Assert.Equal("image", ReadText(view, "a/b/c"));
        }
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void GetEntry_SymbolicLinkLoop_EndsInSymbolicLinkLoopException(Disk disk)
    {
        var (root, view) = Image(disk, l => l.Symlink("a", "b").Symlink("b", "/a").Symlink("self", "self").Symlink("dir/x", "../dir/x"));
        using (root)
        {
            var e = Assert.Throws<SymbolicLinkLoopException>(() => view.GetEntry("a", followSymbolicLinks: true));
            Assert.Contains("/a", e.Message, StringComparison.Ordinal);
            Assert.Throws<SymbolicLinkLoopException>(() => view.OpenRead("self"));
            Assert.Throws<SymbolicLinkLoopException>(() => view.ListDirectory("dir/x"));
            Assert.Equal(UnixFileType.SymbolicLink, view.GetEntry("a").Type);
        }
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void OpenRead_MissingDanglingDirectoryOrSpecial_RaisesTheMatchingIoError(Disk disk)
    {
        var (root, view) = Image(disk, l => l.Symlink("dangling", "/nowhere").Directory("dir").Fifo("pipe").File("file", "x"));
        using (root)
        {
            Assert.Throws<FileNotFoundException>(() => view.OpenRead("missing"));
            Assert.Throws<FileNotFoundException>(() => view.OpenRead("dangling"));
            Assert.Throws<UnauthorizedAccessException>(() => view.OpenRead("dir"));
            Assert.Throws<IOException>(() => view.OpenRead("pipe"));
            Assert.Throws<IOException>(() => view.ListDirectory("file"));
            Assert.Throws<IOException>(() => view.GetEntry("file/below"));
        }
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void OpenRead_AFileOfALowerLayer_ReturnsItsBytesFromItsBranch(Disk disk)
    {
        var bytes = Enumerable.Range(0, 70_000).Select(i => (byte)(i * 7)).ToArray();
        var (root, view) = Image(disk, l => l.FileBytes("data/blob.bin", bytes), l => l.File("data/other", "o"));
        using (root)
        {
            using var stream = view.OpenRead("/data/blob.bin");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            Assert.Equal(bytes, copy.ToArray());
            Assert.Equal(view.GetEntry("data/blob.bin").SourcePath, Assert.IsAssignableFrom<System.IO.Abstractions.FileSystemStream>(stream).Name);
        }
    }

    [Fact]
    public void EnumerateRecursive_Order_IsDepthFirstDirectoriesBeforeContentInCodePointOrder()
    {
        var (root, view) = Image(Disk.Memory, l => l.File("b/z", "").File("b/a", "").File("a", "").File("B", "").File("\uE000", "").File("\U0001F600", ""));
        using (root)
        {
            Assert.Equal(["B", "a", "b", "b/a", "b/z", "\uE000", "\U0001F600"], Paths(view));
        }
    }

    [Fact]
    public void Constructor_NoBranches_IsTheEmptyRootOfAnImageWithoutLayers()
    {
        var fs = new System.IO.Abstractions.TestingHelpers.MockFileSystem();
        var view = AufsViews.Over(fs, new FileSystemMetadataProvider(fs), []);

        Assert.Empty(view.ListDirectory("/"));
        Assert.Empty(view.EnumerateRecursive());
        Assert.Empty(view.GetChanges());
        Assert.Empty(view.LayerIds);
        Assert.True(view.GetEntry("/").IsDirectory);
        Assert.Throws<FileNotFoundException>(() => view.OpenRead("etc/passwd"));
    }

    private static string ReadText(UnionView view, string path)
    {
        using var reader = new StreamReader(view.OpenRead(path));
        return reader.ReadToEnd();
    }
}
