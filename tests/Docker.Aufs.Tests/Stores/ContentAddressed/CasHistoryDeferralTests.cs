using Docker.Aufs.Tests.Building;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Stores.ContentAddressed;

/// <summary>
/// Resolving an image on a 1.10+ root reads its own config and layer records; the configs of its ancestors, which only
/// the history's image IDs need (Docker shows a parent's ID while that image loads), are read when the history is.
/// </summary>
public sealed class CasHistoryDeferralTests
{
    private static readonly DateTimeOffset T0 = new(2019, 5, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>base (one layer) ← env (an empty layer) ← app (one layer), tagged app:1.0, in memory.</summary>
    private static (CasTestRoot Root, string Base, string Env, string App) Build()
    {
        string b = null!, e = null!, a = null!;
        var root = CasTestRoot.Build(Disk.Memory, builder =>
        {
            b = builder.AddLayer(l => l.Created(T0).CreatedBy("#(nop) ADD file:01 in / ").File("etc/motd", "hi\n"));
            e = builder.AddLayer(l => l.Parent(b).Created(T0.AddMinutes(1)).CreatedBy("#(nop)  ENV A=1").Config("{\"Env\":[\"A=1\"]}").EmptyLayer());
            a = builder.AddLayer(l => l.Parent(e).Created(T0.AddMinutes(2)).CreatedBy("echo app > /app").File("app", "app\n"));
            builder.Tag("app:1.0", a);
        });
        return (root, b, e, a);
    }

    private static string ConfigPath(CasTestRoot root, string imageId) => root.Combine("image", "aufs", "imagedb", "content", "sha256", CasTestRoot.Hex(imageId));

    [Fact]
    public void ResolveImage_ByTag_ReadsNoAncestorConfigUntilTheHistoryIsRead()
    {
        var (root, b, e, a) = Build();
        using var disposable = root;
        var (spy, log) = SpyFileSystem.Wrap(root.FileSystem);

        var image = DockerRoot.Open(spy, root.Path, root.Options).ResolveImage("app:1.0");

        Assert.Equal(2, image.Layers.Count);
        Assert.Contains(ConfigPath(root, a), log.Paths);
        Assert.DoesNotContain(ConfigPath(root, e), log.Paths);
        Assert.DoesNotContain(ConfigPath(root, b), log.Paths);

        Assert.Equal(new string?[] { a, e, b }, image.History.Select(h => h.Id));
        Assert.Contains(ConfigPath(root, e), log.Paths);
        Assert.Contains(ConfigPath(root, b), log.Paths);
    }

    [Fact]
    public void ResolveImage_AncestorConfigChangedAfterTheResolve_HistoryShowsItMissingAsDockerWould()
    {
        var (root, _, e, a) = Build();
        using var disposable = root;
        var image = root.Open().ResolveImage("app:1.0");

        // The walk runs when the history is read: an ancestor that no longer verifies is not an image of the store.
        root.FileSystem.File.AppendAllText(ConfigPath(root, e), " ");

        Assert.Equal(new string?[] { a, null, null }, image.History.Select(h => h.Id));
        Assert.Equal(["app:1.0", "", ""], image.History.Select(h => string.Join(',', h.Tags)));
        Assert.Equal(T0.AddMinutes(2), image.Layers[0].Created?.Value);
    }
}
