using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.Union;

namespace Docker.Aufs.Tests.Union;

/// <summary><c>docker diff</c>: a container's read-write layer against its init layer and image, as Docker 1.9's AUFS driver reports it.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class UnionChangesTests
{
    private static readonly DateTimeOffset ImageTime = new(2015, 10, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset RunTime = new(2015, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string Base = Ids.Of("diff-base");
    private static readonly string Top = Ids.Of("diff-top");
    private static readonly string Container = Ids.Of("diff-container");

    private static TestRoot Build(Disk disk) => TestRoot.Build(disk, b =>
    {
        b.AddLayer(l => l.Id(Base).Created(ImageTime)
            .File("etc/passwd", "root:x:0:0\n").File("etc/motd", "hi\n").File("usr/bin/tool", "t", mode: "0755")
            .Directory("tmp", mode: "1777").File("opt/old/x", "x").File("opt/old/y", "y").File("var/old.log", "old"));
        b.AddLayer(l => l.Id(Top).Parent(Base).Created(ImageTime).Whiteout("var/old.log"));
        b.Tag("img:latest", Top);
        b.AddContainer(c => c.Id(Container).Name("c").Image(Top).Created(RunTime).Changes(l => l
                .Directory("etc", modified: RunTime).File("etc/passwd", "root:x:0:0\nuser:x:1000:1000\n", modified: RunTime)
                .File("etc/hosts", "127.0.0.1 localhost\n", modified: RunTime)
                .Directory("usr", modified: ImageTime).Directory("usr/bin", modified: RunTime)
                .Directory("tmp", mode: "1777", modified: RunTime).File("tmp/new.txt", "new", modified: RunTime)
                .Directory("opt", modified: ImageTime).OpaqueDirectory("opt/old").File("opt/old/z", "z", modified: RunTime)
                .Directory("var", modified: RunTime).File("var/old.log", "again", modified: RunTime))
            .Delete("etc/motd")
            .Delete("usr/bin/tool"));
    });

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void GetContainerChanges_Container_ReportsWhatDockerDiffReports(Disk disk)
    {
        using var root = Build(disk);

        var changes = root.Open().OpenContainer("c").GetChanges();

        Assert.Equal(
            [
                "C /etc",          // copied up and changed: its mtime differs from the image's
                "D /etc/motd",     // a whiteout (a hardlink of .wh..wh.aufs, as AUFS writes it), at its own name's place: ".wh." sorts first
                "C /etc/hosts",    // exists below, in the init layer
                "C /etc/passwd",
                "C /opt/old",      // /opt is identical to the image's directory: not reported
                "D /opt/old/x",    // the opaque marker hides the image's content of /opt/old
                "D /opt/old/y",
                "A /opt/old/z",
                "C /tmp",
                "A /tmp/new.txt",
                "C /usr/bin",      // the parent of a deletion; /usr is identical and not reported
                "D /usr/bin/tool",
                "C /var",
                "C /var/old.log",  // deleted in the image's top layer, but Docker looks at the layers as stored
            ],
            changes.Select(c => c.ToString()));
    }

    [Fact]
    public void GetChanges_BookkeepingAndIdenticalDirectories_AreNotReported()
    {
        using var root = Build(Disk.Memory);

        var changes = root.Open().OpenContainer("c").GetChanges();

        Assert.DoesNotContain(changes, c => c.Path.Contains(".wh.", StringComparison.Ordinal));
        Assert.DoesNotContain(changes, c => c.Path is "/usr" or "/opt");
        Assert.Equal((ChangeKind.Add, "A"), (changes.Single(c => c.Path == "/tmp/new.txt").Kind, changes.Single(c => c.Path == "/tmp/new.txt").Letter));
    }

    [Fact]
    public void GetChanges_ImageLayer_IsItsChangesAgainstItsParents()
    {
        using var root = Build(Disk.Memory);

        var changes = root.Open().OpenLayer(Top).GetChanges();

        Assert.Equal(["C /var", "D /var/old.log"], changes.Select(c => c.ToString()));
    }

    [Fact]
    public void GetChanges_LinkInALowerLayerToTheHost_IsNotFollowed()
    {
        var image = Ids.Of("linked");
        using var root = TestRoot.Build(Disk.Real, b =>
        {
            b.AddLayer(l => l.Id(image).Symlink("etc", "/etc"));
            b.AddContainer(c => c.Id(Container).Name("c").Image(image).Changes(l => l.File("etc/passwd", "mine\n")));
        });

        var changes = root.Open().OpenContainer("c").GetChanges();

        // Docker's os.Stat would follow etc -> /etc on the host and call /etc/passwd modified.
        Assert.Equal(["C /etc", "A /etc/passwd"], changes.Select(c => c.ToString()));
    }
}
