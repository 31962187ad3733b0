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

/// <summary>A root generated in a new temporary directory on the real disk, deleted again at the end.</summary>
public abstract class GeneratedRoot : IDisposable
{
    protected GeneratedRoot(string directory)
    {
        Directory = directory;
    }

    /// <summary>Gets the temporary directory holding the root (as <c>docker/</c>).</summary>
    public string Directory { get; }

    /// <summary>Gets the Docker root's path.</summary>
    public abstract string Path { get; }

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

        GC.SuppressFinalize(this);
    }

    /// <summary>A new temporary directory name, and where the root goes in it.</summary>
    protected static (string Directory, string Root) NewLocation()
    {
        var directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "docker-aufs-bench-" + Guid.NewGuid().ToString("N"));
        return (directory, System.IO.Path.Combine(directory, "docker"));
    }
}

/// <summary>A generated graph-era root.</summary>
public sealed class RootFixture : GeneratedRoot
{
    private RootFixture(string directory, SyntheticRootInfo info)
        : base(directory)
    {
        Info = info;
    }

    public SyntheticRootInfo Info { get; }

    public override string Path => Info.Path;

    public static RootFixture Create(SyntheticRootSpec spec)
    {
        var (directory, root) = NewLocation();
        var info = SyntheticRoot.Generate(root, spec);
        Console.WriteLine($"// Generated {info}");
        return new RootFixture(directory, info);
    }
}

/// <summary>A generated 1.10+ (content-addressed) root.</summary>
public sealed class CasRootFixture : GeneratedRoot
{
    private CasRootFixture(string directory, CasSyntheticRootInfo info)
        : base(directory)
    {
        Info = info;
    }

    public CasSyntheticRootInfo Info { get; }

    public override string Path => Info.Path;

    public static CasRootFixture Create(CasSyntheticRootSpec spec)
    {
        var (directory, root) = NewLocation();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var info = CasSyntheticRoot.Generate(root, spec);
        Console.WriteLine($"// Generated {info} in {watch.Elapsed.TotalSeconds:F1} s");
        return new CasRootFixture(directory, info);
    }
}
