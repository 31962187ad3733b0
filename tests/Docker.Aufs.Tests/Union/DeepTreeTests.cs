using Docker.Aufs.Archive;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Union;

/// <summary>
/// A chain of directories nested as deep as a path on Linux allows (issue 16, class 5): <c>docker diff</c> took 44 s on
/// 1,600 levels because every entry was looked up again from the top of each lower branch. Every walk — diff, a
/// recursive listing, export, a layer's tar, fsck — now carries what it knows down the tree and finishes. No timing is
/// asserted here (docs/benchmarks.md has the numbers); a walk that is cubic in the depth does not finish in the run.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DeepTreeTests
{
    private static readonly string Base = Ids.Of("deep-base");
    private static readonly string Container = Ids.Of("deep-container");

    /// <summary>
    /// 1,600 levels on the real disk (the tree; much deeper passes PATH_MAX there), fewer in memory, where the mock
    /// file system's own listing costs grow with every path it holds.
    /// </summary>
    public static TheoryData<Disk, int> Depths => new() { { Disk.Real, 1_600 }, { Disk.Memory, 300 } };

    private static string Chain(int depth) => string.Join('/', Enumerable.Repeat("d", depth));

    private static TestRoot Build(Disk disk, int depth) => TestRoot.Build(disk, b =>
    {
        var chain = Chain(depth);
        b.AddLayer(l => l.Id(Base).File(chain + "/file", "old").File(chain + "/gone", "gone"));
        b.Tag("deep:latest", Base);
        b.AddContainer(c => c.Id(Container).Name("deep").Image(Base)
            .Changes(l => l.File(chain + "/file", "new").File(chain + "/added", "added"))
            .Delete(chain + "/gone"));
    });

    [Theory]
    [MemberData(nameof(Depths))]
    public void GetChanges_OfAContainerOnADeepChain_FindsTheChangesAtTheBottom(Disk disk, int depth)
    {
        using var root = Build(disk, depth);

        var changes = root.Open().OpenContainer("deep").GetChanges().Select(c => c.ToString()).ToList();

        var bottom = "/" + Chain(depth);
        Assert.Contains($"A {bottom}/added", changes);
        Assert.Contains($"C {bottom}/file", changes);
        Assert.Contains($"D {bottom}/gone", changes);
        Assert.Equal(changes.Count, changes.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [MemberData(nameof(Depths))]
    public void EnumerateRecursiveAndExport_OfADeepChain_ReachTheBottom(Disk disk, int depth)
    {
        using var root = Build(disk, depth);
        var docker = root.Open();
        var view = docker.OpenContainer("deep");

        var entries = view.EnumerateRecursive().Select(e => e.Path).ToList();
        using var tar = new MemoryStream();
        var exported = new ImageArchiver(docker).Export(view, tar, TestContext.Current.CancellationToken);

        var chain = entries.Where(e => e == "d" || e.StartsWith("d/", StringComparison.Ordinal)).ToList(); // the init layer adds its own
        Assert.Equal(depth + 2, chain.Count); // the directories, file and added (gone is whited out)
        Assert.Equal([Chain(depth) + "/added", Chain(depth) + "/file"], chain[^2..]);
        Assert.Equal(entries.Count, exported);
    }

    [Theory]
    [MemberData(nameof(Depths))]
    public void LayerTarAndFsck_OfADeepChain_Finish(Disk disk, int depth)
    {
        using var root = Build(disk, depth);
        var docker = root.Open();

        using var tar = new MemoryStream();
        new ImageArchiver(docker).WriteLayerTar(Base, tar, cancellationToken: TestContext.Current.CancellationToken);
        var report = disk == Disk.Memory
            ? RootChecker.Check(root.FileSystem, root.Path, new DockerRootOptions { Metadata = root.Root.Metadata }, cancellationToken: TestContext.Current.CancellationToken)
            : RootChecker.Check(root.FileSystem, root.Path, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(tar.Length > depth * 512, $"{tar.Length} bytes"); // a header per directory at least
        Assert.DoesNotContain(report.Findings, f => f.Severity == FindingSeverity.Error);
    }
}
