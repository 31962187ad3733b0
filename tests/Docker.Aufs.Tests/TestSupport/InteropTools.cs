using System.Diagnostics;
using System.Text;

namespace Docker.Aufs.Tests.TestSupport;

/// <summary>
/// The tools we did not write that prove our archives (skopeo, umoci, tar-split, oci-image-tool, GNU tar). A test that needs
/// one and cannot find it fails when the environment variable <c>CI</c> is set, and is skipped otherwise.
/// </summary>
internal static class InteropTools
{
    public static string Require(string tool)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(directory, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        var message = $"{tool} is not installed (Debian: apt-get install {tool})";
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Assert.Fail(message + "; CI requires it");
        }

        Assert.Skip(message);
        return tool;
    }

    /// <summary>Runs a tool; fails the test with its output unless it exits 0.</summary>
    public static string Run(string tool, params string[] arguments) => Encoding.UTF8.GetString(RunBytes(tool, null, arguments));

    /// <summary>Runs a tool in a working directory; fails the test with its output unless it exits 0.</summary>
    public static string RunIn(string workingDirectory, string tool, params string[] arguments) => Encoding.UTF8.GetString(RunBytes(tool, workingDirectory, arguments));

    /// <summary>Runs a tool and returns its exit code, stdout and stderr, whatever the exit code.</summary>
    public static (int Exit, string Out, string Err) TryRun(string tool, params string[] arguments)
    {
        var (exit, output, error) = Execute(Require(tool), null, arguments);
        return (exit, Encoding.UTF8.GetString(output), error);
    }

    public static byte[] RunBytes(string tool, string? workingDirectory, params string[] arguments)
    {
        var (exit, output, error) = Execute(Require(tool), workingDirectory, arguments);
        Assert.True(exit == 0, $"{tool} {string.Join(' ', arguments)} exited {exit}:\n{error}");
        return output;
    }

    private static (int Exit, byte[] Out, string Err) Execute(string path, string? workingDirectory, string[] arguments)
    {
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // skopeo and umoci want a writable HOME and TMPDIR; keep their state out of the user's.
        start.Environment["TMPDIR"] = System.IO.Path.GetTempPath();
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        using var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        return (process.ExitCode, output.ToArray(), error.Result);
    }
}
