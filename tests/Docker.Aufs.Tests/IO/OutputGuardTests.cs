using System.IO.Abstractions;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.IOTests;

/// <summary>The output policy decided by identity: aliases of the root, links, fifos and devices.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class OutputGuardTests
{
    private static readonly FileSystem Disk = new();

    /// <summary>Names of a file inside <c>root/graph</c> that do not start with the root's path as a string.</summary>
    public static TheoryData<string> Aliases => new()
    {
        "alias/graph/out.tar", // a symbolic link to the root
        "elsewhere/../root/graph/out.tar", // '..' (lexically resolved the same way the writer resolves it)
        "root//graph//out.tar", // '//'
        "/proc/self/root{temp}/root/graph/out.tar", // the process's root directory again
        "deep/link-to-graph/out.tar", // a link to a directory below the root
    };

    private static string Resolve(TempDirectory temp, string alias) =>
        alias.StartsWith('/') ? alias.Replace("{temp}", temp.Path, StringComparison.Ordinal) : temp.Combine(alias);

    private static TempDirectory Layout()
    {
        var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("root", "graph"));
        Directory.CreateDirectory(temp.Combine("elsewhere"));
        Directory.CreateDirectory(temp.Combine("deep"));
        File.CreateSymbolicLink(temp.Combine("alias"), temp.Combine("root"));
        File.CreateSymbolicLink(temp.Combine("deep", "link-to-graph"), temp.Combine("root", "graph"));
        return temp;
    }

    [Theory]
    [MemberData(nameof(Aliases))]
    public void Check_FileInsideTheRootUnderAnyName_IsRefused(string alias)
    {
        using var temp = Layout();

        var e = Assert.Throws<IOException>(() => OutputGuard.Check(Disk, Resolve(temp, alias), Disk, temp.Combine("root")));

        Assert.Contains("inside the Docker root", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Aliases))]
    public void AtomicFile_InsideTheRootUnderAnyName_CreatesNothing(string alias)
    {
        using var temp = Layout();

        Assert.Throws<IOException>(() => AtomicFile.Create(Disk, Resolve(temp, alias), false, Disk, temp.Combine("root")));

        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Combine("root", "graph")));
    }

    [Fact]
    public void Check_RootNamedThroughALink_StillProtectsIt()
    {
        using var temp = Layout();

        var e = Assert.Throws<IOException>(() => OutputGuard.Check(Disk, temp.Combine("root", "graph", "out.tar"), Disk, temp.Combine("alias")));

        Assert.Contains("inside the Docker root", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_FileBesideTheRoot_IsAFile()
    {
        using var temp = Layout();

        Assert.Equal(OutputKind.File, OutputGuard.Check(Disk, temp.Combine("elsewhere", "out.tar"), Disk, temp.Combine("root")));
        Assert.Equal(OutputKind.File, OutputGuard.Check(Disk, temp.Combine("root-sibling.tar"), Disk, temp.Combine("root")));
    }

    [Fact]
    public void Check_SymbolicLinkToAFileInTheRoot_IsRefusedAndTheFileUntouched()
    {
        using var temp = Layout();
        var victim = temp.Combine("root", "graph", "victim");
        File.WriteAllText(victim, "root data");
        File.CreateSymbolicLink(temp.Combine("out.tar"), victim);

        var e = Assert.Throws<IOException>(() => AtomicFile.Create(Disk, temp.Combine("out.tar"), false, Disk, temp.Combine("root")));

        Assert.Contains("symbolic link", e.Message, StringComparison.Ordinal);
        Assert.Equal("root data", File.ReadAllText(victim));
        Assert.NotNull(new FileInfo(temp.Combine("out.tar")).LinkTarget);
    }

    [Fact]
    public void Check_ABlockDevice_IsRefusedWhateverItHolds_AlsoThroughALink()
    {
        // The block device named may hold the root itself (the examined disk, a loop device over its image).
        var device = Directory.EnumerateFileSystemEntries("/dev").Order(StringComparer.Ordinal)
            .FirstOrDefault(path => LinuxNative.TryLstat(path, out var status) && (status.Mode & 0xF000) == 0x6000);
        if (device is null)
        {
            Assert.Skip("no block device node in /dev");
        }

        using var temp = Layout();
        File.CreateSymbolicLink(temp.Combine("disk"), device);

        var direct = Assert.Throws<IOException>(() => OutputGuard.Check(Disk, device, Disk, temp.Combine("root")));
        Assert.Contains("block device", direct.Message, StringComparison.Ordinal);
        var linked = Assert.Throws<IOException>(() => OutputGuard.Check(Disk, temp.Combine("disk"), Disk, temp.Combine("root")));
        Assert.Contains("block device", linked.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_FifoOrDevice_IsAStream_AndAtomicFileNeverReplacesIt()
    {
        using var temp = Layout();
        var fifo = temp.Combine("fifo");
        LinuxNative.MakeFifo(fifo, 0x1A4);
        File.CreateSymbolicLink(temp.Combine("null"), "/dev/null");

        Assert.Equal(OutputKind.Stream, OutputGuard.Check(Disk, fifo, Disk, temp.Combine("root")));
        Assert.Equal(OutputKind.Stream, OutputGuard.Check(Disk, "/dev/null", Disk, temp.Combine("root")));
        Assert.Equal(OutputKind.Stream, OutputGuard.Check(Disk, temp.Combine("null"), Disk, temp.Combine("root")));
        Assert.Throws<IOException>(() => AtomicFile.Create(Disk, fifo, false));
        Assert.True(LinuxNative.TryLstat(fifo, out var status));
        Assert.Equal(0x1000, status.Mode & 0xF000);
        Assert.Equal(["fifo"], Directory.EnumerateFileSystemEntries(temp.Path).Select(Path.GetFileName).Where(n => n!.StartsWith('f')));
    }

    [Fact]
    public void Check_FifoInsideTheRoot_IsRefused()
    {
        using var temp = Layout();
        var fifo = temp.Combine("root", "graph", "fifo");
        LinuxNative.MakeFifo(fifo, 0x1A4);
        File.CreateSymbolicLink(temp.Combine("to-fifo"), fifo);

        Assert.Throws<IOException>(() => OutputGuard.Check(Disk, fifo, Disk, temp.Combine("root")));
        Assert.Throws<IOException>(() => OutputGuard.Check(Disk, temp.Combine("to-fifo"), Disk, temp.Combine("root")));
    }

    [Theory]
    [InlineData("alias/new-root")]
    [InlineData("root/new-root")]
    [InlineData("root")]
    [InlineData("deep/link-to-graph")]
    public void CheckDirectory_InsideTheRootOrALink_IsRefused(string target)
    {
        using var temp = Layout();

        Assert.Throws<IOException>(() => OutputGuard.CheckDirectory(Disk, temp.Combine(target), Disk, temp.Combine("root")));
        Assert.Throws<IOException>(() => AtomicDirectory.Create(Disk, temp.Combine(target), Disk, temp.Combine("root")));
    }

    [Fact]
    public void Check_UnderABindMountOfADirectoryInsideTheRoot_IsRefused()
    {
        // The bind mount's own place is in no ancestor chain of the root: only its place on the file system tells.
        using var temp = Layout();
        Directory.CreateDirectory(temp.Combine("bound"));
        Directory.CreateDirectory(temp.Combine("elsewhere", "data"));
        Directory.CreateDirectory(temp.Combine("beside"));
        using var mounts = new Mounts();
        mounts.Bind(temp.Combine("root", "graph"), temp.Combine("bound"));
        mounts.Bind(temp.Combine("elsewhere"), temp.Combine("beside"));

        var file = Assert.Throws<IOException>(() => AtomicFile.Create(Disk, temp.Combine("bound", "out.tar"), false, Disk, temp.Combine("root")));
        var directory = Assert.Throws<IOException>(() => AtomicDirectory.Create(Disk, temp.Combine("bound", "new-root"), Disk, temp.Combine("root")));
        var checkedDirectory = Assert.Throws<IOException>(() => OutputGuard.CheckDirectory(Disk, temp.Combine("bound"), Disk, temp.Combine("root")));

        Assert.All([file, directory, checkedDirectory], e => Assert.Contains("inside the Docker root", e.Message, StringComparison.Ordinal));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Combine("root", "graph")));
        // A bind mount of a directory beside the root is no part of it.
        Assert.Equal(OutputKind.File, OutputGuard.Check(Disk, temp.Combine("beside", "data", "out.tar"), Disk, temp.Combine("root")));
    }

    [Fact]
    public void Check_UnderABindMountOfAFileSystemMountedInsideTheRoot_IsRefused()
    {
        // A file system mounted inside the root (a layer's mount, a volume) shows the root's content, wherever else it is mounted.
        using var temp = Layout();
        Directory.CreateDirectory(temp.Combine("root", "mnt"));
        Directory.CreateDirectory(temp.Combine("bound"));
        using var mounts = new Mounts();
        mounts.Tmpfs(temp.Combine("root", "mnt"));
        Directory.CreateDirectory(temp.Combine("root", "mnt", "layer"));
        mounts.Bind(temp.Combine("root", "mnt", "layer"), temp.Combine("bound"));

        var e = Assert.Throws<IOException>(() => OutputGuard.Check(Disk, temp.Combine("bound", "out.tar"), Disk, temp.Combine("root")));

        Assert.Contains("inside the Docker root", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_DotDotAfterALinkIntoTheRoot_IsRefusedWhereTheKernelLands()
    {
        // into/.. is root/graph as the kernel resolves it; collapsed as text it would be temp itself, outside the root.
        using var temp = Layout();
        Directory.CreateDirectory(temp.Combine("root", "graph", "deep"));
        File.CreateSymbolicLink(temp.Combine("into"), temp.Combine("root", "graph", "deep"));
        var output = temp.Path + "/into/../out.tar";

        var check = Assert.Throws<IOException>(() => OutputGuard.Check(Disk, output, Disk, temp.Combine("root")));
        Assert.Throws<IOException>(() => AtomicFile.Create(Disk, output, false, Disk, temp.Combine("root")));
        Assert.Throws<IOException>(() => AtomicDirectory.Create(Disk, temp.Path + "/into/../new-root", Disk, temp.Combine("root")));

        Assert.Contains("inside the Docker root", check.Message, StringComparison.Ordinal);
        Assert.Equal(["deep"], Directory.EnumerateFileSystemEntries(temp.Combine("root", "graph")).Select(Path.GetFileName));
        Assert.False(File.Exists(temp.Combine("out.tar")));
    }

    [Fact]
    public void AtomicFile_DotDotAfterALink_WritesWhereTheKernelLands()
    {
        using var temp = Layout();
        Directory.CreateDirectory(temp.Combine("elsewhere", "sub"));
        File.CreateSymbolicLink(temp.Combine("to-sub"), temp.Combine("elsewhere", "sub"));

        using (var file = AtomicFile.Create(Disk, temp.Path + "/to-sub/../out.tar", false, Disk, temp.Combine("root")))
        {
            file.Stream.WriteByte(42);
            file.Commit(TestContext.Current.CancellationToken);
            Assert.Equal(temp.Combine("elsewhere", "out.tar"), file.Path);
        }

        Assert.Equal([42], File.ReadAllBytes(temp.Combine("elsewhere", "out.tar")));
        Assert.False(File.Exists(temp.Combine("out.tar")));
    }

    [Fact]
    public void AtomicFile_ParentSwappedForALinkToTheRootBeforeTheCreate_WritesInTheCheckedDirectoryOnly()
    {
        using var temp = Layout();
        var work = temp.Combine("work");
        Directory.CreateDirectory(work);
        OutputGuard.BeforeCreateForTests.Value = () => SwapForLinkToTheRoot(temp, work);
        try
        {
            using var file = AtomicFile.Create(Disk, Path.Combine(work, "out.tar"), false, Disk, temp.Combine("root"));
            file.Stream.WriteByte(42);
            file.Commit(TestContext.Current.CancellationToken);
        }
        finally
        {
            OutputGuard.BeforeCreateForTests.Value = null;
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Combine("root", "graph")));
        Assert.Equal(["out.tar"], Directory.EnumerateFileSystemEntries(temp.Combine("work-moved")).Select(Path.GetFileName));
    }

    [Fact]
    public void AtomicFile_ParentSwappedForALinkToTheRootBeforeTheCommit_RenamesInTheCheckedDirectoryOnly()
    {
        using var temp = Layout();
        var work = temp.Combine("work");
        Directory.CreateDirectory(work);

        using (var file = AtomicFile.Create(Disk, Path.Combine(work, "out.tar"), false, Disk, temp.Combine("root")))
        {
            file.Stream.WriteByte(42);
            SwapForLinkToTheRoot(temp, work);
            file.Commit(TestContext.Current.CancellationToken);
        }

        using (var failed = AtomicFile.Create(Disk, Path.Combine(temp.Combine("elsewhere"), "out.tar"), false, Disk, temp.Combine("root")))
        {
            Directory.Move(temp.Combine("elsewhere"), temp.Combine("elsewhere-moved"));
            File.CreateSymbolicLink(temp.Combine("elsewhere"), temp.Combine("root", "graph"));
            // Disposed without a commit: the temporary file removed is the one created, in the directory it was created in.
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Combine("root", "graph")));
        Assert.Equal(["out.tar"], Directory.EnumerateFileSystemEntries(temp.Combine("work-moved")).Select(Path.GetFileName));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Combine("elsewhere-moved")));
    }

    [Fact]
    public void AtomicDirectory_ParentSwappedForALinkToTheRoot_BuildsAndCommitsInTheCheckedDirectoryOnly()
    {
        using var temp = Layout();
        var work = temp.Combine("work");
        Directory.CreateDirectory(work);
        OutputGuard.BeforeCreateForTests.Value = () => SwapForLinkToTheRoot(temp, work);
        try
        {
            using var directory = AtomicDirectory.Create(Disk, Path.Combine(work, "new-root"), Disk, temp.Combine("root"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            directory.Commit(TestContext.Current.CancellationToken);
        }
        finally
        {
            OutputGuard.BeforeCreateForTests.Value = null;
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Combine("root", "graph")));
        Assert.Equal(["new-root"], Directory.EnumerateFileSystemEntries(temp.Combine("work-moved")).Select(Path.GetFileName));
    }

    [Fact]
    public void MountMap_PlacesADirectoryThroughEscapedPathsAndTheLongestMountPoint()
    {
        // A kernel before 5.8 gives no mount id: the mount is the last one whose mount point is the longest holding the path.
        var map = MountMap.Parse(
            "21 1 8:1 / / rw - ext4 /dev/sda1 rw\n" +
            "30 21 8:1 /var/lib/docker\\040root/graph /mnt/my\\040data rw shared:1 - ext4 /dev/sda1 rw\n" +
            "31 21 8:1 /srv /mnt/my\\040data rw - ext4 /dev/sda1 rw\n" +
            "garbage\n");

        var mount = map.Find(null, "/mnt/my data/sub");
        var root = map.Find(null, "/var/lib/docker root");

        Assert.Equal(31UL, mount!.Value.Id);
        Assert.Equal("/srv/sub", mount.Value.PlaceOf("/mnt/my data/sub"));
        Assert.Equal("/var/lib/docker root/graph", map.Find(30, "/mnt/my data")!.Value.PlaceOf("/mnt/my data"));
        Assert.Equal("/var/lib/docker root", root!.Value.PlaceOf("/var/lib/docker root"));
        Assert.Null(map.Find(null, "relative"));
    }

    /// <summary>What a local attacker does between the check and the write: the checked directory moved away, a link to the root in its place.</summary>
    private static void SwapForLinkToTheRoot(TempDirectory temp, string directory)
    {
        Directory.Move(directory, temp.Combine("work-moved"));
        File.CreateSymbolicLink(directory, temp.Combine("root", "graph"));
    }
}
