using System.IO.Abstractions;
using Docker.Aufs.Cli;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Cli;

/// <summary>
/// Progress on stderr (issue 13, feature 15): export, save, layer-tar, digest, import and fsck draw a bar when stderr is a terminal (the
/// CLI environment's flag) and clear it at the end; never with <c>--quiet</c>, never when stderr is not a terminal.
/// </summary>
public sealed class ProgressTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static (int Exit, string Err) Run(bool terminal, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = CliApp.Run(args, new CliEnvironment(output, error, TimeProvider.System, new FileSystem(), ErrorIsTerminal: terminal));
        return (exit, error.ToString());
    }

    private string[] Command(string name, string file) => name switch
    {
        "export" => ["--sample", "export", "redis-cache", "-o", _temp.Combine(file)],
        "save" => ["--sample", "save", "redis", "-o", _temp.Combine(file)],
        "layer-tar" => ["--sample", "layer-tar", "redis", "-o", _temp.Combine(file)],
        _ => ["--sample", "digest", "redis"],
    };

    [Theory]
    [InlineData("export", "\rExporting ")]
    [InlineData("save", "\rSaving [")]
    [InlineData("layer-tar", "\rWriting ")]
    [InlineData("digest", "\rHashing ")]
    public void LongWriterOnATerminal_DrawsItsBarAndClearsIt(string command, string bar)
    {
        var (exit, error) = Run(terminal: true, Command(command, "a.tar"));

        Assert.Equal(0, exit);
        Assert.StartsWith(bar, error, StringComparison.Ordinal);
        Assert.EndsWith("\r", error, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("export")]
    [InlineData("save")]
    [InlineData("layer-tar")]
    [InlineData("digest")]
    public void LongWriter_WithQuietOrNotOnATerminal_DrawsNothing(string command)
    {
        var quiet = Run(terminal: true, [.. Command(command, "q.tar"), "--quiet"]);
        var shortQuiet = Run(terminal: true, [.. Command(command, "s.tar"), "-q"]);
        var piped = Run(terminal: false, Command(command, "p.tar"));

        Assert.Equal((0, string.Empty), quiet);
        Assert.Equal((0, string.Empty), shortQuiet);
        Assert.Equal((0, string.Empty), piped);
    }

    [Theory]
    [InlineData("graph")]
    [InlineData("content-addressed")]
    public void Import_OnATerminal_DrawsItsBarAndClearsIt_AndNothingWithQuietOrWhenPiped(string store)
    {
        var archive = _temp.Combine("in.tar");
        Assert.Equal(0, Run(false, "--sample", "save", "redis", "-o", archive).Exit);

        var (exit, error) = Run(true, "--store", store, "import", archive, "--into", _temp.Combine("drawn"));
        var quiet = Run(true, "--store", store, "import", archive, "--into", _temp.Combine("quiet"), "-q");
        var piped = Run(false, "--store", store, "import", archive, "--into", _temp.Combine("piped"));

        Assert.Equal(0, exit);
        Assert.StartsWith("\rImporting ", error, StringComparison.Ordinal);
        Assert.Contains(", layer 1/", error, StringComparison.Ordinal);
        Assert.EndsWith("\r", error, StringComparison.Ordinal);
        Assert.Equal((0, string.Empty), quiet);
        Assert.Equal((0, string.Empty), piped);
    }

    [Fact]
    public void Fsck_OnATerminal_DrawsItsBarWhileVerifyingAndClearsIt_AndNothingWithQuietQuickOrWhenPiped()
    {
        // The content-addressed sample's layers have tar-split data to verify (the graph-era sample's have none).
        var (exit, error) = Run(true, "--sample", "--store", "content-addressed", "fsck");
        var quiet = Run(true, "--sample", "--store", "content-addressed", "fsck", "-q");
        var quick = Run(true, "--sample", "--store", "content-addressed", "fsck", "--quick");
        var piped = Run(false, "--sample", "--store", "content-addressed", "fsck");

        Assert.Equal(0, exit);
        Assert.StartsWith("\rVerifying ", error, StringComparison.Ordinal);
        Assert.Contains(", layer 1/", error, StringComparison.Ordinal);
        Assert.EndsWith("\r", error, StringComparison.Ordinal);
        Assert.Equal((0, string.Empty), quiet);
        Assert.Equal((0, string.Empty), quick);
        Assert.Equal((0, string.Empty), piped);
    }
}
