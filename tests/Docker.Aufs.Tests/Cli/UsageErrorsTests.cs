using System.CommandLine;
using System.IO.Abstractions.TestingHelpers;
using System.Reflection;
using Docker.Aufs.Cli;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Cli;

/// <summary>
/// Command lines that cannot run (issue 13 bug 9): an unknown command gets the nearest one suggested, an unknown option is
/// a usage error with the command's usage line and is never taken as a reference, and each usage error is one line
/// naming what is wrong, then the usage line, exit 2.
/// </summary>
public sealed class UsageErrorsTests
{
    /// <summary>Every command, by each of its names.</summary>
    public static TheoryData<string> CommandNames()
    {
        var data = new TheoryData<string>();
        foreach (var command in Tree().Subcommands)
        {
            foreach (var name in command.Aliases.Prepend(command.Name))
            {
                data.Add(name);
            }
        }

        return data;
    }

    [Theory]
    [InlineData("imags", "images")]
    [InlineData("imgaes", "images")]
    [InlineData("image", "images")]
    [InlineData("contaners", "containers")]
    [InlineData("lyers", "layers")]
    [InlineData("histroy", "history")]
    [InlineData("layer-tr", "layer-tar")]
    [InlineData("fcsk", "fsck")]
    [InlineData("pss", "ps")]
    public void MistypedCommand_SuggestsTheNearestOne(string typed, string meant)
    {
        var (exit, output, error) = CliRunner.Run("--sample", typed);

        Assert.Equal((2, ""), (exit, output));
        Assert.Equal($"docker-aufs: '{typed}' is not a docker-aufs command; did you mean '{meant}'?\nusage: docker-aufs [OPTIONS] COMMAND  (see 'docker-aufs --help')\n", error);
    }

    [Theory]
    [InlineData("overlay2")]
    [InlineData("overlay")]
    [InlineData("vfs")]
    public void Import_WithADriverItDoesNotWrite_IsAUsageErrorAndCreatesNothing(string driver)
    {
        var fs = new MockFileSystem();
        fs.AddFile("/in/archive.tar", new MockFileData(new byte[1024]));

        var (exit, output, error) = CliRunner.Run(fs, "--driver", driver, "import", "/in/archive.tar", "--into", "/new");

        Assert.Equal((2, ""), (exit, output));
        Assert.StartsWith($"docker-aufs: import: --driver {driver}: import writes AUFS roots only", error, StringComparison.Ordinal);
        Assert.False(fs.Directory.Exists("/new"));
    }

    [Fact]
    public void UnknownCommandFarFromAnyOther_PointsToTheHelp()
    {
        var (exit, _, error) = CliRunner.Run("--sample", "frobnicate");

        Assert.Equal(2, exit);
        Assert.StartsWith("docker-aufs: 'frobnicate' is not a docker-aufs command; 'docker-aufs --help' lists them\n", error, StringComparison.Ordinal);
    }

    [Fact]
    public void NoCommand_IsAUsageError_ButHelpAndVersionRunWithoutOne()
    {
        var (exit, _, error) = CliRunner.Run("--sample");
        var help = CliRunner.Run("ls", "--help");
        var version = CliRunner.Run("--version");

        Assert.Equal(2, exit);
        Assert.Equal("docker-aufs: no command given; 'docker-aufs --help' lists them\nusage: docker-aufs [OPTIONS] COMMAND  (see 'docker-aufs --help')\n", error);
        Assert.Equal((0, ""), (help.Exit, help.Err));
        Assert.Contains("REF", help.Out, StringComparison.Ordinal);
        var informational = typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        var parts = informational.Split('+');
        var expected = parts.Length == 1 ? $"docker-aufs version {parts[0]}\n" : $"docker-aufs version {parts[0]}, build {parts[1][..Math.Min(7, parts[1].Length)]}\n";
        Assert.Equal((0, expected, ""), version); // docker --version's shape: "Docker version 18.09.1, build 4c52b90"
    }

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void UnknownOption_OfEveryCommand_IsAUsageErrorWithItsUsageLine(string command)
    {
        var (exit, output, error) = CliRunner.Run(new MockFileSystem(), command, "--bogus", "busybox");

        var lines = error.TrimEnd('\n').Split('\n');
        Assert.Equal((2, ""), (exit, output));
        Assert.Equal($"docker-aufs: {command}: unknown option '--bogus'", lines[0]);
        Assert.StartsWith($"usage: docker-aufs {command} [OPTIONS]", lines[1], StringComparison.Ordinal);
        Assert.Equal(2, lines.Length);
    }

