using System.IO.Abstractions;
using BenchmarkDotNet.Attributes;

namespace Docker.Aufs.Benchmarks;

/// <summary>
/// Target 1: resolving one tag on the 10,000-layer root costs at most 1.5× resolving it on the 20-layer root. The tag's
/// chain is the same 20 layers in both roots; every operation opens a fresh <see cref="IDockerRoot"/>, so nothing is cached.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class ResolveBenchmarks
{
    private readonly FileSystem _fileSystem = new();
    private RootFixture _small = null!;
    private RootFixture _large = null!;
    private string _shortId = null!;

    [GlobalSetup]
    public void Setup()
    {
        _small = RootFixture.Create(SyntheticRootSpec.Small);
        _large = RootFixture.Create(SyntheticRootSpec.Large);
        _shortId = _large.Info.TargetId[..12];
        if (_small.Info.TargetId != _large.Info.TargetId)
        {
            throw new InvalidOperationException("The target chain differs between the roots.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _small.Dispose();
        _large.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Resolve tag, 20-layer root")]
    public Image ResolveTag_20Layers() => DockerRoot.Open(_fileSystem, _small.Path).ResolveImage(SyntheticRoot.TargetReference);

    [Benchmark(Description = "Resolve tag, 10,000-layer root")]
    public Image ResolveTag_10000Layers() => DockerRoot.Open(_fileSystem, _large.Path).ResolveImage(SyntheticRoot.TargetReference);

    [Benchmark(Description = "Resolve short ID, 20-layer root")]
    public Image ResolveShortId_20Layers() => DockerRoot.Open(_fileSystem, _small.Path).ResolveImage(_shortId);

    [Benchmark(Description = "Resolve short ID, 10,000-layer root")]
    public Image ResolveShortId_10000Layers() => DockerRoot.Open(_fileSystem, _large.Path).ResolveImage(_shortId);
}
