using System.Diagnostics;
using System.Text.Json;
using Docker.Aufs.Cli.Output;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Cli;

/// <summary>
/// Text from the root reaches a terminal only through <see cref="TerminalText.Escape"/> (docs/hostile-input.md, "Text on a
/// terminal"): every command, in text mode, on a root whose names, tags, container names, commands, link targets and
/// comments hold escape sequences, writes no control character but the line ends; with --json the values are exact.
/// </summary>
public sealed class TerminalTextTests
{
    /// <summary>Where outputs go: replaced by a directory beside the test's root.</summary>
    private const string Out = "{out}";

    /// <summary>Every character a terminal acts on, each in some value of the root.</summary>
    private const string Esc = "\u001b[2J\u001b]0;pwned\u0007";

    private const string Repository = "evil" + Esc;

    private const string Tag = "t\r\u009b31m";

    private const string ContainerName = "name\u001b[31m\u007f";

    private const string FileName = "a\u001b[2Jb";

    private const string NewlineName = "new\nline\u0085";

    private const string LinkTarget = "/target\u001b[5m";

    private const string Command = "/bin/sh\u001b[8m";

    private const string Comment = "comment\u009b\u0007";

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    [InlineData(@"back\slash 'quote' ""double""", @"back\slash 'quote' ""double""")]
    [InlineData("ünïcode 😀", "ünïcode 😀")]
    [InlineData("a\u001bb", @"$'a\x1bb'")]
    [InlineData("a\nb\tc\rd\ae\bf\vg\fh", @"$'a\nb\tc\rd\ae\bf\vg\fh'")]
    [InlineData("del\u007f c1\u0085\u009b", @"$'del\x7f c1\u0085\u009b'")]
    [InlineData("nul\0", @"$'nul\x00'")]
    [InlineData("it's\\\u001b", @"$'it\'s\\\x1b'")]
    [InlineData("$'looks quoted'", @"$'$\'looks quoted\''")]
    [InlineData("invoice\u202Egpj.exe", @"$'invoice\u202egpj.exe'")]
    [InlineData("a\u2066b\u2069c\u200fd\u061c", @"$'a\u2066b\u2069c\u200fd\u061c'")]
    public void Escape_ShowsCleanTextAsItIsAndQuotesAnythingElseWhole(string text, string shown) =>
        Assert.Equal(shown, TerminalText.Escape(text));

    [Fact]
    public void Escape_AnUnpairedSurrogateIsEscapedAndAPairKept()
    {
        // Not in InlineData: attribute strings cannot hold an unpaired surrogate.
        Assert.Equal(@"$'lone\ud800 pair😀'", TerminalText.Escape("lone\ud800 pair😀"));
        Assert.Equal(@"$'low\udc00'", TerminalText.Escape("low\udc00"));
        Assert.Equal(@"$'\ud800\ud800'", TerminalText.Escape("\ud800\ud800"));
    }

    [Fact]
    public void Escape_ABytesOfANameThatIsNotUtf8_AreShownAsTheBytesThemselves()
    {
        // A name's byte that is not UTF-8 is carried as U+DC00 plus the byte (NativeName); the shell's \xHH is that byte.
        Assert.Equal(@"$'f\xffo'", TerminalText.Escape("f\udcffo"));
        Assert.Equal(@"$'c\xc3( \x80 \xe2\x82 \u009b'", TerminalText.Escape("c\udcc3( \udc80 \udce2\udc82 \u009b"));
        Assert.Equal(@"$'\xff\ud800'", TerminalText.Escape("\udcff\ud800"));
        Assert.Equal("\ud800\udcff", TerminalText.Escape("\ud800\udcff")); // a pair (U+103FF), not an escaped byte
    }

