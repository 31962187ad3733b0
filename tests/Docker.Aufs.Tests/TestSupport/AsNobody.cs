using System.Diagnostics;
using Docker.Aufs.Cli;

namespace Docker.Aufs.Tests.TestSupport;

/// <summary>
/// Runs the CLI as a user without privileges (uid and gid 65534, no supplementary groups) through <c>setpriv</c>: how a
/// test reads a root-owned copy as a forensic examiner without root does. The tests run as root, which the kernel lets
/// read anything, so only another process can meet <c>EACCES</c>.
/// </summary>
internal static class AsNobody
{
    private static readonly string? SetPriv = new[] { "/usr/bin/setpriv", "/bin/setpriv" }.FirstOrDefault(File.Exists);

    /// <summary>Gets why the tests cannot act as another user here, or <see langword="null"/> when they can.</summary>
    public static string? Unavailable =>
        !OperatingSystem.IsLinux() ? "setpriv is Linux's" : !Docker.Aufs.IO.LinuxNative.IsRoot ? "changing user needs root" : SetPriv is null ? "setpriv is not installed" : null;

    /// <summary>
    /// The CLI's assemblies where the other user can reach them: a checkout is often where only its owner may look (a clean
    /// clone in a 0700 temporary directory, as CI makes), so they are copied once into a directory open to all, removed when
    /// the test process ends.
    /// </summary>
    private static readonly Lazy<string> Staged = new(() =>
    {
        var source = Path.GetDirectoryName(typeof(CliApp).Assembly.Location)!;
        var target = Path.Combine(Path.GetTempPath(), $"docker-aufs-nobody-{Environment.ProcessId}");
        Directory.CreateDirectory(target);
        const UnixFileMode Open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
            | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(target, Open);
        foreach (var file in Directory.EnumerateFiles(source).Where(f => f.EndsWith(".dll", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal)))
        {
            var copy = Path.Combine(target, Path.GetFileName(file));
            File.Copy(file, copy, overwrite: true);
            File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(target, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: the temporary directory.
            }
        };
        return target;
    });

    /// <summary>Runs <c>docker-aufs</c> with <paramref name="args"/> as uid/gid 65534 and returns its exit code and output.</summary>
    public static (int Exit, string Out, string Err) Cli(params string[] args)
    {
        var cli = Path.Combine(Staged.Value, "docker-aufs.dll");
        var start = new ProcessStartInfo(SetPriv ?? "setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["--reuid=65534", "--regid=65534", "--clear-groups", "dotnet", cli, .. args])
        {
            start.ArgumentList.Add(argument);
        }

        // The runtime and the muxer look for a home of their own; the user has none.
        start.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
        start.Environment["HOME"] = Path.GetTempPath();
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill();
            throw new TimeoutException($"docker-aufs {string.Join(' ', args)} as nobody still ran after 120 s");
        }

        return (process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
    }
}
