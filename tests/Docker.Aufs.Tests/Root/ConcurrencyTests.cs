using System.IO.Abstractions;
using Docker.Aufs.Building;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Root;

/// <summary>One <see cref="IDockerRoot"/> serves many concurrent readers with the same answers as one reader.</summary>
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task ManyParallelReaders_OfOneRoot_GetIdenticalResults()
    {
        using var temp = new TempDirectory();
        var fs = new FileSystem();
        SampleRoot.Write(fs, temp.Path);

        static string Read(IDockerRoot root) => string.Join('\n',
            root.GetImages().Select(i => $"{i.Id} {i.VirtualSize} {string.Join(',', i.RepoTags)}")
                .Concat(root.Resolve("redis").Layers.Select(l => $"{l.Id} {l.Size} {l.DiffPath}"))
                .Concat(root.GetHistory("busybox").Select(h => $"{h.Id} {h.CreatedBy}"))
                .Concat(root.GetImageIds().Select(id => root.GetLayer(id).RawJson.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                .Append(root.ResolveImageId("7893")));

        var expected = Read(DockerRoot.Open(fs, temp.Path));
        var shared = DockerRoot.Open(fs, temp.Path);
        using var start = new ManualResetEventSlim();
        var readers = Enumerable.Range(0, 32).Select(_ => Task.Run(() =>
        {
            start.Wait();
            return Read(shared);
        })).ToList();
        start.Set();

        var results = await Task.WhenAll(readers);
        Assert.All(results, r => Assert.Equal(expected, r));
    }
}