    [Fact]
    public void Escape_ANameThatIsNotUtf8PastedIntoBash_GivesTheNamesBytes()
    {
        Assert.SkipUnless(File.Exists("/bin/bash"), "bash is not installed");
        byte[] name = [0x66, 0xFF, 0x6F, 0xC3, 0x28, 0xC0, 0xAF, 0x80, 0xE2, 0x82, 0x1B];

        var start = new ProcessStartInfo("/bin/bash", ["-c", "printf %s " + TerminalText.Escape(Docker.Aufs.IO.NativeName.Decode(name))])
        {
            RedirectStandardOutput = true,
            Environment = { ["LC_ALL"] = "C.UTF-8" },
        };
        using var bash = Process.Start(start)!;
        using var output = new MemoryStream();
        bash.StandardOutput.BaseStream.CopyTo(output);
        bash.WaitForExit();

        Assert.Equal(name, output.ToArray());
    }

    [Theory]
    [InlineData("a\u001b[2Jb")]
    [InlineData("new\nline\r\t\a\b\v\f\u007f")]
    [InlineData("it's a \\ backslash\u001b")]
    [InlineData("$'x'")]
    [InlineData("c1 \u0085\u009b ünï😀")]
    [InlineData("invoice\u202Egpj.exe \u2066x\u2069")]
    public void Escape_TheQuotedFormPastedIntoBash_IsTheOriginalText(string text)
    {
        if (!File.Exists("/bin/bash"))
        {
            Assert.Skip("bash is not installed");
        }

        var start = new ProcessStartInfo("/bin/bash", ["-c", "printf %s " + TerminalText.Escape(text)])
        {
            RedirectStandardOutput = true,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
            Environment = { ["LC_ALL"] = "C.UTF-8" },
        };
        using var bash = Process.Start(start)!;
        var output = bash.StandardOutput.ReadToEnd();
        bash.WaitForExit();
        Assert.Equal(text, output);
    }

    // Docker's names never hold a control character, and the CLI refuses a reference that does (a usage error, shown
    // escaped, below): the hostile image and container are reached by their IDs, as a user reaches them.
    private const string ImageRef = "{image}";

    private const string ContainerRef = "{container}";

    /// <summary>Each command line, its arguments joined by a tab (no value of the root holds one).</summary>
    public static IEnumerable<TheoryDataRow<string>> TextCommands() => new List<string[]>
    {
        new[] { "images" },
        new[] { "images", "--digests", "--no-trunc" },
        new[] { "layers", ImageRef },
        new[] { "history", ImageRef },
        new[] { "history", "--no-trunc", ImageRef },
        new[] { "inspect", ImageRef },
        new[] { "containers" },
        new[] { "containers", "--no-trunc" },
        new[] { "ls", ContainerRef, "-R" },
        new[] { "ls", ContainerRef, "/" + FileName },
        new[] { "diff", ContainerRef },
        new[] { "digest", ImageRef },
        new[] { "fsck", "--quick" },
        new[] { "cat", ContainerRef, "/missing" + Esc },
        new[] { "ls", "nothing" + Esc },
        new[] { "history", "unknown" + Esc + ":x" },
        new[] { "save", ImageRef, "-o", Out + "/save.tar" },
        new[] { "layer-tar", ImageRef, "-o", Out + "/layer.tar" },
        new[] { "export", ContainerRef, "-o", Out + "/export.tar" },
        new[] { "no-such-command" + Esc },
        new[] { "layers", Repository + ":" + Tag },
        new[] { "ls", ContainerName, "-R" },
    }.Select(a => new TheoryDataRow<string>(string.Join('\t', a)));

    [Theory]
    [MemberData(nameof(TextCommands))]
    public void EveryCommand_InTextMode_WritesNoControlCharacterFromTheRoot(string line)
    {
        var args = line.Split('\t');
        using var disk = BuildRoot(out var root);
        var (exit, output, error) = CliRunner.Run(["--root", root, .. args.Select(a => Resolve(a).Replace(Out, disk.Path, StringComparison.Ordinal))]);
        Assert.True(exit is 0 or 1 or 2, $"exit {exit}: {error}");
        Assert.DoesNotContain("internal error", error, StringComparison.Ordinal);
        AssertNoControlCharacter(output, args);
        AssertNoControlCharacter(error, args);
    }

