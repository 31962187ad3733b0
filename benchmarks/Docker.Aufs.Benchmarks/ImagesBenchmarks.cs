using System.IO.Abstractions;
using BenchmarkDotNet.Attributes;
using Docker.Aufs.Formats;
using Docker.Aufs.Stores.Graph;

namespace Docker.Aufs.Benchmarks;

/// <summary>
/// Target 2: <c>images</c> on the 10,000-layer root costs at most 2× the bare cost of reading every <c>graph/*/json</c>
/// once. Every operation opens a fresh <see cref="IDockerRoot"/>.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class ImagesBenchmarks
{
    private readonly FileSystem _fileSystem = new();
    private RootFixture _large = null!;
    private string _graph = null!;

    [GlobalSetup]
    public void Setup()
    {
        _large = RootFixture.Create(SyntheticRootSpec.Large);
        _graph = Path.Combine(_large.Path, LegacyLayout.GraphDirectory);
    }

    [GlobalCleanup]
    public void Cleanup() => _large.Dispose();

    [Benchmark(Baseline = true, Description = "Read every graph/*/json once")]
    public long ReadEveryGraphJson()
    {
        long total = 0;
        foreach (var directory in Directory.EnumerateDirectories(_graph))
        {
            // Every directory of a generated root is a layer with a json file (graph/_tmp excepted, which is empty).
            if (directory.EndsWith(GraphFiles.TempDirectory, StringComparison.Ordinal))
            {
                continue;
            }

            total += File.ReadAllBytes(Path.Combine(directory, GraphFiles.Json)).Length;
        }

        return total;
    }

    [Benchmark(Description = "GetImages, 10,000-layer root")]
    public IReadOnlyList<ImageSummary> GetImages() => DockerRoot.Open(_fileSystem, _large.Path).GetImages();
}
