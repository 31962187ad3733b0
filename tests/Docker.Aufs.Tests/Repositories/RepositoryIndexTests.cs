using System.IO.Abstractions.TestingHelpers;
using System.Text;
using Docker.Aufs.Stores;

namespace Docker.Aufs.Tests.Repositories;

public sealed class RepositoryIndexTests
{
    private const string Path = "/r/repositories-aufs";
    private const string Busybox = "789355058656ec2ca0a856283e2597852ccd444548c9ef4fcbf8c9c24a73e169";
    private const string Redis = "c7d952921cec16e2213a30b7e9251ae41d3388f8bb47a55115373eb8f5f86c0d";

    private static RepositoryIndex Parse(string json) => RepositoryIndex.Parse(Encoding.UTF8.GetBytes(json), Path);

    [Fact]
    public void Parse_TheSeedsFile_GivesBothTags()
    {
        var index = Parse("""
            {
                "Repositories":{
                    "busybox":{ "latest":"@Busybox" },
                    "redis":{ "latest":"@Redis" }
                }
            }
            """.Replace("@Busybox", Busybox, StringComparison.Ordinal).Replace("@Redis", Redis, StringComparison.Ordinal));

        Assert.Equal(["busybox", "redis"], index.RepositoryNames);
        Assert.Equal(
            [new RepositoryEntry("busybox", "latest", Busybox), new RepositoryEntry("redis", "latest", Redis)],
            index.Entries);
    }

    [Theory]
    [InlineData("repositories")]
    [InlineData("REPOSITORIES")]
    [InlineData("RePoSiToRiEs")]
    public void Parse_TheTopLevelKeyMatchesCaseInsensitively(string key)
    {
        var index = Parse($"{{\"{key}\":{{\"redis\":{{\"latest\":\"{Redis}\"}}}}}}");
        Assert.True(index.TryGetRepository("redis", out _));
    }

    [Fact]
    public void Parse_RepositoryAndTagKeysAreCaseSensitive()
    {
        var index = Parse($"{{\"Repositories\":{{\"Redis\":{{\"Latest\":\"{Redis}\"}}}}}}");
        Assert.False(index.TryGetRepository("redis", out _));
        Assert.True(index.TryGetRepository("Redis", out var refs));
        Assert.False(refs.ContainsKey("latest"));
    }

    [Fact]
    public void Parse_OnlyTheFirstJsonValueIsRead()
    {
        var index = Parse($"{{\"Repositories\":{{\"redis\":{{\"latest\":\"{Redis}\"}}}}}}\n{{\"Repositories\":{{\"busybox\":{{}}}}}} trailing garbage");
        Assert.Equal(["redis"], index.RepositoryNames);
    }

    [Fact]
    public void Parse_DigestKeysAreToldApartFromTags()
    {
        var index = Parse($"{{\"Repositories\":{{\"busybox\":{{\"latest\":\"{Busybox}\",\"sha256:16a2a528\":\"{Busybox}\"}}}}}}");
        var entries = index.ReferencesTo(Busybox);
        Assert.Equal(2, entries.Count);
        Assert.Contains(entries, e => e.IsDigest && e.DisplayName == "busybox@sha256:16a2a528");
        Assert.Contains(entries, e => !e.IsDigest && e.DisplayName == "busybox:latest");
    }

    [Fact]
    public void Parse_DuplicatesBehaveAsGosMapDecoding()
    {
        // A repeated tag: the last wins. A repeated repository: the later object replaces the earlier one.
        // A repeated top-level key: decoded into the same map, so repositories of both survive.
        var index = Parse("""
            {"Repositories":{"a":{"t":"@Busybox","t":"@Redis"},"b":{"x":"@Busybox"},"b":{"y":"@Redis"}},
             "repositories":{"c":{"z":"@Redis"}}}
            """.Replace("@Busybox", Busybox, StringComparison.Ordinal).Replace("@Redis", Redis, StringComparison.Ordinal));

        Assert.True(index.TryGetRepository("a", out var a));
        Assert.Equal(Redis, a["t"]);
        Assert.True(index.TryGetRepository("b", out var b));
        Assert.False(b.ContainsKey("x"));
        Assert.Equal(Redis, b["y"]);
        Assert.True(index.TryGetRepository("c", out _));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("null")]
    [InlineData("{\"Repositories\":null}")]
    [InlineData("{\"Repositories\":{}}")]
    [InlineData("{\"Other\":[1,2,3]}")]
    public void Parse_DocumentsWithoutRepositories_GiveTheEmptyIndex(string json) =>
        Assert.Empty(Parse(json).Entries);

    [Fact]
    public void Parse_NullRepositoryAndNullId_AreKeptAsGoKeepsThem()
    {
        var index = Parse("{\"Repositories\":{\"a\":null,\"b\":{\"t\":null}}}");
        Assert.True(index.TryGetRepository("a", out var a));
        Assert.Empty(a);
        Assert.Equal(string.Empty, index.Entries.Single().ImageId);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("{\"Repositories\":{\"redis\":{\"lat", "not valid JSON")]
    [InlineData("[]", "expected a JSON object")]
    [InlineData("{\"Repositories\":[]}", "should be an object")]
    [InlineData("{\"Repositories\":{\"redis\":\"x\"}}", "should be an object")]
    [InlineData("{\"Repositories\":{\"redis\":{\"latest\":5}}}", "should be a string")]
    public void Parse_EmptyTruncatedOrWronglyTyped_ThrowsCorruptFileNamingTheFile(string json, string problem)
    {
        var e = Assert.Throws<CorruptFileException>(() => Parse(json));
        Assert.Equal(Path, e.Path);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_WritesDockersCompactFormWithSortedKeysAndReadsBack()
    {
        var index = RepositoryIndex.FromEntries([new("redis", "latest", Redis), new("busybox", "sha256:1", Busybox), new("busybox", "latest", Busybox)]);
        var json = Encoding.UTF8.GetString(index.Serialize());
        Assert.Equal($"{{\"Repositories\":{{\"busybox\":{{\"latest\":\"{Busybox}\",\"sha256:1\":\"{Busybox}\"}},\"redis\":{{\"latest\":\"{Redis}\"}}}}}}", json);
        Assert.Equal(index.Entries, Parse(json).Entries);
    }

    [Fact]
    public void Serialize_EscapesLikeGo()
    {
        var index = RepositoryIndex.FromEntries([new("a<b>&é", "t", "\u2028")]);
        Assert.Equal("{\"Repositories\":{\"a\\u003cb\\u003e\\u0026é\":{\"t\":\"\\u2028\"}}}", Encoding.UTF8.GetString(index.Serialize()));
    }

    [Fact]
    public void Read_ReadsTheFileFromTheFileSystem()
    {
        var fs = new MockFileSystem();
        fs.AddFile(Path, new MockFileData($"{{\"Repositories\":{{\"redis\":{{\"latest\":\"{Redis}\"}}}}}}"));
        Assert.Single(RepositoryIndex.Read(fs, Path).Entries);
    }

    [Fact]
    public void FileName_IsRepositoriesDashDriver() => Assert.Equal("repositories-devicemapper", RepositoryIndex.FileName("devicemapper"));
}
