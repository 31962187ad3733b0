using System.Text;
using Docker.Aufs.Formats;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Formats;

public sealed class TarSplitTests
{
    private static string Write(TarSplitDialect dialect, Action<TarSplitWriter> write)
    {
        using var buffer = new MemoryStream();
        write(new TarSplitWriter(buffer, dialect));
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static List<TarSplitEntry> Read(string lines) => Read(Encoding.UTF8.GetBytes(lines));

    private static List<TarSplitEntry> Read(byte[] lines)
    {
        var reader = new TarSplitReader(new MemoryStream(lines), "/tar-data.json.gz");
        var entries = new List<TarSplitEntry>();
        while (SyncCore.Run(reader.NextAsync<SyncIo>(default)) is { } entry)
        {
            entries.Add(entry);
        }

        return entries;
    }

    private static void Entries(TarSplitWriter w)
    {
        SyncCore.Run(w.AddSegmentAsync<SyncIo>("hdr"u8.ToArray(), default));
        SyncCore.Run(w.AddFileAsync<SyncIo>(Encoding.UTF8.GetBytes("etc/<x>"), 4, 0x614C3C3030000000UL, default));
        SyncCore.Run(w.AddFileAsync<SyncIo>(Encoding.UTF8.GetBytes("dir/"), 0, null, default));
        SyncCore.Run(w.AddSegmentAsync<SyncIo>(Array.Empty<byte>(), default));
    }

    [Fact]
    public void Writer_Version094_AlwaysWritesNameAndSizeEvenOnSegments() =>
        Assert.Equal(
            "{\"type\":2,\"name\":\"\",\"size\":0,\"payload\":\"aGRy\",\"position\":0}\n" +
            "{\"type\":1,\"name\":\"etc/\\u003cx\\u003e\",\"size\":4,\"payload\":\"YUw8MDAAAAA=\",\"position\":1}\n" +
            "{\"type\":1,\"name\":\"dir/\",\"size\":0,\"payload\":null,\"position\":2}\n" +
            "{\"type\":2,\"name\":\"\",\"size\":0,\"payload\":\"\",\"position\":3}\n",
            Write(TarSplitDialect.Version094, Entries));

    [Theory]
    [InlineData(nameof(TarSplitDialect.Version096))]
    [InlineData(nameof(TarSplitDialect.Version0910))]
    public void Writer_Version096AndLater_OmitEmptyNameAndSize(string dialectName) =>
        Assert.Equal(
            "{\"type\":2,\"payload\":\"aGRy\",\"position\":0}\n" +
            "{\"type\":1,\"name\":\"etc/\\u003cx\\u003e\",\"size\":4,\"payload\":\"YUw8MDAAAAA=\",\"position\":1}\n" +
            "{\"type\":1,\"name\":\"dir/\",\"payload\":null,\"position\":2}\n" +
            "{\"type\":2,\"payload\":\"\",\"position\":3}\n",
            Write(Enum.Parse<TarSplitDialect>(dialectName), Entries));

    [Theory]
    [InlineData(nameof(TarSplitDialect.Version094), "{\"type\":1,\"name\":\"a\\ufffd\",\"size\":0,\"payload\":null,\"position\":0}\n")]
    [InlineData(nameof(TarSplitDialect.Version096), "{\"type\":1,\"name\":\"a\\ufffd\",\"payload\":null,\"position\":0}\n")]
    [InlineData(nameof(TarSplitDialect.Version0910), "{\"type\":1,\"name_raw\":\"Yf8=\",\"payload\":null,\"position\":0}\n")]
    public void Writer_NonUtf8Name_IsLostBefore0910AndBase64InNameRawAfter(string dialectName, string expected) =>
        Assert.Equal(expected, Write(Enum.Parse<TarSplitDialect>(dialectName), w => w.AddFileAsync<SyncIo>([(byte)'a', 0xFF], 0, null, default).AsTask().Wait()));

    [Theory]
    [InlineData(nameof(TarSplitDialect.Version094), true)]
    [InlineData(nameof(TarSplitDialect.Version096), false)]
    [InlineData(nameof(TarSplitDialect.Version0910), false)]
    public void Writer_DuplicateCleanedName_IsRefusedFrom096On(string dialectName, bool accepted)
    {
        var dialect = Enum.Parse<TarSplitDialect>(dialectName);
        using var buffer = new MemoryStream();
        var writer = new TarSplitWriter(buffer, dialect);
        var token = TestContext.Current.CancellationToken;
        Assert.True(SyncCore.Run(writer.AddFileAsync<SyncIo>("a/b"u8.ToArray(), 0, null, token)));
        Assert.Equal(accepted, SyncCore.Run(writer.AddFileAsync<SyncIo>("./a//b"u8.ToArray(), 0, null, token)));
    }

    [Fact]
    public void Reader_ReadsEveryDialect()
    {
        var v094 = Read(Write(TarSplitDialect.Version094, Entries));
        var v0910 = Read(Write(TarSplitDialect.Version0910, Entries));
        foreach (var entries in new[] { v094, v0910 })
        {
            Assert.Equal([TarSplitEntryType.Segment, TarSplitEntryType.File, TarSplitEntryType.File, TarSplitEntryType.Segment], entries.Select(e => e.Type));
            Assert.Equal("hdr"u8.ToArray(), entries[0].Payload);
            Assert.Equal("etc/<x>", Encoding.UTF8.GetString(entries[1].Name));
            Assert.Equal(4, entries[1].Size);
            Assert.Equal(Crc64Iso.ToBytes(0x614C3C3030000000UL), entries[1].Payload);
            Assert.Null(entries[2].Payload);
            Assert.Equal([], entries[3].Payload!);
            Assert.Equal([0, 1, 2, 3], entries.Select(e => e.Position));
        }
    }

    [Fact]
    public void Reader_NameRaw_WinsOverNameAndKeysMatchCaseInsensitively()
    {
        var entries = Read("{\"TYPE\":1,\"Name\":\"ignored\",\"name_raw\":\"Yf8=\",\"Size\":3,\"payload\":\"AAAAAAAAAAA=\",\"extra\":[1,{}],\"position\":7}\n");
        Assert.Equal([(byte)'a', 0xFF], entries[0].Name);
        Assert.Equal(3, entries[0].Size);
        Assert.Equal(7, entries[0].Position);
    }

    [Fact]
    public void Reader_InvalidUtf8InStrings_IsReadAsReplacementCharactersAsGoDoes()
    {
        // Found by tests/Docker.Aufs.Fuzz (tar-split-json): a key or name with invalid UTF-8 escaped as InvalidOperationException.
        byte[] lines = [.. "{\"type\":1,\"name\":\"a"u8, 0xFF, .. "b\",\"positi"u8, 0x88, .. "n\":1,\"position\":2}\n"u8];
        var entry = Assert.Single(Read(lines));
        Assert.Equal("a\uFFFDb"u8.ToArray(), entry.Name);
        Assert.Equal(2, entry.Position);
    }

    [Theory]
    [InlineData("{\"type\":2,\"payload\":\"\",\"position\":0}", "truncated")]
    [InlineData("{\"type\":2,\"payload\":\"\",\"position\":0}\n{\"type\":1,\"name\":\"a\",\"si", "truncated")]
    [InlineData("{\"type\":3,\"position\":0}\n", "unknown entry type 3")]
    [InlineData("{\"type\":1,\"size\":-1,\"position\":0}\n", "negative size")]
    [InlineData("{\"type\":2,\"payload\":\"***\",\"position\":0}\n", "not valid base64")]
    [InlineData("{\"type\":\"2\",\"position\":0}\n", "not an integer")]
    [InlineData("[1,2]\n", "not a JSON object")]
    [InlineData("\n", "not valid JSON")]
    [InlineData("{\"type\":2}{\"type\":2}\n", "not valid JSON")]
    public void Reader_BadLines_ThrowCorruptFileNamingTheLine(string lines, string problem)
    {
        var e = Assert.Throws<CorruptFileException>(() => Read(lines));
        Assert.Equal("/tar-data.json.gz", e.Path);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", ".")]
    [InlineData("./a//b/", "a/b")]
    [InlineData("a/../../b", "../b")]
    [InlineData("/../a", "/a")]
    [InlineData("a/./b/..", "a")]
    public void GoPathClean_IsGosFilepathClean(string path, string expected) => Assert.Equal(expected, GoPath.Clean(path));
}
