using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace Docker.Aufs.Benchmarks;

/// <summary>
/// The job of every benchmark here: one launch, 3 warm-up and 10 measured iterations (a full run takes minutes on two
/// cores), memory diagnoser on, and the ratio to the class's baseline, which is measured in the same run.
/// </summary>
public class BenchmarkConfig : ManualConfig
{
    public BenchmarkConfig()
    {
        AddJob(ShortJob.WithId("Short"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median);
        SummaryStyle = BenchmarkDotNet.Reports.SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend);
    }

    protected static Job ShortJob { get; } = Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10);
}

/// <summary>Generated roots on the real disk, deleted again at the end.</summary>
public sealed class RootFixture : IDisposable
{
    private RootFixture(string directory, SyntheticRootInfo info)
    {
        Directory = directory;
        Info = info;
    }

    public string Directory { get; }

    public SyntheticRootInfo Info { get; }

    public string Path => Info.Path;

    public static RootFixture Create(SyntheticRootSpec spec)
    {
        var directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "docker-aufs-bench-" + Guid.NewGuid().ToString("N"));
        var info = SyntheticRoot.Generate(System.IO.Path.Combine(directory, "docker"), spec);
        Console.WriteLine($"// Generated {info}");
        return new RootFixture(directory, info);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory must not fail a benchmark run.
        }
    }
}

/// <summary>A generated 1.10+ (content-addressed) root on the real disk, deleted again at the end.</summary>
public sealed class CasRootFixture : IDisposable
{
    private CasRootFixture(string directory, CasSyntheticRootInfo info)
    {
        Directory = directory;
        Info = info;
    }

    public string Directory { get; }

    public CasSyntheticRootInfo Info { get; }

    public string Path => Info.Path;

    public static CasRootFixture Create(CasSyntheticRootSpec spec)
    {
        var directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "docker-aufs-bench-" + Guid.NewGuid().ToString("N"));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var info = CasSyntheticRoot.Generate(System.IO.Path.Combine(directory, "docker"), spec);
        Console.WriteLine($"// Generated {info} in {watch.Elapsed.TotalSeconds:F1} s");
        return new CasRootFixture(directory, info);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory must not fail a benchmark run.
        }
    }
}
