using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Archive;
using Docker.Aufs.Testing;
using Docker.Aufs.Drivers.Aufs;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Root;

/// <summary>
/// The forensic guarantee (README, "Read-only"): every read operation of the library and of the CLI, over the sample and
/// the shared fixtures, asks for nothing but reads of the Docker root — proven through a recording file system in memory,
/// and on the real disk by comparing every entry's bytes, mode, owner, size, inode, link count and times before and after.
/// </summary>
public sealed class ReadOnlyGuaranteeTests
{
    private const string RootPath = "/var/lib/docker";
    private const string OutputPath = "/tmp/out";

    public static TheoryData<string> Roots => ["sample", "dive-test-image.tar", "moby-empty-layer.tar"];

    [Theory]
    [MemberData(nameof(Roots))]
    public void EveryReadOperationOfTheLibrary_MakesNoMutatingCall(string name)
    {
        var (memory, metadata) = InMemory(name);
        var before = TreeSnapshot.Take(memory, RootPath);
        var (spy, log) = SpyFileSystem.Wrap(memory);

        var output = new MockFileSystem();
        EveryRead.Library(spy, RootPath, new DockerRootOptions { Metadata = metadata }, output, OutputPath);

        Assert.NotEmpty(log.Calls);
        Assert.True(log.Mutations.IsEmpty, "mutating calls:\n" + string.Join('\n', log.Mutations));
        Assert.Equal(before, TreeSnapshot.Take(memory, RootPath));
        Assert.NotEmpty(output.AllFiles);
    }

    public static TheoryData<string[]> CliCommands => [.. EveryRead.CliCommands(OutputPath)];

    [Theory]
    [MemberData(nameof(CliCommands))]
    public void EveryReadCommandOfTheCli_WritesNothingInTheRoot(string[] args)
    {
        var memory = new MockFileSystem();
        SampleRoots.Write(memory, RootPath, SpecialFileMode.Recorded);
        var before = TreeSnapshot.Take(memory, RootPath);
        var (spy, log) = SpyFileSystem.Wrap(memory);

        var (exit, _, error) = CliRunner.Run(spy, ["--root", RootPath, .. args]);

        Assert.True(exit is 0 or 1, error);
        Assert.NotEmpty(log.Calls);
        var inRoot = log.Mutations.Where(m => !m.Contains(OutputPath, StringComparison.Ordinal) || m.Contains(RootPath, StringComparison.Ordinal)).ToList();
        Assert.True(inRoot.Count == 0, "mutating calls outside the output directory:\n" + string.Join('\n', inRoot));
        Assert.Equal(before, TreeSnapshot.Take(memory, RootPath));
    }

    [Fact]
    public void TheSpy_SeesAWriteWhenThereIsOne()
    {
        var (spy, log) = SpyFileSystem.Wrap(new MockFileSystem());
        spy.Directory.CreateDirectory("/x");
        using (var stream = spy.FileInfo.New("/x/f").Open(FileMode.OpenOrCreate, FileAccess.ReadWrite))
        {
            stream.WriteByte(1);
        }

        spy.FileInfo.New("/x/f").LastWriteTimeUtc = DateTime.UtcNow;
        Assert.Equal(4, log.Mutations.Count);
    }

    [Fact]
    public void TheDiskSnapshot_SeesATouchAModeChangeAndANewFile()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("a"), "x");
        var before = TreeSnapshot.Take(temp.Path);

        File.SetLastWriteTimeUtc(temp.Combine("a"), DateTime.UtcNow.AddMinutes(-5));
        var touched = TreeSnapshot.Take(temp.Path);
        File.SetUnixFileMode(temp.Combine("a"), UnixFileMode.UserRead);
        var chmodded = TreeSnapshot.Take(temp.Path);
        File.WriteAllText(temp.Combine("b"), string.Empty);

        Assert.NotEqual(before, touched);
        Assert.NotEqual(touched, chmodded);
        Assert.NotEqual(chmodded, TreeSnapshot.Take(temp.Path));
    }

    [Theory]
    [MemberData(nameof(Roots))]
    public void EveryReadOperationOnDisk_ChangesNoByteModeOwnerInodeOrTimeInTheRoot(string name)
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("docker");
        if (name == "sample")
        {
            SampleRoots.Write(new FileSystem(), root);
        }
        else
        {
            ImageImporter.Import(new FileSystem(), Fixtures.Path(name), root, cancellationToken: TestContext.Current.CancellationToken);
        }

        var before = TreeSnapshot.Take(root);

        EveryRead.Library(new FileSystem(), root, null, null, temp.Combine("out"));
        if (name == "sample")
        {
            foreach (var args in EveryRead.CliCommands(temp.Combine("cli-out")))
            {
                var (exit, _, error) = CliRunner.Run(["--root", root, .. args]);
                Assert.True(exit is 0 or 1, string.Join(' ', args) + ": " + error);
            }
        }

        Assert.Equal(before, TreeSnapshot.Take(root));
    }

    [Fact]
    public void EveryReadOfTheRealAufsFixture_ChangesNothingInIt()
    {
        using var temp = new TempDirectory();
        TarExtraction.ExtractGzip(Fixtures.Path("balena-aufs-root.tar.gz"), temp.Path);
        var before = TreeSnapshot.Take(temp.Path);
        var fs = new FileSystem();
        var driver = new AufsDriver(fs, Path.Combine(temp.Path, "aufs"));

        foreach (var id in driver.ListLayerIds())
        {
            var view = AufsViews.Open(driver, id, LinuxMetadataProvider.Instance);
            Assert.NotEmpty(EveryRead.View(view));
            _ = view.GetChanges();
        }

        // Its image/ store is Docker 1.10's: every reading command, and fsck with content verification.
        var root = DockerRoot.Open(fs, temp.Path);
        foreach (var image in root.GetImages())
        {
            Assert.NotEmpty(EveryRead.View(root.OpenImage(image.Id)));
            _ = root.ResolveImage(image.Id).History;
            _ = new ImageArchiver(root).ComputeDigests(image.Id, cancellationToken: TestContext.Current.CancellationToken);
        }

        var report = RootChecker.Check(fs, temp.Path, cancellationToken: TestContext.Current.CancellationToken);
        Assert.DoesNotContain(report.Findings, f => f.Severity == FindingSeverity.Error);
        foreach (var command in new[] { "images", "fsck", "history a2o-test", "inspect a2o-test", "layers a2o-test", "ls a2o-test / -R", "digest a2o-test" })
        {
            Assert.Equal(0, CliRunner.Run(["--root", temp.Path, .. command.Split(' ')]).Exit);
        }

        Assert.Equal(before, TreeSnapshot.Take(temp.Path));
    }

    private static (MockFileSystem FileSystem, IUnixMetadataProvider Metadata) InMemory(string name)
    {
        var memory = new MockFileSystem();
        if (name == "sample")
        {
            return (memory, SampleRoots.Write(memory, RootPath).Metadata);
        }

        memory.Directory.CreateDirectory("/var/lib");
        memory.AddFile("/in/" + name, new MockFileData(File.ReadAllBytes(Fixtures.Path(name))));
        var imported = ImageImporter.Import(memory, "/in/" + name, RootPath, cancellationToken: TestContext.Current.CancellationToken);
        return (memory, imported.Metadata);
    }
}
