using System.Text;
using System.Text.Json;
using Docker.Aufs.Archive;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Building;

/// <summary>
/// A content-addressed root written by the builder reads back through <c>DockerRoot.Open</c>
/// as what was written: images, tags, history with empty layers, layers, containers, merged views and digests.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ContentAddressedReadBackTests
{
    private static readonly DateTimeOffset T0 = new(2018, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly string ContainerId = Ids.Of("cas-web");

    /// <summary>base (one layer) ← env (ENV, empty layer) ← app (a layer deleting /etc/motd), and a stopped container of app.</summary>
    private sealed record App(CasTestRoot Root, string Base, string Env, string AppId) : IDisposable
    {
        public void Dispose() => Root.Dispose();

        public string[] DiffIds => [.. JsonDocument.Parse(Root.Config(AppId)).RootElement.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(e => e.GetString()!)];

        public string[] ChainIds => [DiffIds[0], CasTestRoot.ChainId(DiffIds[0], DiffIds[1])];
    }

    private static App Build(Disk disk, Action<DockerRootBuilder, string>? more = null)
    {
        string b = null!, e = null!, a = null!;
        var root = CasTestRoot.Build(disk, builder =>
        {
            b = builder.AddLayer(l => l.Created(T0).CreatedBy("#(nop) ADD file:0123 in / ")
                .File("etc/motd", "welcome\n").File("etc/hostname", "box\n").File("bin/busybox", "#!", mode: "0755").Symlink("bin/sh", "busybox"));
            e = builder.AddLayer(l => l.Parent(b).Created(T0.AddMinutes(1)).CreatedBy("#(nop)  ENV APP=1").Config("{\"Env\":[\"APP=1\"]}").EmptyLayer());
            a = builder.AddLayer(l => l.Parent(e).Created(T0.AddMinutes(2)).CreatedBy("rm /etc/motd && echo app > /app").Author("dev").Whiteout("etc/motd").File("app", "app\n"));
            builder.Tag("app:1.0", a).Tag("base", b);
            builder.AddContainer(c => c.Id(ContainerId).Name("web").Image(a, "app:1.0").Command("sh", "-c", "sleep 1")
                .Exited(3, T0.AddDays(1), T0.AddDays(2)).Changes(l => l.File("data/out", "1")).Delete("etc/hostname"));
            more?.Invoke(builder, a);
        });
        return new App(root, b, e, a);
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void Open_BuiltRoot_IsReadAsAContentAddressedAufsRoot(Disk disk)
    {
        using var app = Build(disk);
        var root = app.Root.Open();
        Assert.Equal((ImageStoreKind.ContentAddressed, "aufs"), (root.Store, root.Driver));
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void GetImages_BuiltRoot_ListsTheTaggedImagesNewestFirstWithTheirSizes(Disk disk)
    {
        using var app = Build(disk);
        var images = app.Root.Open().GetImages();

        // env is untagged and has a child: not listed without -a.
        Assert.Equal([(app.AppId, "app:1.0", 25L), (app.Base, "base:latest", 21L)], images.Select(i => (i.Id, Assert.Single(i.RepoTags), i.Size!.Value)));
        Assert.Equal(app.Env, images[0].ParentId);
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void ResolveImage_Tag_GivesTheImageWithItsLayersTopFirst(Disk disk)
    {
        using var app = Build(disk);
        var image = app.Root.Open().ResolveImage("app:1.0");
        var cacheIds = app.ChainIds.Select(c => app.Root.LayerFile(c, "cache-id")).ToArray();

        Assert.Equal((app.AppId, app.Env), (image.Id, image.ParentId));
        Assert.Equal(app.Root.Config(app.AppId), image.Config.ToArray());
        Assert.Equal(["app:1.0"], image.RepoTags);
        Assert.Equal([app.ChainIds[1], app.ChainIds[0]], image.Layers.Select(l => l.Id));
        Assert.Equal([app.DiffIds[1], app.DiffIds[0]], image.Layers.Select(l => l.DiffId));
        Assert.Equal([4L, 21L], image.Layers.Select(l => l.Size));
        Assert.Equal([cacheIds[1], cacheIds[0]], image.Layers.Select(l => l.DriverLayerId));
        Assert.Equal(new string?[] { app.ChainIds[0], null }, image.Layers.Select(l => l.ParentId));
        Assert.All(image.Layers, l => Assert.Equal(app.Root.Combine("aufs", "diff", l.DriverLayerId), l.ContentPath));
        Assert.Equal(app.Base, app.Root.Open().ResolveImage("base").Id);
        Assert.Equal(app.Env, app.Root.Open().ResolveImage(CasTestRoot.Hex(app.Env)[..12]).Id);
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void ResolveImage_History_ShowsEveryStepWithItsEmptyLayers(Disk disk)
    {
        using var app = Build(disk);
        var history = app.Root.Open().ResolveImage("app:1.0").History;

        (string?, string, bool, string?, long, string?)[] expected =
        [
            (app.AppId, "/bin/sh -c rm /etc/motd && echo app > /app", false, app.ChainIds[1], 4L, "2018-03-01T10:02:00Z"),
            (app.Env, "/bin/sh -c #(nop)  ENV APP=1", true, null, 0L, "2018-03-01T10:01:00Z"),
            (app.Base, "/bin/sh -c #(nop) ADD file:0123 in / ", false, app.ChainIds[0], 21L, "2018-03-01T10:00:00Z"),
        ];

        Assert.Equal(expected, history.Select(h => (h.Id, h.CreatedBy, h.EmptyLayer, h.LayerId, h.Size ?? -1, h.Created?.ToString())));
        Assert.Equal(["app:1.0", "", "base:latest"], history.Select(h => string.Join(',', h.Tags)));
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void OpenImage_Tag_MergesItsLayersWithTheirWhiteouts(Disk disk)
    {
        using var app = Build(disk);
        var view = app.Root.Open().OpenImage("app:1.0");

        Assert.Equal(["app", "bin", "bin/busybox", "bin/sh", "etc", "etc/hostname"], view.EnumerateRecursive().Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.Equal("busybox", view.GetEntry("bin/sh").LinkTarget);
        Assert.Equal(0x1ED, view.GetEntry("bin/busybox").Permissions);
        using var reader = new StreamReader(view.OpenRead("app"));
        Assert.Equal("app\n", reader.ReadToEnd());
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void GetContainers_BuiltRoot_ListsTheContainerWithItsMountLayers(Disk disk)
    {
        using var app = Build(disk);
        var container = Assert.Single(app.Root.Open().GetContainers());
        var mountId = app.Root.ReadText("image", "aufs", "layerdb", "mounts", ContainerId, "mount-id");

        Assert.Equal((ContainerId, "web", app.AppId, "app:1.0", "app:1.0", "sh -c sleep 1", "aufs"),
            (container.Id, container.Name, container.ImageId, container.Image, container.ImageReference, container.Command, container.Driver));
        Assert.Equal((ContainerStatus.Exited, 3), (container.State.Status, container.State.ExitCode));
        Assert.Equal(new DateTimeOffset(2018, 3, 2, 10, 0, 0, TimeSpan.Zero), container.State.StartedAt.Value);
        Assert.Equal((mountId, mountId + "-init"), (container.LayerId, container.InitLayerId));
        Assert.Equal(app.Root.ReadBytes("containers", ContainerId, "config.v2.json"), container.Config.ToArray());
        Assert.Equal(ContainerId, app.Root.Open().ResolveContainer("web").Id);
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void OpenContainer_Name_MergesItsLayerItsInitLayerAndItsImage(Disk disk)
    {
        using var app = Build(disk);
        var view = app.Root.Open().OpenContainer("web");

        Assert.Equal(4, view.Branches.Count); // the container, its init layer, the two layers of app
        Assert.True(view.TryGetEntry("data/out", followSymbolicLinks: false, out _));
        Assert.True(view.TryGetEntry(".dockerenv", followSymbolicLinks: false, out _));
        Assert.False(view.TryGetEntry(".dockerinit", followSymbolicLinks: false, out _)); // Docker 1.11+
        Assert.False(view.TryGetEntry("etc/hostname", followSymbolicLinks: false, out _));
        Assert.False(view.TryGetEntry("etc/motd", followSymbolicLinks: false, out _));
        Assert.Equal("/proc/mounts", view.GetEntry("etc/mtab").LinkTarget);
        Assert.True(view.TryGetEntry("app", followSymbolicLinks: false, out _));
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void GetChanges_Container_ShowsWhatItChanged(Disk disk)
    {
        using var app = Build(disk);
        var changes = app.Root.Open().OpenContainer(ContainerId[..12]).GetChanges().Select(c => c.ToString()).ToList();

        Assert.Contains("A /data/out", changes);
        Assert.Contains("D /etc/hostname", changes);
        Assert.DoesNotContain(changes, c => c.Contains(".wh.", StringComparison.Ordinal) || c.Contains("dockerenv", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void ComputeDigests_FromTarSplit_ReproducesEveryDiffIdAndTheImageId(Disk disk)
    {
        using var app = Build(disk);
        var digests = new ImageArchiver(app.Root.Open()).ComputeDigests("app:1.0", new ArchiveOptions { Source = LayerSource.TarSplit }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(app.DiffIds, digests.Layers.Select(l => l.DiffId));
        Assert.Equal(app.ChainIds, digests.Layers.Select(l => l.ChainId));
        Assert.All(digests.Layers, l => Assert.Equal(LayerSource.TarSplit, l.Source));
        Assert.Equal(app.AppId, digests.ImageId);
        Assert.Equal(app.Root.Config(app.AppId), digests.Config.ToArray());
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void Check_BuiltRoot_HasNoFindings(Disk disk)
    {
        using var app = Build(disk);
        var report = RootChecker.Check(app.Root.FileSystem, app.Root.Path, app.Root.Options, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Empty(report.Findings);
    }

    [Fact]
    public void ResolveImage_LayerBuiltFromATar_HasTheTarsSha256AsDiffId()
    {
        var tar = new TarBytes().Directory("opt").File("opt/x", "x\n").Symlink("opt/y", "x").Build();
        string id = null!;
        using var root = CasTestRoot.Build(Disk.Memory, b => id = b.AddLayer(l => l.FromTar(() => new MemoryStream(tar))));
        var layer = Assert.Single(root.Open().ResolveImage(id).Layers);

        Assert.Equal((CasTestRoot.Sha256(tar), CasTestRoot.Sha256(tar), 3L), (layer.Id, layer.DiffId, layer.Size));
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void GetContainers_RemovalInProgressAndHealth_ReadBackAsWritten(Disk disk)
    {
        var id = Ids.Of("cas-removing");
        using var app = Build(disk, (b, image) => b.AddContainer(c => c.Id(id).Name("going").Image(image)
            .State(new ContainerState { Running = false, RemovalInProgress = true, Health = "unhealthy", StartedAt = RecordedTime.FromValue(T0), FinishedAt = RecordedTime.FromValue(T0.AddHours(1)) })));
        var container = app.Root.Open().ResolveContainer("going");
        var text = Encoding.UTF8.GetString(app.Root.ReadBytes("containers", id, "config.v2.json"));

        Assert.Contains("\"RemovalInProgress\":true", text, StringComparison.Ordinal);
        Assert.Contains("\"Health\":{\"Status\":\"unhealthy\",\"FailingStreak\":0,\"Log\":null}", text, StringComparison.Ordinal);
        Assert.Equal((true, "unhealthy", ContainerStatus.RemovalInProgress), (container.State.RemovalInProgress, container.State.Health, container.State.Status));
    }
}