    [Fact]
    public void AUsageError_QuotesTheValueOnce()
    {
        var result = CliCapture.Run("--sample", "imag\u001b[2Jes");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("docker-aufs: $'imag\\x1b[2Jes' is not a docker-aufs command", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_InTextMode_ShowsTheNewRootsPathEscaped()
    {
        using var disk = BuildRoot(out var root);
        var save = CliRunner.Run("--root", root, "save", ImageId, "-o", disk.Combine("save.tar"));
        Assert.True(save.Exit == 0, save.Err);
        var into = disk.Combine("imported" + Esc);
        var (exit, output, error) = CliRunner.Run("import", disk.Combine("save.tar"), "--into", into);
        Assert.True(exit == 0, error);
        AssertNoControlCharacter(output, ["import"]);
        Assert.Contains(TerminalText.Escape(into), output, StringComparison.Ordinal);
    }

    [Fact]
    public void TheTables_ShowEachHostileValueInItsQuotedForm()
    {
        using var disk = BuildRoot(out var root);
        Assert.Contains(TerminalText.Escape(Repository), CliRunner.Run("--root", root, "images").Out, StringComparison.Ordinal);
        Assert.Contains(TerminalText.Escape(ContainerName), CliRunner.Run("--root", root, "containers").Out, StringComparison.Ordinal);
        var listing = CliRunner.Run("--root", root, "ls", ContainerId, "-R").Out;
        Assert.Contains(TerminalText.Escape("/" + FileName), listing, StringComparison.Ordinal);
        Assert.Contains(TerminalText.Escape("/link -> " + LinkTarget), listing, StringComparison.Ordinal);
        Assert.Contains(TerminalText.Escape("/" + NewlineName), listing, StringComparison.Ordinal);
        var missing = CliRunner.Run("--root", root, "ls", "nothing" + Esc).Err;
        Assert.StartsWith("docker-aufs: ", missing, StringComparison.Ordinal);
        Assert.Contains(TerminalText.Escape("nothing" + Esc), missing, StringComparison.Ordinal);
    }

    [Fact]
    public void TheJsonOutputs_CarryTheExactValues()
    {
        using var disk = BuildRoot(out var root);
        JsonElement Json(params string[] args)
        {
            var (exit, output, error) = CliRunner.Run(["--root", root, .. args, "--json"]);
            Assert.True(exit == 0, error);
            return JsonDocument.Parse(output).RootElement.Clone();
        }

        var image = Json("images").EnumerateArray().Single(i => i.GetProperty("repository").GetString() == Repository);
        Assert.Equal(Tag, image.GetProperty("tag").GetString());
        Assert.Equal(ContainerName, Json("containers")[0].GetProperty("name").GetString());
        var paths = Json("ls", ContainerId, "-R").EnumerateArray().ToDictionary(e => e.GetProperty("path").GetString()!, e => e);
        Assert.Contains(FileName, paths.Keys);
        Assert.Contains(NewlineName, paths.Keys);
        Assert.Equal(LinkTarget, paths["link"].GetProperty("linkTarget").GetString());
        Assert.Contains(Json("history", ImageId).EnumerateArray(), h => h.GetProperty("comment").GetString() == Comment);
        Assert.Contains(Json("diff", ContainerId).EnumerateArray(), c => c.GetProperty("path").GetString() == "/" + FileName);
    }

    [Fact]
    public void InspectJson_OfAStoredConfigHoldingRawDelAndC1_WritesThemEscaped_AndTheSameValue()
    {
        // JSON allows DEL and C1 raw inside a string; the stored file holds them so, and `inspect --json` prints what is stored.
        using var disk = BuildRoot(out var root);
        var json = System.IO.Path.Combine(root, "graph", ImageId, "json");
        var stored = System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(json), "\"v(\\\\u009[bB]|\u009b)\"", "\"v\u009b\u007f\"");
        Assert.Contains("v\u009b\u007f", stored, StringComparison.Ordinal);
        File.WriteAllText(json, stored);

        var (exit, output, error) = CliRunner.Run("--root", root, "inspect", ImageId, "--json");

        Assert.True(exit == 0, error);
        AssertNoControlCharacter(output, ["inspect", "--json"]);
        Assert.Contains("v\\u009b\\u007f", output, StringComparison.Ordinal);
        var label = JsonDocument.Parse(output).RootElement.GetProperty("config").GetProperty("Labels").EnumerateObject().Single().Value.GetString();
        Assert.Equal("v\u009b\u007f", label);
    }

    [Theory]
    [InlineData("completion", "\u001b[2J")]
    [InlineData("inspect --type", "\u001b[2J")]
    [InlineData("logs --since", "\u001b[2J")]
    [InlineData("logs --until", "1\u001b[2J")]
    public void AParseErrorOfAValue_ShowsTheValueEscaped(string option, string value)
    {
        string[] args = [.. option.Split(' '), value, option.StartsWith("logs", StringComparison.Ordinal) ? "redis-cache" : "busybox"];
        if (option == "completion")
        {
            args = ["completion", value];
        }

        var result = CliCapture.Run(["--sample", .. args]);

        Assert.Equal(2, result.ExitCode);
        AssertNoControlCharacter(result.Error, args);
        Assert.Contains("\\x1b[2J", result.Error, StringComparison.Ordinal);
    }

    private static void AssertNoControlCharacter(string text, string[] args)
    {
        var bad = text.Select((c, i) => (c, i)).Where(x => x.c != '\n' && (x.c < ' ' || x.c is >= '\u007f' and <= '\u009f')).ToList();
        Assert.True(bad.Count == 0, $"docker-aufs {string.Join(' ', args)}: control characters {string.Join(", ", bad.Select(b => $"U+{(int)b.c:X4} at {b.i}"))} in:\n{text}");
    }

    /// <summary>The hostile image's ID (the builder's IDs are the same on every build).</summary>
    private static string ImageId { get; set; } = string.Empty;

    /// <summary>The hostile container's ID.</summary>
    private static string ContainerId { get; set; } = string.Empty;

    private static string Resolve(string argument) =>
        argument.Replace(ImageRef, ImageId, StringComparison.Ordinal).Replace(ContainerRef, ContainerId, StringComparison.Ordinal);

    /// <summary>The hostile root on disk (so links and names are the kernel's), in a directory the caller deletes.</summary>
    private static TempDirectory BuildRoot(out string root)
    {
        var disk = new TempDirectory();
        root = disk.Combine("root");
        var builder = new DockerRootBuilder(new System.IO.Abstractions.FileSystem(), root);
        var bottom = builder.AddLayer(l => l.CreatedBy(Command).Comment(Comment).Author("author" + Esc)
            .File(FileName, "x").File(NewlineName, "y").Symlink("link", LinkTarget).File("etc/passwd", "root"));
        var top = builder.AddLayer(l => l.Parent(bottom).CreatedBy("/bin/sh -c #(nop) LABEL a=" + Esc).Config("{\"Labels\":{\"k" + Esc.Replace("\u001b", "\\u001b", StringComparison.Ordinal).Replace("\u0007", "\\u0007", StringComparison.Ordinal) + "\":\"v\\u009b\"}}"));
        builder.Tag(Repository + ":" + Tag, top);
        ImageId = top;
        ContainerId = builder.AddContainer(c => c.Name(ContainerName).Image(top, Repository + ":" + Tag).Command(Command, "-c", "echo \u001b[31m")
            .Changes(l => l.File(FileName, "changed")));
        builder.Build();
        return disk;
    }
}
