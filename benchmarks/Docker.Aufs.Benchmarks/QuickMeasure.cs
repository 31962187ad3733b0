using System.Diagnostics;
using System.IO.Abstractions;

namespace Docker.Aufs.Benchmarks;

/// <summary>
/// A rough stopwatch pass over roots generated earlier with <c>generate</c>, for profiling between BenchmarkDotNet runs:
/// <c>measure &lt;large root&gt; &lt;small root&gt;</c>. The numbers in docs/benchmarks.md come from BenchmarkDotNet only.
/// </summary>
public static class QuickMeasure
{
    public static void Run(string large, string small)
    {
        var fs = new FileSystem();
        var info = DockerRoot.Open(fs, large);
        var targetId = info.ResolveImageId(SyntheticRoot.TargetReference);
        Report("resolve tag, small", 300, () => DockerRoot.Open(fs, small).Resolve(SyntheticRoot.TargetReference));
        Report("resolve tag, large", 300, () => DockerRoot.Open(fs, large).Resolve(SyntheticRoot.TargetReference));
        Report("resolve short ID, large", 100, () => DockerRoot.Open(fs, large).Resolve(targetId[..12]));
        Report("read every json", 5, () =>
        {
            foreach (var directory in Directory.EnumerateDirectories(Path.Combine(large, "graph")))
            {
                var json = Path.Combine(directory, "json");
                if (File.Exists(json))
                {
                    _ = File.ReadAllBytes(json);
                }
            }
        });
        Report("images, large", 5, () => DockerRoot.Open(fs, large).GetImages());
    }

    private static void Report(string name, int count, Action action)
    {
        action();
        var best = double.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                action();
            }

            best = Math.Min(best, watch.Elapsed.TotalMilliseconds / count);
        }

        Console.WriteLine($"{name,-28} {best,10:F3} ms (best of 5 rounds of {count})");
    }
}
