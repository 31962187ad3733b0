using System.Formats.Tar;
using System.IO.Abstractions;
using Docker.Aufs.Cli;
using Docker.Aufs.IO;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Cli;

/// <summary>
/// How every writer treats its output: never inside the Docker root under any name, <c>-o -</c> as standard output, fifos
/// and devices as streams, files renamed into place only when complete.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class OutputPolicyTests
{
    private static readonly FileSystem Disk = new();

    /// <summary>A sample root on disk in <c>temp/root</c>, with a link <c>temp/alias</c> to it.</summary>
    private static TempDirectory SampleOnDisk()
    {
        var temp = new TempDirectory();
        SampleRoots.Write(Disk, temp.Combine("root"));
        File.CreateSymbolicLink(temp.Combine("alias"), temp.Combine("root"));
        return temp;
    }

    /// <summary>
    /// Runs the built CLI through bash, so that the shell opens its standard output as a user's redirection does:
    /// <paramref name="script"/> names the CLI's assembly <c>$0</c> and <paramref name="arguments"/> <c>$1</c>, <c>$2</c>….
    /// </summary>
    private static async Task<(int Exit, string Error)> ThroughShell(string script, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(Path.Combine(Path.GetDirectoryName(typeof(CliApp).Assembly.Location)!, "docker-aufs.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, error);
    }

    private static string[] Tree(string directory) =>
        [.. Directory.EnumerateFileSystemEntries(directory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Order(StringComparer.Ordinal)];

    private static string[] Writer(string command, string output) => command switch
    {
        "export" => ["export", "busybox", "-o", output],
        "save" => ["save", "busybox", "-o", output],
        "save-oci" => ["save", "busybox", "--format", "oci", "-o", output],
        "layer-tar" => ["layer-tar", SampleRoots.BusyboxLayers[1], "-o", output],
        _ => throw new ArgumentOutOfRangeException(nameof(command)),
    };

    public static TheoryData<string, string> WritersAndAliases()
    {
        var data = new TheoryData<string, string>();
        foreach (var command in new[] { "export", "save", "save-oci", "layer-tar" })
        {
            foreach (var alias in new[] { "alias/graph/out.tar", "elsewhere/../root/out.tar", "root//graph//out.tar", "/proc/self/root{temp}/root/out.tar" })
            {
                data.Add(command, alias);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WritersAndAliases))]
    public void Writer_OutputInsideTheRootUnderAnyName_IsRefusedAndTheRootUnchanged(string command, string alias)
    {
        using var temp = SampleOnDisk();
        Directory.CreateDirectory(temp.Combine("elsewhere"));
        var output = alias.StartsWith('/') ? alias.Replace("{temp}", temp.Path, StringComparison.Ordinal) : temp.Combine(alias);
        var before = Tree(temp.Combine("root"));

        var result = CliCapture.Run(Disk, ["--root", temp.Combine("alias"), .. Writer(command, output)]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("inside the Docker root", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(before, Tree(temp.Combine("root")));
    }

    [Theory]
    [InlineData("export")]
    [InlineData("save")]
    [InlineData("save-oci")]
    [InlineData("layer-tar")]
    public void Writer_OutputUnderABindMountOfADirectoryInsideTheRoot_IsRefusedAndTheRootUnchanged(string command)
    {
        using var temp = SampleOnDisk();
        Directory.CreateDirectory(temp.Combine("bound"));
        using var mounts = new Mounts();
        mounts.Bind(temp.Combine("root", "graph"), temp.Combine("bound"));
        var before = Tree(temp.Combine("root"));

        var result = CliCapture.Run(Disk, ["--root", temp.Combine("root"), .. Writer(command, temp.Combine("bound", "out.tar"))]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("inside the Docker root", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, Tree(temp.Combine("root")));
    }

    [Theory]
    [InlineData("export")]
    [InlineData("save")]
    [InlineData("save-oci")]
    [InlineData("layer-tar")]
    public void Writer_DotDotAfterALinkIntoTheRoot_IsRefusedAndNothingWrittenWhereTheTextPoints(string command)
    {
        // into/.. is the root as the kernel resolves it; collapsed as text, into/../out.tar would be temp/out.tar.
        using var temp = SampleOnDisk();
        File.CreateSymbolicLink(temp.Combine("into"), temp.Combine("root", "graph"));
        var before = Tree(temp.Combine("root"));

        var result = CliCapture.Run(Disk, ["--root", temp.Combine("root"), .. Writer(command, temp.Path + "/into/../out.tar")]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("inside the Docker root", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, Tree(temp.Combine("root")));
        Assert.False(File.Exists(temp.Combine("out.tar")));
    }

    [Fact]
    public void ImportSampleAndCp_DotDotAfterALinkIntoTheRoot_AreRefused()
    {
        using var temp = SampleOnDisk();
        File.CreateSymbolicLink(temp.Combine("into"), temp.Combine("root", "graph"));
        var archive = temp.Combine("busybox.tar");
        Assert.Equal(0, CliCapture.Run(Disk, "--root", temp.Combine("root"), "save", "busybox", "-o", archive).ExitCode);
        var before = Tree(temp.Combine("root"));

        var import = CliCapture.Run(Disk, "--root", temp.Combine("root"), "import", archive, "--into", temp.Path + "/into/../imported");
        var sample = CliCapture.Run(Disk, "--root", temp.Combine("root"), "sample", temp.Path + "/into/../sample");
        var cp = CliCapture.Run(Disk, "--root", temp.Combine("root"), "cp", "busybox:/etc", temp.Path + "/into/../copied");

        Assert.Equal((1, 1, 1), (import.ExitCode, sample.ExitCode, cp.ExitCode));
        Assert.Contains("inside the Docker root", cp.Error, StringComparison.Ordinal);
        Assert.Contains("inside the Docker root", import.Error, StringComparison.Ordinal);
        Assert.Contains("inside the Docker root", sample.Error, StringComparison.Ordinal);
        Assert.Equal(before, Tree(temp.Combine("root")));
        Assert.False(Directory.Exists(temp.Combine("imported")));
        Assert.False(Directory.Exists(temp.Combine("sample")));
        Assert.False(Directory.Exists(temp.Combine("copied")));
    }

    [Theory]
    [InlineData("export")]
    [InlineData("save")]
    [InlineData("layer-tar")]
    public void Writer_SymbolicLinkOutput_IsNeverFollowedIntoTheRoot(string command)
    {
        using var temp = SampleOnDisk();
        var victim = temp.Combine("root", "repositories-aufs");
        var content = File.ReadAllBytes(victim);
        File.CreateSymbolicLink(temp.Combine("out.tar"), victim);

        var result = CliCapture.Run(Disk, ["--root", temp.Combine("root"), .. Writer(command, temp.Combine("out.tar"))]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("symbolic link", result.Error, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllBytes(victim));
        Assert.NotNull(new FileInfo(temp.Combine("out.tar")).LinkTarget);
    }

    [Fact]
    public void Import_IntoTheRootUnderAnotherName_IsRefused()
    {
        using var temp = SampleOnDisk();
        var archive = temp.Combine("busybox.tar");
        Assert.Equal(0, CliCapture.Run(Disk, "--root", temp.Combine("root"), "save", "busybox", "-o", archive).ExitCode);
        var before = Tree(temp.Combine("root"));

        var result = CliCapture.Run(Disk, "--root", temp.Combine("root"), "import", archive, "--into", temp.Combine("alias", "imported"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("inside the Docker root", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, Tree(temp.Combine("root")));
    }

    [Fact]
    public void Sample_IntoTheRootUnderAnotherName_IsRefused()
    {
        using var temp = SampleOnDisk();
        var before = Tree(temp.Combine("root"));

        var result = CliCapture.Run(Disk, "--root", temp.Combine("root"), "sample", temp.Combine("alias", "graph", "sample"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("inside the Docker root", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, Tree(temp.Combine("root")));
    }

    [Theory]
    [InlineData("save")]
    [InlineData("save-oci")]
    [InlineData("layer-tar")]
    [InlineData("export")]
    public void Writer_DashOutput_WritesTheTarToStandardOutputAndTheSummaryToStderr(string command)
    {
        using var temp = SampleOnDisk();
        var cwd = Tree(temp.Path);

        var result = CliCapture.Run(Disk, ["--root", temp.Combine("root"), .. Writer(command, "-")]);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(string.Empty, result.Out);
        using var reader = new TarReader(new MemoryStream(result.Bytes));
        Assert.NotNull(reader.GetNextEntry());
        Assert.False(File.Exists("-"));
        Assert.Equal(cwd, Tree(temp.Path));
        if (command != "export")
        {
            Assert.Contains(command == "layer-tar" ? "Wrote standard output" : "to standard output", result.Error, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("export", "/dev/stdout")]
    [InlineData("save", "/dev/fd/1")]
    [InlineData("layer-tar", "/proc/self/fd/1")]
    public void Writer_StandardOutputByAnotherName_IsWrittenAsDashIs(string command, string name)
    {
        using var temp = SampleOnDisk();

        var result = CliCapture.Run(Disk, ["--root", temp.Combine("root"), .. Writer(command, name)]);

        Assert.True(result.ExitCode == 0, result.Error);
        using var reader = new TarReader(new MemoryStream(result.Bytes));
        Assert.NotNull(reader.GetNextEntry());
    }

    /// <summary>The shell opens the file before the tool runs; what the tool must not do is fill it (issue 15, class 9).</summary>
    [Theory]
    [InlineData("export busybox -o -")]
    [InlineData("export busybox -o /dev/stdout")]
    [InlineData("layer-tar {layer} -o -")]
    [InlineData("cat busybox /bin/sh")]
    [InlineData("ls -R busybox /")]
    [InlineData("images")]
    public async Task Writer_StandardOutputRedirectedByTheShellIntoTheRoot_IsRefusedAndWritesNothing(string command)
    {
        using var temp = SampleOnDisk();
        var arguments = command.Replace("{layer}", SampleRoots.BusyboxLayers[1], StringComparison.Ordinal);

        var (exit, error) = await ThroughShell($"exec dotnet \"$0\" --root \"$1\" {arguments} > \"$1/graph/out\"", temp.Combine("root"));

        Assert.Equal(1, exit);
        Assert.Contains($"refusing to write standard output ({temp.Combine("root")}/graph/out): it is inside the Docker root", error, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(temp.Combine("root/graph/out")).Length);
    }

    /// <summary>
    /// A hard link outside the root to a file of the root has its own place, in no ancestor chain of the root; only its inode
    /// says what it is. Standard output appended (<c>&gt;&gt;</c>) to such a link must not write into the root (review of
    /// issue 15, R1).
    /// </summary>
    [Fact]
    public async Task StandardOutputAppendedToAHardLinkOfARootFile_IsRefused_AndTheRootFileIsUnchanged()
    {
        using var temp = SampleOnDisk();
        var json = temp.Combine("root", "graph", SampleRoots.BusyboxId, "json");
        var before = await File.ReadAllBytesAsync(json, TestContext.Current.CancellationToken);
        var link = temp.Combine("outside-link");
        LinuxNative.Link(json, link);

        var (exit, error) = await ThroughShell("exec dotnet \"$0\" --root \"$1\" export busybox -o - >> \"$2\"", temp.Combine("root"), link);

        Assert.Equal(1, exit);
        Assert.Contains("refusing to write standard output: it has 2 hard links", error, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(json, TestContext.Current.CancellationToken));
    }

    /// <summary>
    /// An output naming a hard link of a root file, or of a fifo in a layer, is refused before anything is opened: the
    /// rename that replaces the link would change the root file's link count and change time, and the fifo would be written
    /// into the root (review of issue 15, R1 and R2).
    /// </summary>
    [Theory]
    [InlineData("export", false)]
    [InlineData("save", false)]
    [InlineData("layer-tar", false)]
    [InlineData("export", true)]
    public void Writer_OutputIsAHardLinkOfAFileOrFifoInTheRoot_IsRefused_AndTheRootIsUnchanged(string command, bool fifo)
    {
        using var temp = SampleOnDisk();
        var inRoot = fifo
            ? temp.Combine("root", "aufs", "diff", SampleRoots.BusyboxLayers[1], "evidence-fifo")
            : temp.Combine("root", "graph", SampleRoots.BusyboxId, "json");
        if (fifo)
        {
            LinuxNative.MakeFifo(inRoot, 0x1A4);
        }

        var link = temp.Combine("out");
        LinuxNative.Link(inRoot, link);
        var before = Tree(temp.Combine("root"));
        Assert.True(LinuxNative.TryLstat(inRoot, out var statusBefore));

        var result = CliCapture.Run(Disk, ["--root", temp.Combine("root"), .. Writer(command, link)]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("hard links on the file system of the Docker root", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, Tree(temp.Combine("root")));
        Assert.True(LinuxNative.TryLstat(inRoot, out var statusAfter));
        Assert.Equal((statusBefore.LinkCount, statusBefore.Size, statusBefore.MtimeSeconds, statusBefore.MtimeNanoseconds),
            (statusAfter.LinkCount, statusAfter.Size, statusAfter.MtimeSeconds, statusAfter.MtimeNanoseconds));
    }

    /// <summary>
    /// An output directory this user may not write is the output's problem, not the root's: the line names the output and
    /// its directory, never "permission denied: ROOT … read access to the copy" (review of issue 15, R8).
    /// </summary>
    [Theory]
    [InlineData("export")]
    [InlineData("save")]
    public void Writer_AsAnotherUserIntoADirectoryItCannotWrite_NamesTheOutputNotTheRoot(string command)
    {
        Assert.SkipWhen(AsNobody.Unavailable is not null, AsNobody.Unavailable ?? string.Empty);
        using var temp = SampleOnDisk();
        var open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
            | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(temp.Path, open);
        foreach (var entry in Directory.EnumerateFileSystemEntries(temp.Combine("root"), "*", SearchOption.AllDirectories).Append(temp.Combine("root")))
        {
            if (!File.GetAttributes(entry).HasFlag(FileAttributes.ReparsePoint))
            {
                File.SetUnixFileMode(entry, File.GetUnixFileMode(entry) | UnixFileMode.OtherRead | (Directory.Exists(entry) ? UnixFileMode.OtherExecute : 0));
            }
        }

        var closed = temp.Combine("closed");
        Directory.CreateDirectory(closed);
        File.SetUnixFileMode(closed, open & ~UnixFileMode.UserWrite);

        var (exit, _, error) = AsNobody.Cli(["--root", temp.Combine("root"), .. Writer(command, Path.Combine(closed, "out.tar"))]);

        Assert.Equal(1, exit);
        Assert.Contains($"cannot write {closed}/out.tar: this process may not create files there", error, StringComparison.Ordinal);
        Assert.DoesNotContain("read access to the copy", error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(closed));
    }

    /// <summary>A full disk is not a reader who left (exit 141): one line naming standard output, exit 1, never a stack trace.</summary>
    [Theory]
    [InlineData("--sample images")]
    [InlineData("--sample ls -R busybox /")]
    [InlineData("--version")]
    [InlineData("--help")]
    [InlineData("--sample cat busybox /bin/sh")]
    public async Task Command_StandardOutputOnAFullDisk_FailsWithOneLine(string command)
    {
        var (exit, error) = await ThroughShell($"exec dotnet \"$0\" {command} > /dev/full");

        Assert.Equal(1, exit);
        Assert.Contains("No space left on device", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Theory]
    [InlineData("save")]
    [InlineData("layer-tar")]
    [InlineData("export")]
    public void Writer_DashOutputOnATerminal_IsRefused(string command)
    {
        using var temp = SampleOnDisk();
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var bytes = new MemoryStream();

        var exit = CliApp.Run(["--root", temp.Combine("root"), .. Writer(command, "-")],
            new CliEnvironment(output, error, TimeProvider.System, Disk, bytes, OutputIsTerminal: true));

        Assert.Equal(1, exit);
        Assert.Contains("terminal", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, bytes.Length);
    }

    [Theory]
    [InlineData("export")]
    [InlineData("save")]
    [InlineData("layer-tar")]
    public async Task Writer_FifoOutput_IsWrittenAsAStreamAndStaysAFifo(string command)
    {
        using var temp = SampleOnDisk();
        var fifo = temp.Combine("pipe");
        LinuxNative.MakeFifo(fifo, 0x1A4);
        var reader = Task.Run(() => File.ReadAllBytes(fifo), TestContext.Current.CancellationToken);
        await Task.Yield();

        var result = CliCapture.Run(Disk, ["--root", temp.Combine("root"), .. Writer(command, fifo)]);

        Assert.True(result.ExitCode == 0, result.Error);
        var received = await reader.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        using var tar = new TarReader(new MemoryStream(received));
        Assert.NotNull(tar.GetNextEntry());
        Assert.True(LinuxNative.TryLstat(fifo, out var status));
        Assert.Equal(0x1000, status.Mode & 0xF000);
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(temp.Path), p => Path.GetFileName(p).StartsWith(".pipe", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("export")]
    [InlineData("save")]
    [InlineData("save-oci")]
    [InlineData("layer-tar")]
    public void Writer_Cancelled_LeavesTheExistingTargetUntouchedAndNothingBesideIt(string command)
    {
        using var temp = SampleOnDisk();
        var target = temp.Combine("out", "existing.tar");
        Directory.CreateDirectory(temp.Combine("out"));
        File.WriteAllText(target, "the previous archive");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = CliApp.Run(["--root", temp.Combine("root"), .. Writer(command, target)],
            new CliEnvironment(output, error, TimeProvider.System, Disk, new MemoryStream()) { Cancellation = new CancellationToken(canceled: true) });

        Assert.Equal(1, exit);
        Assert.Equal("docker-aufs: stopped by a signal; no output file was written\n", error.ToString());
        Assert.Equal("the previous archive", File.ReadAllText(target));
        Assert.Equal([target], Directory.EnumerateFileSystemEntries(temp.Combine("out")));
    }
}
