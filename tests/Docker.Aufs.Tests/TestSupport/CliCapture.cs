using System.IO.Abstractions;
using Docker.Aufs.Cli;

namespace Docker.Aufs.Tests.TestSupport;

/// <summary>Runs the CLI in-process with captured text streams, captured binary standard output and a fixed clock.</summary>
internal static class CliCapture
{
    public static readonly DateTimeOffset Now = new(2018, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static CliResult Run(IFileSystem fileSystem, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var bytes = new MemoryStream();
        var exitCode = CliApp.Run(args, new CliEnvironment(output, error, new FixedTime(Now), fileSystem, StandardOutput: bytes));
        return new CliResult(exitCode, output.ToString(), error.ToString(), bytes.ToArray());
    }

    public static CliResult Run(params string[] args) => Run(new FileSystem(), args);

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

internal sealed record CliResult(int ExitCode, string Out, string Error, byte[] Bytes)
{
    public string[] Lines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
