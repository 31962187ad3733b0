using System.Text.Json;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Cli;

public sealed class DiffCommandTests
{
    [Fact]
    public void Diff_Container_PrintsDockerDiffLines()
    {
        var result = CliCapture.Run("--sample", "diff", "redis-cache");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["C /data", "A /data/dump.rdb", "C /root", "A /root/.rediscli_history", "C /usr/local/bin", "D /usr/local/bin/redis-benchmark"], result.Lines);
    }

    [Fact]
    public void Diff_Json_IsTheDocumentedContract()
    {
        var result = CliCapture.Run("--sample", "diff", "40777c", "--json");

        using var json = JsonDocument.Parse(result.Out);
        var changes = json.RootElement.EnumerateArray().ToList();
        Assert.All(changes, c => Assert.Equal(["kind", "path"], c.EnumerateObject().Select(p => p.Name)));
        Assert.Equal(
            [("C", "/data"), ("A", "/data/dump.rdb"), ("C", "/root"), ("A", "/root/.rediscli_history"), ("C", "/usr/local/bin"), ("D", "/usr/local/bin/redis-benchmark")],
            changes.Select(c => (c.GetProperty("kind").GetString(), c.GetProperty("path").GetString())));
    }

    [Fact]
    public void Diff_ImageInsteadOfAContainer_FailsWithOneLine()
    {
        var result = CliCapture.Run("--sample", "diff", "redis");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("docker-aufs: No such container: redis", result.Error.TrimEnd());
    }
}
