using System.IO.Abstractions.TestingHelpers;
using System.Text;
using Docker.Aufs.IO;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Cli;

public sealed class LogsCommandTests
{
    private static readonly DateTimeOffset T0 = new(2017, 12, 31, 10, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, string> Roots => new()
    {
        { "graph", "aufs" },
        { "content-addressed", "aufs" },
        { "content-addressed", "overlay2" },
    };

    private static MockFileSystem Root(string store, string driver, Action<ContainerBuilder> configure)
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, store == "graph" ? ImageStoreKind.Graph : ImageStoreKind.ContentAddressed, driver, "/docker", SpecialFileMode.Recorded);
        var image = builder.AddLayer(l => l.File("bin/sh", "#!"));
        builder.AddContainer(c => configure(c.Name("web").Image(image)));
        builder.Build();
        return fs;
    }

    private static void ThreeLines(ContainerBuilder c) => c
        .Log("stdout", "one\n", "2017-12-31T10:00:00.000000001Z")
        .Log("stderr", "two\n", "2017-12-31T10:00:01.5Z")
        .Log("stdout", "three\n", "2017-12-31T10:00:02.123456789Z");

    [Theory]
    [MemberData(nameof(Roots))]
    public void Logs_StdoutAndStderrEntries_GoToTheirOwnStreams(string store, string driver)
    {
        var fs = Root(store, driver, ThreeLines);

        var result = CliCapture.Run(fs, "--root", "/docker", "logs", "web");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("one\nthree\n", result.Out);
        Assert.Equal("two\n", result.Error);
    }

    [Theory]
    [MemberData(nameof(Roots))]
    public void Logs_Timestamps_AreDockersFixedNineDigitForm(string store, string driver)
    {
        var fs = Root(store, driver, ThreeLines);

        var result = CliCapture.Run(fs, "--root", "/docker", "logs", "-t", "web");

        Assert.Equal("2017-12-31T10:00:00.000000001Z one\n2017-12-31T10:00:02.123456789Z three\n", result.Out);
        Assert.Equal("2017-12-31T10:00:01.500000000Z two\n", result.Error);
    }

    [Fact]
    public void Logs_Tail_CountsTheLastLinesOfBothStreamsTogether()
    {
        var fs = Root("graph", "aufs", ThreeLines);

        var two = CliCapture.Run(fs, "--root", "/docker", "logs", "--tail", "2", "web");
        var one = CliCapture.Run(fs, "--root", "/docker", "logs", "-n", "1", "web");
        var zero = CliCapture.Run(fs, "--root", "/docker", "logs", "--tail", "0", "web");
        var all = CliCapture.Run(fs, "--root", "/docker", "logs", "--tail", "all", "web");

        Assert.Equal(("three\n", "two\n"), (two.Out, two.Error));
        Assert.Equal(("three\n", ""), (one.Out, one.Error));
        Assert.Equal(("", ""), (zero.Out, zero.Error));
        Assert.Equal(("one\nthree\n", "two\n"), (all.Out, all.Error));
    }

    [Fact]
    public void Logs_SinceAndUntil_CompareToTheNanosecond()
    {
        var fs = Root("graph", "aufs", ThreeLines);

        var since = CliCapture.Run(fs, "--root", "/docker", "logs", "--since", "2017-12-31T10:00:00.000000002Z", "web");
        var until = CliCapture.Run(fs, "--root", "/docker", "logs", "--until", "2017-12-31T10:00:01.5Z", "web");
        var unix = CliCapture.Run(fs, "--root", "/docker", "logs", "--since", "1514714401.6", "web");
        var zoned = CliCapture.Run(fs, "--root", "/docker", "logs", "--until", "2017-12-31T11:00:01+01:00", "web");

        Assert.Equal(("three\n", "two\n"), (since.Out, since.Error));
        Assert.Equal(("one\n", "two\n"), (until.Out, until.Error));
        Assert.Equal(("three\n", ""), (unix.Out, unix.Error));
        Assert.Equal(("one\n", ""), (zoned.Out, zoned.Error));
    }

    [Fact]
    public void Logs_SinceADuration_CountsBackFromNow()
    {
        var now = CliCapture.Now;
        var fs = Root("graph", "aufs", c => c.Log("stdout", "old\n", now.AddHours(-2)).Log("stdout", "recent\n", now.AddMinutes(-5)));

        var result = CliCapture.Run(fs, "--root", "/docker", "logs", "--since", "10m", "web");
        var mixed = CliCapture.Run(fs, "--root", "/docker", "logs", "--since", "1h30m", "web");

        Assert.Equal("recent\n", result.Out);
        Assert.Equal("recent\n", mixed.Out);
    }

    [Theory]
    [InlineData("--since", "yesterday")]
    [InlineData("--since", "2017-13-01")]
    [InlineData("--until", "2017-12-31 10:00")]
    [InlineData("--since", "10x")]
    [InlineData("--tail", "ten")]
    public void Logs_ABadTimeOrTail_IsAUsageErrorNamingTheOption(string option, string value)
    {
        var fs = Root("graph", "aufs", ThreeLines);

        var result = CliCapture.Run(fs, "--root", "/docker", "logs", option, value, "web");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"docker-aufs: {option}: ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain($"{option}: {option}", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Out);
    }

    [Fact]
    public void Logs_RotatedFiles_AreReadOldestFirst()
    {
        static byte[] Line(string text, int second) => Encoding.UTF8.GetBytes($"{{\"log\":\"{text}\\n\",\"stream\":\"stdout\",\"time\":\"2017-12-31T10:00:{second:D2}Z\"}}\n");
        var fs = Root("content-addressed", "overlay2", c => c.RawLog(Line("oldest", 1), 2).RawLog(Line("older", 2), 1).RawLog(Line("current", 3)));

        var result = CliCapture.Run(fs, "--root", "/docker", "logs", "web");
        var tail = CliCapture.Run(fs, "--root", "/docker", "logs", "--tail", "2", "web");

        Assert.Equal("oldest\nolder\ncurrent\n", result.Out);
        Assert.Equal("older\ncurrent\n", tail.Out);
    }

    [Fact]
    public void Logs_ACorruptLine_StopsThereWithTheFileAndLine_AfterWhatCameBefore()
    {
        var lines = "{\"log\":\"fine\\n\",\"stream\":\"stdout\",\"time\":\"2017-12-31T10:00:00Z\"}\nnot json at all\n{\"log\":\"after\\n\",\"stream\":\"stdout\",\"time\":\"2017-12-31T10:00:02Z\"}\n";
        var fs = Root("graph", "aufs", c => c.RawLog(Encoding.UTF8.GetBytes(lines)));

        var result = CliCapture.Run(fs, "--root", "/docker", "logs", "web");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("fine\n", result.Out);
        Assert.Contains("-json.log", result.Error, StringComparison.Ordinal);
        Assert.Contains("line 2", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("after", result.Out, StringComparison.Ordinal);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Logs_ALastLineCutShort_IsAWarningNotAFailure()
    {
        var lines = "{\"log\":\"fine\\n\",\"stream\":\"stdout\",\"time\":\"2017-12-31T10:00:00Z\"}\n{\"log\":\"cut";
        var fs = Root("graph", "aufs", c => c.RawLog(Encoding.UTF8.GetBytes(lines)));

        var result = CliCapture.Run(fs, "--root", "/docker", "logs", "web");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("fine\n", result.Out);
        Assert.Contains("cut short", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Logs_InvalidUtf8_IsReplacedAsGoDecodesIt()
    {
        var lines = Encoding.UTF8.GetBytes("{\"log\":\"a").Concat(new byte[] { 0xFF, 0xC3 }).Concat(Encoding.UTF8.GetBytes("b\\n\",\"stream\":\"stdout\",\"time\":\"2017-12-31T10:00:00Z\"}\n")).ToArray();
        var fs = Root("graph", "aufs", c => c.RawLog(lines));

        var result = CliCapture.Run(fs, "--root", "/docker", "logs", "web");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("a\uFFFD\uFFFDb\n", result.Out);
    }

    [Fact]
    public void Logs_TerminalEscapes_GoRawToAPipe()
    {
        var fs = Root("graph", "aufs", c => c.Log("stdout", "\u001b]0;owned\u0007title\n", T0));

        var result = CliCapture.Run(fs, "--root", "/docker", "logs", "web");

        Assert.Equal("\u001b]0;owned\u0007title\n", result.Out); // as docker logs writes them; escaped only on a terminal
    }

    [Fact]
    public void Logs_TerminalEscapes_AreEscapedOnATerminal_LineByLine()
    {
        var fs = Root("graph", "aufs", c => c.Log("stdout", "\u001b]0;owned\u0007title\n", T0).Log("stderr", "\u001b[2Jcleared\n", T0).Log("stdout", "partial", T0));
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = Docker.Aufs.Cli.CliApp.Run(["--root", "/docker", "logs", "web"], new Docker.Aufs.Cli.CliEnvironment(output, error, TimeProvider.System, fs, null, ErrorIsTerminal: true, OutputIsTerminal: true));

        Assert.Equal(0, exit);
        Assert.Equal("$'\\x1b]0;owned\\atitle'\npartial", output.ToString());
        Assert.Equal("$'\\x1b[2Jcleared'\n", error.ToString());
    }

    [Fact]
    public void Logs_ALogDriverOtherThanJsonFile_IsNamedClearly()
    {
        var fs = Root("graph", "aufs", c => c.RawHostConfig("{\"LogConfig\":{\"Type\":\"syslog\",\"Config\":{}}}"));

        var result = CliCapture.Run(fs, "--root", "/docker", "logs", "web");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("syslog driver", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Logs_NoLogFile_SaysWhichFileIsMissing()
    {
        var fs = Root("graph", "aufs", _ => { });

        var result = CliCapture.Run(fs, "--root", "/docker", "logs", "web");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("has no log in the root", result.Error, StringComparison.Ordinal);
        Assert.Contains("-json.log does not exist", result.Error, StringComparison.Ordinal);
    }
}
