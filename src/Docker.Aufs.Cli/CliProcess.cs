using System.Runtime.InteropServices;
using System.Text;
using Docker.Aufs.Cli.Output;
using Docker.Aufs.IO;

namespace Docker.Aufs.Cli;

/// <summary>
/// The process around <see cref="CliApp.Run"/>: standard output that reports a reader who left, and the stop policy for
/// SIGINT, SIGTERM, SIGHUP and SIGQUIT (docs/hostile-input.md, "Stopping"). The first signal cancels the command's token
/// (<see cref="CliEnvironment.Cancellation"/>): writers stop mid-layer and remove their temporary files. Should the command
/// still run <see cref="Grace"/> later (blocked in a system call: a fifo nobody opened, a full pipe), the process removes
/// every pending temporary output itself and exits. Either way the exit code is 128 + the first signal's number (129 for
/// SIGHUP, 130 for SIGINT, 131 for SIGQUIT, 143 for SIGTERM); later signals are absorbed, so no sequence of them throws or changes the outcome.
/// </summary>
internal static class CliProcess
{
    /// <summary>How long a cancelled command has to stop by itself before the process stops it.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(500);

    /// <summary>The process's signal handlers, rooted until it exits (a signal during shutdown is absorbed too).</summary>
    private static readonly List<PosixSignalRegistration> Registrations = [];

    public static int Run(string[] args)
    {
        CliEnvironment? current = null;
        using var stop = new StopSignals(() =>
        {
            if (current is { } environment)
            {
                CliApp.ReportStopped(environment);
            }
        });
        Stream stdout = OperatingSystem.IsLinux() ? new StandardOutputStream() : Console.OpenStandardOutput();
        // Text to a terminal appears line by line; to a pipe or file it goes in 64 KiB writes (a line per write(2) was a
        // third of a large listing's time). Raw output flushes the text first (CliEnvironment.OpenStandardOutput).
        var outputIsTerminal = !Console.IsOutputRedirected;
        var text = OperatingSystem.IsLinux()
            ? new StreamWriter(stdout, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), outputIsTerminal ? 4096 : 64 * 1024, leaveOpen: true) { AutoFlush = outputIsTerminal }
            : Console.Out;
        var fileSystem = new System.IO.Abstractions.FileSystem();
        args = NativeArguments.Recover(args, fileSystem);
        var environment = new CliEnvironment(text, Console.Error, TimeProvider.System, fileSystem, stdout,
            ErrorIsTerminal: !Console.IsErrorRedirected, OutputIsTerminal: outputIsTerminal)
        {
            Cancellation = stop.Token,
            StandardOutputIsProcess = true,
        };
        current = environment;
        int exit;
        try
        {
            exit = FlushOutput(text, environment, CliApp.Run(args, environment), TryReport);
        }
        catch (OutputClosedException)
        {
            exit = CliApp.OutputClosed;
        }
        catch (IOException e)
        {
            // Standard output failed otherwise (a full disk, /dev/full, an I/O error) where no command catches it: in
            // --help or --version. One line, exit 1, as for a failure inside a command.
            exit = CliApp.Failure;
            TryReport($"docker-aufs: cannot write standard output: {e.Message}");
        }

