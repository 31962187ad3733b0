using System.Formats.Tar;
using System.IO.Abstractions;
using Docker.Aufs.Testing;
using Docker.Aufs.Drivers.Aufs;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.Union;

namespace Docker.Aufs.Tests.Union;

/// <summary>
/// Links in a layer that point at the host's files must resolve inside the image, never on the host. These run on the
/// real disk, where the host files they aim at (/etc/passwd, /etc/hostname, /etc/os-release…) exist.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SymlinkEscapeTests
{
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
                    l.Id(Ids.Of("escape" + index)).Parent(index == 0 ? null : ids[index - 1]);
                    layers[index](l);
                }));
            }

            builder.Tag("evil:latest", ids[^1]);
        });
        return (root, root.Open().OpenImage("evil"));
    }

    private static string Read(UnionView view, string path)
    {
        using var reader = new StreamReader(view.OpenRead(path));
        return reader.ReadToEnd();
    }

    [Theory]
    [InlineData(Disk.Real)]
    [InlineData(Disk.Memory)]
    public void OpenRead_LinkToTheAbsolutePathOfItself_LoopsInsteadOfReadingTheHostFile(Disk disk)
    {
        Assert.True(File.Exists("/etc/passwd"));
        var (root, view) = Image(disk, l => l.Symlink("etc/passwd", "/etc/passwd"));
        using (root)
        {
            Assert.Throws<SymbolicLinkLoopException>(() => view.OpenRead("/etc/passwd"));
            Assert.Equal(UnixFileType.SymbolicLink, view.GetEntry("/etc/passwd").Type);
        }
    }

    [Theory]
    [InlineData(Disk.Real)]
    [InlineData(Disk.Memory)]
    public void OpenRead_RelativeLinkClimbingAboveTheRoot_ReadsTheImagesFileOrNothing(Disk disk)
    {
        var (root, view) = Image(disk,
            l => l.File("etc/shadow", "image-shadow\n").Symlink("var/www/evil", "../../../../../../../../etc/shadow").Symlink("var/www/gone", "../../../../../../../../etc/gshadow"));
        using (root)
        {
            Assert.Equal("image-shadow\n", Read(view, "var/www/evil"));
            Assert.Throws<FileNotFoundException>(() => view.OpenRead("var/www/gone"));
        }
    }

    [Theory]
    [InlineData(Disk.Real)]
    [InlineData(Disk.Memory)]
    public void ListDirectory_LinkToTheHostsEtc_ListsTheImagesEtc(Disk disk)
    {
        Assert.True(File.Exists("/etc/hostname") || File.Exists("/etc/os-release"));
        var (root, view) = Image(disk, l => l.File("etc/hostname", "image-hostname\n").Symlink("hostetc", "/etc"));
        using (root)
        {
            Assert.Equal(["hostname"], view.ListDirectory("hostetc").Select(e => e.Name));
            Assert.Equal("image-hostname\n", Read(view, "hostetc/hostname"));
            Assert.Throws<FileNotFoundException>(() => view.OpenRead("hostetc/os-release"));
            Assert.Throws<FileNotFoundException>(() => view.OpenRead("hostetc/passwd"));
        }
    }

    [Theory]
    [InlineData(Disk.Real)]
    [InlineData(Disk.Memory)]
    public void EnumerateRecursive_ALowerBranchHoldsAHostLinkWhereTheUpperHasADirectory_NeverListsTheHost(Disk disk)
    {
        var (root, view) = Image(disk,
            l => l.Symlink("lib", "/etc").Symlink("usr/share", "/usr/share"),
            l => l.File("lib/mine.so", "mine").File("usr/share/doc/README", "readme"));
        using (root)
        {
            Assert.Equal(["lib", "lib/mine.so", "usr", "usr/share", "usr/share/doc", "usr/share/doc/README"], view.EnumerateRecursive().Select(e => e.Path));
            Assert.Throws<FileNotFoundException>(() => view.OpenRead("lib/passwd"));
        }
    }

    [Theory]
    [InlineData(Disk.Real)]
    [InlineData(Disk.Memory)]
    public void GetEntry_LinkOnlyInTheLowerBranch_IsResolvedThroughTheImage(Disk disk)
    {
        var (root, view) = Image(disk,
            l => l.Symlink("lib", "/etc"),
            l => l.File("etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n"));
        using (root)
        {
            Assert.Equal("etc/ld.so.conf", view.GetEntry("lib/ld.so.conf").Path);
            Assert.Throws<FileNotFoundException>(() => view.GetEntry("lib/passwd"));
        }
    }

    [Theory]
    [InlineData(Disk.Real)]
    [InlineData(Disk.Memory)]
    public void WriteTar_LinksPointingAtTheHost_AreWrittenAsLinksWithoutHostContent(Disk disk)
    {
        var (root, view) = Image(disk, l => l.Symlink("etc/passwd", "/etc/passwd").Symlink("escape", "../../../../etc/shadow").Symlink("hostetc", "/etc"));
        using (root)
        {
            using var tar = new MemoryStream();
            view.WriteTar(tar, TestContext.Current.CancellationToken);
            tar.Position = 0;
            using var reader = new TarReader(tar);
            var entries = new List<TarEntry>();
            while (reader.GetNextEntry() is { } entry)
            {
                entries.Add(entry);
            }

            Assert.Equal(["escape", "etc/", "etc/passwd", "hostetc"], entries.Select(e => e.Name));
            Assert.All(entries.Where(e => !e.Name.EndsWith('/')), e => Assert.Equal(TarEntryType.SymbolicLink, e.EntryType));
            Assert.Equal(["../../../../etc/shadow", "/etc/passwd", "/etc"], entries.Where(e => e.EntryType == TarEntryType.SymbolicLink).Select(e => e.LinkName));
            Assert.All(entries, e => Assert.Equal(0, e.Length));
        }
    }

    [Fact]
    public void ForAufsLayer_BranchThatIsALinkOutOfTheRoot_ThrowsUnsafePath()
    {
        using var root = TestRoot.Build(Disk.Real, b => b.AddLayer(l => l.Id(Ids.Of("moved")).File("a", "a")));
        var diff = System.IO.Path.Combine(root.Path, "aufs", "diff", Ids.Of("moved"));
        Directory.Delete(diff, recursive: true);
        File.CreateSymbolicLink(diff, "/etc");
        var driver = new AufsDriver(new FileSystem(), System.IO.Path.Combine(root.Path, "aufs"));

        var e = Assert.Throws<UnsafePathException>(() => AufsViews.Open(driver, Ids.Of("moved"), LinuxMetadataProvider.Instance));

        Assert.Equal(diff, e.Path);
        Assert.Equal("/etc", e.UnsafeValue);
    }

    [Fact]
    public void ForAufsLayer_BranchLinkedToGraphLayerByTheDocker07Migration_IsFollowedInsideTheRootEvenWhenTheRootMoved()
    {
        var id = Ids.Of("migrated");
        using var root = TestRoot.Build(Disk.Real, b => b.AddLayer(l => l.Id(id).File("hello", "from graph/<id>/layer")));
        var diff = System.IO.Path.Combine(root.Path, "aufs", "diff", id);
        var layer = System.IO.Path.Combine(root.Path, "graph", id, "layer");
        Directory.Move(diff, layer);
        File.CreateSymbolicLink(diff, $"/var/lib/docker/graph/{id}/layer"); // the absolute path Docker 0.7 wrote, on the old host
        var driver = new AufsDriver(new FileSystem(), System.IO.Path.Combine(root.Path, "aufs"));

        var view = AufsViews.Open(driver, id, LinuxMetadataProvider.Instance);

        Assert.Equal(layer, view.Branches[0].Path);
        using var reader = new StreamReader(view.OpenRead("hello"));
        Assert.Equal("from graph/<id>/layer", reader.ReadToEnd());
    }
}
