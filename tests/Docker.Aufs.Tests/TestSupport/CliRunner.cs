using System.IO.Abstractions;
using System.Text.Json;
using Docker.Aufs.Cli;

namespace Docker.Aufs.Tests.TestSupport;

/// <summary>Runs the CLI in-process with captured streams and a fixed clock.</summary>
internal static class CliRunner
{
    public static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    public static (int Exit, string Out, string Err) Run(IFileSystem fileSystem, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var raw = new MemoryStream(); // cat and export -o - write bytes: appended to the text output, never to the test host's stdout
        var exit = CliApp.Run(args, new CliEnvironment(output, error, new FixedTime(Now), fileSystem, raw));
        return (exit, output + System.Text.Encoding.UTF8.GetString(raw.ToArray()), error.ToString());
    }

    public static (int Exit, string Out, string Err) Run(params string[] args) => Run(new FileSystem(), args);

    public static JsonElement Json(params string[] args)
    {
        var (exit, output, error) = Run(args);
        Assert.True(exit == 0, $"exit {exit}: {error}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
