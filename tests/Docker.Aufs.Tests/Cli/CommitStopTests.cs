using System.Formats.Tar;
using System.IO.Abstractions;
using Docker.Aufs.Cli;
using Docker.Aufs.IO;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Cli;

/// <summary>
/// "Commit" and "stop" are one decision (docs/hostile-input.md, "Outputs appear whole or not at all"): a signal that lands
/// inside a commit (after its check, before its rename) or after it (while the summary prints) leaves the output whole,
/// exits 128 + the signal's number and says the output was written; one that lands before it leaves nothing and says so.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CommitStopTests
{
    private static readonly FileSystem Disk = new();

    private static string[] Writer(string command, string output) => command switch
    {
        "export" => ["export", "busybox", "-o", output],
        "save" => ["save", "busybox", "-o", output],
        "save-oci" => ["save", "busybox", "--format", "oci", "-o", output],
        "save-oci-dir" => ["save", "busybox", "--format", "oci-dir", "-o", output],
        "layer-tar" => ["layer-tar", SampleRoots.BusyboxLayers[1], "-o", output],
        _ => throw new ArgumentOutOfRangeException(nameof(command)),
    };

    [Theory]
    [InlineData("export")]
    [InlineData("save")]
    [InlineData("save-oci")]
    [InlineData("save-oci-dir")]
    [InlineData("layer-tar")]
    public void Writer_SignalBetweenTheCheckAndTheRename_ExitsWithTheSignalAndSaysTheOutputWasWritten(string command)
    {
        using var temp = new TempDirectory();
        SampleRoots.Write(Disk, temp.Combine("root"));
        var target = temp.Combine("out");
        using var signal = new CancellationTokenSource();
        PendingOutputs.InsideGate.Value = signal.Cancel;
        try
        {
            var (environment, error) = Environment(signal.Token);
            var exit = CliApp.Run(["--root", temp.Combine("root"), .. Writer(command, target)], environment);

            Assert.Equal(130, CliProcess.Conclude(environment, exit, 130));
            Assert.Equal($"docker-aufs: stopped by a signal after the output was written: {target}\n", error.ToString());
            AssertWhole(command, target);
            Assert.Equal([temp.Combine("out"), temp.Combine("root")], Directory.EnumerateFileSystemEntries(temp.Path).Order(StringComparer.Ordinal));
        }
        finally
        {
            PendingOutputs.InsideGate.Value = null;
        }
    }

    [Theory]
    [InlineData("export")]
    [InlineData("save-oci-dir")]
    public void Writer_SignalWhileTheSummaryPrints_ExitsWithTheSignalAndSaysTheOutputWasWritten(string command)
    {
        using var temp = new TempDirectory();
        SampleRoots.Write(Disk, temp.Combine("root"));
        var target = temp.Combine("out");
        using var signal = new CancellationTokenSource();
        var (environment, error) = Environment(signal.Token);
        var exit = CliApp.Run(["--root", temp.Combine("root"), .. Writer(command, target)], environment);
        signal.Cancel();

        Assert.Equal(143, CliProcess.Conclude(environment, exit, 143));
        Assert.Equal($"docker-aufs: stopped by a signal after the output was written: {target}\n", error.ToString());
        AssertWhole(command, target);
    }

    [Fact]
    public void Listing_SignalAfterItFinished_ExitsWithTheSignalAndSaysSoOnce()
    {
        using var signal = new CancellationTokenSource();
        var (environment, error) = Environment(signal.Token);
        var exit = CliApp.Run(["--sample", "images"], environment);
        signal.Cancel();

        Assert.Equal(130, CliProcess.Conclude(environment, exit, 130));
        Assert.Equal(130, CliProcess.Conclude(environment, exit, 130));
        Assert.Equal("docker-aufs: stopped by a signal; no output file was written\n", error.ToString());
    }

    private static (CliEnvironment Environment, StringWriter Error) Environment(CancellationToken cancellation)
    {
        var error = new StringWriter();
        return (new CliEnvironment(new StringWriter(), error, TimeProvider.System, Disk, new MemoryStream()) { Cancellation = cancellation }, error);
    }

    private static void AssertWhole(string command, string target)
    {
        if (command == "save-oci-dir")
        {
            Assert.True(File.Exists(Path.Combine(target, "index.json")));
            Assert.True(File.Exists(Path.Combine(target, "oci-layout")));
            return;
        }

        using var reader = new TarReader(File.OpenRead(target));
        var entries = 0;
        while (reader.GetNextEntry() is not null)
        {
            entries++;
        }

        Assert.True(entries > 0);
    }
}
