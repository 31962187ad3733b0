using System.Formats.Tar;
using System.IO.Abstractions;
using Docker.Aufs.Cli;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Cli;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CpCommandTests
{
    private static readonly DateTimeOffset Then = new(2016, 5, 4, 3, 2, 1, TimeSpan.Zero);

    private static CliResult Cp(params string[] args) => CliCapture.Run(["--sample", "cp", .. args]);

    /// <summary>An image with a file, a directory holding a link, two hardlinked files and a fifo; and a container of it with a volume.</summary>
    private static TestRoot Build(Disk disk, ImageStoreKind store = ImageStoreKind.Graph) => TestRoot.Build(disk, b =>
    {
        var image = b.AddLayer(l => l
            .Directory("app", mode: "0750", modified: Then)
            .File("app/run.sh", "#!/bin/sh\n", mode: "0755", uid: 1000, gid: 1000, modified: Then)
            .Symlink("app/current", "/app/run.sh", modified: Then)
            .File("app/a", "same inode\n", modified: Then)
            .Hardlink("app/b", "app/a"));
        b.Tag("app:1", image);
        b.AddContainer(c => c.Name("web").Image(image, "app:1").Volume("webdata", "/srv/data", l => l.File("upload.txt", "in the volume\n", modified: Then)));
    }, store);

    [Fact]
    public void Cp_OfADirectoryStoppedMidway_LeavesNothingAtItsTarget_AndTheExistingDestinationAsItWas()
    {
        using var dest = new TempDirectory();
        File.WriteAllText(dest.Combine("kept"), "kept");
        using var cancel = new CancellationTokenSource();
        var opened = 0;
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exit;

        // Stopped (as a signal stops it) when the second file's content is about to be opened: the directory and a file are written by then.
        Docker.Aufs.IO.LayerFileOpener.BeforeOpen.Value = _ =>
        {
            if (++opened == 2)
            {
                cancel.Cancel();
            }
        };
        try
        {
            exit = CliApp.Run(["--sample", "cp", "redis:/etc", dest.Path],
                new CliEnvironment(output, error, TimeProvider.System, new FileSystem(), new MemoryStream()) { Cancellation = cancel.Token });
        }
        finally
        {
            Docker.Aufs.IO.LayerFileOpener.BeforeOpen.Value = null;
        }

        Assert.True(opened >= 2, $"the copy opened {opened} files");
        Assert.Equal(1, exit);
        Assert.Equal("docker-aufs: stopped by a signal; no output file was written\n", error.ToString());
        Assert.Equal([dest.Combine("kept")], Directory.EnumerateFileSystemEntries(dest.Path)); // no etc, no hidden temporary beside it
        Assert.Equal("kept", File.ReadAllText(dest.Combine("kept")));
    }

    [Fact]
    public void Cp_OfADirectoryToANewName_AppearsWhole()
    {
        using var dest = new TempDirectory();

        var result = Cp("redis:/etc", dest.Combine("x"));

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(["x"], Directory.GetFileSystemEntries(dest.Path).Select(Path.GetFileName));
        Assert.Equal(CliCapture.Run("--sample", "cat", "redis", "/etc/passwd").Bytes, File.ReadAllBytes(dest.Combine("x", "passwd")));
    }

    [Fact]
    public void Cp_FileIntoExistingDirectory_KeepsItsNameModeAndTime()
    {
        using var dest = new TempDirectory();

        var result = Cp("redis-cache:/etc/shadow", dest.Path);

        Assert.True(result.ExitCode == 0, result.Error);
        var copied = dest.Combine("shadow");
        Assert.Equal(CliCapture.Run("--sample", "cat", "redis-cache", "/etc/shadow").Bytes, File.ReadAllBytes(copied));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(copied));
        var listed = CliCapture.Run("--sample", "ls", "redis-cache", "/etc/shadow", "--json");
        Assert.Contains(File.GetLastWriteTimeUtc(copied).ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), listed.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Cp_FileToAMissingName_WritesThatNameAndNothingElse()
    {
        using var dest = new TempDirectory();

        Assert.Equal(0, Cp("redis:/etc/os-release", dest.Combine("release.txt")).ExitCode);

        Assert.Equal(["release.txt"], Directory.GetFileSystemEntries(dest.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Cp_FileOverAnExistingFile_ReplacesIt()
    {
        using var dest = new TempDirectory();
        File.WriteAllText(dest.Combine("passwd"), "old");

        Assert.Equal(0, Cp("redis:/etc/passwd", dest.Combine("passwd")).ExitCode);

        Assert.StartsWith("root:", File.ReadAllText(dest.Combine("passwd")), StringComparison.Ordinal);
    }

    [Fact]
    public void Cp_DirectoryToAMissingPath_CreatesItWithTheContent()
    {
        using var dest = new TempDirectory();

        Assert.Equal(0, Cp("redis-cache:/data", dest.Combine("backup")).ExitCode);

        Assert.Equal(["dump.rdb"], Directory.GetFileSystemEntries(dest.Combine("backup")).Select(Path.GetFileName));
    }

    [Fact]
    public void Cp_DirectoryIntoAnExistingDirectory_CopiesItUnderItsName()
    {
        using var dest = new TempDirectory();

        Assert.Equal(0, Cp("redis-cache:/data", dest.Path).ExitCode);

        Assert.True(File.Exists(dest.Combine("data", "dump.rdb")));
    }

    [Fact]
    public void Cp_DirectoryDotIntoAnExistingDirectory_CopiesOnlyItsContent()
    {
        using var dest = new TempDirectory();

        Assert.Equal(0, Cp("redis-cache:/data/.", dest.Path).ExitCode);

        Assert.Equal(["dump.rdb"], Directory.GetFileSystemEntries(dest.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Cp_DirectoryOverAFile_IsRefused()
    {
        using var dest = new TempDirectory();
        File.WriteAllText(dest.Combine("file"), "mine");

        var result = Cp("redis-cache:/data", dest.Combine("file"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot copy a directory to a file", result.Error, StringComparison.Ordinal);
        Assert.Equal("mine", File.ReadAllText(dest.Combine("file")));
    }

    [Fact]
    public void Cp_FileWhereTheDestinationHoldsADirectoryOfItsName_IsRefused()
    {
        using var dest = new TempDirectory();
        Directory.CreateDirectory(dest.Combine("passwd"));

        var result = Cp("redis:/etc/passwd", dest.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot overwrite directory with non-directory", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Cp_FileToAMissingPathEndingInSlash_IsRefused()
    {
        using var dest = new TempDirectory();

        var result = Cp("redis:/etc/passwd", dest.Combine("missing") + "/");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no such directory", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dest.Path));
    }

    [Fact]
    public void Cp_ToAPathWhoseParentIsMissing_IsRefused()
    {
        using var dest = new TempDirectory();

        var result = Cp("redis:/etc/passwd", dest.Combine("a", "b"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no such directory", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Cp_Dash_WritesATarNamedFromTheSourcesLastComponent()
    {
        var result = Cp("redis-cache:/data", "-");

        Assert.True(result.ExitCode == 0, result.Error);
        using var reader = new TarReader(new MemoryStream(result.Bytes));
        var names = new List<string>();
        while (reader.GetNextEntry() is { } entry)
        {
            names.Add(entry.Name);
            Assert.Equal(999, entry.Uid);
        }

        Assert.Equal(["data/", "data/dump.rdb"], names);
    }

    [Fact]
    public void Cp_DashWhenStandardOutputIsATerminal_IsRefused()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var bytes = new MemoryStream();

        var exit = CliApp.Run(["--sample", "cp", "redis:/etc/passwd", "-"], new CliEnvironment(output, error, TimeProvider.System, new FileSystem(), bytes, OutputIsTerminal: true));

        Assert.Equal(1, exit);
        Assert.Contains("terminal", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, bytes.Length);
    }

    [Fact]
    public void Cp_SymbolicLink_IsCopiedAsALinkAndFollowedInsideTheImageWithL()
    {
        using var root = Build(Disk.Real);
        using var dest = new TempDirectory();

        Assert.Equal(0, CliCapture.Run("--root", root.Path, "cp", "app:1:/app/current", dest.Path).ExitCode);
        Assert.Equal(0, CliCapture.Run("--root", root.Path, "cp", "-L", "app:1:/app/current", dest.Combine("followed")).ExitCode);

        Assert.Equal("/app/run.sh", new FileInfo(dest.Combine("current")).LinkTarget);
        Assert.Null(new FileInfo(dest.Combine("followed")).LinkTarget);
        Assert.Equal("#!/bin/sh\n", File.ReadAllText(dest.Combine("followed")));
    }

    [Fact]
    public void Cp_Directory_KeepsHardlinksModesAndTimes()
    {
        using var root = Build(Disk.Real);
        using var dest = new TempDirectory();

        var result = CliCapture.Run("--root", root.Path, "cp", "app:1:/app", dest.Path);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.True(Docker.Aufs.IO.LinuxNative.TryLstat(dest.Combine("app", "a"), out var a));
        Assert.True(Docker.Aufs.IO.LinuxNative.TryLstat(dest.Combine("app", "b"), out var b));
        Assert.Equal((a.DevMajor, a.DevMinor, a.Inode, 2u), (b.DevMajor, b.DevMinor, b.Inode, b.LinkCount));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute, File.GetUnixFileMode(dest.Combine("app")));
        Assert.Equal(Then.UtcDateTime, Directory.GetLastWriteTimeUtc(dest.Combine("app")));
        Assert.Equal(Then.UtcDateTime, File.GetLastWriteTimeUtc(dest.Combine("app", "run.sh")));
    }

    [Fact]
    public void Cp_OwnersAreTheUsersUnlessArchiveModeAsksForTheRecordedOnes()
    {
        Assert.SkipUnless(Docker.Aufs.IO.LinuxNative.IsRoot, "Setting owners needs root.");
        using var root = Build(Disk.Real);
        using var plain = new TempDirectory();
        using var archived = new TempDirectory();

        Assert.Equal(0, CliCapture.Run("--root", root.Path, "cp", "app:1:/app/run.sh", plain.Path).ExitCode);
        Assert.Equal(0, CliCapture.Run("--root", root.Path, "cp", "-a", "app:1:/app/run.sh", archived.Path).ExitCode);

        Assert.True(Docker.Aufs.IO.LinuxNative.TryLstat(plain.Combine("run.sh"), out var mine));
        Assert.True(Docker.Aufs.IO.LinuxNative.TryLstat(archived.Combine("run.sh"), out var kept));
        Assert.Equal((0u, 1000u), (mine.Uid, kept.Uid));
    }

    [Fact]
    public void Cp_ArchiveModeWhereOwnersCannotBeSet_NamesEachFileAndExitsOne() // in memory, where no owner can be set
    {
        using var root = Build(Disk.Memory);
        root.FileSystem.Directory.CreateDirectory("/out");

        var result = CliCapture.Run(root.FileSystem, "--root", root.Path, "cp", "-a", "app:1:/app/run.sh", "/out");

        Assert.Equal(1, result.ExitCode);
        Assert.True(result.Error.Contains("/out/run.sh: owner ", StringComparison.Ordinal) && result.Error.Contains(" not kept", StringComparison.Ordinal), result.Error);
        Assert.True(root.FileSystem.File.Exists("/out/run.sh"));
    }

    [Fact]
    public void Cp_IntoTheDockerRoot_IsRefusedAndNothingIsWritten()
    {
        using var root = Build(Disk.Real);
        var before = TreeSnapshot.Take(root.Path);

        var result = CliCapture.Run("--root", root.Path, "cp", "app:1:/app", Path.Combine(root.Path, "containers"));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(before, TreeSnapshot.Take(root.Path));
    }

    [Theory]
    [InlineData(ImageStoreKind.Graph)]
    [InlineData(ImageStoreKind.ContentAddressed)]
    public void Cp_WithVolumes_CopiesAVolumesFileAndTheContainersDirectoryWithItsVolume(ImageStoreKind store)
    {
        using var root = Build(Disk.Real, store);
        using var dest = new TempDirectory();

        Assert.Equal(0, CliCapture.Run("--root", root.Path, "cp", "--volumes", "web:/srv/data/upload.txt", dest.Path).ExitCode);
        Assert.Equal(0, CliCapture.Run("--root", root.Path, "cp", "--volumes", "web:/srv", dest.Path).ExitCode);
        var without = CliCapture.Run("--root", root.Path, "cp", "web:/srv/data/upload.txt", dest.Combine("nothing"));

        Assert.Equal("in the volume\n", File.ReadAllText(dest.Combine("upload.txt")));
        Assert.Equal("in the volume\n", File.ReadAllText(dest.Combine("srv", "data", "upload.txt")));
        Assert.Equal(1, without.ExitCode);
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("redis:")]
    [InlineData(":/etc")]
    public void Cp_SourceWithoutReferenceOrPath_IsAUsageError(string source)
    {
        var result = Cp(source, ".");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is not REF:PATH", result.Error, StringComparison.Ordinal);
    }
}
