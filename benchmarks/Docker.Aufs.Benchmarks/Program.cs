using System.Diagnostics;
using BenchmarkDotNet.Running;
using Docker.Aufs.Benchmarks;

if (args is ["generate", var directory, .. var rest])
{
    // Writes a synthetic root for profiling or for the CLI: generate <dir> [small]
    var spec = rest is ["small"] ? SyntheticRootSpec.Small : SyntheticRootSpec.Large;
    var watch = Stopwatch.StartNew();
    var info = SyntheticRoot.Generate(directory, spec);
    Console.WriteLine($"{info} in {watch.Elapsed.TotalSeconds:F1} s: {info.Path}");
    return 0;
}

if (args is ["generate-union", var unionDirectory])
{
    // Writes the 30-layer image of the union benchmarks: generate-union <dir>
    var watch = Stopwatch.StartNew();
    var info = UnionImage.Generate(unionDirectory);
    Console.WriteLine($"{info} in {watch.Elapsed.TotalSeconds:F1} s: {info.Path}");
    return 0;
}

if (args is ["generate-union-overlay2", var overlayDirectory])
{
    // Writes the same 30-layer image on overlay2 in a 1.10+ root, for benchmarks/scripts/overlay2-listing.sh: generate-union-overlay2 <dir>
    var watch = Stopwatch.StartNew();
    var info = UnionImage.Generate(overlayDirectory, "overlay2");
    Console.WriteLine($"{info} in {watch.Elapsed.TotalSeconds:F1} s: {info.Path}");
    return 0;
}

if (args is ["measure-union", var unionRoot, .. var unionRest])
{
    // Stopwatch pass over an image written by generate-union: measure-union <root> [operation [count]]
    UnionMeasure.Run(unionRoot, unionRest is [var only, ..] ? only : null, unionRest is [_, var count] ? int.Parse(count, System.Globalization.CultureInfo.InvariantCulture) : 1);
    return 0;
}

if (args is ["generate-cas", var casDirectory, .. var casRest])
{
    // Writes a 1.10+ (content-addressed) root for profiling or for the CLI: generate-cas <dir> [small]
    var watch = Stopwatch.StartNew();
    var info = CasSyntheticRoot.Generate(casDirectory, casRest is ["small"] ? CasSyntheticRootSpec.Small : CasSyntheticRootSpec.Large);
    Console.WriteLine($"{info} in {watch.Elapsed.TotalSeconds:F1} s: {info.Path}");
    return 0;
}

if (args is ["generate-cas-layer", var layerDirectory, .. var layerRest])
{
    // Writes a 1.10+ root of one image with one big layer, for benchmarks/scripts/cas-layer-save.sh: generate-cas-layer <dir> [MiB]
    var watch = Stopwatch.StartNew();
    var info = CasLayerImage.Generate(layerDirectory, layerRest is [var size] ? int.Parse(size, System.Globalization.CultureInfo.InvariantCulture) : 300);
    Console.WriteLine($"{info} in {watch.Elapsed.TotalSeconds:F1} s: {info.Path}");
    Console.WriteLine($"image {info.ImageId}");
    return 0;
}

if (args is ["measure-cas", var casLarge, var casSmall, var graphSmall])
{
    CasQuickMeasure.Run(casLarge, casSmall, graphSmall);
    return 0;
}

if (args is ["measure-deep", .. var depths])
{
    // Stopwatch pass of DeepTreeBenchmarks' trees, one diff and one recursive listing each: measure-deep [depth …] (0: the wide tree)
    foreach (var depth in depths.Length == 0 ? [0, 400, 800, 1600] : depths.Select(d => int.Parse(d, System.Globalization.CultureInfo.InvariantCulture)))
    {
        var tree = new DeepTreeBenchmarks { Depth = depth };
        tree.Setup();
        try
        {
            var list = Stopwatch.StartNew();
            var entries = tree.List();
            list.Stop();
            var diff = Stopwatch.StartNew();
            var changes = tree.Diff();
            diff.Stop();
            Console.WriteLine($"depth {depth}: ls -R {entries} entries {list.Elapsed.TotalMilliseconds:F1} ms, diff {changes} changes {diff.Elapsed.TotalMilliseconds:F1} ms");
        }
        finally
        {
            tree.Cleanup();
        }
    }

    return 0;
}

if (args is ["measure", var large, var small])
{
    QuickMeasure.Run(large, small);
    return 0;
}

// The union benchmarks' processes share one generated image, deleted when the run ends.
UnionFixture.BeginRun();
try
{
    BenchmarkSwitcher.FromAssembly(typeof(SyntheticRoot).Assembly).Run(args);
}
finally
{
    UnionFixture.EndRun();
}

return 0;
