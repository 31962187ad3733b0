using System.Diagnostics;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Cli;

/// <summary>
/// <c>completion bash|zsh|fish|powershell</c> (issue 13, feature 15): each script is produced from the command tree; bash's
/// is valid (<c>bash -n</c>) and completes command, option and value prefixes when bash runs it with COMP_WORDS set.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CompletionCommandTests
{
    private static string Script(string shell)
    {
        var (exit, output, error) = CliRunner.Run("completion", shell);
        Assert.Equal((0, string.Empty), (exit, error));
        return output;
    }

    private static (int Exit, string Out, string Err) Bash(string script)
    {
        using var bash = Process.Start(new ProcessStartInfo("bash", ["--norc", "--noprofile", "-s"]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        bash.StandardInput.Write(script);
        bash.StandardInput.Close();
        var output = bash.StandardOutput.ReadToEndAsync();
        var error = bash.StandardError.ReadToEnd();
        bash.WaitForExit();
        return (bash.ExitCode, output.Result, error);
    }

    [Fact]
    public void CompletionBash_IsValidBash()
    {
        var file = Path.Combine(Path.GetTempPath(), $"docker-aufs-completion-{Guid.NewGuid():N}.bash");
        File.WriteAllText(file, Script("bash"));
        try
        {
            Assert.Equal((0, string.Empty), (Bash($"bash -n '{file}'\n").Exit, Bash($"bash -n '{file}'\n").Err));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("docker-aufs im", "images import")]
    [InlineData("docker-aufs la", "layer-tar layers")]
    [InlineData("docker-aufs --ro", "--root")]
    [InlineData("docker-aufs images --f", "--filter --format")]
    [InlineData("docker-aufs layers --ch", "--changes")]
    [InlineData("docker-aufs --root /srv/docker ps --no", "--no-trunc")]
    [InlineData("docker-aufs save --format o", "oci oci-dir")]
    [InlineData("docker-aufs --store c", "content-addressed")]
    [InlineData("docker-aufs --driver overlay", "overlay overlay2")]
    public void CompletionBash_CompletesCommandsOptionsAndValues(string line, string expected)
    {
        var words = line.Split(' ');
        var script = Script("bash") + $"""
            COMP_WORDS=({string.Join(' ', words.Select(w => "'" + w + "'"))})
            COMP_CWORD={words.Length - 1}
            _docker_aufs
            echo "${"{"}COMPREPLY[*]{"}"}"

            """;

        var (exit, output, error) = Bash(script);

        Assert.Equal((0, string.Empty), (exit, error));
        Assert.Equal(expected, output.TrimEnd('\n'));
    }

    [Fact]
    public void CompletionBash_AfterImagesFormat_OffersNoSaveFormats()
    {
        var script = Script("bash") + "COMP_WORDS=(docker-aufs images --format '')\nCOMP_CWORD=3\n_docker_aufs\necho \"${#COMPREPLY[@]}:${COMPREPLY[*]}\"\n";

        var (_, output, _) = Bash(script);

        Assert.DoesNotContain("docker-archive", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("zsh", "#compdef docker-aufs")]
    [InlineData("fish", "# docker-aufs completion for fish")]
    [InlineData("powershell", "# docker-aufs completion for PowerShell")]
    public void CompletionOtherShells_PrintAScriptWithEveryCommandAndTheirOptions(string shell, string start)
    {
        var script = Script(shell);

        Assert.StartsWith(start, script, StringComparison.Ordinal);
        foreach (var word in (string[])["images", "containers", "ps", "layers", "layer-tar", "completion", "--changes", "--no-trunc", "docker-archive", "content-addressed"])
        {
            Assert.Contains(shell == "fish" ? word.TrimStart('-') : word, script, StringComparison.Ordinal); // fish writes -l changes for --changes
        }
    }

    [Fact]
    public void CompletionOfAnUnknownShell_IsAUsageError()
    {
        var (exit, output, error) = CliRunner.Run("completion", "tcsh");

        Assert.Equal((2, string.Empty), (exit, output));
        Assert.StartsWith("docker-aufs: completion: SHELL: ", error, StringComparison.Ordinal);
        Assert.Contains("'tcsh'", error, StringComparison.Ordinal);
    }
}
