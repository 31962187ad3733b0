using System.IO.Abstractions;
using System.Text.Json;
using Docker.Aufs.Tests.Drivers.Overlay2;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Logs;

/// <summary>logs and inspect on the real overlay2 root of Docker 17.x (../shared/fixtures/docker-explorer-overlay2-root.tgz).</summary>
public sealed class ContainerFixtureTests(Overlay2FixtureTests.ExtractedRoot fixture)
{
    [Fact]
    public void Logs_TheRealJsonFileLogs_AreShownOnTheirStreams()
    {
        var stdout = CliCapture.Run(new FileSystem(), "--root", fixture.Path, "logs", "f83f963c67cb");
        var stderr = CliCapture.Run(new FileSystem(), "--root", fixture.Path, "logs", "-t", "10acac0b3466");

        Assert.Equal((0, "ohai\n", ""), (stdout.ExitCode, stdout.Out, stdout.Error));
        Assert.Equal(0, stderr.ExitCode);
        Assert.Empty(stderr.Out);
        Assert.Equal("2018-05-16T10:51:29.029044131Z container_linux.go:247: starting container process caused \"exec: \\\"/bin/sh echo test\\\": stat /bin/sh echo test: no such file or directory\"\n", stderr.Error);
    }

    [Fact]
    public void Inspect_TheRealContainer_KeepsItsStoredValues()
    {
        var result = CliCapture.Run(new FileSystem(), "--root", fixture.Path, "inspect", "f83f963c67cb");

        Assert.True(result.ExitCode == 0, result.Error);
        using var document = JsonDocument.Parse(result.Out);
        var json = document.RootElement[0];
        Assert.Equal("2018-05-16T10:51:04.83752424Z", json.GetProperty("Created").GetString());
        Assert.Equal("2018-05-16T10:51:16.550014883Z", json.GetProperty("State").GetProperty("FinishedAt").GetString());
        Assert.Equal("exited", json.GetProperty("State").GetProperty("Status").GetString());
        Assert.Equal("/objective_franklin", json.GetProperty("Name").GetString());
        Assert.Equal("overlay2", json.GetProperty("GraphDriver").GetProperty("Name").GetString());
        Assert.EndsWith("/diff", json.GetProperty("GraphDriver").GetProperty("Data").GetProperty("UpperDir").GetString(), StringComparison.Ordinal);
        Assert.Equal("gcr.io/google-containers/busybox:latest", json.GetProperty("Config").GetProperty("Image").GetString());
    }
}
