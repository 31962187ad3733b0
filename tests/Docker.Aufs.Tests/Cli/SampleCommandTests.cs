using System.IO.Abstractions;
using System.Security.Cryptography;
using Docker.Aufs.Cli;
using Docker.Aufs.IO;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Cli;

/// <summary>
/// <c>sample DIR</c> builds the root in memory and copies it to disk entry by entry under the output gate: the copy is the
/// tree the builder writes on disk itself (types, modes, owners, times, attributes, device numbers, hard links), and a
/// signal at any point leaves DIR as the user gave it (absent, or the empty directory it was) or, once committed, whole.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SampleCommandTests
{
    private static readonly FileSystem Disk = new();

    public static TheoryData<string, string> DriversAndStores => new()
    {
        { "aufs", "graph" },
        { "aufs", "content-addressed" },
        { "overlay", "graph" },
        { "overlay", "content-addressed" },
        { "overlay2", "content-addressed" },
        { "vfs", "graph" },
        { "vfs", "content-addressed" },
    };

    [Theory]
    [MemberData(nameof(DriversAndStores))]
    public void Sample_CopiedFromMemory_IsTheTreeTheBuilderWritesOnDisk(string driver, string store)
    {
        Assert.SkipUnless(LinuxNative.IsRoot || driver is "aufs" or "vfs", "the overlay samples hold whiteout devices, which only root can make");
        using var temp = new TempDirectory();
        var root = temp.Combine("root");
        var started = DateTimeOffset.UtcNow;
        SampleRoots.Write(new DockerRootBuilder(Disk, store == "graph" ? ImageStoreKind.Graph : ImageStoreKind.ContentAddressed, driver, root, SpecialFileMode.Auto));
        var direct = Snapshot(root, started);
        Directory.Delete(root, recursive: true);

        var result = CliCapture.Run(Disk, "--driver", driver, "--store", store, "sample", root);

        Assert.True(result.ExitCode == 0, result.Error);
        var copied = Snapshot(root, started);
        Assert.Equal(direct.Count, copied.Count);
        Assert.Equal(direct, copied);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(40, false)]
    [InlineData(150, false)]
    [InlineData(40, true)]
    public void Sample_SignalDuringTheCopy_LeavesTheDirectoryAsGiven(int step, bool existedEmpty)
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("root");
        if (existedEmpty)
        {
            Directory.CreateDirectory(root);
        }

        using var signal = new CancellationTokenSource();
        var steps = 0;
        PendingOutputs.InsideGate.Value = () =>
        {
            if (++steps == step)
            {
                signal.Cancel(); // a signal lands while this entry is made: it is made, and nothing after it
            }
        };
        try
        {
            var (exit, error) = Run(signal.Token, "sample", root);

            Assert.Equal(CliApp.Failure, exit);
            Assert.Equal("docker-aufs: stopped by a signal; no output file was written\n", error);
            Assert.Equal(existedEmpty ? [root] : [], Directory.EnumerateFileSystemEntries(temp.Path));
            Assert.True(!existedEmpty || !Directory.EnumerateFileSystemEntries(root).Any());
        }
        finally
        {
            PendingOutputs.InsideGate.Value = null;
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sample_DeadlineRemovalDuringTheCopy_WaitsForTheEntryAndNothingIsCreatedAfterIt(bool existedEmpty)
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("root");
        if (existedEmpty)
        {
            Directory.CreateDirectory(root);
        }

        using var signal = new CancellationTokenSource();
        var steps = 0;
        Thread? deadline = null;
        PendingOutputs.InsideGate.Value = () =>
        {
            if (++steps != 60)
            {
                return;
            }

            // The signal, then the process's own removal 0.5 s later, both while this entry is being made: the removal must
            // wait for the entry, and the copy must make nothing once it has run.
            signal.Cancel();
            deadline = new Thread(() => PendingOutputs.DeleteAllUnder(temp.Path));
            deadline.Start();
            deadline.Join(TimeSpan.FromMilliseconds(300));
        };
        try
        {
            var (exit, error) = Run(signal.Token, "sample", root);
            Assert.True(deadline!.Join(TimeSpan.FromSeconds(10)));

            Assert.Equal(CliApp.Failure, exit);
            Assert.Equal("docker-aufs: stopped by a signal; no output file was written\n", error); // not a copy that failed midway
            Assert.Equal(existedEmpty ? [root] : [], Directory.EnumerateFileSystemEntries(temp.Path));
            Assert.True(!existedEmpty || !Directory.EnumerateFileSystemEntries(root).Any());
        }
        finally
        {
            PendingOutputs.InsideGate.Value = null;
        }
    }

    [Fact]
    public void Sample_SignalAfterTheLastEntry_IsReportedAsWrittenWithTheSignalsExitCode()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("root");
        using var signal = new CancellationTokenSource();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new CliEnvironment(output, error, TimeProvider.System, Disk, new MemoryStream()) { Cancellation = signal.Token };
        var exit = CliApp.Run(["sample", root], environment);
        signal.Cancel(); // while the summary prints

        Assert.Equal(130, CliProcess.Conclude(environment, exit, 130));
        Assert.Equal($"docker-aufs: stopped by a signal after the output was written: {root}\n", error.ToString());
        Assert.True(Directory.Exists(Path.Combine(root, "aufs", "diff")));
    }

    [Fact]
    public async Task Sample_StoppedBySignalsAsAProcess_LeavesNothingOrTheWholeRoot()
    {
        using var reference = new TempDirectory();
        var whole = CliCapture.Run(Disk, "sample", reference.Combine("root"));
        Assert.True(whole.ExitCode == 0, whole.Error);
        var entries = Directory.EnumerateFileSystemEntries(reference.Combine("root"), "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Count();

        foreach (var delay in new[] { 0, 150, 300, 450, 600, 800 })
        {
            using var temp = new TempDirectory();
            var root = temp.Combine("root");
            using var process = ProcessStopTests.Start(["sample", root], readOutput: false);
            var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await Task.Delay(delay, TestContext.Current.CancellationToken);
            ProcessStopTests.Kill(process.Id, "INT");
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(20)), "sample did not stop");
            var stderr = await error;

            if (process.ExitCode == 0)
            {
                continue; // done before the signal came
            }

            Assert.Equal(130, process.ExitCode);
            Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
            if (stderr.Contains($"stopped by a signal after the output was written: {root}", StringComparison.Ordinal))
            {
                Assert.Equal(entries, Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Count());
            }
            else
            {
                // Stopped before the commit ("no output file was written"), or by the default action before the handlers
                // were in place (nothing had started): either way nothing is left.
                Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
            }
        }
    }

    private static (int Exit, string Error) Run(CancellationToken cancellation, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = CliApp.Run(args, new CliEnvironment(output, error, TimeProvider.System, Disk, new MemoryStream()) { Cancellation = cancellation });
        return (exit, error.ToString());
    }

    /// <summary>
    /// Each entry as lstat and its bytes show it, by relative path: type, mode, owner, size, link count, device numbers, link
    /// target, content, the attributes the builder sets, and the modification time when the builder set it (a time after
    /// <paramref name="started"/> is the time of writing, which differs between two writes); a hard link names the first path
    /// of its inode.
    /// </summary>
    private static List<string> Snapshot(string root, DateTimeOffset started)
    {
        var lines = new List<string>();
        var firstNames = new Dictionary<ulong, string>();
        var paths = Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Order(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            Assert.True(LinuxNative.TryLstat(path, out var s), path);
            var relative = Path.GetRelativePath(root, path);
            var type = s.Mode & 0xF000;
            var hardlink = type == 0x8000 && s.LinkCount > 1
                ? firstNames.TryGetValue(s.Inode, out var first) ? "=" + first : firstNames[s.Inode] = relative
                : "";
            var time = DateTimeOffset.FromUnixTimeSeconds(s.MtimeSeconds).AddTicks(s.MtimeNanoseconds / 100);
            var content = type == 0x8000 ? Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))) : "";
            var target = type == 0xA000 ? new FileInfo(path).LinkTarget : "";
            var attributes = string.Join(",", new[] { "trusted.overlay.opaque", "user.overlay.opaque", "security.capability" }
                .Select(name => (name, value: type == 0xA000 ? null : LinuxNative.GetAttribute(path, name)))
                .Where(a => a.value is not null).Select(a => $"{a.name}={Convert.ToHexString(a.value!)}"));
            lines.Add($"{relative} {Convert.ToString(s.Mode, 8)} {s.Uid}:{s.Gid} {(type == 0x4000 ? "-" : s.Size)} {(type == 0x4000 ? "-" : s.LinkCount)} {s.RdevMajor}:{s.RdevMinor} " +
                $"{(time >= started.AddSeconds(-2) ? "now" : time.ToString("O"))} {target} {content} {attributes} {hardlink}");
        }

        return lines;
    }
}
