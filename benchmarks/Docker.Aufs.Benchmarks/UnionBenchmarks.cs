using System.IO.Abstractions;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Docker.Aufs.IO;

namespace Docker.Aufs.Benchmarks;

/// <summary>
/// Target 3: listing the 30-layer image of about 100,000 entries recursively through the union view costs at most 2×
/// listing all of its diff directories recursively. Every view operation opens a fresh <see cref="IDockerRoot"/> and
/// view, so nothing is cached.
/// </summary>
/// <remarks>
/// Two groups, each with its own baseline. <c>names</c> holds the target: the baseline is .NET's plainest recursive
/// listing, <see cref="Directory.EnumerateFileSystemEntries(string, string, SearchOption)"/>, which reads directories
/// only (names and the kernel's entry types), as the view's listing does. Beside it, for comparison,
/// <see cref="DirectoryInfo.EnumerateFileSystemInfos(string, SearchOption)"/>, which also makes one <c>lstat</c> per
/// entry while creating its <see cref="FileSystemInfo"/> objects. <c>lstat</c> adds each entry's metadata on both sides
/// (mode, owner, size: one <c>lstat</c> per entry through the view's own <see cref="IUnixMetadataProvider"/>), since a
/// listing that shows modes and owners needs it.
/// </remarks>
[Config(typeof(BenchmarkConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class UnionBenchmarks
{
    private readonly FileSystem _fileSystem = new();
    private UnionFixture _image = null!;
    private IUnixMetadataProvider _metadata = null!;

    [GlobalSetup]
    public void Setup()
    {
        _image = UnionFixture.Create();
        _metadata = DockerRoot.Open(_fileSystem, _image.Path).OpenImage(UnionImage.Reference).Metadata;
        var diffEntries = _image.Info.DiffEntries;
        var merged = _image.Info.MergedEntries;
        if (List().Entries != diffEntries || ListInfos().Entries != diffEntries || ListAndStat().Entries != diffEntries ||
            EnumerateView().Entries != merged || EnumerateViewAndStat().Entries != merged)
        {
            throw new InvalidOperationException("The listings do not see the entries the generator counted.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _image.Dispose();

    [BenchmarkCategory("names")]
    [Benchmark(Baseline = true, Description = "Directory.EnumerateFileSystemEntries of every aufs/diff/<id>")]
    public (int Entries, long Touched) List()
    {
        var entries = 0;
        long touched = 0;
        foreach (var diff in _image.Info.DiffDirectories)
        {
            foreach (var path in Directory.EnumerateFileSystemEntries(diff, "*", SearchOption.AllDirectories))
            {
                entries++;
                touched += path.Length;
            }
        }

        return (entries, touched);
    }

    [BenchmarkCategory("names")]
    [Benchmark(Description = "DirectoryInfo.EnumerateFileSystemInfos of every aufs/diff/<id>")]
    public (int Entries, long Touched) ListInfos()
    {
        var entries = 0;
        long touched = 0;
        foreach (var diff in _image.Info.DiffDirectories)
        {
            foreach (var info in new DirectoryInfo(diff).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
            {
                entries++;
                touched += info.FullName.Length;
            }
        }

        return (entries, touched);
    }

    [BenchmarkCategory("names")]
    [Benchmark(Description = "Open root and view, EnumerateRecursive")]
    public (int Entries, long Touched) EnumerateView()
    {
        var entries = 0;
        long touched = 0;
        foreach (var entry in DockerRoot.Open(_fileSystem, _image.Path).OpenImage(UnionImage.Reference).EnumerateRecursive())
        {
            entries++;
            touched += entry.Path.Length;
        }

        return (entries, touched);
    }

    [BenchmarkCategory("lstat")]
    [Benchmark(Baseline = true, Description = "Directory.EnumerateFileSystemEntries of every aufs/diff/<id>, lstat each entry")]
    public (int Entries, long Touched) ListAndStat()
    {
        var entries = 0;
        long touched = 0;
        foreach (var diff in _image.Info.DiffDirectories)
        {
            foreach (var path in Directory.EnumerateFileSystemEntries(diff, "*", SearchOption.AllDirectories))
            {
                entries++;
                if (_metadata.TryGetStatus(path, out var status))
                {
                    touched += status.Permissions + status.Uid + status.Gid + status.Size;
                }
            }
        }

        return (entries, touched);
    }

    [BenchmarkCategory("lstat")]
    [Benchmark(Description = "Open root and view, EnumerateRecursive, mode/uid/gid/size of each entry")]
    public (int Entries, long Touched) EnumerateViewAndStat()
    {
        var entries = 0;
        long touched = 0;
        foreach (var entry in DockerRoot.Open(_fileSystem, _image.Path).OpenImage(UnionImage.Reference).EnumerateRecursive())
        {
            entries++;
            touched += entry.Mode + entry.Uid + entry.Gid + entry.Size;
        }

        return (entries, touched);
    }
}