        stop.Finish();
        return Conclude(environment, exit, stop.ExitCode);
    }

    /// <summary>
    /// The exit code once the command returned: when a signal came (<paramref name="signalExit"/>, 128 + its number) it is
    /// that, and the stop is reported (once) even when the command finished anyway (the signal came after its last check, or
    /// after its commit while the summary printed), saying whether the output was written: decided under the commit gate.
    /// </summary>
    internal static int Conclude(CliEnvironment environment, int exit, int? signalExit)
    {
        if (signalExit is not { } stopped)
        {
            return exit;
        }

        CliApp.ReportStopped(environment);
        return stopped;
    }

    /// <summary>
    /// Flushes the text the command left buffered for standard output (its summary, a listing) and gives the exit code. When
    /// standard output cannot take it, what happens depends on whether the command committed an output file (<c>-o FILE</c>,
    /// <c>sample DIR</c>): then the file is written and stays, the summary was only a report of it, so the command's own
    /// exit code stands (quietly when the reader left, with one line when the descriptor failed otherwise, e.g. closed with
    /// <c>&gt;&amp;-</c>); with nothing committed the text was the output, and its loss is exit 141 (reader gone) or 1 with one line.
    /// </summary>
    internal static int FlushOutput(TextWriter text, CliEnvironment environment, int exit, Action<string> report)
    {
        try
        {
            text.Flush();
            return exit;
        }
        catch (OutputClosedException)
        {
            return environment.Committed.Count > 0 ? exit : CliApp.OutputClosed;
        }
        catch (IOException e)
        {
            if (environment.Committed is [.., var written])
            {
                report($"docker-aufs: wrote {TerminalText.Escape(written)}, but could not print the summary: cannot write standard output: {e.Message}");
                return exit;
            }

            report($"docker-aufs: cannot write standard output: {e.Message}");
            return CliApp.Failure;
        }
    }

    /// <summary>Writes one line to stderr, unless stderr itself cannot be written (then the exit code says it all).</summary>
    private static void TryReport(string line)
    {
        try
        {
            Console.Error.WriteLine(line);
        }
        catch (IOException)
        {
            // Nothing else to tell it with.
        }
    }

    /// <summary>SIGINT, SIGTERM, SIGHUP and SIGQUIT, handled instead of the runtime's default (which kills the process mid-write).</summary>
    private sealed class StopSignals : IDisposable
    {
        private readonly CancellationTokenSource _source = new();
        private int _signal;
        private int _finished;
        private readonly Action _report;
        private Timer? _deadline;

        public StopSignals(Action report)
        {
            _report = report;
            Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle));
            Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle));
            Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, Handle)); // the terminal closed, the ssh session dropped
            Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Handle));
        }

        public CancellationToken Token => _source.Token;

        /// <summary>Gets 128 + the first signal's number, or <see langword="null"/> when none came.</summary>
        public int? ExitCode => Volatile.Read(ref _signal) is var signal and not 0 ? 128 + signal : null;

        /// <summary>The command returned: the deadline no longer applies.</summary>
        public void Finish() => Interlocked.Exchange(ref _finished, 1);

        public void Dispose()
        {
            _deadline?.Dispose();
            // The registrations stay until the process ends (Registrations roots them): a signal arriving while it shuts
            // down is absorbed too, so the exit code stays the first signal's. The token source stays for the same reason.
        }

        private void Handle(PosixSignalContext context)
        {
            context.Cancel = true; // never the default action: the command stops itself and cleans up
            var number = context.Signal switch { PosixSignal.SIGHUP => 1, PosixSignal.SIGINT => 2, PosixSignal.SIGQUIT => 3, _ => 15 };

            // The one place the stop is decided: the first handler to get here sets the number, no other code writes it. The
            // runtime reads signals in the order they were delivered but runs each one's handlers on a thread of its own
            // (SIGINT, SIGTERM, SIGQUIT: a new thread each; SIGHUP: the thread pool), so two signals closer together than
            // it takes to start that thread can reach this line in either order; the exit code is then that of one of the
            // signals sent, never another (docs/hostile-input.md, "Stopping on SIGINT and SIGTERM").
            if (Interlocked.CompareExchange(ref _signal, number, 0) != 0)
            {
                return; // a later signal: the first one's stop is under way
            }

            _deadline = new Timer(_ => Deadline(), null, Grace, Timeout.InfiniteTimeSpan);
            try
            {
                _source.Cancel();
            }
            catch (AggregateException)
            {
                // A registration threw while cancelling; the command still sees the token cancelled.
            }
        }

        private void Deadline()
        {
            if (Volatile.Read(ref _finished) != 0)
            {
                return;
            }

            PendingOutputs.DeleteAll();
            _report();
            Environment.Exit(ExitCode ?? CliApp.Failure);
        }
    }
}

/// <summary>Standard output could not be written: its reader has gone (EPIPE). Not an error to report: the process stops quietly.</summary>
internal sealed class OutputClosedException() : IOException("standard output was closed by its reader");

/// <summary>
/// File descriptor 1 as a stream that fails on the first write its reader no longer takes. .NET ignores SIGPIPE and its
/// console stream drops EPIPE silently (so <c>| head</c> would read a gigabyte on and exit 0); this stream writes to the
/// descriptor with <c>write(2)</c> (<see cref="LinuxNative.WriteAll"/>, at the descriptor's own offset, as the console
/// stream does) and turns EPIPE into <see cref="OutputClosedException"/>. Unbuffered: every write reaches the descriptor.
/// </summary>
internal sealed class StandardOutputStream : WriteOnlyStream
{
    private const int BrokenPipe = 32; // EPIPE on Linux

    public override void Flush()
    {
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("docker-aufs writes standard output with write(2), on Linux");
        }

        try
        {
            LinuxNative.WriteAll(1, buffer);
        }
        catch (IOException e) when (e.HResult == BrokenPipe)
        {
            throw new OutputClosedException();
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }
}
