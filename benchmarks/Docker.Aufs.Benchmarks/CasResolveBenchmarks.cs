using System.IO.Abstractions;
using BenchmarkDotNet.Attributes;

namespace Docker.Aufs.Benchmarks;

/// <summary>
/// Issue 11, goal (c): resolving a tag to a 20-layer image on a 1.10+ (content-addressed) root costs at most 1.5× resolving
/// it on a graph-era root. The baseline is the graph-era 20-layer root of <see cref="ResolveBenchmarks"/>; beside it the
/// 1.10+ root holding only the 20-step target image, and for information both large roots (10,000 graph layers; 2,000
/// images). Every operation opens a fresh <see cref="IDockerRoot"/>, so nothing is cached; each case generates only the
/// root it reads.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class CasResolveBenchmarks
{
    private readonly FileSystem _fileSystem = new();
    private RootFixture? _graphSmall;
    private RootFixture? _graphLarge;
    private CasRootFixture? _casSmall;
    private CasRootFixture? _casLarge;

    [GlobalSetup(Target = nameof(Graph_20Layers))]
    public void SetupGraphSmall() => _graphSmall = Check(RootFixture.Create(SyntheticRootSpec.Small));

    [GlobalSetup(Target = nameof(Graph_10000Layers))]
    public void SetupGraphLarge() => _graphLarge = Check(RootFixture.Create(SyntheticRootSpec.Large));

    [GlobalSetup(Target = nameof(Cas_20Layers))]
    public void SetupCasSmall() => _casSmall = Check(CasRootFixture.Create(CasSyntheticRootSpec.Small));

    [GlobalSetup(Target = nameof(Cas_2000Images))]
    public void SetupCasLarge() => _casLarge = Check(CasRootFixture.Create(CasSyntheticRootSpec.Large));

    [GlobalCleanup]
    public void Cleanup()
    {
        _graphSmall?.Dispose();
        _graphLarge?.Dispose();
        _casSmall?.Dispose();
        _casLarge?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Resolve tag, graph-era 20-layer root")]
    public Image Graph_20Layers() => Resolve(_graphSmall!.Path);

    [Benchmark(Description = "Resolve tag, 1.10+ root of the 20-layer image")]
    public Image Cas_20Layers() => Resolve(_casSmall!.Path);

    [Benchmark(Description = "Resolve tag, graph-era 10,000-layer root")]
    public Image Graph_10000Layers() => Resolve(_graphLarge!.Path);

    [Benchmark(Description = "Resolve tag, 1.10+ root of 2,000 images")]
    public Image Cas_2000Images() => Resolve(_casLarge!.Path);

    private Image Resolve(string root) => DockerRoot.Open(_fileSystem, root).ResolveImage(SyntheticRoot.TargetReference);

    /// <summary>Checks that the target tag names a 20-layer image in the generated root.</summary>
    private T Check<T>(T fixture)
        where T : GeneratedRoot
    {
        var layers = Resolve(fixture.Path).Layers.Count;
        if (layers != SyntheticRootSpec.TargetDepth)
        {
            throw new InvalidOperationException($"The target tag names an image of {layers} layers, not {SyntheticRootSpec.TargetDepth}.");
        }

        return fixture;
    }
}
