using System.Diagnostics;
using System.IO.Abstractions;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Benchmarks;

/// <summary>
/// A stopwatch pass over roots generated earlier with <c>generate</c>, for profiling between BenchmarkDotNet runs:
/// <c>measure &lt;large root&gt; &lt;small root&gt;</c>. Besides wall time it reports the CPU time of the process per
/// operation (all threads), which other load on the machine disturbs much less: it is the work an operation costs.
/// </summary>
public static class QuickMeasure
{
    public static void Run(string large, string small)
    {
        var fs = new FileSystem();
        var targetId = DockerRoot.Open(fs, large).ResolveImage(SyntheticRoot.TargetReference).Id;
        var graph = Path.Combine(large, LegacyLayout.GraphDirectory);
        Console.WriteLine($"{"operation",-44} {"wall (best)",12} {"CPU (best)",12} {"allocated",13}");
        Report("resolve tag, 20 layers", 300, () => DockerRoot.Open(fs, small).ResolveImage(SyntheticRoot.TargetReference));
        Report("resolve tag, 10,000 layers", 300, () => DockerRoot.Open(fs, large).ResolveImage(SyntheticRoot.TargetReference));
        Report("resolve short ID, 10,000", 50, () => DockerRoot.Open(fs, large).ResolveImage(targetId[..12]));
        Report("read every json", 5, () =>
        {
            foreach (var directory in Directory.EnumerateDirectories(graph))
            {
                if (!directory.EndsWith(Stores.Graph.GraphFiles.TempDirectory, StringComparison.Ordinal))
                {
                    _ = File.ReadAllBytes(Path.Combine(directory, Stores.Graph.GraphFiles.Json));
                }
            }
        });
        Report("images, 10,000 layers", 5, () => DockerRoot.Open(fs, large).GetImages());
    }

    internal static void Report(string name, int count, Action action, int warmup = 50)
    {
        // Warm up past tiered compilation before measuring.
        for (var i = 0; i < Math.Max(count, warmup); i++)
        {
            action();
        }

        var process = Process.GetCurrentProcess();
        var bestWall = double.MaxValue;
        var bestCpu = double.MaxValue;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        for (var round = 0; round < 7; round++)
        {
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                action();
            }

            bestWall = Math.Min(bestWall, watch.Elapsed.TotalMilliseconds / count);
            process.Refresh();
            bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpu).TotalMilliseconds / count);
        }

        allocated = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (7L * count);
        Console.WriteLine($"{name,-44} {bestWall,9:F3} ms {bestCpu,9:F3} ms {allocated / 1024.0,10:F0} KB");
    }
}
