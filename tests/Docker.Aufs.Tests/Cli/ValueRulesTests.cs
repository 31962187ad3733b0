using System.CommandLine;
using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Cli;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Cli;

/// <summary>
/// Every argument and option value is checked where it is parsed (issue 16 class 9, issue 13 bugs 1 and 8): an empty,
/// white-space or otherwise bad value is a usage error — exit 2, one line naming the option or argument, then the usage
/// line — and never reaches a command (no "internal error", nothing read, nothing written). The cases are taken from the
/// command tree itself, so an option or argument added later is covered without being listed here.
/// </summary>
public sealed class ValueRulesTests
{
    private static readonly string[] BlankValues = ["", " ", "\t ", "\n"];

    /// <summary>Every option that takes a value and every text argument, of every command, with each blank value.</summary>
    public static TheoryData<string, string[]> BlankValueInvocations()
    {
        var data = new TheoryData<string, string[]>();
        var root = Tree();
        foreach (var option in root.Options.Where(TakesValue))
        {
            foreach (var value in BlankValues)
            {
                data.Add(option.Name, option.Recursive ? [option.Name, value, "images"] : [option.Name, value]);
            }
        }

        foreach (var command in root.Subcommands)
        {
            var targets = command.Options.Where(TakesValue).Cast<Symbol>()
                .Concat(root.Options.Where(o => o.Recursive && TakesValue(o)))
                .Concat(command.Arguments);
            foreach (var target in targets)
            {
                foreach (var value in BlankValues)
                {
                    data.Add(Label(target), Invocation(command, target, value));
                }
            }
        }

        return data;
    }

    /// <summary>Every flag of every command given a value (<c>--json=maybe</c>).</summary>
    public static TheoryData<string, string[]> FlagWithValueInvocations()
    {
        var data = new TheoryData<string, string[]>();
        var root = Tree();
        foreach (var option in root.Options.Where(o => !TakesValue(o)))
        {
            data.Add(option.Name, option.Recursive ? [option.Name + "=maybe", "images"] : [option.Name + "=maybe"]);
        }

        foreach (var command in root.Subcommands)
        {
            foreach (var option in command.Options.Where(o => !TakesValue(o)))
            {
                data.Add(option.Name, [.. Invocation(command, null, null), option.Name + "=maybe"]);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BlankValueInvocations))]
    public void EveryOptionAndArgument_GivenABlankValue_IsAUsageErrorNamingIt(string name, string[] args) =>
        AssertUsageError(name, args);

    [Theory]
    [MemberData(nameof(FlagWithValueInvocations))]
    public void EveryFlag_GivenAValue_IsAUsageErrorNamingIt(string name, string[] args) =>
        AssertUsageError(name, args);

