using System.IO.Abstractions;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Docker.Aufs.Union;

namespace Docker.Aufs.Benchmarks;

/// <summary>
/// Target 4: reading a file of the 30-layer image through the union view costs at most 1.2× reading the same branch
/// file directly with <see cref="File.OpenRead"/>: a 1 MiB file of the base layer (the bottom of the stack) and a 64 MiB
/// file 13 layers from the top. Each operation opens the file and reads it to the end into one reusable 1 MiB buffer.
/// </summary>
/// <remarks>
/// The target cases open the file by its path, <see cref="UnionView.OpenRead"/> and the <see cref="UnionFileSystem"/>
/// adapter's <c>File.OpenRead</c>, on a view that has looked the same path up before (its lookup cache answers; a new
/// name in a directory already resolved would still cost the lookup of that last name in the directory's branches). The
/// new-view cases build a new view over the same branches for each operation, constructor included: "of the same root"
/// shares the driver's branch facts, as every view opened from one root does (the first open of a path on a new view of
/// an image whose layers were looked into before); "nothing cached" gives it facts of its own, so every component of the
/// path is looked up branch by branch with <c>lstat</c> (the first open of a path on a root). The <see cref="UnionView.OpenEntry"/> case opens an entry looked up once in
/// <see cref="Setup"/>, as a walk over a listing does. The view is opened once, in <see cref="Setup"/>; opening a root
/// and resolving the image is part of <see cref="UnionBenchmarks"/>.
/// </remarks>
[Config(typeof(BenchmarkConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class UnionReadBenchmarks
{
    private readonly byte[] _buffer = new byte[1 << 20];
    private UnionFixture _image = null!;
    private UnionView _view = null!;
    private UnionFileSystem _union = null!;
    private UnionEntry _medium = null!;
    private UnionEntry _large = null!;

    [GlobalSetup]
    public void Setup()
    {
        _image = UnionFixture.Create();
        _view = DockerRoot.Open(new FileSystem(), _image.Path).OpenImage(UnionImage.Reference);
        _union = new UnionFileSystem(_view);
        _medium = _view.GetEntry(UnionImage.MediumFile);
        _large = _view.GetEntry(UnionImage.LargeFile);
        var largeLayer = _view.Branches.Select(b => b.LayerId).ToList().IndexOf(_large.LayerId) + 1;
        if (_medium.LayerId != _view.Branches[^1].LayerId || _medium.Size != UnionImage.MediumSize || _large.Size != UnionImage.LargeSize || largeLayer != 13)
        {
            throw new InvalidOperationException("The files are not where the generator put them.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _image.Dispose();

    [BenchmarkCategory("1 MiB")]
    [Benchmark(Baseline = true, Description = "File.OpenRead(branch file), 1 MiB")]
    public long ReadMediumDirectly() => ReadToEnd(File.OpenRead(_medium.SourcePath));

    [BenchmarkCategory("1 MiB")]
    [Benchmark(Description = "UnionView.OpenRead, 1 MiB")]
    public long ReadMediumThroughView() => ReadToEnd(_view.OpenRead(UnionImage.MediumFile));

    [BenchmarkCategory("1 MiB")]
    [Benchmark(Description = "UnionFileSystem File.OpenRead, 1 MiB")]
    public long ReadMediumThroughFileSystem() => ReadToEnd(_union.File.OpenRead("/" + UnionImage.MediumFile));

    [BenchmarkCategory("1 MiB")]
    [Benchmark(Description = "UnionView.OpenRead on a new view of the same root, 1 MiB")]
    public long ReadMediumNewView() => ReadToEnd(NewView(_view.Facts).OpenRead(UnionImage.MediumFile));

    [BenchmarkCategory("1 MiB")]
    [Benchmark(Description = "UnionView.OpenRead on a new view, nothing cached, 1 MiB")]
    public long ReadMediumCold() => ReadToEnd(NewView(new BranchFacts()).OpenRead(UnionImage.MediumFile));

    [BenchmarkCategory("1 MiB")]
    [Benchmark(Description = "UnionView.OpenEntry (looked up once), 1 MiB")]
    public long ReadMediumEntry() => ReadToEnd(_view.OpenEntry(_medium));

    [BenchmarkCategory("64 MiB")]
    [Benchmark(Baseline = true, Description = "File.OpenRead(branch file), 64 MiB")]
    public long ReadLargeDirectly() => ReadToEnd(File.OpenRead(_large.SourcePath));

    [BenchmarkCategory("64 MiB")]
    [Benchmark(Description = "UnionView.OpenRead, 64 MiB")]
    public long ReadLargeThroughView() => ReadToEnd(_view.OpenRead(UnionImage.LargeFile));

    [BenchmarkCategory("64 MiB")]
    [Benchmark(Description = "UnionFileSystem File.OpenRead, 64 MiB")]
    public long ReadLargeThroughFileSystem() => ReadToEnd(_union.File.OpenRead("/" + UnionImage.LargeFile));

    [BenchmarkCategory("64 MiB")]
    [Benchmark(Description = "UnionView.OpenRead on a new view of the same root, 64 MiB")]
    public long ReadLargeNewView() => ReadToEnd(NewView(_view.Facts).OpenRead(UnionImage.LargeFile));

    [BenchmarkCategory("64 MiB")]
    [Benchmark(Description = "UnionView.OpenRead on a new view, nothing cached, 64 MiB")]
    public long ReadLargeCold() => ReadToEnd(NewView(new BranchFacts()).OpenRead(UnionImage.LargeFile));

    [BenchmarkCategory("64 MiB")]
    [Benchmark(Description = "UnionView.OpenEntry (looked up once), 64 MiB")]
    public long ReadLargeEntry() => ReadToEnd(_view.OpenEntry(_large));

    private UnionView NewView(BranchFacts facts) => new(_view.FileSystem, _view.Metadata, _view.Branches, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, facts);

    private long ReadToEnd(Stream stream)
    {
        using (stream)
        {
            long total = 0;
            int read;
            while ((read = stream.Read(_buffer, 0, _buffer.Length)) > 0)
            {
                total += read;
            }

            return total;
        }
    }
}
