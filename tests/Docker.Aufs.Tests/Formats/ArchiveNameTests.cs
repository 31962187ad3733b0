using System.IO.Abstractions.TestingHelpers;
using System.Text;
using Docker.Aufs.Archive;
using Docker.Aufs.Formats;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Formats;

/// <summary>
/// No archive reader hands on a name holding a NUL byte (docs/hostile-input.md, "Names with a NUL byte"): tar headers, PAX
/// records, GNU long names, tar-split entries and manifest.json refuse it with a format error naming the entry, never
/// "internal error" from the file system's refusal of such a path.
/// </summary>
public sealed class ArchiveNameTests
{
    private const string LayerId = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    public static TheoryData<string, string, string> PaxRecords() => new()
    {
        { "path", "etc/a\0b", "etc/plain" },
        { "linkpath", "etc/a\0b", "etc/plain" },
        { "uname", "ro\0ot", "etc/plain" },
        { "gname", "wh\0eel", "etc/plain" },
        { "SCHILY.xattr.user.a\0b", "v", "etc/plain" },
    };

    [Theory]
    [MemberData(nameof(PaxRecords))]
    public void TarStreamReader_APaxRecordHoldingANul_IsAFormatErrorNamingTheEntry(string key, string value, string entry)
    {
        var tar = new TarBytes().Entry("PaxHeaders/0", TarType.PaxHeader, 0x1A4, Pax(key, value)).File(entry, "x").Build();
        var reader = new TarStreamReader(new MemoryStream(tar));
        var error = Assert.Throws<TarFormatException>(() => IoRun.Sync(reader.NextAsync<SyncIo>(TestContext.Current.CancellationToken)));
        Assert.Contains($"'{entry}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("NUL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TarStreamReader_APaxRecordWithoutANul_IsApplied()
    {
        var tar = new TarBytes().Entry("PaxHeaders/0", TarType.PaxHeader, 0x1A4, Pax("path", "etc/long\u001bname")).File("etc/plain", "x").Build();
        var header = IoRun.Sync(new TarStreamReader(new MemoryStream(tar)).NextAsync<SyncIo>(TestContext.Current.CancellationToken))!;
        Assert.Equal("etc/long\u001bname", header.NameString);
    }

    [Theory]
    [InlineData("size", "1\0")]
    [InlineData("mtime", "1\02")]
    [InlineData("mtime", "1.5x")]
    [InlineData("uid", "99999999999999999999")]
    [InlineData("gid", " 5")]
    [InlineData("uid", "")]
    [InlineData("atime", "yesterday")]
    [InlineData("ctime", "1.2.3")]
    public void TarStreamReader_APaxNumberGoWouldRefuse_IsAFormatErrorNamingTheEntryAndTheRecord(string key, string value)
    {
        // Go's reader answers ErrHeader for such a record (strconv.ParseInt, parsePAXTime), so docker load refuses the layer.
        var tar = new TarBytes().Entry("PaxHeaders/0", TarType.PaxHeader, 0x1A4, Pax(key, value)).File("etc/plain", "x").Build();
        var reader = new TarStreamReader(new MemoryStream(tar));
        var error = Assert.Throws<TarFormatException>(() => IoRun.Sync(reader.NextAsync<SyncIo>(TestContext.Current.CancellationToken)));
        Assert.Contains("'etc/plain'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{key}' record", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mtime", "1234567890.123456789", 1234567890)]
    [InlineData("mtime", "7.", 7)]
    [InlineData("uid", "+3000000", 3000000)]
    public void TarStreamReader_APaxNumberGoAccepts_IsApplied(string key, string value, long expected)
    {
        var tar = new TarBytes().Entry("PaxHeaders/0", TarType.PaxHeader, 0x1A4, Pax(key, value)).File("etc/plain", "x").Build();
        var header = IoRun.Sync(new TarStreamReader(new MemoryStream(tar)).NextAsync<SyncIo>(TestContext.Current.CancellationToken))!;
        Assert.Equal(expected, key == "uid" ? header.Uid : header.ModTimeSeconds);
    }

    [Fact]
    public void TarStreamReader_AGnuLongNameEndsAtItsFirstNulAsGoReadsIt()
    {
        var tar = new TarBytes().Entry("././@LongLink", TarType.GnuLongName, 0x1A4, Encoding.UTF8.GetBytes("etc/a\0hidden\0")).File("etc/plain", "x").Build();
        var header = IoRun.Sync(new TarStreamReader(new MemoryStream(tar)).NextAsync<SyncIo>(TestContext.Current.CancellationToken))!;
        Assert.Equal("etc/a", header.NameString);
    }

    [Theory]
    [InlineData("{\"type\":1,\"name\":\"etc/a\\u0000b\",\"size\":1,\"payload\":null,\"position\":0}")]
    [InlineData("{\"type\":1,\"name_raw\":\"ZXRjL2EAYg==\",\"size\":1,\"payload\":null,\"position\":0}")]
    public void TarSplitReader_AFileEntryWhoseNameHoldsANul_IsCorruptNamingTheLine(string line)
    {
        var reader = new TarSplitReader(new MemoryStream(Encoding.UTF8.GetBytes(line + "\n")), "/r/tar-data.json.gz");
        var error = Assert.Throws<CorruptFileException>(() => IoRun.Sync(reader.NextAsync<SyncIo>(TestContext.Current.CancellationToken)));
        Assert.Contains("/r/tar-data.json.gz", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("etc/a\\u0000b", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("path")]
    [InlineData("linkpath")]
    public void Import_ALayerWhosePaxHeaderPutsANulInAName_IsRefusedNamingTheLayerAndTheEntry(string key)
    {
        var layer = new TarBytes().Entry("PaxHeaders/0", TarType.PaxHeader, 0x1A4, Pax(key, "etc/a\0b")).Symlink("etc/ln", "x").Build();
        var fs = Archive(new TarBytes()
            .File(LayerId + "/VERSION", "1.0")
            .File(LayerId + "/json", $"{{\"id\":\"{LayerId}\",\"created\":\"2020-01-01T00:00:00Z\"}}")
            .Entry(LayerId + "/layer.tar", TarType.Regular, 0x81A4, layer)
            .File("repositories", $"{{\"x\":{{\"latest\":\"{LayerId}\"}}}}"));

        var error = Assert.Throws<ArchiveFormatException>(() => ImageImporter.Import(fs, "/save.tar", "/imported", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains(LayerId + "/layer.tar", error.Message, StringComparison.Ordinal);
        Assert.Contains("'etc/ln'", error.Message, StringComparison.Ordinal);
        var cli = CliRunner.Run(fs, "import", "/save.tar", "--into", "/imported-by-cli");
        Assert.Equal(1, cli.Exit);
        Assert.DoesNotContain("internal error", cli.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{0}\\u0000.json", "[\"{1}/layer.tar\"]", "[]")]
    [InlineData("{0}.json", "[\"{1}/layer\\u0000.tar\"]", "[]")]
    [InlineData("{0}.json", "[\"{1}/layer.tar\"]", "[\"x:la\\u0000test\"]")]
    public void Import_AManifestNameHoldingANul_IsAFormatErrorNamingTheManifest(string config, string layers, string tags)
    {
        const string ConfigHex = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
        var manifest = $"[{{\"Config\":\"{string.Format(System.Globalization.CultureInfo.InvariantCulture, config, ConfigHex)}\",\"RepoTags\":{tags},\"Layers\":{string.Format(System.Globalization.CultureInfo.InvariantCulture, layers, config, LayerId)}}}]";
        var fs = Archive(new TarBytes()
            .File(ConfigHex + ".json", "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + ConfigHex + "\"]}}")
            .Entry(LayerId + "/layer.tar", TarType.Regular, 0x81A4, new TarBytes().File("a", "b").Build())
            .File("manifest.json", manifest));

        var error = Assert.Throws<ArchiveFormatException>(() => ImageImporter.Import(fs, "/save.tar", "/imported", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("manifest.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("\\u0000", error.Message, StringComparison.Ordinal);
        Assert.Contains("NUL byte", error.Message, StringComparison.Ordinal); // said, not left to a failed lookup
    }

    private static MockFileSystem Archive(TarBytes archive)
    {
        var fs = new MockFileSystem();
        fs.File.WriteAllBytes("/save.tar", archive.Build());
        return fs;
    }

    private static byte[] Pax(string key, string value)
    {
        var record = " " + key + "=" + value + "\n";
        var length = Encoding.UTF8.GetByteCount(record) + 1;
        while ((length.ToString(System.Globalization.CultureInfo.InvariantCulture) + record).Length != length)
        {
            length++;
        }

        return Encoding.UTF8.GetBytes(length.ToString(System.Globalization.CultureInfo.InvariantCulture) + record);
    }
}
