using System.CommandLine;
using System.Runtime.CompilerServices;
using System.IO.Abstractions;
using Docker.Aufs.Cli.Commands;
using Docker.Aufs.Cli.Output;
using Docker.Aufs.Testing;
using Microsoft.Extensions.Logging;

namespace Docker.Aufs.Cli;

/// <summary>
/// What the CLI talks to: its streams, clock and file system (the real ones, or test doubles). <paramref name="StandardOutput"/>
/// is standard output as bytes, for commands that write raw file content (<c>cat</c>, <c>export -o -</c>); text goes to
/// <paramref name="Out"/>. <paramref name="ErrorIsTerminal"/> says whether stderr is a terminal (for progress bars),
/// <paramref name="OutputIsTerminal"/> whether stdout is (where <c>-o -</c> refuses to write a tar).
/// </summary>
internal sealed record CliEnvironment(TextWriter Out, TextWriter Error, TimeProvider Time, IFileSystem FileSystem, Stream? StandardOutput = null, bool ErrorIsTerminal = false,
    bool OutputIsTerminal = false)
{
    /// <summary>Gets standard input as bytes (<c>import -</c>), or <see langword="null"/> for the process's own.</summary>
    public Stream? StandardInput { get; init; }

    /// <summary>Gets whether <see cref="StandardOutput"/> is the process's own descriptor 1 (which the shell may have pointed anywhere, so outputs to it are checked like <c>-o PATH</c>).</summary>
    public bool StandardOutputIsProcess { get; init; }

    /// <summary>Gets the token SIGINT and SIGTERM cancel (<see cref="CliProcess"/>); every command stops on it.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Gets the outputs this run committed (<see cref="Docker.Aufs.IO.PendingOutputs.Log"/>), so a stop can say whether one was written.</summary>
    internal List<string> Committed { get; } = [];

    /// <summary>Gets whether the stop was reported (1), so that it is reported once.</summary>
    internal StrongBox<int> StopReported { get; } = new();

    /// <summary>Standard output as bytes: <see cref="StandardOutput"/>, or the process's own when none was given.</summary>
    public Stream OpenStandardOutput()
    {
        Out.Flush();
        return StandardOutput ?? Console.OpenStandardOutput();
    }

    /// <summary>Standard input as bytes: <see cref="StandardInput"/>, or the process's own when none was given.</summary>
    public Stream OpenStandardInput() => StandardInput ?? Console.OpenStandardInput();
}

/// <summary>The options every command accepts.</summary>
internal sealed class GlobalOptions
{
    public Option<string?> Root { get; } = new("--root")
    {
        Description = $"The Docker root to read (default {DockerRoot.DefaultPath})",
        HelpName = "DIR",
        Recursive = true,
    };

    public Option<bool> Sample { get; } = new("--sample")
    {
        Description = "Read the built-in sample root (busybox and redis on an AUFS host; graph era unless --store content-addressed; on overlay, overlay2 or vfs with --driver), in memory",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json") { Description = "Write JSON instead of a table", Recursive = true };

    public Option<string?> Driver { get; } = new Option<string?>("--driver")
    {
        Description = $"The storage driver whose data to read, as Docker names it ({string.Join(", ", DockerRoot.StorageDrivers)}; default: detected as Docker does)",
        HelpName = "NAME",
        Recursive = true,
    }.DriverName();

    public Option<bool> Lenient { get; } = new("--lenient")
    {
        Description = "Warn instead of failing when the image store and the driver disagree about a layer chain",
        Recursive = true,
    };

    public Option<ImageStoreKind?> Store { get; } = new("--store")
    {
        Description = "The image store to read: content-addressed (image/<driver>/, Docker 1.10+) or graph (graph/, Docker 0.7-1.9; also what a 1.10+ Docker left unmigrated). Default: as Docker does, content-addressed when the root has it",
        HelpName = "graph|content-addressed",
        Recursive = true,
        CustomParser = result => result.Tokens.Count == 0 ? null : result.Tokens[0].Value switch
        {
            "graph" => ImageStoreKind.Graph,
            "content-addressed" or "cas" => ImageStoreKind.ContentAddressed,
            var other => Invalid(result, ValueRules.Printable(other)),
        },
    };

    public GlobalOptions()
    {
        Store.CompletionSources.Clear();
        Store.CompletionSources.Add("graph", "content-addressed"); // as typed, not the enum's names
    }

    private static ImageStoreKind? Invalid(System.CommandLine.Parsing.ArgumentResult result, string value)
    {
        result.AddError($"{value} is not an image store: use graph or content-addressed");
        return null;
    }

    public Option<bool> Debug { get; } = new("--debug") { Description = "Show debug messages and stack traces", Recursive = true };
}

/// <summary>Where the in-memory sample lives.</summary>
internal static class LegacyRootDefaults
{
    public const string Path = DockerRoot.DefaultPath;
}

/// <summary>One invocation: the parsed options and the environment.</summary>
internal sealed class Session(ParseResult parse, GlobalOptions options, CliEnvironment environment)
{
    public CliEnvironment Environment { get; } = environment;

