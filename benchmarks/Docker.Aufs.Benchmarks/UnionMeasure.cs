using System.Diagnostics;
using System.IO.Abstractions;
using Docker.Aufs.Union;

namespace Docker.Aufs.Benchmarks;

/// <summary>
/// A stopwatch pass over an image generated earlier with <c>generate-union</c>, for profiling between BenchmarkDotNet
/// runs: <c>measure-union &lt;root&gt;</c> runs every operation of <see cref="UnionBenchmarks"/> and
/// <see cref="UnionReadBenchmarks"/> (and a few variants) in alternating rounds and prints the best wall and CPU time of
/// each; <c>measure-union &lt;root&gt; &lt;operation&gt; [count]</c> runs one operation <c>count</c> times (default 1), for
/// <c>strace -c -f</c>.
/// </summary>
public static class UnionMeasure
{
    /// <summary>Runs the pass.</summary>
    /// <param name="root">The Docker root written by <c>generate-union</c>.</param>
    /// <param name="only">One operation to run alone, or <see langword="null"/> for all.</param>
    /// <param name="count">How many times to run <paramref name="only"/>.</param>
    public static void Run(string root, string? only, int count)
    {
        var fs = new FileSystem();
        var view = DockerRoot.Open(fs, root).OpenImage(UnionImage.Reference);
        var union = new UnionFileSystem(view);
        var diffs = view.Branches.Select(b => b.Path).ToArray();
        var mediumEntry = view.GetEntry(UnionImage.MediumFile);
        var largeEntry = view.GetEntry(UnionImage.LargeFile);
        var medium = mediumEntry.SourcePath;
        var large = largeEntry.SourcePath;
        var buffer = new byte[1 << 20];

        var operations = new List<(string Name, int Count, Func<long> Action)>
        {
            ("list-infos", 1, () =>
            {
                long n = 0;
                foreach (var diff in diffs)
                {
                    foreach (var info in new DirectoryInfo(diff).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
                    {
                        n += info.FullName.Length;
                    }
                }

                return n;
            }),
            ("list-names", 1, () =>
            {
                long n = 0;
                foreach (var diff in diffs)
                {
                    foreach (var path in Directory.EnumerateFileSystemEntries(diff, "*", SearchOption.AllDirectories))
                    {
                        n += path.Length;
                    }
                }

                return n;
            }),
            ("list-names-lstat", 1, () =>
            {
                long n = 0;
                foreach (var diff in diffs)
                {
                    foreach (var path in Directory.EnumerateFileSystemEntries(diff, "*", SearchOption.AllDirectories))
                    {
                        n += view.Metadata.TryGetStatus(path, out var status) ? status.Permissions + status.Uid + status.Gid + status.Size : 0;
                    }
                }

                return n;
            }),
            ("view-list", 1, () =>
            {
                long n = 0;
                foreach (var entry in DockerRoot.Open(fs, root).OpenImage(UnionImage.Reference).EnumerateRecursive())
                {
                    n += entry.Path.Length;
                }

                return n;
            }),
            ("view-list-lstat", 1, () =>
            {
                long n = 0;
                foreach (var entry in DockerRoot.Open(fs, root).OpenImage(UnionImage.Reference).EnumerateRecursive())
                {
                    n += entry.Mode + entry.Uid + entry.Gid + entry.Size;
                }

                return n;
            }),
            ("open-view", 50, () => DockerRoot.Open(fs, root).OpenImage(UnionImage.Reference).Branches.Count),
            ("read-1m-direct", 200, () => ReadToEnd(File.OpenRead(medium), buffer)),
            ("read-1m-sequential", 200, () => ReadToEnd(new FileStream(medium, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 4096, FileOptions.SequentialScan), buffer)),
            ("read-1m-view", 200, () => ReadToEnd(view.OpenRead(UnionImage.MediumFile), buffer)),
            ("read-1m-union-fs", 200, () => ReadToEnd(union.File.OpenRead("/" + UnionImage.MediumFile), buffer)),
            ("read-1m-view-new", 200, () => ReadToEnd(new UnionView(view.FileSystem, view.Metadata, view.Branches, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, view.Facts).OpenRead(UnionImage.MediumFile), buffer)),
            ("read-1m-view-cold", 200, () => ReadToEnd(new UnionView(view.FileSystem, view.Metadata, view.Branches, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, new BranchFacts()).OpenRead(UnionImage.MediumFile), buffer)),
            ("read-1m-entry", 200, () => ReadToEnd(view.OpenEntry(mediumEntry), buffer)),
            ("lookup-1m", 200, () => view.GetEntry(UnionImage.MediumFile, followSymbolicLinks: true).Path.Length),
            ("read-64m-direct", 5, () => ReadToEnd(File.OpenRead(large), buffer)),
            ("read-64m-sequential", 5, () => ReadToEnd(new FileStream(large, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 4096, FileOptions.SequentialScan), buffer)),
            ("read-64m-view", 5, () => ReadToEnd(view.OpenRead(UnionImage.LargeFile), buffer)),
            ("read-64m-view-new", 5, () => ReadToEnd(new UnionView(view.FileSystem, view.Metadata, view.Branches, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, view.Facts).OpenRead(UnionImage.LargeFile), buffer)),
            ("read-64m-view-cold", 5, () => ReadToEnd(new UnionView(view.FileSystem, view.Metadata, view.Branches, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, new BranchFacts()).OpenRead(UnionImage.LargeFile), buffer)),
            ("read-64m-entry", 5, () => ReadToEnd(view.OpenEntry(largeEntry), buffer)),
            ("read-64m-union-fs", 5, () => ReadToEnd(union.File.OpenRead("/" + UnionImage.LargeFile), buffer)),
        };

        if (only is not null)
        {
            var action = operations.Single(o => o.Name == only).Action;
            for (var i = 0; i < count; i++)
            {
                action();
            }

            return;
        }

        foreach (var (_, n, action) in operations)
        {
            // Warm up past tiered compilation before measuring.
            for (var i = 0; i < Math.Max(n, 30); i++)
            {
                action();
            }
        }

        var bestWall = new double[operations.Count];
        var bestCpu = new double[operations.Count];
        Array.Fill(bestWall, double.MaxValue);
        Array.Fill(bestCpu, double.MaxValue);
        var process = Process.GetCurrentProcess();
        for (var round = 0; round < 7; round++)
        {
            for (var o = 0; o < operations.Count; o++)
            {
                var (_, n, action) = operations[o];
                process.Refresh();
                var cpu = process.TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                for (var i = 0; i < n; i++)
                {
                    action();
                }

                bestWall[o] = Math.Min(bestWall[o], watch.Elapsed.TotalMilliseconds / n);
                process.Refresh();
                bestCpu[o] = Math.Min(bestCpu[o], (process.TotalProcessorTime - cpu).TotalMilliseconds / n);
            }
        }

        Console.WriteLine($"{"operation",-22} {"wall (best)",13} {"CPU (best)",13}");
        for (var o = 0; o < operations.Count; o++)
        {
            Console.WriteLine($"{operations[o].Name,-22} {bestWall[o],10:F3} ms {bestCpu[o],10:F3} ms");
        }
    }

    private static long ReadToEnd(Stream stream, byte[] buffer)
    {
        using (stream)
        {
            long total = 0;
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                total += read;
            }

            return total;
        }
    }
}
