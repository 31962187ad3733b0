using System.Diagnostics;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.Union;

namespace Docker.Aufs.Tests.Union;

/// <summary>
/// Paths inside an image resolve as the kernel resolves them in a chroot (issue 16, class 10): a component after a
/// non-directory — a name, <c>.</c>, <c>..</c> or a trailing slash — is ENOTDIR, a trailing slash follows a final link,
/// <c>..</c> after a missing name is ENOENT. The expected answers are a table; on the real disk the table itself is checked
/// against the kernel, by <c>stat</c> of the same relative paths inside the layer's directory (the same tree).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PathResolutionTests
{
    private static readonly string Layer = Ids.Of("resolution");

    /// <summary>Relative links only, so the kernel's answer inside the branch directory is the image's answer.</summary>
    private static TestRoot Build(Disk disk) => TestRoot.Build(disk, b =>
    {
        b.AddLayer(l => l.Id(Layer)
            .File("etc/passwd", "root:x:0:0\n")
            .Directory("etc/dir")
            .File("etc/dir/inner", "inner")
            .Symlink("etc/link-file", "passwd")
            .Symlink("etc/link-slash", "passwd/")
            .Symlink("etc/link-dot", "passwd/.")
            .Symlink("etc/link-dotdot", "passwd/../passwd")
            .Symlink("etc/link-dir", "dir")
            .Symlink("etc/link-dir-slash", "dir/")
            .Symlink("etc/dangling", "missing")
            .Symlink("etc/dangling-deep", "dir/missing/x")
            .Symlink("etc/through", "link-file/"));
        b.Tag("paths:latest", Layer);
    });

    /// <summary>The table: a path, and what <c>lstat</c> and <c>stat</c> of it say (ok, ENOTDIR, ENOENT).</summary>
    public static TheoryData<string, string, string> Table => new()
    {
        { "etc/passwd", "ok", "ok" },
        { "/etc/passwd", "ok", "ok" },
        { "etc//passwd", "ok", "ok" },
        { "./etc/./passwd", "ok", "ok" },
        { "etc/passwd/", "ENOTDIR", "ENOTDIR" },
        { "etc/passwd/.", "ENOTDIR", "ENOTDIR" },
        { "etc/passwd/..", "ENOTDIR", "ENOTDIR" },
        { "etc/passwd/../passwd", "ENOTDIR", "ENOTDIR" },
        { "etc/passwd/x", "ENOTDIR", "ENOTDIR" },
        { "etc/dir/", "ok", "ok" },
        { "etc/dir/.", "ok", "ok" },
        { "etc/dir/..", "ok", "ok" },
        { "etc/dir/../passwd", "ok", "ok" },
        { "etc/dir/inner/", "ENOTDIR", "ENOTDIR" },
        { "etc/link-file", "ok", "ok" },
        { "etc/link-file/", "ENOTDIR", "ENOTDIR" },
        { "etc/link-file/.", "ENOTDIR", "ENOTDIR" },
        { "etc/link-slash", "ok", "ENOTDIR" },
        { "etc/link-dot", "ok", "ENOTDIR" },
        { "etc/link-dotdot", "ok", "ENOTDIR" },
        { "etc/through", "ok", "ENOTDIR" },
        { "etc/link-dir/", "ok", "ok" },
        { "etc/link-dir/inner", "ok", "ok" },
        { "etc/link-dir/../passwd", "ok", "ok" },
        { "etc/link-dir-slash", "ok", "ok" },
        { "etc/link-dir-slash/inner", "ok", "ok" },
        { "etc/dangling", "ok", "ENOENT" },
        { "etc/dangling/", "ENOENT", "ENOENT" },
        { "etc/dangling-deep", "ok", "ENOENT" },
        { "etc/missing", "ENOENT", "ENOENT" },
        { "etc/missing/..", "ENOENT", "ENOENT" },
        { "etc/missing/", "ENOENT", "ENOENT" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void GetEntry_OnTheRealDisk_AnswersWhatTheKernelAnswersForTheSameTree(string path, string lstat, string stat)
    {
        using var root = Build(Disk.Real);
        var view = root.Open().OpenImage("paths");
        var branch = root.FileSystem.Path.Combine(root.Path, "aufs", "diff", Layer);

        Assert.Equal((lstat, stat), (Kernel(branch, path, follow: false), Kernel(branch, path, follow: true))); // the table is the kernel's
        Assert.Equal((lstat, stat), (Answer(view, path, follow: false), Answer(view, path, follow: true)));
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void GetEntry_InMemory_AnswersWhatTheTableSays(string path, string lstat, string stat)
    {
        using var root = Build(Disk.Memory);
        var view = root.Open().OpenImage("paths");

        Assert.Equal((lstat, stat), (Answer(view, path, follow: false), Answer(view, path, follow: true)));
    }

    [Theory]
    [InlineData("/etc/passwd/")]
    [InlineData("/etc/passwd/.")]
    [InlineData("/etc/passwd/../passwd")]
    [InlineData("/etc/link-slash")]
    [InlineData("/etc/through")]
    public void OpenRead_APathThatNamesAFileAsADirectory_IsNotADirectoryNamingTheFile(string path)
    {
        using var root = Build(Disk.Memory);
        var view = root.Open().OpenImage("paths");

        var e = Assert.Throws<IOException>(() => view.OpenRead(path));
        Assert.IsNotType<FileNotFoundException>(e);
        Assert.Contains("not a directory", e.Message, StringComparison.Ordinal);
        Assert.Contains("/etc/passwd is a regular file", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/etc/passwd/")]
    [InlineData("/etc/passwd/../passwd")]
    [InlineData("/etc/link-dot")]
    public void ListDirectoryAndEnumerateRecursive_APathThatNamesAFileAsADirectory_AreNotADirectory(string path)
    {
        using var root = Build(Disk.Memory);
        var view = root.Open().OpenImage("paths");

        Assert.Contains("not a directory", Assert.Throws<IOException>(() => view.ListDirectory(path)).Message, StringComparison.Ordinal);
        Assert.Contains("not a directory", Assert.Throws<IOException>(() => view.EnumerateRecursive(path).ToList()).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/etc/dangling", "/etc/dangling", "missing")]
    [InlineData("/etc/dangling-deep", "/etc/dangling-deep", "dir/missing/x")]
    [InlineData("/etc/dangling/", "/etc/dangling", "missing")]
    public void OpenRead_ThroughADanglingLink_NamesTheLinkAndItsTarget(string path, string link, string target)
    {
        using var root = Build(Disk.Memory);
        var view = root.Open().OpenImage("paths");

        var e = Assert.Throws<FileNotFoundException>(() => view.OpenRead(path));
        Assert.Contains($"the symbolic link {link} points to {target}, which does not exist in the image", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenRead_AMissingNameBelowALinkThatResolves_DoesNotBlameTheLink()
    {
        using var root = Build(Disk.Memory);
        var view = root.Open().OpenImage("paths");

        var e = Assert.Throws<FileNotFoundException>(() => view.OpenRead("/etc/link-dir/nothing"));
        Assert.DoesNotContain("symbolic link", e.Message, StringComparison.Ordinal);
        Assert.Contains("/etc/link-dir/nothing: no such file or directory", e.Message, StringComparison.Ordinal);
    }

    private static string Answer(UnionView view, string path, bool follow)
    {
        try
        {
            view.GetEntry(path, follow);
            return "ok";
        }
        catch (FileNotFoundException)
        {
            return "ENOENT";
        }
        catch (IOException)
        {
            return "ENOTDIR";
        }
    }

    /// <summary>What the kernel says of the same relative path inside <paramref name="directory"/>: coreutils' <c>stat</c> (with <c>-L</c>, following a final link).</summary>
    private static string Kernel(string directory, string path, bool follow)
    {
        var start = new ProcessStartInfo("stat") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        if (follow)
        {
            start.ArgumentList.Add("-L");
        }

        start.ArgumentList.Add("--");
        start.ArgumentList.Add(path.TrimStart('/').Length == 0 ? "." : path.TrimStart('/'));
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? "ok"
            : error.Contains("Not a directory", StringComparison.Ordinal) ? "ENOTDIR"
            : error.Contains("No such file or directory", StringComparison.Ordinal) ? "ENOENT"
            : "error: " + error.Trim();
    }
}
