using System.IO.Abstractions;
using BenchmarkDotNet.Attributes;

namespace Docker.Aufs.Benchmarks;

/// <summary>For information: opening a root, and the history of the deepest image (60 layers) of the 10,000-layer root.</summary>
[Config(typeof(BenchmarkConfig))]
public class RootBenchmarks
{
    private readonly FileSystem _fileSystem = new();
    private RootFixture _large = null!;

    [GlobalSetup]
    public void Setup() => _large = RootFixture.Create(SyntheticRootSpec.Large);

    [GlobalCleanup]
    public void Cleanup() => _large.Dispose();

    [Benchmark(Description = "Open, 10,000-layer root")]
    public IDockerRoot Open() => DockerRoot.Open(_fileSystem, _large.Path);

    [Benchmark(Description = "History of a 60-layer image, 10,000-layer root")]
    public IReadOnlyList<ImageHistoryEntry> HistoryOfDeepImage() => DockerRoot.Open(_fileSystem, _large.Path).ResolveImage(_large.Info.DeepReference).History;
}
