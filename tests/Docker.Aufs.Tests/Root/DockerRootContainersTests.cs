using Docker.Aufs.Testing;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Root;

/// <summary>Containers through the facade: listing as <c>docker ps -a</c>, resolution as Docker 1.9's daemon.Get, their merged view.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DockerRootContainersTests
{
    private static readonly DateTimeOffset Started = new(2015, 11, 10, 21, 42, 40, TimeSpan.Zero);
    private static readonly string Base = Ids.Of("base");
    private static readonly string App = Ids.Of("app");
    private static readonly string Web = Ids.WithPrefix("abc1", "web");
    private static readonly string Worker = Ids.WithPrefix("abc2", "worker");
    private static readonly string Db = Ids.WithPrefix("d00d", "db");

    private static TestRoot Build(Disk disk, Action<DockerRootBuilder>? more = null) => TestRoot.Build(disk, b =>
    {
        b.AddLayer(l => l.Id(Base).File("etc/hosts", "127.0.0.1 image\n").File("etc/motd", "welcome\n").File("bin/sh", "#!", mode: "0755"));
        b.AddLayer(l => l.Id(App).Parent(Base).File("app/run", "run", mode: "0755"));
        b.Tag("app:latest", App);
        b.AddContainer(c => c.Id(Web).Name("web").Image(App, "app").Created(Started).Command("/app/run", "--port", "80")
            .Running(Started.AddSeconds(1))
            .Changes(l => l.File("app/state", "serving\n").File("tmp/cache", "x"))
            .Delete("etc/motd"));
        b.AddContainer(c => c.Id(Worker).Name("worker").Image(App, "app:latest").Created(Started.AddHours(1))
            .Exited(137, Started.AddHours(1), Started.AddHours(2)));
        b.AddContainer(c => c.Id(Db).Name("abc1").Image(Base).Created(Started.AddHours(2)));
        more?.Invoke(b);
    });

    [Fact]
    public void GetContainers_Root_ListsThemNewestFirstWithTheirState()
    {
        using var root = Build(Disk.Memory);

        var containers = root.Open().GetContainers();

        Assert.Equal([Db, Worker, Web], containers.Select(c => c.Id));
        var web = containers[2];
        Assert.Equal(("web", "app", App, ContainerStatus.Running, "aufs", "/app/run --port 80"), (web.Name, web.Image, web.ImageId, web.State.Status, web.Driver, web.Command));
        Assert.Equal(Started, web.Created?.Value);
        Assert.Equal((ContainerStatus.Exited, 137), (containers[1].State.Status, containers[1].State.ExitCode));
        Assert.Equal(ContainerStatus.Created, containers[0].State.Status);
        Assert.Equal(Base, containers[0].Image); // created from an ID: shown as the ID
    }

    [Fact]
    public void GetContainers_NameThatNoLongerPointsAtTheImage_ShowsTheImageId()
    {
        using var root = Build(Disk.Memory, b => b.AddContainer(c => c.Id(Ids.Of("old")).Name("old").Image(Base, "app")));

        var old = root.Open().GetContainers().Single(c => c.Name == "old");

        Assert.Equal(Base, old.Image);
    }

    [Fact]
    public void GetContainers_OtherDriverCorruptOrImageless_AreSkippedOrWarnedAboutAsDockerDoes()
    {
        var logs = new ListLoggerFactory();
        using var root = Build(Disk.Memory, b =>
        {
            b.AddContainer(c => c.Id(Ids.Of("overlay")).Name("overlay").Image(App).Driver("overlay"));
            b.AddContainer(c => c.Id(Ids.Of("corrupt")).Name("corrupt").Image(App).RawConfig("{\"ID\":"));
            b.AddContainer(c => c.Id(Ids.Of("orphan")).Name("orphan").Image(Ids.Of("gone")).WithoutDriverData());
        });

        var containers = root.Open(new DockerRootOptions { LoggerFactory = logs }).GetContainers();

        Assert.DoesNotContain(containers, c => c.Name is "overlay" or "corrupt");
        Assert.Contains(containers, c => c.Name == "orphan" && c.Image == Ids.Of("gone"));
        Assert.Contains(logs.Entries, e => e.Id.Id == 3101 && e.Message.Contains(Ids.Of("corrupt"), StringComparison.Ordinal) && e.Message.Contains("config.json", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Id.Id == 3102 && e.Message.Contains("overlay", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Id.Id == 3103 && e.Message.Contains(Ids.Of("gone"), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("web", "web")]
    [InlineData("/web", "web")]
    [InlineData("worker", "worker")]
    [InlineData("abc2", "worker")]
    [InlineData("d", "abc1")]
    [InlineData("abc1", "abc1")] // an exact name wins over an ID prefix (web's ID starts with abc1)
    public void GetContainer_Reference_ResolvesInDocker19Order(string reference, string expectedName)
    {
        using var root = Build(Disk.Memory);

        Assert.Equal(expectedName, root.Open().ResolveContainer(reference).Name);
    }

    [Fact]
    public void GetContainer_FullId_WinsOverAContainerNamedLikeIt()
    {
        using var root = Build(Disk.Memory, b => b.AddContainer(c => c.Id(Ids.Of("impostor")).Name(Web).Image(App)));

        Assert.Equal("web", root.Open().ResolveContainer(Web).Name);
    }

    [Fact]
    public void GetContainer_AmbiguousPrefixUnknownOrEmpty_ThrowsTheMatchingException()
    {
        using var root = Build(Disk.Memory);
        var docker = root.Open();

        var ambiguous = Assert.Throws<AmbiguousReferenceException>(() => docker.ResolveContainer("ab"));
        Assert.Equal([Web, Worker], ambiguous.Candidates);
        Assert.Throws<ContainerNotFoundException>(() => docker.ResolveContainer("nope"));
        Assert.Throws<ContainerNotFoundException>(() => docker.ResolveContainer("a b"));
        Assert.Throws<ArgumentException>(() => docker.ResolveContainer(string.Empty));
    }

    [Fact]
    public void GetContainer_FullIdOfACorruptOrForeignContainer_SaysWhy()
    {
        using var root = Build(Disk.Memory, b =>
        {
            b.AddContainer(c => c.Id(Ids.Of("corrupt")).Image(App).RawConfig("not json"));
            b.AddContainer(c => c.Id(Ids.Of("overlay")).Image(App).Driver("overlay"));
        });
        var docker = root.Open();

        var corrupt = Assert.Throws<CorruptFileException>(() => docker.ResolveContainer(Ids.Of("corrupt")));
        Assert.EndsWith("config.json", corrupt.Path, StringComparison.Ordinal);
        var foreign = Assert.Throws<ContainerNotFoundException>(() => docker.ResolveContainer(Ids.Of("overlay")));
        Assert.Contains("overlay storage driver", foreign.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void GetContainerView_Container_StacksItsLayerItsInitLayerAndItsImage(Disk disk)
    {
        using var root = Build(disk);

        var view = root.Open().OpenContainer("web");

        Assert.Equal([Web, Web + "-init", App, Base], view.Branches.Select(b => b.LayerId));
        Assert.Equal(
            [".dockerenv", ".dockerinit", "app", "app/run", "app/state", "bin", "bin/sh", "dev", "dev/console", "dev/pts", "dev/shm",
             "etc", "etc/hostname", "etc/hosts", "etc/mtab", "etc/resolv.conf", "proc", "sys", "tmp", "tmp/cache"],
            view.EnumerateRecursive().Select(e => e.Path));
        Assert.Equal(0, view.GetEntry("etc/hosts").Size); // the init layer's placeholder hides the image's file
        Assert.Equal(Web + "-init", view.GetEntry("etc/hosts").LayerId);
        Assert.Equal(("/proc/mounts", UnixFileType.SymbolicLink), (view.GetEntry("etc/mtab").LinkTarget, view.GetEntry("etc/mtab").Type));
        Assert.Equal(Web, view.GetEntry("app/state").LayerId);
    }

    [Fact]
    public void GetContainerView_ContainerWithoutLayersOrWithAMissingImage_ThrowsBrokenChainNamingThePath()
    {
        using var root = Build(Disk.Memory, b =>
        {
            b.AddContainer(c => c.Id(Ids.Of("nolayers")).Name("nolayers").Image(App).WithoutDriverData());
            b.AddContainer(c => c.Id(Ids.Of("noimage")).Name("noimage").Image(Ids.Of("gone")));
        });
        var docker = root.Open();

        var noLayers = Assert.Throws<BrokenLayerChainException>(() => docker.OpenContainer("nolayers"));
        Assert.EndsWith($"aufs/layers/{Ids.Of("nolayers")}", noLayers.Path, StringComparison.Ordinal);
        var noImage = Assert.Throws<BrokenLayerChainException>(() => docker.OpenContainer("noimage"));
        Assert.EndsWith($"aufs/diff/{Ids.Of("gone")}", noImage.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenContainer_LayersFileThatSkipsTheInitLayer_IsABrokenChainUnlessLenient_ThenTheStoresChainIsMerged()
    {
        using var root = Build(Disk.Memory);
        root.FileSystem.File.WriteAllText(root.FileSystem.Path.Combine(root.Path, "aufs", "layers", Web), $"{App}\n{Base}\n");
        var logs = new ListLoggerFactory();

        Assert.Throws<BrokenLayerChainException>(() => root.Open().OpenContainer("web"));
        var view = root.Open(new DockerRootOptions { StrictChains = false, LoggerFactory = logs }).OpenContainer("web");
        Assert.Equal([Web, Web + "-init", App, Base], view.LayerIds); // one chain decision: the init layer is kept
        Assert.Contains(logs.Warnings, w => w.Contains("init layer", StringComparison.Ordinal));
    }

    [Fact]
    public void GetLayerView_InitLayerByPrefix_ShowsTheInitLayerOnTheImage()
    {
        using var root = Build(Disk.Memory);

        var view = root.Open().OpenLayer(Web + "-init");

        Assert.Equal([Web + "-init", App, Base], view.Branches.Select(b => b.LayerId));
        Assert.Throws<LayerNotFoundException>(() => root.Open().OpenLayer("ffff"));
    }
}
