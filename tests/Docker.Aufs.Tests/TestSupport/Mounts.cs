using System.Diagnostics;

namespace Docker.Aufs.Tests.TestSupport;

/// <summary>
/// A mount made for one test with mount(8) and undone when disposed (tests run as root, as CI does). A test that needs
/// one fails with the reason when mounting is not possible, rather than passing without having run.
/// </summary>
internal sealed class Mounts : IDisposable
{
    private readonly List<string> _mountPoints = [];

    /// <summary>Makes <paramref name="source"/> visible at <paramref name="target"/> too (<c>mount --bind</c>).</summary>
    public void Bind(string source, string target) => Mount(target, "--bind", source, target);

    /// <summary>Mounts an empty tmpfs at <paramref name="target"/>.</summary>
    public void Tmpfs(string target) => Mount(target, "-t", "tmpfs", "none", target);

    /// <summary>Unmounts everything mounted here, the last first (lazily when busy, so nothing is left mounted).</summary>
    public void Dispose()
    {
        for (var i = _mountPoints.Count - 1; i >= 0; i--)
        {
            if (Run("umount", _mountPoints[i]).Exit != 0)
            {
                _ = Run("umount", "-l", _mountPoints[i]);
            }
        }

        _mountPoints.Clear();
    }

    private void Mount(string target, params string[] arguments)
    {
        var (exit, error) = Run("mount", arguments);
        Assert.True(exit == 0, $"this test needs to mount (as root, as CI runs it): mount {string.Join(' ', arguments)} failed with {exit}: {error}");
        _mountPoints.Add(target);
    }

    private static (int Exit, string Error) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, error.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