    public TextWriter Out => Environment.Out;

    public bool Json => parse.GetValue(options.Json);

    public DateTimeOffset Now => Environment.Time.GetUtcNow();

    public T? Value<T>(Option<T> option) => parse.GetValue(option);

    public T? Value<T>(Argument<T> argument) => parse.GetValue(argument);

    public StderrLoggerFactory LoggerFactory { get; } = new StderrLoggerFactory(environment.Error, parse.GetValue(options.Debug) ? LogLevel.Debug : LogLevel.Warning);

    private BuiltRoot? _sample;

    /// <summary>The options of <c>--driver</c>, <c>--lenient</c> and logging; with <c>--sample</c>, the sample's recorded metadata.</summary>
    public DockerRootOptions RootOptions() => new()
    {
        Driver = parse.GetValue(options.Driver),
        LoggerFactory = LoggerFactory,
        StrictChains = !parse.GetValue(options.Lenient),
        Metadata = parse.GetValue(options.Sample) ? Sample().Metadata : null,
        Store = parse.GetValue(options.Sample) ? null : parse.GetValue(options.Store),
    };

    /// <summary>
    /// The Docker root that outputs must stay out of, for commands that create directories (import, sample) rather than read a
    /// root: the one <c>--root</c> names, else the default one; none with <c>--sample</c> (it lives in memory).
    /// </summary>
    public (System.IO.Abstractions.IFileSystem? FileSystem, string? Path) ProtectedRoot() => parse.GetValue(options.Sample)
        ? (null, null)
        : (Environment.FileSystem, parse.GetValue(options.Root) ?? DockerRoot.DefaultPath);

    /// <summary>The in-memory file system holding the sample root, written on first use.</summary>
    public System.IO.Abstractions.IFileSystem SampleFileSystem() => Sample().FileSystem;

    /// <summary>Opens the root named by <c>--root</c>, or the in-memory sample with <c>--sample</c>.</summary>
    public IDockerRoot OpenRoot() => parse.GetValue(options.Sample)
        ? DockerRoot.Open(SampleFileSystem(), LegacyRootDefaults.Path, RootOptions())
        : DockerRoot.Open(Environment.FileSystem, parse.GetValue(options.Root), RootOptions());

    /// <summary>The sample root: graph era, or a 1.10+ root with <c>--store content-addressed</c> (on overlay2 or vfs with <c>--driver</c>).</summary>
    private BuiltRoot Sample() => _sample ??= SampleRoots.Write(SampleBuilder(new System.IO.Abstractions.TestingHelpers.MockFileSystem(), LegacyRootDefaults.Path, Docker.Aufs.IO.SpecialFileMode.Recorded));

    /// <summary>A builder for the sample as <c>--store</c> and <c>--driver</c> ask: a driver other than aufs implies the 1.10+ store unless <c>--store</c> names one.</summary>
    /// <exception cref="NotSupportedException">The sample cannot be written with that store and driver.</exception>
    public DockerRootBuilder SampleBuilder(System.IO.Abstractions.IFileSystem fileSystem, string path, Docker.Aufs.IO.SpecialFileMode specialFiles)
    {
        var driver = parse.GetValue(options.Driver) ?? "aufs";
        var store = parse.GetValue(options.Store) ?? (driver == "aufs" ? ImageStoreKind.Graph : ImageStoreKind.ContentAddressed);
        if (driver is not ("aufs" or "overlay" or "overlay2" or "vfs") || (driver == "overlay2" && store == ImageStoreKind.Graph))
        {
            throw new NotSupportedException($"the built-in sample is written with the aufs, overlay or vfs driver (either store) or with overlay2 (the content-addressed store), not with {driver} and the {store} store");
        }

        return new DockerRootBuilder(fileSystem, store, driver, path, specialFiles);
    }
}

/// <summary>The <c>docker-aufs</c> command line: parsing, dispatch, and the error policy (one line on stderr, exit 1; usage errors exit 2).</summary>
internal static class CliApp
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;

