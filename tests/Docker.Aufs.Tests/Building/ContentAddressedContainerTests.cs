using System.IO.Abstractions.TestingHelpers;
using System.Text.Json;
using Docker.Aufs.IO;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Building;

/// <summary>
/// Containers of a content-addressed root look like those Docker 1.10+ leaves on disk (docs/format/content-addressed.md §6, §7):
/// <c>config.v2.json</c>, the mount record, the init and read-write layers named by a mount ID.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ContentAddressedContainerTests
{
    private static readonly string Container = Ids.Of("cas-container");
    private static readonly DateTimeOffset Created = new(2018, 5, 4, 3, 2, 1, TimeSpan.Zero);

    private sealed record Fixture(CasTestRoot Root, string Image, string[] ChainIds, string[] CacheIds) : IDisposable
    {
        public string MountId => Root.ReadText("image", "aufs", "layerdb", "mounts", Container, "mount-id");

        public void Dispose() => Root.Dispose();
    }

    private static Fixture Build(Disk disk, Action<ContainerBuilder>? configure = null)
    {
        string image = null!;
        var root = CasTestRoot.Build(disk, b =>
        {
            var base1 = b.AddLayer(l => l.File("etc/motd", "hi"));
            image = b.AddLayer(l => l.Parent(base1).File("app", "x"));
            b.AddContainer(c =>
            {
                c.Id(Container).Name("/app-1").Image(image, "app").Created(Created).Changes(l => l.File("data/out", "1")).Delete("etc/motd");
                configure?.Invoke(c);
            });
        });
        var diffIds = JsonDocument.Parse(root.Config(image)).RootElement.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var chain = new[] { diffIds[0], CasTestRoot.ChainId(diffIds[0], diffIds[1]) };
        return new Fixture(root, image, chain, [.. chain.Select(c => root.LayerFile(c, "cache-id"))]);
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void AddContainer_ConfigV2_IsDockersContainerInStructOrderWithATrailingNewline(Disk disk)
    {
        using var fixture = Build(disk);
        var directory = fixture.Root.Combine("containers", Container);
        var bytes = fixture.Root.ReadBytes("containers", Container, "config.v2.json");
        var json = JsonDocument.Parse(bytes).RootElement;

        Assert.Equal((byte)'\n', bytes[^1]);
        Assert.Equal(1, bytes.Count(b => b == '\n'));
        Assert.Equal(
            ["State", "ID", "Created", "Managed", "Path", "Args", "Config", "Image", "NetworkSettings", "LogPath", "Name", "Driver", "MountLabel", "ProcessLabel",
             "RestartCount", "HasBeenStartedBefore", "HasBeenManuallyStopped", "MountPoints", "AppArmorProfile", "HostnamePath", "HostsPath", "ShmPath",
             "ResolvConfPath", "SeccompProfile", "NoNewPrivileges"],
            json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["Running", "Paused", "Restarting", "OOMKilled", "RemovalInProgress", "Dead", "Pid", "ExitCode", "Error", "StartedAt", "FinishedAt", "Health"],
            json.GetProperty("State").EnumerateObject().Select(p => p.Name));
        Assert.Equal((Container, "2018-05-04T03:02:01Z", fixture.Image, "app", "/app-1", "aufs"),
            (json.GetProperty("ID").GetString(), json.GetProperty("Created").GetString(), json.GetProperty("Image").GetString(),
             json.GetProperty("Config").GetProperty("Image").GetString(), json.GetProperty("Name").GetString(), json.GetProperty("Driver").GetString()));
        Assert.Equal((directory + "/hostname", directory + "/hosts", directory + "/shm", directory + "/resolv.conf", directory + "/" + Container + "-json.log"),
            (json.GetProperty("HostnamePath").GetString(), json.GetProperty("HostsPath").GetString(), json.GetProperty("ShmPath").GetString(),
             json.GetProperty("ResolvConfPath").GetString(), json.GetProperty("LogPath").GetString()));
        Assert.Equal(("0001-01-01T00:00:00Z", JsonValueKind.Null, false), (json.GetProperty("State").GetProperty("StartedAt").GetString(),
            json.GetProperty("State").GetProperty("Health").ValueKind, json.GetProperty("HasBeenStartedBefore").GetBoolean()));
        Assert.False(fixture.Root.FileSystem.File.Exists(fixture.Root.Combine("containers", Container, "config.json")));
        Assert.EndsWith("}\n", fixture.Root.ReadText("containers", Container, "hostconfig.json"), StringComparison.Ordinal);
        Assert.True(fixture.Root.FileSystem.Directory.Exists(directory + "/shm"));
    }

    [Fact]
    public void AddContainer_RunConfig_IsTheEngineApisConfigInStructOrder()
    {
        using var fixture = Build(Disk.Memory, c => c.Config("{\"Env\":[\"A=b\"],\"Cmd\":[\"run\"],\"ExposedPorts\":{\"80/tcp\":{}},\"Volumes\":{\"/v\":{}},\"Labels\":{\"z\":\"1\",\"a\":\"2\"}}"));
        var config = JsonDocument.Parse(fixture.Root.ReadBytes("containers", Container, "config.v2.json")).RootElement.GetProperty("Config");

        Assert.Equal(["Hostname", "Domainname", "User", "AttachStdin", "AttachStdout", "AttachStderr", "ExposedPorts", "Tty", "OpenStdin", "StdinOnce", "Env", "Cmd",
                "Image", "Volumes", "WorkingDir", "Entrypoint", "OnBuild", "Labels"],
            config.EnumerateObject().Select(p => p.Name));
        Assert.Equal("{\"a\":\"2\",\"z\":\"1\"}", config.GetProperty("Labels").GetRawText());
        Assert.Equal((Container[..12], "app"), (config.GetProperty("Hostname").GetString(), config.GetProperty("Image").GetString()));
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void AddContainer_MountRecord_NamesItsLayersAndTheImagesTopChainId(Disk disk)
    {
        using var fixture = Build(disk);
        var fs = fixture.Root.FileSystem;
        var mounts = fixture.Root.Combine("image", "aufs", "layerdb", "mounts", Container);
        var mountId = fixture.MountId;

        Assert.True(Aufs.Formats.DockerIds.IsId(mountId), mountId);
        Assert.NotEqual(Container, mountId);
        Assert.Equal(["init-id", "mount-id", "parent"], fs.Directory.EnumerateFiles(mounts).Select(fs.Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(mountId + "-init", fixture.Root.ReadText("image", "aufs", "layerdb", "mounts", Container, "init-id"));
        Assert.Equal(fixture.ChainIds[1], fixture.Root.ReadText("image", "aufs", "layerdb", "mounts", Container, "parent"));
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void AddContainer_AufsLayersFiles_ChainTheReadWriteLayerOnTheInitLayerOnTheImage(Disk disk)
    {
        using var fixture = Build(disk);
        var mountId = fixture.MountId;

        Assert.Equal($"{fixture.CacheIds[1]}\n{fixture.CacheIds[0]}\n", fixture.Root.ReadText("aufs", "layers", mountId + "-init"));
        Assert.Equal($"{mountId}-init\n{fixture.CacheIds[1]}\n{fixture.CacheIds[0]}\n", fixture.Root.ReadText("aufs", "layers", mountId));
        Assert.True(fixture.Root.FileSystem.Directory.Exists(fixture.Root.Combine("aufs", "mnt", mountId)));
        Assert.True(fixture.Root.FileSystem.Directory.Exists(fixture.Root.Combine("aufs", "mnt", mountId + "-init")));
        Assert.False(fixture.Root.FileSystem.Directory.Exists(fixture.Root.Combine("aufs", "diff", Container)));
        Assert.Equal("1", fixture.Root.ReadText("aufs", "diff", mountId, "data", "out"));
        Assert.Equal([Container], fixture.Root.Root.ContainerIds);
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void AddContainer_InitLayer_IsWhatSetupInitLayerMakesWithoutDockerinit(Disk disk)
    {
        using var fixture = Build(disk);
        var init = fixture.Root.Combine("aufs", "diff", fixture.MountId + "-init");
        var metadata = fixture.Root.Metadata;

        foreach (var file in new[] { ".dockerenv", "etc/resolv.conf", "etc/hosts", "etc/hostname", "dev/console" })
        {
            Assert.True(metadata.TryGetStatus(init + "/" + file, out var status), file);
            Assert.Equal((UnixFileType.RegularFile, 0L, 0x1ED), (status.Type, status.Size, status.Permissions));
        }

        foreach (var directory in new[] { "dev/pts", "dev/shm", "proc", "sys" })
        {
            Assert.True(metadata.TryGetStatus(init + "/" + directory, out var status), directory);
            Assert.Equal((UnixFileType.Directory, 0x1ED), (status.Type, status.Permissions));
        }

        Assert.True(metadata.TryGetStatus(init + "/etc/mtab", out var mtab));
        Assert.Equal((UnixFileType.SymbolicLink, "/proc/mounts"), (mtab.Type, mtab.LinkTarget));
        Assert.False(metadata.TryGetStatus(init + "/.dockerinit", out _));
        Assert.True(metadata.TryGetStatus(init + "/" + ContainerBuilder.WhiteoutBase, out _));
        Assert.True(metadata.TryGetStatus(init + "/.wh..wh.plnk", out _));
    }

    [Fact]
    public void AddContainer_ImageWithoutLayers_HasAMountWithoutParent()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, ImageStoreKind.ContentAddressed, "/r", SpecialFileMode.Recorded);
        var image = builder.AddLayer(l => l.CreatedBy("#(nop)  LABEL a=b").EmptyLayer());
        builder.AddContainer(c => c.Id(Container).Image(image));
        builder.Build();
        var mountId = fs.File.ReadAllText($"/r/image/aufs/layerdb/mounts/{Container}/mount-id");

        Assert.False(fs.File.Exists($"/r/image/aufs/layerdb/mounts/{Container}/parent"));
        Assert.Equal("", fs.File.ReadAllText($"/r/aufs/layers/{mountId}-init"));
        Assert.Equal($"{mountId}-init\n", fs.File.ReadAllText($"/r/aufs/layers/{mountId}"));
    }

    [Fact]
    public void AddContainer_OfAnotherDriver_WritesItsConfigButNoAufsMount()
    {
        using var fixture = Build(Disk.Memory, c => c.Driver("overlay2"));
        var fs = fixture.Root.FileSystem;

        Assert.Contains("\"Driver\":\"overlay2\"", fixture.Root.ReadText("containers", Container, "config.v2.json"), StringComparison.Ordinal);
        Assert.False(fs.Directory.Exists(fixture.Root.Combine("image", "aufs", "layerdb", "mounts", Container)));
        Assert.Equal(2, fs.Directory.EnumerateDirectories(fixture.Root.Combine("aufs", "diff")).Count());
        Assert.Empty(fixture.Root.Open().GetContainers());
    }

    [Fact]
    public void AddContainer_WithoutDriverData_WritesTheMountRecordButNoAufsLayers()
    {
        using var fixture = Build(Disk.Memory, c => c.WithoutDriverData());
        var fs = fixture.Root.FileSystem;

        Assert.True(Aufs.Formats.DockerIds.IsId(fixture.MountId));
        Assert.False(fs.Directory.Exists(fixture.Root.Combine("aufs", "diff", fixture.MountId)));
        Assert.False(fs.File.Exists(fixture.Root.Combine("aufs", "layers", fixture.MountId + "-init")));
    }

    [Fact]
    public void AddContainer_RawConfig_IsWrittenAsConfigV2Verbatim()
    {
        using var fixture = Build(Disk.Memory, c => c.RawConfig("{\"ID\":\"x\"").RawHostConfig("nope"));

        Assert.Equal("{\"ID\":\"x\"", fixture.Root.ReadText("containers", Container, "config.v2.json"));
        Assert.Equal("nope", fixture.Root.ReadText("containers", Container, "hostconfig.json"));
    }

    [Fact]
    public void AddContainer_ExitedAndRunningStates_AreWrittenAsDocker110States()
    {
        var started = new DateTimeOffset(2018, 5, 5, 0, 0, 0, TimeSpan.Zero).AddTicks(1_234_567);
        using var exited = Build(Disk.Memory, c => c.Exited(137, started, started.AddHours(1)));
        using var running = Build(Disk.Memory, c => c.Running(started, pid: 77));
        JsonElement State(Fixture f) => JsonDocument.Parse(f.Root.ReadBytes("containers", Container, "config.v2.json")).RootElement.GetProperty("State");

        Assert.Equal("{\"Running\":false,\"Paused\":false,\"Restarting\":false,\"OOMKilled\":false,\"RemovalInProgress\":false,\"Dead\":false,\"Pid\":0,\"ExitCode\":137," +
                     "\"Error\":\"\",\"StartedAt\":\"2018-05-05T00:00:00.1234567Z\",\"FinishedAt\":\"2018-05-05T01:00:00.1234567Z\",\"Health\":null}", State(exited).GetRawText());
        Assert.Equal((true, 77), (State(running).GetProperty("Running").GetBoolean(), State(running).GetProperty("Pid").GetInt32()));
        Assert.True(JsonDocument.Parse(exited.Root.ReadBytes("containers", Container, "config.v2.json")).RootElement.GetProperty("HasBeenStartedBefore").GetBoolean());
        Assert.Equal(ContainerStatus.Running, Assert.Single(running.Root.Open().GetContainers()).State.Status);
    }

    [Fact]
    public void AddContainer_GraphEraRoot_StateHasOnlyDocker19sFields()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r", SpecialFileMode.Recorded);
        var image = builder.AddLayer(l => l.File("a", "1"));
        builder.AddContainer(c => c.Id(Container).Image(image).State(new ContainerState { RemovalInProgress = true, Health = "healthy" }));
        builder.Build();
        var state = JsonDocument.Parse(fs.File.ReadAllBytes($"/r/containers/{Container}/config.json")).RootElement.GetProperty("State");

        Assert.Equal(["Running", "Paused", "Restarting", "OOMKilled", "Dead", "Pid", "ExitCode", "Error", "StartedAt", "FinishedAt"], state.EnumerateObject().Select(p => p.Name));
    }
}
