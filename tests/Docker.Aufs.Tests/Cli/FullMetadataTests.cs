using System.Diagnostics;
using System.IO.Abstractions.TestingHelpers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Docker.Aufs.IO;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Cli;

/// <summary>
/// Full metadata in listings (issue 13, feature 12): <c>ls --json</c> and <c>ls -l</c> carry the modification time to the
/// nanosecond the disk stores and the layer each entry comes from; <c>containers --json</c> carries the command, the
/// recorded state and times, and the mounts.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FullMetadataTests
{
    private static readonly DateTimeOffset Time = new(2018, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(ImageStoreKind.Graph)]
    [InlineData(ImageStoreKind.ContentAddressed)]
    public void LsJsonAndLong_OnTheRealDisk_CarryTheModificationTimeToTheNanosecondAndTheFullLayerId(ImageStoreKind store)
    {
        using var root = TestRoot.Build(Disk.Real, b => b.Tag("t:latest", b.AddLayer(l => l.File("stamp", "x"))), store);
        var file = Directory.EnumerateFiles(root.Path, "stamp", SearchOption.AllDirectories).Single();
        using (var touch = Process.Start(new ProcessStartInfo("touch", ["-m", "-d", "@1514764800.123456789", file]) { UseShellExecute = false })!)
        {
            touch.WaitForExit();
            Assert.Equal(0, touch.ExitCode);
        }

        var json = CliCapture.Run("--root", root.Path, "ls", "t", "--json");
        var table = CliCapture.Run("--root", root.Path, "ls", "t", "-l");

        Assert.True(json.ExitCode == 0, json.Error);
        using var document = JsonDocument.Parse(json.Out);
        var entry = Assert.Single(document.RootElement.EnumerateArray());
        Assert.Equal("2018-01-01T00:00:00.123456789Z", entry.GetProperty("modified").GetString()); // nine digits: more than DateTimeOffset holds
        var layer = entry.GetProperty("layer").GetString()!;
        Assert.Equal(Path.GetFileName(Path.GetDirectoryName(file)), layer);
        Assert.Equal(("-rw-r--r--", "0:0", "1", "2018-01-01T00:00:00.123456789Z", layer, "/stamp"), Columns(table.Lines[1]));
    }

    [Fact]
    public void LsLong_OnARecordedRoot_ShowsTheTimeToItsHundredNanosecondsWithoutTrailingZeros()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/docker", SpecialFileMode.Recorded);
        builder.Tag("t:latest", builder.AddLayer(l => l.File("a", "x", modified: Time.AddTicks(1_234_500)).File("b", "y", modified: Time)));
        builder.Build();

        var lines = CliCapture.Run(fs, "--root", "/docker", "ls", "t", "-l").Lines;

        Assert.Equal("2018-01-01T00:00:00.12345Z", Columns(lines[1]).Modified);
        Assert.Equal("2018-01-01T00:00:00Z", Columns(lines[2]).Modified);
        Assert.Equal("2018-01-01 00:00", Columns(CliCapture.Run(fs, "--root", "/docker", "ls", "t").Lines[1]).Modified); // without -l: to the minute
    }

    private static (string Mode, string Owner, string Size, string Modified, string Layer, string Path) Columns(string line)
    {
        var cells = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (cells[0], cells[1], cells[2], cells.Length == 6 ? cells[3] : cells[3] + " " + cells[4], cells[^2], cells[^1]);
    }

    [Theory]
    [InlineData(ImageStoreKind.Graph)]
    [InlineData(ImageStoreKind.ContentAddressed)]
    public void ContainersJson_CarriesCommandStateTimesAndTheRecordedMounts(ImageStoreKind store)
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, store, "/docker", SpecialFileMode.Recorded);
        var image = builder.AddLayer(l => l.File("bin/sh", "#!"));
        var id = builder.AddContainer(c => c.Name("web").Image(image).Command("nginx", "-g", "daemon off;").Created(Time).Exited(2, Time.AddMinutes(1), Time.AddMinutes(2)));
        builder.Build();
        var config = fs.AllFiles.Single(f => f.Contains(id, StringComparison.Ordinal) && (f.EndsWith("/config.v2.json", StringComparison.Ordinal) || f.EndsWith("/config.json", StringComparison.Ordinal)));
        var json = JsonNode.Parse(fs.File.ReadAllText(config))!.AsObject();
        if (store == ImageStoreKind.Graph)
        {
            json["Volumes"] = new JsonObject { ["/data"] = "/var/lib/docker/vfs/dir/abc", ["/etc/conf"] = "/srv/conf" };
            json["VolumesRW"] = new JsonObject { ["/data"] = true, ["/etc/conf"] = false };
        }
        else
        {
            json["MountPoints"] = new JsonObject
            {
                ["/data"] = new JsonObject { ["Source"] = "/var/lib/docker/volumes/cache/_data", ["Destination"] = "/data", ["RW"] = true, ["Name"] = "cache", ["Driver"] = "local" },
                ["/etc/conf"] = new JsonObject { ["Source"] = "/srv/conf", ["Destination"] = "/etc/conf", ["RW"] = false, ["Name"] = "" },
            };
        }

        fs.File.WriteAllText(config, json.ToJsonString());

        var result = CliCapture.Run(fs, "--root", "/docker", "containers", "--json");

        Assert.True(result.ExitCode == 0, result.Error);
        using var document = JsonDocument.Parse(result.Out);
        var container = Assert.Single(document.RootElement.EnumerateArray());
        Assert.Equal("nginx -g daemon off;", container.GetProperty("command").GetString());
        Assert.Equal(("exited", 2), (container.GetProperty("state").GetString(), container.GetProperty("exitCode").GetInt32()));
        Assert.StartsWith("2018-01-01T00:01:00", container.GetProperty("startedAt").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("2018-01-01T00:02:00", container.GetProperty("finishedAt").GetString(), StringComparison.Ordinal);
        var mounts = container.GetProperty("mounts").EnumerateArray().Select(m => (m.GetProperty("destination").GetString(), m.GetProperty("source").GetString(), m.GetProperty("name").GetString(), m.GetProperty("rw").GetBoolean())).ToList();
        Assert.Equal(
            store == ImageStoreKind.Graph
                ? [("/data", "/var/lib/docker/vfs/dir/abc", "abc", true), ("/etc/conf", "/srv/conf", null, false)] // a Docker 1.6 volume is named by its vfs/dir ID, as Docker 1.7 migrated it
                : [("/data", "/var/lib/docker/volumes/cache/_data", "cache", true), ("/etc/conf", "/srv/conf", null, false)],
            mounts);
        var format = CliCapture.Run(fs, "--root", "/docker", "containers", "--format", "{{.Mounts}}");
        Assert.Equal(store == ImageStoreKind.Graph ? "abc,/srv/conf\n" : "cache,/srv/conf\n", format.Out);
    }

    [Fact]
    public void ContainersJson_NeverStarted_HasNullTimesAndNoMounts()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/docker", SpecialFileMode.Recorded);
        var image = builder.AddLayer(l => l.File("bin/sh", "#!"));
        builder.AddContainer(c => c.Name("new").Image(image).Created(Time));
        builder.Build();

        using var document = JsonDocument.Parse(CliCapture.Run(fs, "--root", "/docker", "containers", "--json").Out);
        var container = Assert.Single(document.RootElement.EnumerateArray());

        Assert.Equal((JsonValueKind.Null, JsonValueKind.Null, 0), (container.GetProperty("startedAt").ValueKind, container.GetProperty("finishedAt").ValueKind, container.GetProperty("mounts").GetArrayLength()));
    }
}
