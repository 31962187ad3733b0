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
}