    /// <summary>The exit code when standard output's reader has gone: 128 + SIGPIPE, what a shell reports for a program SIGPIPE stopped.</summary>
    public const int OutputClosed = 141;

    public static int Run(string[] args, CliEnvironment environment)
    {
        var options = new GlobalOptions();
        var root = BuildCommandLine(options, environment);

        // No response files: an argument beginning with '@' is a name (a path in an image, a file), never a host file to read arguments from.
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (UsageErrors.Find(parse, args) is { } problem)
        {
            // Values quoted by ValueRules.Printable are shown escaped already; a message that still holds a raw control
            // character (the parser's own, quoting a value as typed: `Argument '…' not recognized`) is escaped whole.
            environment.Error.WriteLine($"docker-aufs: {(HoldsRawControl(problem) ? TerminalText.Escape(problem) : problem)}");
            environment.Error.WriteLine(UsageErrors.UsageLine(parse));
            return UsageError;
        }

        if (parse.GetValue(options.Sample) && parse.GetResult(options.Root) is not null)
        {
            environment.Error.WriteLine("docker-aufs: --root and --sample cannot be used together");
            environment.Error.WriteLine(UsageErrors.UsageLine(parse));
            return UsageError;
        }

        // Signals are handled by CliProcess, whose token every command watches; System.CommandLine's own handler is off.
        return parse.Invoke(new InvocationConfiguration { Output = environment.Out, Error = environment.Error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
    }

    /// <summary>The whole command tree, every text value checked where it is parsed (<see cref="ValueRules"/>).</summary>
    internal static RootCommand BuildCommandLine(GlobalOptions options, CliEnvironment environment)
    {
        var root = new RootCommand("Read the storage of Docker 0.7-23.x (/var/lib/docker: graph/ or image/<driver>/; drivers aufs, overlay, overlay2 and vfs) offline, without a daemon: images, containers, files, archives.")
        {
            options.Root,
            options.Sample,
            options.Json,
            options.Driver,
            options.Store,
            options.Lenient,
            options.Debug,
        };

        foreach (var command in new[]
        {
            ImagesCommand.Create(options, environment),
            LayersCommand.Create(options, environment),
            HistoryCommand.Create(options, environment),
            InspectCommand.Create(options, environment),
            SampleCommand.Create(options, environment),
            ContainersCommand.Create(options, environment),
            LogsCommand.Create(options, environment),
            LsCommand.Create(options, environment),
            CatCommand.Create(options, environment),
            CpCommand.Create(options, environment),
            DiffCommand.Create(options, environment),
            ExportCommand.Create(options, environment),
            FsckCommand.Create(options, environment),
            SaveCommand.Create(options, environment),
            LayerTarCommand.Create(options, environment),
            DigestCommand.Create(options, environment),
            ImportCommand.Create(options, environment),
            CompletionCommand.Create(options, environment),
        })
        {
            root.Add(command);
        }

        foreach (var version in root.Options.OfType<VersionOption>())
        {
            version.Action = new VersionAction(environment);
        }

        ValueRules.ApplyToTree(root);
        return root;
    }

    /// <summary>
    /// What <c>--version</c> prints, in the docker CLI's shape (<c>Docker version 18.09.1, build 4c52b90</c>):
    /// <c>docker-aufs version 0.2.0, build 61b11b0</c>; the build is the commit, shortened, when the build recorded one.
    /// </summary>
    internal static string VersionLine()
    {
        var informational = typeof(CliApp).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), inherit: false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "unknown";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0
            ? $"docker-aufs version {informational}"
            : $"docker-aufs version {informational[..plus]}, build {informational[(plus + 1)..][..Math.Min(7, informational.Length - plus - 1)]}";
    }

    private sealed class VersionAction(CliEnvironment environment) : System.CommandLine.Invocation.SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            environment.Out.WriteLine(VersionLine());
            return Success;
        }
    }

    /// <summary>Runs a command body under the CLI's error policy.</summary>
    public static int Execute(ParseResult parse, GlobalOptions options, CliEnvironment environment, Func<Session, int> body)
    {
        var session = new Session(parse, options, environment);
        var debug = parse.GetValue(options.Debug);
        var log = Docker.Aufs.IO.PendingOutputs.Log.Value;
        Docker.Aufs.IO.PendingOutputs.Log.Value = environment.Committed; // what this run commits, for the stop's report
        try
        {
            if (environment.StandardOutputIsProcess)
            {
                // Whatever the command writes there (a listing, cat's bytes, -o -): never into a file the shell opened inside the root.
                var (rootFileSystem, rootPath) = session.ProtectedRoot();
                Docker.Aufs.IO.OutputGuard.CheckStandardOutput(rootFileSystem, rootPath);
            }

            using (session.LoggerFactory)
            {
                var exit = body(session);

                // A listing that skipped parts of the root it may not read printed what it could: a partial result, exit 1.
                return exit == Success && session.LoggerFactory.UnreadableCount > 0 ? Failure : exit;
            }
        }
        catch (OutputClosedException)
        {
            return OutputClosed; // the reader of standard output has gone (| head): stop quietly, as a program killed by SIGPIPE does
        }
        catch (OperationCanceledException) when (environment.Cancellation.IsCancellationRequested)
        {
            ReportStopped(environment);
            return Failure; // CliProcess turns it into 128 + the signal's number
        }
        catch (NotADockerRootException e)
        {
            return Fail(environment, $"{e.Message} (use --root DIR to read another root, or --sample to try the built-in sample)", e, debug);
        }
        catch (DockerAufsException e)
        {
            return Fail(environment, e.Message, e, debug);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            // A part of the root this process may not read: one line naming it and the access that fixes it, not errno text.
            var denied = parse.GetValue(options.Sample) ? null : DockerRoot.DescribeAccessDenied(environment.FileSystem, parse.GetValue(options.Root), e);
            return Fail(environment, denied?.Message ?? e.Message, e, debug);
        }
        catch (Exception e) when (!debug)
        {
            return Fail(environment, $"internal error: {e.GetType().Name}: {e.Message} (run with --debug for details, and please report it)", e, debug: false);
        }
        finally
        {
            Docker.Aufs.IO.PendingOutputs.Log.Value = log;
        }
    }

    /// <summary>Whether <paramref name="text"/> holds a character a terminal could act on (C0, DEL, C1) or a lone surrogate.</summary>
    private static bool HoldsRawControl(string text) =>
        text.AsSpan().IndexOfAnyInRange('\u0000', '\u001f') >= 0 || text.AsSpan().IndexOfAnyInRange('\u007f', '\u009f') >= 0
        || (TerminalText.NeedsQuoting(text) && !text.StartsWith("$'", StringComparison.Ordinal));

    /// <summary>
    /// Says once per run that a signal stopped the command (from the command, from <see cref="CliProcess"/>'s deadline, or
    /// after a command that finished although a signal came), and whether an output was committed before it: that answer is
    /// read under the commit gate (<see cref="Docker.Aufs.IO.PendingOutputs.Committed"/>) once the token is cancelled, so it
    /// is final and true. The exit code stays 128 + the signal's number either way.
    /// </summary>
    public static void ReportStopped(CliEnvironment environment)
    {
        if (Interlocked.Exchange(ref environment.StopReported.Value, 1) == 0)
        {
            environment.Error.WriteLine(StoppedLine(Docker.Aufs.IO.PendingOutputs.Committed(environment.Committed)));
        }
    }

    /// <summary>The line that reports a stop, given the outputs committed before it.</summary>
    internal static string StoppedLine(IReadOnlyList<string> committed) => committed.Count switch
    {
        0 => "docker-aufs: stopped by a signal; no output file was written",
        1 => $"docker-aufs: stopped by a signal after the output was written: {TerminalText.Escape(committed[0])}",
        var count => $"docker-aufs: stopped by a signal after {count} outputs were written (the last: {TerminalText.Escape(committed[^1])})",
    };

    /// <summary>Writes the one line of a failure (escaped: messages quote names from the root), and with --debug the trace, line by line.</summary>
    private static int Fail(CliEnvironment environment, string message, Exception e, bool debug)
    {
        environment.Error.WriteLine($"docker-aufs: {TerminalText.Escape(message)}");
        if (debug)
        {
            foreach (var line in e.ToString().Split('\n'))
            {
                environment.Error.WriteLine(TerminalText.Escape(line.TrimEnd('\r')));
            }
        }

        return Failure;
    }
}
