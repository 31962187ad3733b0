using System.IO.Abstractions;
using Docker.Aufs.Cli;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Cli;

/// <summary>
/// The messages the adversarial review of issue 16 found wrong (F6): each says what the value is or is not, in one line,
/// and an output already written is not undone by a standard output that cannot take its summary.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class OneLineMessagesTests
{
    private static readonly FileSystem Disk = new();

    [Fact]
    public void Import_ADirectoryAsTheArchive_SaysItIsADirectory()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("saved"));

        var (exit, output, error) = CliRunner.Run(Disk, "import", temp.Combine("saved"), "--into", temp.Combine("new"));

        Assert.Equal((1, ""), (exit, output));
        Assert.Equal($"docker-aufs: {temp.Combine("saved")} is a directory, not an archive: give the file docker save wrote (or - for standard input)\n", error);
        Assert.False(Directory.Exists(temp.Combine("new")));
    }

    [Fact]
    public void Sample_WhereNoDirectoryCanBeCreated_SaysSoInOneLineNamingThePath()
    {
        var (exit, output, error) = CliRunner.Run(Disk, "sample", "/proc/docker-aufs-sample");

        Assert.Equal((1, ""), (exit, output));
        Assert.Equal("docker-aufs: cannot create /proc/docker-aufs-sample: the file system refuses a new directory there (read-only, or a kernel file system such as /proc or /sys)\n", error);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LayerTar_ToAFile_WhenStandardOutputCannotTakeTheSummary_KeepsTheFileAndItsExitCode(bool readerLeft)
    {
        using var temp = new TempDirectory();
        var target = temp.Combine("layer.tar");
        using var error = new StringWriter();
        var text = new StreamWriter(new FailingStream(readerLeft), bufferSize: 64 * 1024);
        var environment = new CliEnvironment(text, error, TimeProvider.System, Disk, new MemoryStream());
        var reports = new List<string>();

        var exit = CliProcess.FlushOutput(text, environment, CliApp.Run(["--sample", "layer-tar", "busybox", "-o", target], environment), reports.Add);

        Assert.Equal(CliApp.Success, exit);
        Assert.True(new FileInfo(target).Length > 0);
        Assert.Equal("", error.ToString());
        Assert.Equal(readerLeft ? [] : [$"docker-aufs: wrote {target}, but could not print the summary: cannot write standard output: Bad file descriptor"], reports);
    }

    [Fact]
    public void Listing_WhenTheReaderOfStandardOutputLeft_StillExits141()
    {
        using var error = new StringWriter();
        var text = new StreamWriter(new FailingStream(readerLeft: true), bufferSize: 64 * 1024);
        var environment = new CliEnvironment(text, error, TimeProvider.System, Disk, new MemoryStream());

        var exit = CliProcess.FlushOutput(text, environment, CliApp.Run(["--sample", "images"], environment), _ => { });

        Assert.Equal(CliApp.OutputClosed, exit);
    }

    /// <summary>Standard output whose reader left (EPIPE) or whose descriptor was closed (<c>&gt;&amp;-</c>, EBADF).</summary>
    private sealed class FailingStream(bool readerLeft) : Docker.Aufs.IO.WriteOnlyStream
    {
        public override void Flush()
        {
        }

        public override void Write(ReadOnlySpan<byte> buffer) =>
            throw (readerLeft ? new OutputClosedException() : new IOException("Bad file descriptor"));
    }
}
