using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.Union;

namespace Docker.Aufs.Tests.Union;

/// <summary>The view's lookup cache: repeated lookups cost no <c>lstat</c> and give the same answers as a fresh view.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class UnionLookupCacheTests
{
    private const int Layers = 8;

    /// <summary>An image of eight layers that all hold <c>usr/lib</c>; the base holds the file looked up.</summary>
    private static TestRoot Build(Disk disk) => TestRoot.Build(disk, builder =>
    {
        string? parent = null;
        for (var i = 0; i < Layers; i++)
        {
            var index = i;
            parent = builder.AddLayer(l =>
            {
                l.Id(Ids.Of("cache" + index)).Parent(parent).File($"usr/lib/lib{index}.so", $"library {index}");
                if (index == 0)
                {
                    l.File("usr/lib/libcrypto.so.1.0.0", "crypto").Symlink("usr/lib/libcrypto.so", "libcrypto.so.1.0.0").File("etc/gone", "old");
                }

                if (index == Layers - 1)
                {
                    l.Whiteout("etc/gone").Symlink("lib", "usr/lib");
                }
            });
        }

        builder.Tag("cache:latest", parent!);
    });

    /// <summary>A fresh view over the image whose every <c>lstat</c> is counted.</summary>
    private static (UnionView View, CountingMetadata Counter) CountedView(TestRoot root)
    {
        var plain = root.Open().OpenImage("cache");
        var counter = new CountingMetadata(plain.Metadata);
        return (AufsViews.Over(plain.FileSystem, counter, plain.Branches), counter);
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void OpenRead_TheSamePathAgain_MakesNoLstatForTheLookup(Disk disk)
    {
        using var root = Build(disk);
        var (view, counter) = CountedView(root);

        Assert.Equal("crypto", ReadText(view, "/usr/lib/libcrypto.so.1.0.0"));
        var first = counter.Reset();
        Assert.Equal("crypto", ReadText(view, "/usr/lib/libcrypto.so.1.0.0"));

        Assert.True(first >= 2 * Layers, $"the first lookup made {first} lstat calls");
        Assert.Equal(0, counter.Reset());
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void GetEntry_AnotherNameInAKnownDirectory_LooksUpOnlyTheLastComponent(Disk disk)
    {
        using var root = Build(disk);
        var (view, counter) = CountedView(root);
        view.GetEntry("usr/lib/lib3.so");
        counter.Reset();

        Assert.Equal(Ids.Of("cache5"), view.GetEntry("usr/lib/lib5.so").LayerId);

        // In each branch above the one holding it: the name's whiteout and the name itself.
        Assert.InRange(counter.Reset(), 1, 2 * Layers);
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void TryGetEntry_RepeatedLookups_AnswerAsAFreshViewDoes(Disk disk)
    {
        using var root = Build(disk);
        var (view, _) = CountedView(root);
        string[] paths = ["usr/lib/libcrypto.so", "lib/libcrypto.so", "/lib/../usr/lib/lib7.so", "etc/gone", "etc", "missing/file", "usr/lib/lib0.so/below", ".wh.etc"];

        for (var round = 0; round < 3; round++)
        {
            foreach (var path in paths)
            {
                foreach (var follow in new[] { false, true })
                {
                    var fresh = CountedView(root).View;
                    Assert.Equal(Describe(fresh, path, follow), Describe(view, path, follow));
                }
            }
        }
    }

    [Fact]
    public void TryGetEntry_MoreDistinctNamesThanTheCacheHolds_StillAnswersCorrectly()
    {
        using var root = Build(Disk.Memory);
        var (view, counter) = CountedView(root);
        for (var i = 0; i < UnionView.LookupCacheCapacity + 10; i++)
        {
            Assert.False(view.TryGetEntry("nothing" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), followSymbolicLinks: false, out _));
        }

        counter.Reset();
        Assert.Equal("crypto", ReadText(view, "lib/libcrypto.so"));
        Assert.True(counter.Reset() > 0, "after the cache started over, the path was looked up again");
        Assert.Equal("crypto", ReadText(view, "lib/libcrypto.so"));
        Assert.Equal(0, counter.Reset());
    }

    [Fact]
    public void TryGetEntry_LongNamesBeyondTheCacheBudget_StillAnswerCorrectlyAndTheCacheStartsOver()
    {
        using var root = Build(Disk.Memory);
        var (view, counter) = CountedView(root);
        ReadText(view, "lib/libcrypto.so");
        var name = new string('n', 249);
        var lookups = (int)(UnionView.LookupCacheBudget / 250) + 10; // fewer than the entry capacity, more than the budget holds
        Assert.True(lookups < UnionView.LookupCacheCapacity);

        for (var i = 0; i < lookups; i++)
        {
            Assert.False(view.TryGetEntry(name + i.ToString(System.Globalization.CultureInfo.InvariantCulture), followSymbolicLinks: false, out _));
        }

        counter.Reset();
        Assert.Equal("crypto", ReadText(view, "lib/libcrypto.so"));
        Assert.True(counter.Reset() > 0, "the budget was spent, so the cache started over and the path was looked up again");
    }

    [Fact]
    public void GetEntry_ManyThreadsOnOneView_AgreeWithASingleThread()
    {
        using var root = Build(Disk.Memory);
        var (view, _) = CountedView(root);
        var expected = Enumerable.Range(0, Layers).Select(i => Describe(CountedView(root).View, $"lib/lib{i}.so", true)).ToArray();
        var results = new ConcurrentBag<(int Index, string Result)>();

        Parallel.For(0, 2_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, n =>
        {
            var i = n % Layers;
            results.Add((i, Describe(view, $"lib/lib{i}.so", true)));
        });

        Assert.All(results, r => Assert.Equal(expected[r.Index], r.Result));
    }

    private static string Describe(UnionView view, string path, bool follow)
    {
        try
        {
            return view.TryGetEntry(path, follow, out var entry) ? $"{entry.Path} {entry.Type} {entry.LayerId} {entry.Size}" : "absent";
        }
        catch (IOException e)
        {
            return e.GetType().Name;
        }
    }

    private static string ReadText(UnionView view, string path)
    {
        using var reader = new StreamReader(view.OpenRead(path));
        return reader.ReadToEnd();
    }

    /// <summary>Counts the <c>lstat</c> calls a view makes.</summary>
    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void OpenRead_OnANewViewSharingTheFacts_MakesNoLstatForWhatAnEarlierViewLookedUp(Disk disk)
    {
        using var root = Build(disk);
        var (first, counter) = CountedView(root);
        Assert.Equal("crypto", ReadText(first, "/usr/lib/libcrypto.so.1.0.0"));
        Assert.True(counter.Reset() >= 2 * Layers);

        var second = new UnionView(first.FileSystem, counter, first.Branches, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, first.Facts);

        Assert.Equal("crypto", ReadText(second, "/usr/lib/libcrypto.so.1.0.0"));
        Assert.Equal(0, counter.Reset()); // constructor included: the branch directories' own facts are shared too
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void OpenRead_OnANewViewWithFactsOfItsOwn_LooksEveryComponentUpAgain(Disk disk)
    {
        using var root = Build(disk);
        var (first, counter) = CountedView(root);
        ReadText(first, "/usr/lib/libcrypto.so.1.0.0");
        counter.Reset();

        var second = new UnionView(first.FileSystem, counter, first.Branches, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, new BranchFacts());

        Assert.Equal("crypto", ReadText(second, "/usr/lib/libcrypto.so.1.0.0"));
        Assert.True(counter.Reset() >= 2 * Layers);
    }

    [Fact]
    public void OpenImage_TwiceOnOneRoot_SharesTheFactsAndTwoRootsDoNot()
    {
        using var root = Build(Disk.Memory);
        var opened = root.Open();

        Assert.Same(opened.OpenImage("cache").Facts, opened.OpenImage("cache").Facts);
        Assert.NotSame(opened.OpenImage("cache").Facts, root.Open().OpenImage("cache").Facts);
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void Lookups_ThroughSharedFacts_AnswerAsAViewWithNothingCached(Disk disk)
    {
        using var root = Build(disk);
        var opened = root.Open();
        var warm = opened.OpenImage("cache");
        foreach (var entry in warm.EnumerateRecursive())
        {
            warm.TryGetEntry(entry.Path, followSymbolicLinks: false, out _);
        }

        var shared = opened.OpenImage("cache");
        var fresh = new UnionView(warm.FileSystem, warm.Metadata, warm.Branches, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, new BranchFacts());
        foreach (var path in new[] { "etc/gone", "etc", "lib/lib3.so", "usr/lib/libcrypto.so", "usr/lib/lib7.so", "nothing/here", "usr/lib/.wh.lib1.so" })
        {
            var inShared = shared.TryGetEntry(path, followSymbolicLinks: true, out var a);
            var inFresh = fresh.TryGetEntry(path, followSymbolicLinks: true, out var b);
            Assert.Equal(inFresh, inShared);
            Assert.Equal(b?.SourcePath, a?.SourcePath);
        }

        Assert.False(shared.TryGetEntry("etc/gone", followSymbolicLinks: false, out _)); // whited out in the top layer
    }

    [Fact]
    public void Facts_PastTheirCapacity_AreForgottenAndLookupsStillAnswer()
    {
        using var root = Build(Disk.Memory);
        var plain = root.Open().OpenImage("cache");
        var facts = new BranchFacts(capacity: 10);
        var view = new UnionView(plain.FileSystem, plain.Metadata, plain.Branches, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, facts);

        for (var i = 0; i < Layers; i++)
        {
            Assert.Equal($"library {i}", ReadText(view, $"usr/lib/lib{i}.so"));
            Assert.InRange(facts.Count, 1, 10);
        }
    }

    private sealed class CountingMetadata(IUnixMetadataProvider inner) : IUnixMetadataProvider
    {
        private int _count;

        public int Reset() => Interlocked.Exchange(ref _count, 0);

        public bool TryGetStatus(string path, [NotNullWhen(true)] out UnixFileStatus? status)
        {
            Interlocked.Increment(ref _count);
            return inner.TryGetStatus(path, out status);
        }
    }
}
