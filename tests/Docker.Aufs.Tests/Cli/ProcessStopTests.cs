using System.Diagnostics;
using System.IO.Abstractions;
using Docker.Aufs.Cli;
using Docker.Aufs.IO;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Cli;

/// <summary>
/// The built <c>docker-aufs</c> as a child process on a root with a large layer (a 4 GiB sparse file in one of redis's
/// layers): signals stop every writer mid-layer with 128 + the signal's number and leave nothing at or beside the output;
/// a reader of standard output that leaves stops the writer at the next write, quietly.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ProcessStopTests : IClassFixture<ProcessStopTests.LargeRoot>
{
    private const long BigSize = 4L * 1024 * 1024 * 1024;

    private readonly LargeRoot _root;

    public ProcessStopTests(LargeRoot root)
    {
        _root = root;
    }

    /// <summary>The sample root on disk with <c>/big</c>, a 4 GiB sparse file, added to a redis layer.</summary>
    public sealed class LargeRoot : IDisposable
    {
        private readonly TempDirectory _temp = new();

        public LargeRoot()
        {
            Path = _temp.Combine("root");
            SampleRoots.Write(new FileSystem(), Path);
            var layer = SampleRoots.RedisLayers[0];
            using var big = File.Create(System.IO.Path.Combine(Path, "aufs", "diff", layer, "big"));
            big.SetLength(BigSize);
            Layer = layer;
        }

        public string Path { get; }

        public string Layer { get; }

        public void Dispose() => _temp.Dispose();
    }

    internal static Process Start(IEnumerable<string> arguments, bool readOutput)
    {
        var cli = Path.Combine(Path.GetDirectoryName(typeof(CliApp).Assembly.Location)!, "docker-aufs.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(cli);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        if (!readOutput)
        {
            _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        }

        return process;
    }

    internal static void Kill(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        kill.WaitForExit();
    }

    private string[] Writer(string command, string output) => command switch
    {
        "export" => ["--root", _root.Path, "export", "redis", "-o", output],
        "save" => ["--root", _root.Path, "save", "redis", "-o", output],
        "layer-tar" => ["--root", _root.Path, "layer-tar", _root.Layer, "-o", output],
        _ => throw new ArgumentOutOfRangeException(nameof(command)),
    };

    public static TheoryData<string, string> WritersAndSignals()
    {
        var data = new TheoryData<string, string>();
        foreach (var command in new[] { "export", "save", "layer-tar" })
        {
            foreach (var signals in new[] { "INT", "TERM", "INT INT", "INT TERM", "HUP", "QUIT" })
            {
                data.Add(command, signals);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WritersAndSignals))]
    public async Task Writer_StoppedBySignalsMidLayer_ExitsWithinASecondAndLeavesNothing(string command, string signals)
    {
        // A process started with SIGHUP ignored (under nohup) hands that on to its children, and .NET keeps a signal
        // ignored on entry ignored, as shells do: then the writer rightly goes on, and the HUP case proves nothing here.
        Assert.SkipWhen(signals == "HUP" && IgnoresHangup(), "SIGHUP is ignored in this process (started under nohup): the writer inherits that");
        using var temp = new TempDirectory();
        var output = temp.Combine("out.tar");
        using var process = Start(Writer(command, output), readOutput: false);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);

        // Mid-layer: the temporary file beside the output is growing.
        var deadline = Stopwatch.StartNew();
        while (!Directory.EnumerateFiles(temp.Path).Any(f => new FileInfo(f).Length > 1024 * 1024))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60) && !process.HasExited, $"the writer never got going: {(process.HasExited ? await error : "still starting")}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        var stopping = Stopwatch.StartNew();
        foreach (var signal in signals.Split(' '))
        {
            Kill(process.Id, signal);
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)), "the writer did not stop");
        var took = stopping.Elapsed;
        var stderr = await error;
        Assert.Equal(128 + signals.Split(' ')[0] switch { "HUP" => 1, "INT" => 2, "QUIT" => 3, _ => 15 }, process.ExitCode);
        Assert.True(took < TimeSpan.FromSeconds(1.5), $"stopping took {took}");
        Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Theory]
    [InlineData("cat")]
    [InlineData("export")]
    public async Task StandardOutputWriter_ReaderLeaves_StopsAtTheNextWriteQuietly(string command)
    {
        string[] arguments = command == "cat"
            ? ["--root", _root.Path, "cat", "redis", "/big"]
            : ["--root", _root.Path, "export", "redis", "-o", "-"];
        using var process = Start(arguments, readOutput: true);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var head = new byte[4096];
        await process.StandardOutput.BaseStream.ReadExactlyAsync(head, TestContext.Current.CancellationToken);

        process.StandardOutput.BaseStream.Dispose(); // what head does once it has its lines

        // The old behaviour read the whole 4 GiB on and exited 0.
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(20)), "the writer went on after its reader left");
        Assert.Equal(CliApp.OutputClosed, process.ExitCode);
        Assert.Empty(await error);
    }

    [Fact]
    public async Task BlockedWriter_IntThenTerm_ExitsWithOneOfThem_AndWithTheFirstWhenTheyAreApart()
    {
        // The first signal's handler decides; the runtime runs each signal's handler on a thread of its own, so two signals
        // closer together than a thread's start may be decided by the second (docs: "Stopping on SIGINT and SIGTERM"). What
        // holds always: 130 or 143, one line, nothing left; and with the handler's thread started in between, the first.
        foreach (var gap in new[] { 10, 300, 10, 300, 10, 300, 10, 300 })
        {
            using var temp = new TempDirectory();
            var fifo = temp.Combine("pipe");
            LinuxNative.MakeFifo(fifo, 0x1A4);
            using var process = Start(["--root", _root.Path, "export", "redis", "-o", fifo], readOutput: false);
            var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await WaitBlockedInOpen(process);

            Kill(process.Id, "INT");
            await Task.Delay(gap, TestContext.Current.CancellationToken);
            Kill(process.Id, "TERM");

            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)), "the writer did not stop");
            Assert.True(gap == 10 ? process.ExitCode is 130 or 143 : process.ExitCode == 130, $"exit {process.ExitCode} with {gap} ms between INT and TERM");
            Assert.Equal("docker-aufs: stopped by a signal; no output file was written\n", await error);
            Assert.Equal([fifo], Directory.EnumerateFileSystemEntries(temp.Path));
        }
    }

    /// <summary>Waits until the writer's main thread sleeps in the fifo's open (no reader comes), its signal handlers in place long before.</summary>
    private static async Task WaitBlockedInOpen(Process process)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            Assert.False(process.HasExited, "the writer exited before it opened the fifo");
            var wchan = File.ReadAllText($"/proc/{process.Id}/wchan");
            if (wchan.Contains("partner", StringComparison.Ordinal) || wchan.Contains("fifo", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Fail("the writer never blocked in the fifo's open");
    }

    /// <summary>Whether this process ignores SIGHUP (bit 0 of <c>SigIgn</c> in <c>/proc/self/status</c>), which a child inherits.</summary>
    private static bool IgnoresHangup() =>
        File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) is { } line &&
        (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & 1) != 0;
}
