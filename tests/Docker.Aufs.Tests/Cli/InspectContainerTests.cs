using System.IO.Abstractions.TestingHelpers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Docker.Aufs.IO;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Cli;

public sealed class InspectContainerTests
{
    private static (MockFileSystem Fs, string Id) Root(ImageStoreKind store, string driver, Action<ContainerBuilder>? configure = null)
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, store, driver, "/docker", SpecialFileMode.Recorded);
        var image = builder.AddLayer(l => l.File("bin/sh", "#!"));
        builder.Tag("web:latest", image);
        var id = builder.AddContainer(c =>
        {
            c.Name("web").Image(image, "web").Command("sh", "-c", "echo hi").Exited(3, new DateTimeOffset(2017, 12, 31, 10, 0, 0, TimeSpan.Zero), new DateTimeOffset(2017, 12, 31, 11, 0, 0, TimeSpan.Zero));
            configure?.Invoke(c);
        });
        builder.Build();
        return (fs, id);
    }

    /// <summary>Rewrites the stored configuration, as a test of what Docker wrote that the builder does not.</summary>
    private static void EditConfig(MockFileSystem fs, string id, Action<JsonObject> edit)
    {
        var path = fs.AllFiles.Single(f => f.Contains(id, StringComparison.Ordinal) && (f.EndsWith("/config.json", StringComparison.Ordinal) || f.EndsWith("/config.v2.json", StringComparison.Ordinal)));
        var node = JsonNode.Parse(fs.File.ReadAllText(path))!.AsObject();
        edit(node);
        fs.File.WriteAllText(path, node.ToJsonString());
    }

    private static JsonElement Inspect(MockFileSystem fs, params string[] args)
    {
        var result = CliCapture.Run(fs, ["--root", "/docker", "inspect", .. args]);
        Assert.True(result.ExitCode == 0, result.Error);
        using var document = JsonDocument.Parse(result.Out);
        return Assert.Single(document.RootElement.EnumerateArray()).Clone();
    }

    [Fact]
    public void Inspect_AGraphEraContainer_HasDocker19sShapeWithItsStoredValues()
    {
        var (fs, id) = Root(ImageStoreKind.Graph, "aufs");
        EditConfig(fs, id, c => c["Created"] = "2017-12-30T09:08:07.123456789Z");

        var json = Inspect(fs, "web");

        Assert.Equal(
            ["Id", "Created", "Path", "Args", "State", "Image", "ResolvConfPath", "HostnamePath", "HostsPath", "LogPath", "Name", "RestartCount", "Driver", "ExecDriver",
             "MountLabel", "ProcessLabel", "AppArmorProfile", "ExecIDs", "HostConfig", "GraphDriver", "Mounts", "Config", "NetworkSettings"],
            json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(id, json.GetProperty("Id").GetString());
        Assert.Equal("2017-12-30T09:08:07.123456789Z", json.GetProperty("Created").GetString());
        Assert.Equal("sh", json.GetProperty("Path").GetString());
        Assert.Equal(["-c", "echo hi"], json.GetProperty("Args").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("exited", json.GetProperty("State").GetProperty("Status").GetString());
        Assert.Equal(3, json.GetProperty("State").GetProperty("ExitCode").GetInt32());
        Assert.Equal("/web", json.GetProperty("Name").GetString());
        Assert.Equal("json-file", json.GetProperty("HostConfig").GetProperty("LogConfig").GetProperty("Type").GetString());
        Assert.Equal(["Name", "Data"], json.GetProperty("GraphDriver").EnumerateObject().Select(p => p.Name));
        Assert.Equal("aufs", json.GetProperty("GraphDriver").GetProperty("Name").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("GraphDriver").GetProperty("Data").ValueKind); // aufs reports no metadata
        Assert.Equal("web", json.GetProperty("Config").GetProperty("Image").GetString());
    }

    [Fact]
    public void Inspect_AnOverlay2Container_ShowsItsLayerDirectoriesAsDockerDoes()
    {
        // On disk: the overlay2 driver reads its l/ links with lstat, which the in-memory file system cannot answer.
        using var directory = new TempDirectory();
        var fs = new System.IO.Abstractions.FileSystem();
        var rootPath = System.IO.Path.Combine(directory.Path, "docker");
        var builder = new DockerRootBuilder(fs, ImageStoreKind.ContentAddressed, "overlay2", rootPath, SpecialFileMode.Native);
        var image = builder.AddLayer(l => l.File("bin/sh", "#!"));
        builder.AddContainer(c => c.Name("web").Image(image, "web"));
        builder.Build();

        var result = CliCapture.Run(fs, "--root", rootPath, "inspect", "web");

        Assert.True(result.ExitCode == 0, result.Error);
        using var document = JsonDocument.Parse(result.Out);
        var json = document.RootElement[0];
        Assert.DoesNotContain(json.EnumerateObject(), p => p.Name == "ExecDriver");
        var graph = json.GetProperty("GraphDriver");
        Assert.Equal(["Data", "Name"], graph.EnumerateObject().Select(p => p.Name));
        var data = graph.GetProperty("Data");
        var upper = data.GetProperty("UpperDir").GetString()!;
        Assert.StartsWith(rootPath + "/overlay2/", upper, StringComparison.Ordinal);
        Assert.EndsWith("/diff", upper, StringComparison.Ordinal);
        Assert.Equal(upper[..^"diff".Length] + "work", data.GetProperty("WorkDir").GetString());
        Assert.Equal(upper[..^"diff".Length] + "merged", data.GetProperty("MergedDir").GetString());
        var lower = data.GetProperty("LowerDir").GetString()!.Split(':');
        Assert.Equal(2, lower.Length); // the init layer, then the image's one layer
        Assert.EndsWith("-init/diff", lower[0], StringComparison.Ordinal);
        Assert.True(fs.Directory.Exists(lower[1]), lower[1]);
    }

    [Fact]
    public void Inspect_AReferenceNamingAContainerAndAnImage_IsTheContainerUnlessTypeImage()
    {
        var (fs, id) = Root(ImageStoreKind.Graph, "aufs");

        var container = Inspect(fs, "web");
        var containerTyped = Inspect(fs, "--type", "container", "web");
        var image = CliCapture.Run(fs, "--root", "/docker", "inspect", "--type", "image", "web");

        Assert.Equal(id, container.GetProperty("Id").GetString());
        Assert.Equal(id, containerTyped.GetProperty("Id").GetString());
        Assert.Equal(0, image.ExitCode);
        Assert.DoesNotContain(id, image.Out, StringComparison.Ordinal);
        Assert.Contains("\"id\"", image.Out, StringComparison.Ordinal); // graph/<id>/json as stored
    }

    [Fact]
    public void Inspect_TypeContainer_OfAnImageOnly_SaysNoContainerMatches()
    {
        var (fs, _) = Root(ImageStoreKind.Graph, "aufs");

        var result = CliCapture.Run(fs, "--root", "/docker", "inspect", "--type", "container", "web:latest");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("web:latest", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("graph", "aufs")]
    [InlineData("content-addressed", "overlay2")]
    public void Inspect_Mounts_NameVolumesWithTheirDataDirectoryAndBindMountsWithTheirHostPath(string store, string driver)
    {
        var (fs, id) = Root(store == "graph" ? ImageStoreKind.Graph : ImageStoreKind.ContentAddressed, driver);
        EditConfig(fs, id, c => c["MountPoints"] = JsonNode.Parse("""
            {
              "/data": {"Source": "", "Destination": "/data", "RW": true, "Name": "pgdata", "Driver": "local", "Relabel": "z"},
              "/etc/app": {"Source": "/srv/app/etc", "Destination": "/etc/app", "RW": false, "Name": "", "Driver": "", "Relabel": ""}
            }
            """));

        var mounts = Inspect(fs, "web").GetProperty("Mounts").EnumerateArray().ToList();

        Assert.Equal(["/data", "/etc/app"], mounts.Select(m => m.GetProperty("Destination").GetString()));
        Assert.Equal("pgdata", mounts[0].GetProperty("Name").GetString());
        Assert.Equal("/docker/volumes/pgdata/_data", mounts[0].GetProperty("Source").GetString());
        Assert.Equal("local", mounts[0].GetProperty("Driver").GetString());
        Assert.Equal("z", mounts[0].GetProperty("Mode").GetString());
        Assert.True(mounts[0].GetProperty("RW").GetBoolean());
        Assert.Equal("/srv/app/etc", mounts[1].GetProperty("Source").GetString()); // a host path, reported, never followed
        Assert.False(mounts[1].TryGetProperty("Name", out _));
        Assert.False(mounts[1].GetProperty("RW").GetBoolean());
        Assert.Equal(store != "graph", mounts[1].TryGetProperty("Propagation", out _));
    }

    [Fact]
    public void Inspect_APre18Container_ListsItsVolumesFromVolumesAndVolumesRW()
    {
        var (fs, id) = Root(ImageStoreKind.Graph, "aufs");
        var volume = new string('a', 64);
        EditConfig(fs, id, c =>
        {
            c.Remove("MountPoints");
            c["Volumes"] = new JsonObject { ["/var/lib/db"] = "/var/lib/docker/vfs/dir/" + volume, ["/host"] = "/home/me" };
            c["VolumesRW"] = new JsonObject { ["/var/lib/db"] = true, ["/host"] = false };
        });

        var mounts = Inspect(fs, "web").GetProperty("Mounts").EnumerateArray().ToList();

        Assert.Equal(["/host", "/var/lib/db"], mounts.Select(m => m.GetProperty("Destination").GetString()));
        Assert.Equal("/home/me", mounts[0].GetProperty("Source").GetString());
        Assert.False(mounts[0].GetProperty("RW").GetBoolean());
        Assert.Equal(volume, mounts[1].GetProperty("Name").GetString());
        Assert.Equal("local", mounts[1].GetProperty("Driver").GetString());
        Assert.True(mounts[1].GetProperty("RW").GetBoolean());
    }

    [Fact]
    public void Inspect_Json_IsTheStoredConfigurationVerbatim()
    {
        var (fs, id) = Root(ImageStoreKind.ContentAddressed, "aufs");
        var stored = fs.File.ReadAllText(fs.AllFiles.Single(f => f.EndsWith(id + "/config.v2.json", StringComparison.Ordinal)));

        var result = CliCapture.Run(fs, "--root", "/docker", "inspect", "--json", "web");

        Assert.Equal(stored + "\n", result.Out);
    }
}
