using System.IO.Abstractions;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.IOTests;

/// <summary>
/// No read changes an access time in the root (issue 15, class 8): every command, on a root of each era and driver, leaves
/// the access time of every file and directory it reads as it was; and the quiet file system behind it answers as the
/// real one does.
/// </summary>
public sealed class NoAtimeFileSystemTests
{
    private static readonly DateTime Old = new(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static TheoryData<string, string> Roots => new()
    {
        { "graph", "aufs" },
        { "content-addressed", "aufs" },
        { "content-addressed", "overlay2" },
        { "content-addressed", "vfs" },
    };

    [Theory]
    [MemberData(nameof(Roots))]
    public void EveryCommand_LeavesTheAccessTimesOfTheRootAlone(string store, string driver)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "O_NOATIME is Linux's");
        using var temp = new TempDirectory();
        var root = temp.Combine("root");
        var written = CliRunner.Run("--store", store, "--driver", driver, "sample", root);
        Assert.SkipWhen(written.Exit != 0 && driver == "overlay2" && Environment.UserName != "root", "the overlay2 sample on disk needs root: " + written.Err);
        Assert.True(written.Exit == 0, written.Err);
        var paths = Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Append(root)
            .Where(p => new FileInfo(p).LinkTarget is null && (File.Exists(p) || Directory.Exists(p)))
            .Where(p => File.GetAttributes(p).HasFlag(FileAttributes.Directory) || IsRegular(p))
            .ToList();
        RequireAccessTimesUpdatedByPlainReads(paths);

        var container = CliRunner.Json("--root", root, "--json", "containers")[0].GetProperty("id").GetString()!;
        string[][] commands =
        [
            ["images"], ["containers"], ["layers", "redis"], ["history", "redis"], ["inspect", "busybox"], ["ls", "redis", "/", "-R"],
            ["cat", "busybox", "/etc/passwd"], ["fsck"], ["digest", "redis"], ["diff", container],
            ["export", "redis", "-o", temp.Combine("image.tar")], ["export", container, "-o", temp.Combine("container.tar")],
            ["save", "redis", "-o", temp.Combine("save.tar")], ["layer-tar", "busybox", "-o", temp.Combine("layer.tar")],
        ];
        var touched = new List<string>();
        foreach (var command in commands)
        {
            SetAccessTimes(paths);
            var (exit, _, error) = CliRunner.Run(["--root", root, .. command]);
            Assert.True(exit == 0, $"{string.Join(' ', command)}: exit {exit}: {error}");
            touched.AddRange(paths.Where(p => File.GetLastAccessTimeUtc(p) != Old).Select(p => $"{string.Join(' ', command)}: {Path.GetRelativePath(root, p)}"));
        }