    [Theory]
    [InlineData("--driver", "--driver", "AUFS", "images")]
    [InlineData("--driver", "--driver", "Overlay2", "images")]
    [InlineData("--driver", "--driver", "../../etc", "images")]
    [InlineData("--driver", "--driver", "/var/lib/docker/aufs", "images")]
    [InlineData("--driver", "--driver", "aufs/", "images")]
    [InlineData("--driver", "--driver", "aufs2", "fsck")]
    [InlineData("--driver", "--driver", "fuse-overlayfs", "sample", "/out")]
    [InlineData("--driver", "ls", "busybox", "--driver", "x\ny")]
    [InlineData("--store", "--store", "bogus", "images")]
    [InlineData("--store", "--store", "Graph", "images")]
    [InlineData("--format", "save", "busybox", "-o", "/out.tar", "--format", "zip")]
    [InlineData("--format", "save", "busybox", "-o", "/out.tar", "--format", "OCI")]
    [InlineData("--layer-source", "save", "busybox", "-o", "/out.tar", "--layer-source", "tarsplit")]
    [InlineData("--layer-source", "layer-tar", "busybox", "-o", "/out.tar", "--layer-source", "fast")]
    [InlineData("--layer-source", "digest", "busybox", "--layer-source", "none")]
    [InlineData("--tar-split", "import", "/a.tar", "--into", "/new", "--tar-split", "v1")]
    [InlineData("REF", "ls", "busy\nbox")]
    [InlineData("REF", "cat", "busybox\t", "/etc/passwd")]
    [InlineData("REF", "export", "busybox\u001b[2J", "-o", "/out.tar")]
    [InlineData("REF", "save", "busybox", "redis\r", "-o", "/out.tar")]
    [InlineData("CONTAINER", "diff", "redis-cache\u0007")]
    [InlineData("LAYER-ID", "layer-tar", "\u007f", "-o", "/out.tar")]
    [InlineData("REF", "inspect", "busybox:")]
    [InlineData("REF", "inspect", "busybox@")]
    [InlineData("REF", "ls", "busybox:")]
    [InlineData("REF", "cat", "busybox@", "/etc/passwd")]
    [InlineData("REF", "export", ":latest", "-o", "/out.tar")]
    [InlineData("REF", "save", "busybox", "redis:", "-o", "/out.tar")]
    [InlineData("REF", "history", "busybox:")]
    [InlineData("REF", "layers", "busybox@")]
    [InlineData("REF", "digest", "busybox:")]
    [InlineData("CONTAINER", "diff", "redis-cache:")]
    [InlineData("CONTAINER", "logs", "redis-cache@")]
    [InlineData("LAYER-ID", "layer-tar", "busybox:", "-o", "/out.tar")]
    [InlineData("LAYER-ID", "layer-tar", "x y", "-o", "/out.tar")]
    [InlineData("LAYER-ID", "layer-tar", "Busybox", "-o", "/out.tar")]
    [InlineData("REF:PATH", "cp", "busybox::/etc/passwd", "/out")]
    [InlineData("REF:PATH", "cp", "busybox@:/etc/passwd", "/out")]
    public void BadValue_IsAUsageErrorNamingTheOption(string name, params string[] args) =>
        AssertUsageError(name, ["--sample", .. args]);

