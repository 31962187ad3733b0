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
        Console.WriteLine($"{"operation",-44} {"wall (best)",12} {"CPU (best)",12} {"allocated",13}");
        QuickMeasure.Report("baseline: read + JsonDocument every config", 3, () =>
        {
            foreach (var id in configs)
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(content, id[7..])));
            }
        }, warmup: 5);
        var metadata = Path.Combine(store, CasLayout.Metadata);
        var loadFiles = configs.Select(id => Path.Combine(content, id[7..]))
            .Concat(configs.Select(id => Path.Combine(metadata, id[7..], CasLayout.ParentFile)).Where(File.Exists))
            .Concat(chainIds.SelectMany(id => new[] { CasLayout.DiffFile, CasLayout.SizeFile, CasLayout.CacheIdFile, CasLayout.ParentFile }
                .Select(name => Path.Combine(layers, id[7..], name))).Where(File.Exists))
            .ToArray();
        Console.WriteLine($"{loadFiles.Length} files read by Docker's load of the images (configs, metadata parent, layer records)");
        QuickMeasure.Report("floor: File.ReadAllBytes of those files", 3, () =>
        {
            foreach (var file in loadFiles)
            {
                _ = File.ReadAllBytes(file);
            }
        }, warmup: 5);
        var scratch = new byte[SmallFile.JsonLimit / 1024];
        if (OperatingSystem.IsLinux())
        {
            MeasureFloor(loadFiles, configs.Select(id => Path.Combine(content, id[7..])).ToArray(), scratch);
            CasFloor.Run(store, [.. configs.Select(id => id[7..])],
                [.. loadFiles.Where(f => f.StartsWith(metadata, StringComparison.Ordinal)).Select(f => Path.GetRelativePath(metadata, f))],
                [.. loadFiles.Where(f => f.StartsWith(layers, StringComparison.Ordinal)).Select(f => Path.GetRelativePath(layers, f))]);
        }

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
        var cas = (CasStore)((DockerRoot)DockerRoot.Open(fs, large)).ImageStore;
        QuickMeasure.Report("metadata parent of every image", 3, () =>
        {
            foreach (var id in configs)
            {
                _ = cas.ReadImageParent(id);
            }
        }, warmup: 5);
        var parsed = configs.Select(id => ImageConfigFile.Parse(bytes[id], id, id)).ToArray();
        QuickMeasure.Report("ChainIDs of every config", 3, () =>
        {
            foreach (var config in parsed)
            {
                _ = Digests.ChainIds(config.DiffIds);
            }
        }, warmup: 5);
        QuickMeasure.Report("chain walks, layer records cached", 3, () =>
        {
            foreach (var config in parsed)
            {
                if (config.TopChainId is { } top)
                {
                    _ = cas.WalkChain(config.Id, top);
                }
            }
        }, warmup: 5);
        QuickMeasure.Report("open the root", 100, () => { _ = DockerRoot.Open(fs, large); });
        QuickMeasure.Report("open the root, list the configs", 20, () => { _ = ((CasStore)((DockerRoot)DockerRoot.Open(fs, large)).ImageStore).ImageHexes.Count; });
        QuickMeasure.Report("repositories.json", 20, () => { _ = ((CasStore)((DockerRoot)DockerRoot.Open(fs, large)).ImageStore).References.All.Count(); });
        QuickMeasure.Report("GetImages, 1.10+ root", 3, () => DockerRoot.Open(fs, large).GetImages(), warmup: 5);
        QuickMeasure.Report("resolve tag, graph-era 20 layers", 100, () => DockerRoot.Open(fs, graphSmall).ResolveImage(SyntheticRoot.TargetReference));
        QuickMeasure.Report("resolve tag, 1.10+ 20 layers", 100, () => DockerRoot.Open(fs, small).ResolveImage(SyntheticRoot.TargetReference));
        QuickMeasure.Report("resolve tag, 1.10+ 2,000 images", 100, () => DockerRoot.Open(fs, large).ResolveImage(SyntheticRoot.TargetReference));
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void MeasureFloor(string[] loadFiles, string[] configFiles, byte[] scratch)
    {
        QuickMeasure.Report("floor: open, read, close each of them", 3, () =>
        {
            foreach (var file in loadFiles)
            {
                var descriptor = LinuxNative.OpenNoFollow(file, out _);
                _ = LinuxNative.ReadFull(descriptor, scratch, file);
                LinuxNative.Close(descriptor);
            }
        }, warmup: 5);
        QuickMeasure.Report("floor: open, read, close each config", 3, () =>
        {
            foreach (var file in configFiles)
            {
                var descriptor = LinuxNative.OpenNoFollow(file, out _);
                _ = LinuxNative.ReadFull(descriptor, scratch, file);
                LinuxNative.Close(descriptor);
            }
        }, warmup: 5);
    }
}
