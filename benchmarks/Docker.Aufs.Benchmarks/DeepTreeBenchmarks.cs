using System.IO.Abstractions;
using BenchmarkDotNet.Attributes;
using Docker.Aufs.Testing;

namespace Docker.Aufs.Benchmarks;

/// <summary>
/// Issue 16, class 5: <c>docker diff</c> of a container on a chain of nested directories was cubic in the depth (1,600
/// levels: 44 s, while a recursive listing of the same tree took 0.6 s). Each tree is a container on a one-layer image:
/// <c>deep</c>, a chain of <see cref="Depth"/> directories <c>d/d/…/d</c> with two files at the bottom, of which the
/// container changes one, adds one and deletes one; <c>wide</c>, 100 directories of 100 files, of which the container
/// changes one per directory. The baseline of each tree is the recursive listing of the container's view (<c>ls -R</c>),
/// measured in the same run; linear work shows as a diff/listing ratio that stays flat as the depth doubles.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class DeepTreeBenchmarks
{
    private const int WideDirectories = 100;
    private const int WideFiles = 100;

    private readonly FileSystem _fileSystem = new();
    private string _directory = null!;
    private string _root = null!;

    /// <summary>The depth of the chain; 0 is the wide tree.</summary>
    [Params(0, 400, 800, 1600)]
    public int Depth { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "docker-aufs-bench-" + Guid.NewGuid().ToString("N"));
        _root = Path.Combine(_directory, "docker");
        var builder = new DockerRootBuilder(_fileSystem, _root);
        if (Depth == 0)
        {
            var layer = builder.AddLayer(l =>
            {
                for (var d = 0; d < WideDirectories; d++)
                {
                    for (var f = 0; f < WideFiles; f++)
                    {
                        l.File($"dir{d:D3}/file{f:D3}", "old");
                    }
                }
            });
            builder.Tag("tree:latest", layer);
            builder.AddContainer(c => c.Name("tree").Image(layer).Changes(l =>
            {
                for (var d = 0; d < WideDirectories; d++)
                {
                    l.File($"dir{d:D3}/file000", "new");
                }
            }));
        }
        else
        {
            var chain = string.Join('/', Enumerable.Repeat("d", Depth));
            var layer = builder.AddLayer(l => l.File(chain + "/file", "old").File(chain + "/gone", "gone"));
            builder.Tag("tree:latest", layer);
            builder.AddContainer(c => c.Name("tree").Image(layer)
                .Changes(l => l.File(chain + "/file", "new").File(chain + "/added", "added"))
                .Delete(chain + "/gone"));
        }

        builder.Build();
        if (Diff() == 0 || List() == 0)
        {
            throw new InvalidOperationException("The container's view shows no changes or no entries.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory must not fail a benchmark run.
        }
    }

    [Benchmark(Baseline = true, Description = "ls -R of the container (EnumerateRecursive)")]
    public int List() => DockerRoot.Open(_fileSystem, _root).OpenContainer("tree").EnumerateRecursive().Count();

    [Benchmark(Description = "docker diff of the container (GetChanges)")]
    public int Diff() => DockerRoot.Open(_fileSystem, _root).OpenContainer("tree").GetChanges().Count;
}