    [Fact]
    public void EmptyRoot_IsRefusedAndTheDefaultRootIsNotRead()
    {
        var fs = new MockFileSystem();
        SampleRoots.Write(fs, DockerRoot.DefaultPath);

        foreach (var command in new[] { "images", "fsck", "containers" })
        {
            var (exit, output, error) = CliRunner.Run(fs, "--root", "", command);

            Assert.Equal(2, exit);
            Assert.Equal("", output);
            Assert.StartsWith("docker-aufs: --root: the value is empty\n", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EmptyReference_SaysWhichArgumentIsEmpty_WhileAValueWithSpacesInsideIsAValue()
    {
        var (exit, output, error) = CliRunner.Run("--sample", "ls", "", "/");
        var spaced = CliRunner.Run("--sample", "ls", "busybox", " /etc ");

        Assert.Equal((2, ""), (exit, output));
        Assert.Equal("docker-aufs: ls: REF: the value is empty\nusage: docker-aufs ls [OPTIONS] REF [PATH]  (see 'docker-aufs ls --help')\n", error);
        Assert.Equal((1, "docker-aufs: / /etc : no such file or directory in the image\n"), (spaced.Exit, spaced.Err));
    }

    [Fact]
    public void EmptyTagOrDigest_IsRefusedAsDockersGrammarRefusesIt_SayingWhichPartIsEmpty()
    {
        var tag = CliRunner.Run("--sample", "inspect", "busybox:");
        var digest = CliRunner.Run("--sample", "inspect", "busybox@");

        Assert.Equal(2, tag.Exit);
        Assert.StartsWith("docker-aufs: inspect: REF: 'busybox:' is not a valid reference: its tag is empty (name[:tag], name@digest, or an ID)\n", tag.Err, StringComparison.Ordinal);
        Assert.Equal(2, digest.Exit);
        Assert.StartsWith("docker-aufs: inspect: REF: 'busybox@' is not a valid reference: its digest is empty", digest.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void LayerTar_ValueThatIsNeitherALayerNorAReference_SaysWhatItIsNot_WhileIdsAndReferencesStillResolve()
    {
        var (exit, output, error) = CliRunner.Run("--sample", "layer-tar", "x y", "-o", "/out.tar");

        Assert.Equal((2, ""), (exit, output));
        Assert.StartsWith("docker-aufs: layer-tar: LAYER-ID: 'x y' is neither a layer ID (hexadecimal, or a layer directory's name) nor an image reference (invalid reference format)\n", error, StringComparison.Ordinal);
        Assert.DoesNotContain("No such image", error, StringComparison.Ordinal);
        foreach (var layer in new[] { "busybox", "busybox:latest", SampleRoots.BusyboxLayers[1], SampleRoots.BusyboxLayers[1][..12] })
        {
            var fs = new MockFileSystem();
            fs.Directory.CreateDirectory("/o");
            var good = CliRunner.Run(fs, "--sample", "layer-tar", layer, "-o", "/o/out.tar");
            Assert.True(good.Exit == 0, layer + ": " + good.Err);
        }
    }

    [Fact]
    public void DriverOption_AcceptsExactlyTheDriversTheLibraryKnows_AsDockerSpellsThem()
    {
        foreach (var driver in DockerRoot.StorageDrivers)
        {
            var (exit, _, error) = CliRunner.Run(new MockFileSystem(), "--driver", driver, "images");

            Assert.Equal(1, exit); // parsed, then the (missing) root is opened with that driver
            Assert.DoesNotContain("--driver", error, StringComparison.Ordinal);
        }

        var (_, _, wrongCase) = CliRunner.Run("--sample", "--driver", "AUFS", "images");
        Assert.StartsWith("docker-aufs: --driver: 'AUFS' is not a storage driver (known: aufs, btrfs, zfs, overlay2, overlay, devicemapper, vfs); driver names are lower case: did you mean 'aufs'?\n", wrongCase, StringComparison.Ordinal);
    }

    private static void AssertUsageError(string name, string[] args)
    {
        var fs = new MockFileSystem();
        var before = fs.AllPaths.Order(StringComparer.Ordinal).ToList();

        var (exit, output, error) = CliRunner.Run(fs, args);

        var lines = error.TrimEnd('\n').Split('\n');
        Assert.True(exit == 2, $"exit {exit}: {error}");
        Assert.Equal("", output);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("docker-aufs: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(name, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", error, StringComparison.Ordinal);
        Assert.StartsWith("usage: docker-aufs ", lines[1], StringComparison.Ordinal);
        Assert.Equal(before, fs.AllPaths.Order(StringComparer.Ordinal));
    }

    private static RootCommand Tree() =>
        CliApp.BuildCommandLine(new GlobalOptions(), new CliEnvironment(TextWriter.Null, TextWriter.Null, TimeProvider.System, new MockFileSystem()));

    private static bool TakesValue(Option option) => option.Arity.MaximumNumberOfValues > 0 && option.ValueType != typeof(bool);

    private static string Label(Symbol symbol) => symbol is Argument argument ? argument.HelpName ?? argument.Name : symbol.Name;

    /// <summary>
    /// A command line for <paramref name="command"/> that is valid but for <paramref name="target"/> given
    /// <paramref name="value"/>: placeholders for its required options and the arguments before the target.
    /// </summary>
    private static string[] Invocation(Command command, Symbol? target, string? value)
    {
        var args = new List<string> { command.Name };
        foreach (var option in command.Options.Where(o => o.Required && o != target))
        {
            args.AddRange([option.Name, "/placeholder"]);
        }

        if (target is Option option1)
        {
            args.AddRange([option1.Name, value!]);
        }

        var arguments = command.Arguments.ToList();
        var at = target is Argument argument ? arguments.IndexOf(argument) : -1;
        for (var i = 0; i < arguments.Count; i++)
        {
            if (i == at)
            {
                args.Add(value!);
                break;
            }

            if (i < at || (arguments[i].Arity.MinimumNumberOfValues > 0 && !arguments[i].HasDefaultValue))
            {
                args.Add(arguments[i].Name switch { "SHELL" => "bash", "REF:PATH" => "busybox:/etc", _ => "busybox" }); // a value each argument accepts (completion's SHELL is one of four; cp's source has a colon)
            }
        }

        return [.. args];
    }
}
