using System.IO.Abstractions.TestingHelpers;
using System.Text;
using Docker.Aufs.Stores;

namespace Docker.Aufs.Tests.Repositories;

/// <summary>
/// Resolving one tag scans the tag store for one repository instead of building the whole index, and parses valid UTF-8
/// in one pass: on every input both must agree with the full two-pass read, down to the exception and its message.
/// </summary>
public sealed class RepositoryIndexLookupTests
{
    private const string Id1 = "1111111111111111111111111111111111111111111111111111111111111111";
    private const string Id2 = "2222222222222222222222222222222222222222222222222222222222222222";

    public static TheoryData<string> Documents => new()
    {
        $"{{\"Repositories\":{{\"busybox\":{{\"latest\":\"{Id1}\",\"sha256:abc\":\"{Id2}\"}},\"redis\":{{\"3\":\"{Id2}\"}}}}}}",
        $"{{\"repositories\":{{\"busybox\":{{\"latest\":\"{Id1}\"}}}}}}",
        $"{{\"Repositories\":{{\"busybox\":{{\"latest\":\"{Id1}\"}}}},\"REPOSITORIES\":{{\"redis\":{{\"3\":\"{Id2}\"}},\"busybox\":{{\"old\":\"{Id2}\"}}}}}}",
        $"{{\"Repositories\":{{\"busybox\":{{\"latest\":\"{Id1}\"}}}},\"Repositories\":null}}",
        $"{{\"Repositories\":{{\"busybox\":{{\"a\":\"{Id1}\"}},\"busybox\":{{\"b\":\"{Id2}\"}}}}}}",
        $"{{\"Repositories\":{{\"busybox\":null,\"redis\":{{\"3\":null}}}}}}",
        $"{{\"Repositories\":{{\"bus\\u0062ox\":{{\"la\\u0074est\":\"{Id1}\"}}}}}}",
        $"{{\"Other\":[1,2,{{}}],\"Repositories\":{{\"busybox\":{{\"latest\":\"{Id1}\"}}}}}}",
        $"\uFEFF{{\"Repositories\":{{\"busybox\":{{\"latest\":\"{Id1}\"}}}}}}\ngarbage",
        "null",
        "",
        "  ",
        "[]",
        "{\"Repositories\":5}",
        $"{{\"Repositories\":{{\"redis\":5,\"busybox\":{{\"latest\":\"{Id1}\"}}}}}}",
        $"{{\"Repositories\":{{\"redis\":{{\"3\":7}},\"busybox\":{{\"latest\":\"{Id1}\"}}}}}}",
        $"{{\"Repositories\":{{\"redis\":{{\"3\":7}},\"busybox\":{{\"latest\":\"{Id1}\"",
        $"{{\"Repositories\":{{\"busybox\":{{\"latest\":\"{Id1}\"}},\"redis\":[1]",
        $"{{\"Repositories\":{{\"\\ud800\":{{}},\"busybox\":{{\"latest\":\"{Id1}\"}}}}}}",
        $"{{\"Repositories\":{{\"redis\":{{\"\\udc00\":\"x\"}},\"busybox\":{{\"latest\":\"{Id1}\"}}}}}}",
        $"{{\"Repositories\":{{\"redis\":{{\"3\":\"\\ud800\"}},\"busybox\":{{\"latest\":\"{Id1}\"}}}}}}",
        $"{{\"Repositories\":{{\"redis\":{{\"3\":\"\\ud800\"}},\"busybox\":{{\"latest\":\"{Id1}\"}}}}",

        // The plain shape the scanner reads, and near misses it must hand to the JSON reader.
        "{\"Repositories\":{}}",
        "{\"Repositories\":{}",
        "{\"Repositories\":{\"busybox\":{}}}",
        "{\"Repositories\":{\"busybox\":{}}",
        "{\"Repositories\":{\"busybox\":{}},\"redis\":{}}",
        $" \r\n\t{{ \"Repositories\" : {{ \"busybox\" : {{ \"latest\" : \"{Id1}\" , \"old\" : null }} , \"redis\" : null }} }} ",
        $"{{\"Repositories\":{{\"busybox\":nul}}}}",
        $"{{\"Repositories\":{{\"busybox\":nullx}}}}",
        $"{{\"Repositories\":{{\"busybox\":{{\"latest\":nul}}}}}}",
        $"{{\"Repositories\":{{\"busybox\":{{\"latest\":\"{Id1}\",}}}}}}",
        $"{{\"Repositories\":{{\"busybox\":{{\"latest\":\"{Id1}\"}},}}}}",
        $"{{\"Repositories\":{{\"busybox\":{{\"latest\":\"{Id1}\"}}}},}}",
        $"{{\"Repositories\":{{\"busybox\":{{\"latest\":\"{Id1}\"}}}}}} {{\"Repositories\":{{}}}}",
        $"{{\"Repositories\":{{\"busybox\":{{\"latest\":\"{Id1}\",\"latest\":\"{Id2}\"}},\"redis\":{{\"3\":\"{Id1}\"}},\"busybox\":{{\"x\":\"{Id1}\"}}}}}}",
        $"{{\"Repositories\":{{\"ünïcode\":{{\"ü\":\"{Id1}\"}},\"\uFFFD\":{{\"\":\"{Id2}\"}},\"busybox\":{{\"\u007f\":\"{Id1}\"}}}}}}",
        $"{{\"Repositories\":{{\"busybox\":{{\"lat\test\":\"{Id1}\"}}}}}}",
        $"{{\"Repositories\":{{\"busybox\":{{\"latest\":\"{Id1}\"}}}}}}",
        $"{{\"Repositories\":{{\"busybox\":{{\"latest\":\"{Id1}\"}},\"redis\":{{\"3\":\"{Id2}",
        $"{{\"Repositories\":{{\"busybox\":{{\"latest\":1}}}}}}",
        $"{{\"Repositories\":{{\"busybox\":[]}}}}",
        $"{{\"Repositories\":{{\"busybox\":{{\"latest\":\"{Id1}\"}}}}",
        $"{{\"Repositories\":{{\"busybox\"{{\"latest\":\"{Id1}\"}}}}}}",
        $"{{\"Repositories\":{{\"busybox\":{{\"latest\" \"{Id1}\"}}}}}}",
        "{\"Repositories\"",
        "{",
    };

