using System.IO.Abstractions;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Root;

/// <summary>
/// One <see cref="IDockerRoot"/> serves many concurrent readers with the same answers as one reader: images, references,
/// history, layers, union views (listing, reading, flattening), containers and their changes, layer tars and digests,
/// saves in every format, and fsck — everything <see cref="EveryRead"/> runs.
/// </summary>
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task ManyParallelReaders_OfOneRoot_GetIdenticalResults()
    {
        using var temp = new TempDirectory();
        var fs = new FileSystem();
        var path = temp.Combine("docker");
        SampleRoots.Write(fs, path);

        var expected = EveryRead.Library(DockerRoot.Open(fs, path), null, null, temp.Combine("out-alone"));
        var shared = DockerRoot.Open(fs, path);
        using var start = new ManualResetEventSlim();
        var readers = Enumerable.Range(0, 12).Select(n => Task.Run(() =>
        {
            start.Wait(TestContext.Current.CancellationToken);
            return EveryRead.Library(shared, null, null, temp.Combine($"out-{n}"));
        }, TestContext.Current.CancellationToken)).ToList();
        start.Set();

        var results = await Task.WhenAll(readers);
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Fact]
    public async Task ManyParallelReaders_OfOneImageView_ListAndReadTheSameTree()
    {
        using var temp = new TempDirectory();
        var fs = new FileSystem();
        SampleRoots.Write(fs, temp.Path);
        var root = DockerRoot.Open(fs, temp.Path);
        var expected = EveryRead.View(root.OpenImage("redis"));
        var view = root.OpenImage("redis");

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => EveryRead.View(view), TestContext.Current.CancellationToken)));

        Assert.All(results, r => Assert.Equal(expected, r));
    }
}