    [Theory]
    [InlineData("docker-aufs: unknown option '--frobnicate'", "--frobnicate")]
    [InlineData("docker-aufs: images: unknown option '--frobnicate'", "--frobnicate", "images")]
    [InlineData("docker-aufs: ls: unknown option '--bogus'", "--sample", "ls", "--bogus", "busybox")]
    [InlineData("docker-aufs: ls: unknown option '--bogus'", "--sample", "ls", "busybox", "--bogus")]
    [InlineData("docker-aufs: ls: unknown option '-x'", "--sample", "ls", "-x", "busybox")]
    [InlineData("docker-aufs: ls: unknown option '-x' in '-Rx'", "--sample", "ls", "busybox", "-Rx")]
    [InlineData("docker-aufs: ls: -R takes no value ('-R=yes')", "--sample", "ls", "busybox", "-R=yes")]
    [InlineData("docker-aufs: ls: --recursive takes no value ('--recursive=yes')", "--sample", "ls", "busybox", "--recursive=yes")]
    [InlineData("docker-aufs: ls: unknown option '--jsno'; did you mean '--json'?", "--sample", "ls", "--jsno", "busybox")]
    [InlineData("docker-aufs: images: unknown option '--no-trnc'; did you mean '--no-trunc'?", "--sample", "images", "--no-trnc")]
    [InlineData("docker-aufs: cat: unknown option '--layer-id'; did you mean '--layer'?", "--sample", "cat", "--layer-id", "busybox", "/etc/passwd")]
    [InlineData("docker-aufs: images: unexpected argument 'extra'", "--sample", "images", "extra")]
    [InlineData("docker-aufs: layers: REF is missing", "--sample", "layers")]
    [InlineData("docker-aufs: save: --output FILE is required", "--sample", "save", "busybox")]
    [InlineData("docker-aufs: --root and --sample cannot be used together", "--sample", "--root", "/x", "images")]
    public void UsageError_IsOneLineNamingWhatIsWrongThenTheUsageLine(string expected, params string[] args)
    {
        var (exit, output, error) = CliRunner.Run(new MockFileSystem(), args);

        var lines = error.TrimEnd('\n').Split('\n');
        Assert.Equal((2, ""), (exit, output));
        Assert.Equal(expected, lines[0]);
        Assert.StartsWith("usage: docker-aufs ", lines[1], StringComparison.Ordinal);
        Assert.Equal(2, lines.Length);
    }

    [Fact]
    public void UsageLine_ShowsTheCommandsArgumentsAndRequiredOptions()
    {
        string Usage(params string[] args) => CliRunner.Run(new MockFileSystem(), args).Err.TrimEnd('\n').Split('\n')[^1];

        Assert.Equal("usage: docker-aufs ls [OPTIONS] REF [PATH]  (see 'docker-aufs ls --help')", Usage("ls", "--bogus"));
        Assert.Equal("usage: docker-aufs save [OPTIONS] --output FILE REF...  (see 'docker-aufs save --help')", Usage("save", "--bogus"));
        Assert.Equal("usage: docker-aufs import [OPTIONS] --into DIR ARCHIVE  (see 'docker-aufs import --help')", Usage("import", "--bogus"));
        Assert.Equal("usage: docker-aufs ps [OPTIONS]  (see 'docker-aufs ps --help')", Usage("ps", "--bogus"));
    }

    [Fact]
    public void DashedWord_IsAnUnknownOption_UnlessItFollowsDoubleDashOrIsAnOptionsValue()
    {
        var dashed = CliRunner.Run("--sample", "ls", "busybox", "-rf");
        var afterDoubleDash = CliRunner.Run("--sample", "ls", "busybox", "--", "-rf");
        var optionValue = CliRunner.Run(new MockFileSystem(), "--root", "-Rx", "images");

        Assert.Equal((2, "docker-aufs: ls: unknown option '-rf'"), (dashed.Exit, dashed.Err.Split('\n')[0]));
        Assert.Equal((1, "docker-aufs: /-rf: no such file or directory in the image\n"), (afterDoubleDash.Exit, afterDoubleDash.Err));
        Assert.Equal(1, optionValue.Exit); // the value was taken as the root, which does not exist
        Assert.Contains("-Rx: does not exist", optionValue.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void ArgumentBeginningWithAt_IsAName_NotAResponseFileOfArguments()
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("args");
        File.WriteAllText(file, "images\n");

        var listed = CliRunner.Run("--sample", "@" + file);
        var cat = CliRunner.Run("--sample", "cat", "busybox", "@etc");

        Assert.Equal((2, ""), (listed.Exit, listed.Out));
        Assert.StartsWith($"docker-aufs: '@{file}' is not a docker-aufs command", listed.Err, StringComparison.Ordinal);
        Assert.Equal("docker-aufs: /@etc: no such file or directory in the image\n", cat.Err);
    }

    [Fact]
    public void Nearest_IsNothingWhenEveryNameIsFar()
    {
        Assert.Null(UsageErrors.Nearest("xyz", ["images", "layers"]));
        Assert.Equal("layers", UsageErrors.Nearest("lay", ["images", "layers"]));
        Assert.Null(UsageErrors.Nearest("zz", ["layers", "ls"]));
        Assert.Equal("images", UsageErrors.Nearest("images2", ["images", "layers"]));
    }

    private static RootCommand Tree() =>
        CliApp.BuildCommandLine(new GlobalOptions(), new CliEnvironment(TextWriter.Null, TextWriter.Null, TimeProvider.System, new MockFileSystem()));
}