    [Theory]
    [MemberData(nameof(Documents))]
    public void Parse_AgreesWithTheTwoPassRead(string document)
    {
        var bytes = Encoding.UTF8.GetBytes(document);
        Assert.Equal(
            Outcome(() => Describe(RepositoryIndex.ParseCarefully(bytes, "/r", only: null))),
            Outcome(() => Describe(RepositoryIndex.ParseCore(bytes, "/r", only: null))));
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void TryReadRepository_AgreesWithTheFullIndexForEveryName(string document)
    {
        var fileSystem = new MockFileSystem();
        fileSystem.AddFile("/r", new MockFileData(Encoding.UTF8.GetBytes(document)));
        foreach (var name in new[] { "busybox", "redis", "missing", "\ud800", "ünïcode", "\uFFFD", "" })
        {
            var expected = Outcome(() => RepositoryIndex.Read(fileSystem, "/r").TryGetRepository(name, out var all) ? Describe(all) : "absent");
            var actual = Outcome(() => RepositoryIndex.TryReadRepository(fileSystem, "/r", name, out var one) ? Describe(one) : "absent");
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void ReadReferencesTo_AgreesWithTheFullIndexForEverySetOfImages(string document)
    {
        var fileSystem = new MockFileSystem();
        fileSystem.AddFile("/r", new MockFileData(Encoding.UTF8.GetBytes(document)));
        foreach (var ids in new[] { new[] { Id1 }, [Id2], [Id1, Id2], ["missing"], [""] })
        {
            var wanted = new HashSet<string>(ids, StringComparer.Ordinal);
            var expected = Outcome(() => string.Join(";", RepositoryIndex.Read(fileSystem, "/r").Entries.Where(e => wanted.Contains(e.ImageId)).Select(e => $"{e.Repository}:{e.Reference}={e.ImageId}")));
            var actual = Outcome(() => string.Join(";", RepositoryIndex.ReadReferencesTo(fileSystem, "/r", wanted).Select(e => $"{e.Repository}:{e.Reference}={e.ImageId}")));
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void TryScanPlain_WithImages_KeepsOnlyTheirReferencesAndDropsEmptiedRepositories()
    {
        var bytes = RepositoryIndex.FromEntries(
        [
            new RepositoryEntry("busybox", "latest", Id1),
            new RepositoryEntry("busybox", "old", Id2),
            new RepositoryEntry("redis", "latest", Id2),
        ]).Serialize();

        Assert.True(RepositoryIndex.TryScanPlain(bytes, only: null, new HashSet<string>([Id1], StringComparer.Ordinal), out var kept));

        Assert.Equal("busybox:latest=" + Id1, Describe(kept));
    }

    [Fact]
    public void TryScanPlain_WithImages_AllocatesNothingForTheRepositoriesItDoesNotKeep()
    {
        // Resolving one image on a root of thousands of tags scans the whole tag store: what it allocates must not grow
        // with the store (it once made a dictionary and a name for every repository, then dropped the empty ones).
        var bytes = RepositoryIndex.FromEntries(
            [.. Enumerable.Range(0, 2000).Select(i => new RepositoryEntry($"team/app-{i}", "latest", Id2)), new RepositoryEntry("busybox", "latest", Id1)])
            .Serialize();
        var wanted = new HashSet<string>([Id1], StringComparer.Ordinal);
        Assert.True(RepositoryIndex.TryScanPlain(bytes, only: null, wanted, out _)); // warm-up

        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(RepositoryIndex.TryScanPlain(bytes, only: null, wanted, out var kept));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("busybox:latest=" + Id1, Describe(kept));
        Assert.True(allocated < 4096, $"{allocated} bytes allocated scanning 2,001 repositories for one image");
    }

    [Fact]
    public void TryReadRepository_InvalidUtf8_AgreesWithTheFullIndex()
    {
        var fileSystem = new MockFileSystem();
        fileSystem.AddFile("/r", new MockFileData([.. Encoding.UTF8.GetBytes($"{{\"Repositories\":{{\"busybox\":{{\"lat"), 0xFF, .. Encoding.UTF8.GetBytes($"est\":\"{Id1}\"}}}}}}")]));
        Assert.Equal(
            Outcome(() => Describe(RepositoryIndex.Read(fileSystem, "/r").Entries.ToDictionary(e => e.Reference, e => e.ImageId))),
            Outcome(() => RepositoryIndex.TryReadRepository(fileSystem, "/r", "busybox", out var one) ? Describe(one) : "absent"));
    }

    [Fact]
    public void TryScanPlain_WhatSerializeWrites_IsReadWithoutTheJsonReaderAndAgrees()
    {
        var index = RepositoryIndex.FromEntries(
        [
            new RepositoryEntry("busybox", "latest", Id1),
            new RepositoryEntry("busybox", "sha256:" + new string('c', 64), Id1),
            new RepositoryEntry("localhost:5000/team/app", "v1.2", Id2),
            new RepositoryEntry("ünïcode/app", "t", Id2),
        ]);
        var bytes = index.Serialize();

        Assert.True(RepositoryIndex.TryScanPlain(bytes, only: null, values: null, out var all));
        Assert.Equal(Describe(RepositoryIndex.ParseCarefully(bytes, "/r", only: null)), Describe(all));
        Assert.True(RepositoryIndex.TryScanPlain(bytes, "localhost:5000/team/app", values: null, out var one));
        Assert.Equal("localhost:5000/team/app:v1.2=" + Id2, Describe(one));
    }

    private static string Describe(IReadOnlyDictionary<string, string> references) =>
        string.Join(",", references.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key}={r.Value}"));

    private static string Describe(Dictionary<string, Dictionary<string, string>> repositories) =>
        string.Join(";", repositories.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key}:{Describe(r.Value)}"));

    private static string Outcome(Func<string> read)
    {
        try
        {
            return read();
        }
        catch (Exception e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }
}
