using System.IO.Abstractions.TestingHelpers;
using System.Text.Json;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.IO;

namespace Docker.Aufs.Tests.Cli;

public sealed class ContainersCommandTests
{
    private static readonly DateTimeOffset Time = new(2017, 12, 31, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Containers_Sample_PrintsADockerPsTable()
    {
        var result = CliCapture.Run("--sample", "containers");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            [
                "CONTAINER ID        IMAGE               COMMAND                  CREATED             STATUS                   NAMES",
                "40777c4b779b        redis               \"docker-entrypoint.s…\"   2 weeks ago         Exited (0) 2 weeks ago   redis-cache",
            ],
            result.Lines);
        Assert.Empty(result.Error);
    }

    [Fact]
    public void Containers_Json_IsTheDocumentedContract()
    {
        var result = CliCapture.Run("--sample", "containers", "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var container = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal(["id", "name", "image", "imageId", "command", "state", "created", "startedAt", "finishedAt", "exitCode", "driver", "mounts"], container.EnumerateObject().Select(p => p.Name));
        Assert.Equal(SampleRoots.RedisContainerId, container.GetProperty("id").GetString());
        Assert.Equal("redis-cache", container.GetProperty("name").GetString());
        Assert.Equal("redis", container.GetProperty("image").GetString());
        Assert.Equal(SampleRoots.RedisId, container.GetProperty("imageId").GetString());
        Assert.Equal("exited", container.GetProperty("state").GetString());
        var created = container.GetProperty("created").GetString()!;
        Assert.StartsWith("2017-12-12T08:00:00.1234567", created, StringComparison.Ordinal); // RFC 3339; the UTC suffix is the CLI's (Humanize.Timestamp)
        Assert.Equal(new DateTimeOffset(2017, 12, 12, 8, 0, 0, TimeSpan.Zero).AddTicks(1_234_567), DateTimeOffset.Parse(created, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("aufs", container.GetProperty("driver").GetString());
    }

    [Fact]
    public void Containers_EveryState_IsNamedAsDockerPsNamesIt()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/docker", SpecialFileMode.Recorded);
        var image = builder.AddLayer(l => l.File("bin/sh", "#!"));
        var at = RecordedTime.FromValue(Time);
        var states = new (string Name, ContainerState State)[]
        {
            ("created", new ContainerState { StartedAt = RecordedTime.Zero, FinishedAt = RecordedTime.Zero }),
            ("running", new ContainerState { Running = true, StartedAt = at }),
            ("paused", new ContainerState { Running = true, Paused = true, StartedAt = at }),
            ("restarting", new ContainerState { Running = true, Restarting = true, ExitCode = 1, StartedAt = at, FinishedAt = RecordedTime.FromValue(Time.AddMinutes(1)) }),
            ("exited", new ContainerState { ExitCode = 3, StartedAt = at, FinishedAt = RecordedTime.FromValue(Time.AddHours(1)) }),
            ("dead", new ContainerState { Dead = true, StartedAt = at }),
        };
        for (var i = 0; i < states.Length; i++)
        {
            var (name, state) = states[i];
            builder.AddContainer(c => c.Name(name).Image(image).Created(Time.AddDays(-i)).State(state));
        }

        builder.Build();

        var json = CliCapture.Run(fs, "--root", "/docker", "containers", "--json");
        var table = CliCapture.Run(fs, "--root", "/docker", "containers");

        using var document = JsonDocument.Parse(json.Out);
        Assert.Equal(["created", "running", "paused", "restarting", "exited", "dead"], document.RootElement.EnumerateArray().Select(c => c.GetProperty("state").GetString()));
        Assert.All(document.RootElement.EnumerateArray(), c => Assert.Equal(c.GetProperty("name").GetString(), c.GetProperty("state").GetString()));
        // Nothing runs in an offline root: what was running is shown as recorded, with its day, never as a live "Up 24 hours".
        var day = Time.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(table.Lines.Any(l => l.Contains($"Running when recorded, started {day}", StringComparison.Ordinal) && l.EndsWith("running", StringComparison.Ordinal)), table.Out);
        Assert.True(table.Lines.Any(l => l.Contains($"Paused when recorded, started {day}", StringComparison.Ordinal) && l.EndsWith("paused", StringComparison.Ordinal)), table.Out);
        Assert.Contains(table.Lines, l => l.Contains($"Restarting when recorded (1), exited {Time.AddMinutes(1).UtcDateTime:yyyy-MM-dd}", StringComparison.Ordinal));
        Assert.DoesNotContain("Up ", table.Out, StringComparison.Ordinal);
        Assert.Contains(table.Lines, l => l.Contains("Exited (3) 23 hours ago", StringComparison.Ordinal));
        Assert.Contains(table.Lines, l => l.Contains("   Dead   ", StringComparison.Ordinal));
        Assert.Contains(table.Lines, l => l.Contains("   Created   ", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryJsonTime_IsTheStringTheRootHolds_ToTheNanosecondAndWithItsOffset()
    {
        // Docker writes Go's RFC 3339 with up to nine fractional digits and the host's offset; a parsed value keeps 100 ns.
        const string Recorded = "2018-12-27T10:11:12.123456789+01:00";
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/docker", SpecialFileMode.Recorded);
        var image = builder.AddLayer(l => l.File("bin/sh", "#!").Created(Time));
        builder.Tag("nano:latest", image);
        builder.AddContainer(c => c.Name("nano").Image(image).Created(Time));
        builder.Build();
        var stamp = "\"" + Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var file in fs.AllFiles.Where(f => f.EndsWith("/json", StringComparison.Ordinal) || f.EndsWith("/config.json", StringComparison.Ordinal)))
        {
            var text = fs.File.ReadAllText(file);
            var at = text.IndexOf(stamp, StringComparison.Ordinal);
            if (at >= 0)
            {
                var end = text.IndexOf('"', at + 1);
                fs.File.WriteAllText(file, text[..(at + 1)] + Recorded + text[end..]);
            }
        }

        foreach (var (command, property) in new[] { ("containers", "created"), ("images", "created"), ("history", "created") })
        {
            var arguments = command == "history" ? new[] { "--root", "/docker", command, "nano", "--json" } : ["--root", "/docker", command, "--json"];
            var result = CliCapture.Run(fs, arguments);
            Assert.True(result.ExitCode == 0, command + ": " + result.Error);
            using var json = JsonDocument.Parse(result.Out);
            Assert.Equal(Recorded, json.RootElement[0].GetProperty(property).GetString());
        }

        var inspect = CliCapture.Run(fs, "--root", "/docker", "inspect", "--type", "image", "nano", "--json");
        Assert.Contains("\"created\":\"" + Recorded + "\"", inspect.Out.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);

        // docker inspect looks for a container first: the container named nano, its Created as stored.
        var container = CliCapture.Run(fs, "--root", "/docker", "inspect", "nano");
        using var containerJson = JsonDocument.Parse(container.Out);
        Assert.Equal(Recorded, containerJson.RootElement[0].GetProperty("Created").GetString());
    }

    [Fact]
    public void Ps_ListsOnlyTheContainersRecordedAsRunningUnlessAll()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/docker", SpecialFileMode.Recorded);
        var image = builder.AddLayer(l => l.File("bin/sh", "#!"));
        var at = RecordedTime.FromValue(Time);
        builder.AddContainer(c => c.Name("up").Image(image).Created(Time).State(new ContainerState { Running = true, StartedAt = at }));
        builder.AddContainer(c => c.Name("held").Image(image).Created(Time.AddDays(-1)).State(new ContainerState { Running = true, Paused = true, StartedAt = at }));
        builder.AddContainer(c => c.Name("done").Image(image).Created(Time.AddDays(-2)).State(new ContainerState { ExitCode = 0, StartedAt = at, FinishedAt = RecordedTime.FromValue(Time.AddHours(1)) }));
        builder.AddContainer(c => c.Name("new").Image(image).Created(Time.AddDays(-3)).State(new ContainerState { StartedAt = RecordedTime.Zero, FinishedAt = RecordedTime.Zero }));
        builder.Build();
        string[] Names(params string[] args)
        {
            var result = CliCapture.Run(fs, ["--root", "/docker", .. args, "--json"]);
            Assert.True(result.ExitCode == 0, result.Error);
            using var document = JsonDocument.Parse(result.Out);
            return [.. document.RootElement.EnumerateArray().Select(c => c.GetProperty("name").GetString()!)];
        }

        Assert.Equal(["up", "held"], Names("ps"));
        Assert.Equal(["up", "held", "done", "new"], Names("ps", "-a"));
        Assert.Equal(["up", "held", "done", "new"], Names("ps", "--all"));
        Assert.Equal(["up", "held", "done", "new"], Names("containers"));
        Assert.Equal(["up", "held", "done", "new"], Names("containers", "-a"));
        Assert.Equal(2, CliCapture.Run(fs, "--root", "/docker", "ps").Lines.Length - 1);
    }

    [Fact]
    public void Help_NamesPsAsTheAliasOfContainersAndWhatItLeavesOut()
    {
        var root = CliCapture.Run("--help").Out;
        var ps = CliCapture.Run("ps", "--help").Out;

        Assert.Contains("containers, ps", root, StringComparison.Ordinal);
        Assert.Contains("as ps, only those the root recorded as running", ps, StringComparison.Ordinal);
        Assert.Contains("-a, --all", ps, StringComparison.Ordinal);
    }

    [Fact]
    public void Containers_RootThatDoesNotExist_FailsWithOneLine()
    {
        var result = CliCapture.Run(new MockFileSystem(), "--root", "/nowhere", "containers");

        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("docker-aufs: /nowhere: does not exist", result.Error, StringComparison.Ordinal);
    }
}
