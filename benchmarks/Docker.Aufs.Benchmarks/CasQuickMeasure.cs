using System.IO.Abstractions;
using System.Text.Json;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Stores.ContentAddressed;

namespace Docker.Aufs.Benchmarks;

/// <summary>
/// A stopwatch pass over 1.10+ roots generated with <c>generate-cas</c>, splitting <c>images</c> and a resolve into their
/// parts (wall and CPU time, best of 7 rounds, as <see cref="QuickMeasure"/>): <c>measure-cas &lt;large 1.10+ root&gt;
/// &lt;small 1.10+ root&gt; &lt;small graph-era root&gt;</c>. Not BenchmarkDotNet's figures: for finding where the time goes.
/// </summary>
public static class CasQuickMeasure
{
    public static void Run(string large, string small, string graphSmall)
    {
        var fs = new FileSystem();
        var store = Path.Combine(large, "image", "aufs");
        var content = Path.Combine(store, CasLayout.Content);
        var layers = Path.Combine(store, CasLayout.Layers);
        var configs = Directory.GetFiles(content).Select(f => "sha256:" + Path.GetFileName(f)).ToArray();
        var chainIds = Directory.GetDirectories(layers).Select(d => "sha256:" + Path.GetFileName(d)).ToArray();
        Console.WriteLine($"{configs.Length} configs, {chainIds.Length} layer records");
        Console.WriteLine($"{"operation",-44} {"wall (best)",12} {"CPU (best)",12}");
        QuickMeasure.Report("baseline: read + JsonDocument every config", 3, () =>
        {
            foreach (var id in configs)
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(content, id[7..])));
            }
        }, warmup: 5);
        var bytes = configs.ToDictionary(id => id, id => File.ReadAllBytes(Path.Combine(content, id[7..])));
        QuickMeasure.Report("  of which: read every config (SmallFile)", 3, () =>
        {
            foreach (var id in configs)
            {
                _ = SmallFile.TryRead(fs, Path.Combine(content, id[7..]), SmallFile.JsonLimit);
            }
        }, warmup: 5);
        QuickMeasure.Report("  of which: SHA-256 of every config", 3, () =>
        {
            foreach (var id in configs)
            {
                _ = Digests.Sha256(bytes[id]);
            }
        }, warmup: 5);
        QuickMeasure.Report("  of which: decode every config", 3, () =>
        {
            foreach (var id in configs)
            {
                _ = ImageConfigFile.Parse(bytes[id], id, id);
            }
        }, warmup: 5);
        QuickMeasure.Report("ImageConfigFile.Read every config", 3, () =>
        {
            foreach (var id in configs)
            {
                _ = ImageConfigFile.Read(fs, content, id);
            }
        }, warmup: 5);
        QuickMeasure.Report("CasLayer.Read every layer record once", 3, () =>
        {
            foreach (var id in chainIds)
            {
                _ = CasLayer.Read(fs, layers, id);
            }
        }, warmup: 5);
        QuickMeasure.Report("GetImages, 1.10+ root", 3, () => DockerRoot.Open(fs, large).GetImages(), warmup: 5);
        QuickMeasure.Report("resolve tag, graph-era 20 layers", 100, () => DockerRoot.Open(fs, graphSmall).ResolveImage(SyntheticRoot.TargetReference));
        QuickMeasure.Report("resolve tag, 1.10+ 20 layers", 100, () => DockerRoot.Open(fs, small).ResolveImage(SyntheticRoot.TargetReference));
        QuickMeasure.Report("resolve tag, 1.10+ 2,000 images", 100, () => DockerRoot.Open(fs, large).ResolveImage(SyntheticRoot.TargetReference));
    }
}