        Assert.Empty(touched);
    }

    [Fact]
    public void ReadingAFile_LeavesItsAccessTime_WhereTheRealFileSystemChangesIt()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "O_NOATIME is Linux's");
        using var temp = new TempDirectory();
        var file = temp.Combine("f");
        File.WriteAllText(file, "content");
        RequireAccessTimesUpdatedByPlainReads([file]);

        SetAccessTimes([file]);
        IFileSystem quiet = new NoAtimeFileSystem();
        Assert.Equal("content", quiet.File.ReadAllText(file));
        using (var stream = quiet.FileStream.New(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
        {
            Assert.Equal((byte)'c', stream.ReadByte());
        }

        quiet.File.OpenHandle(file).Dispose();
        Assert.Equal(Old, File.GetLastAccessTimeUtc(file));
        Assert.Equal([file], quiet.Directory.EnumerateFiles(temp.Path));
        Assert.Equal(Old, File.GetLastAccessTimeUtc(file));
    }

    [Fact]
    public void ListingADirectory_LeavesItsAccessTime_WhereTheRealFileSystemChangesIt()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "O_NOATIME is Linux's");
        using var temp = new TempDirectory();
        var directory = temp.Combine("d");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "a"), "a");
        RequireAccessTimesUpdatedByPlainReads([directory]);

        SetAccessTimes([directory]);
        IFileSystem quiet = new NoAtimeFileSystem();
        Assert.Single(quiet.Directory.EnumerateFileSystemEntries(directory));
        Assert.Single(LinuxMetadataProvider.Instance.ReadDirectory(directory));
        Assert.Equal(Old, File.GetLastAccessTimeUtc(directory));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("a*")]
    [InlineData("*-removing")]
    [InlineData("repositories-*.corrupt")]
    [InlineData("*.*")]
    [InlineData("?")]
    public void Listings_AgreeWithTheRealFileSystem(string pattern)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "O_NOATIME is Linux's");
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("a-dir"));
        Directory.CreateDirectory(temp.Combine("x-removing"));
        File.WriteAllText(temp.Combine("a"), "a");
        File.WriteAllText(temp.Combine("repositories-aufs.corrupt"), "{");
        File.WriteAllText(temp.Combine(".hidden"), "h");
        File.CreateSymbolicLink(temp.Combine("a-link-to-dir"), "a-dir");
        File.CreateSymbolicLink(temp.Combine("a-link-to-file"), "a");
        File.CreateSymbolicLink(temp.Combine("a-dangling"), "nothing");
        File.CreateSymbolicLink(temp.Combine("a-loop"), "a-loop");
        IFileSystem real = new FileSystem();
        IFileSystem quiet = new NoAtimeFileSystem();
        foreach (var path in new[] { temp.Path, temp.Path + "/", Path.GetRelativePath(Environment.CurrentDirectory, temp.Path) })
        {
            Assert.Equal(real.Directory.EnumerateFileSystemEntries(path, pattern).Order(), quiet.Directory.EnumerateFileSystemEntries(path, pattern).Order());
            Assert.Equal(real.Directory.EnumerateDirectories(path, pattern).Order(), quiet.Directory.EnumerateDirectories(path, pattern).Order());
            Assert.Equal(real.Directory.EnumerateFiles(path, pattern).Order(), quiet.Directory.EnumerateFiles(path, pattern).Order());
        }
    }

    [Fact]
    public void Failures_AreTheRealFileSystems()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "O_NOATIME is Linux's");
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("file"), "f");
        IFileSystem real = new FileSystem();
        IFileSystem quiet = new NoAtimeFileSystem();
        foreach (var path in new[] { temp.Combine("missing"), temp.Combine("file"), temp.Path, temp.Combine("missing", "deeper") })
        {
            Assert.Equal(Outcome(() => real.File.ReadAllText(path)), Outcome(() => quiet.File.ReadAllText(path)));
            Assert.Equal(Outcome(() => real.File.OpenRead(path).Dispose()), Outcome(() => quiet.File.OpenRead(path).Dispose()));
            Assert.Equal(Outcome(() => real.Directory.EnumerateFileSystemEntries(path).Count()), Outcome(() => quiet.Directory.EnumerateFileSystemEntries(path).Count()));
        }
    }

    [Fact]
    public void ARootOnTheRealFileSystem_IsReadThroughTheQuietOne_AndAnyOtherAsItIs()
    {
        var mock = new System.IO.Abstractions.TestingHelpers.MockFileSystem();
        Assert.Same(mock, MetadataProviders.Quiet(mock));
        Assert.Equal(OperatingSystem.IsLinux(), MetadataProviders.Quiet(new FileSystem()) is NoAtimeFileSystem);
    }

    private static string Outcome(Action action)
    {
        try
        {
            action();
            return "ok";
        }
        catch (Exception e)
        {
            return e.GetType().Name;
        }
    }

    private static string Outcome<T>(Func<T> read) => Outcome(() => { _ = read(); });

    private static bool IsRegular(string path) => LinuxMetadataProvider.Instance.TryGetStatus(path, out var status) && status.Type == UnixFileType.RegularFile;

    private static void SetAccessTimes(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            File.SetLastAccessTimeUtc(path, Old);
        }
    }

    /// <summary>Skips when the file system does not update access times on a plain read (mounted noatime): then the test could not fail.</summary>
    private static void RequireAccessTimesUpdatedByPlainReads(IReadOnlyList<string> paths)
    {
        var probe = paths.FirstOrDefault(IsRegular) ?? paths[0];
        SetAccessTimes([probe]);
        if (Directory.Exists(probe))
        {
            _ = Directory.EnumerateFileSystemEntries(probe).Count();
        }
        else
        {
            _ = File.ReadAllBytes(probe);
        }

        Assert.SkipWhen(File.GetLastAccessTimeUtc(probe) == Old, "this file system does not update access times on reads (noatime): nothing to prove here");
    }
}
