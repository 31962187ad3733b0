using System.Formats.Tar;
using System.Text;
using Docker.Aufs.Formats;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Formats;

public sealed class TarStreamReaderTests
{
    /// <summary>Rebuilds a tar from the reader's raw segments and the entries' contents, as tar-split reassembly does.</summary>
    internal static (byte[] Rebuilt, List<TarEntryHeader> Headers) Rebuild(byte[] tar)
    {
        var reader = new TarStreamReader(new MemoryStream(tar));
        using var output = new MemoryStream();
        var headers = new List<TarEntryHeader>();
        var buffer = new byte[777];
        while (SyncCore.Run(reader.NextAsync<SyncIo>(default)) is { } header)
        {
            headers.Add(header);
            output.Write(reader.TakeRaw());
            int read;
            while ((read = SyncCore.Run(reader.ReadContentAsync<SyncIo>(buffer, default))) > 0)
            {
                output.Write(buffer, 0, read);
            }
        }

        output.Write(reader.TakeRaw());
        output.Write(SyncCore.Run(reader.ReadRemainderAsync<SyncIo>(1 << 20, default)));
        return (output.ToArray(), headers);
    }

    [Theory]
    [InlineData("gnu")]
    [InlineData("pax")]
    [InlineData("ustar")]
    [InlineData("v7")]
    public void RawSegmentsAndContent_RebuildGnuTarArchivesByteForByte(string format)
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("src");
        var deep = Path.Combine(root, format == "ustar" || format == "v7" ? "short" : new string('d', 60), new string('e', 60));
        Directory.CreateDirectory(deep);
        File.WriteAllText(Path.Combine(deep, "file.txt"), "hello\n");
        File.WriteAllBytes(Path.Combine(root, "blob"), new byte[70_001]);
        File.CreateSymbolicLink(Path.Combine(root, "link"), format is "ustar" or "v7" ? "blob" : new string('t', 150));
        InteropTools.Run("ln", Path.Combine(root, "blob"), Path.Combine(root, "hard"));
        File.WriteAllText(Path.Combine(root, "é-unicode"), "x");
        var tar = temp.Combine("a.tar");
        InteropTools.Run("tar", "--format=" + format, "-C", root, "-cf", tar, ".");
        var original = File.ReadAllBytes(tar);

        var (rebuilt, headers) = Rebuild(original);

        Assert.Equal(original, rebuilt);
        Assert.Contains(headers, h => h.NameString.EndsWith("file.txt", StringComparison.Ordinal) && h.Size == 6);
        Assert.Contains(headers, h => h.Typeflag == TarType.HardLink);
        if (format is "gnu" or "pax")
        {
            Assert.Contains(headers, h => h.NameString.Length > 100);
            Assert.Contains(headers, h => h.LinknameString == new string('t', 150));
        }
    }

    [Theory]
    [InlineData(TarEntryFormat.Pax)]
    [InlineData(TarEntryFormat.Gnu)]
    [InlineData(TarEntryFormat.Ustar)]
    [InlineData(TarEntryFormat.V7)]
    public void RawSegmentsAndContent_RebuildDotNetTarWriterArchives(TarEntryFormat format)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, format, leaveOpen: true))
        {
            var type = format == TarEntryFormat.V7 ? TarEntryType.V7RegularFile : TarEntryType.RegularFile;
            foreach (var (name, size) in new[] { ("a", 0), ("b/c", 1), ("d", 511), ("e", 512), ("f", 513) })
            {
                var entry = format switch
                {
                    TarEntryFormat.Pax => (TarEntry)new PaxTarEntry(type, name),
                    TarEntryFormat.Gnu => new GnuTarEntry(type, name),
                    TarEntryFormat.Ustar => new UstarTarEntry(type, name),
                    _ => new V7TarEntry(type, name),
                };
                entry.DataStream = new MemoryStream(new byte[size]);
                writer.WriteEntry(entry);
            }
        }

        var original = buffer.ToArray();
        var (rebuilt, headers) = Rebuild(original);
        Assert.Equal(original, rebuilt);
        Assert.Equal(["a", "b/c", "d", "e", "f"], headers.Select(h => h.NameString));
    }

    [Fact]
    public void Next_EmptyStream_IsAnEmptyArchive()
    {
        var (rebuilt, headers) = Rebuild([]);
        Assert.Empty(headers);
        Assert.Empty(rebuilt);
    }

    [Fact]
    public void Next_ArchiveWithoutEndBlocks_EndsCleanlyAtAHeaderBoundary()
    {
        // moby-empty-layer's base layer: a single "./" header, no end-of-archive blocks.
        var header = ExtractMember(Fixtures.Path("moby-empty-layer.tar"), "17d1436ef796af2fc2210cc37c4672e5aa1b62cb08ac4b95dd15372321105a66/layer.tar");
        Assert.Equal(512, header.Length);
        var (rebuilt, headers) = Rebuild(header);
        Assert.Equal(header, rebuilt);
        Assert.Equal("./", Assert.Single(headers).NameString);
    }

    [Fact]
    public void Next_OneZeroBlockThenEnd_IsTheEnd()
    {
        var tar = Ustar("a", 3).Concat(new byte[512]).ToArray();
        var (rebuilt, headers) = Rebuild(tar);
        Assert.Equal(tar, rebuilt);
        Assert.Single(headers);
    }

    [Fact]
    public void Next_TrailingGarbageAfterTheEnd_IsTheRemainder()
    {
        var tar = Ustar("a", 3).Concat(new byte[1024]).Concat("trailing junk"u8.ToArray()).ToArray();
        Assert.Equal(tar, Rebuild(tar).Rebuilt);
    }

    [Fact]
    public void Next_ZeroBlockThenHeader_ThrowsDamaged()
    {
        var tar = new byte[512].Concat(Ustar("a", 0)).ToArray();
        var e = Assert.Throws<TarFormatException>(() => Rebuild(tar));
        Assert.Contains("damaged", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Next_BadChecksum_ThrowsNotATar()
    {
        var tar = Ustar("a", 0);
        tar[0] = (byte)'b';
        var e = Assert.Throws<TarFormatException>(() => Rebuild(tar));
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Next_TruncatedHeaderOrContent_Throws()
    {
        var tar = Ustar("a", 600);
        Assert.Throws<TarFormatException>(() => Rebuild(tar[..300]));
        Assert.Throws<TarFormatException>(() => Rebuild(tar[..700]));
    }

    [Fact]
    public void Next_GnuSparseEntry_IsRefused()
    {
        var tar = Ustar("sparse", 0, TarType.GnuSparse);
        var e = Assert.Throws<TarFormatException>(() => Rebuild(tar));
        Assert.Contains("sparse", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Next_PaxRecords_ApplyToTheNextHeaderOnly()
    {
        var encoder = new GoTarHeaderEncoder();
        var first = encoder.Encode(new TarEntryHeader { Name = Encoding.UTF8.GetBytes("ünïcode"), Mode = 0x81A4, Xattrs = new(StringComparer.Ordinal) { ["security.capability"] = [1, 2, 3] } });
        var second = encoder.Encode(new TarEntryHeader { Name = "plain"u8.ToArray(), Mode = 0x81A4 });
        var (_, headers) = Rebuild([.. first, .. second, .. new byte[1024]]);
        Assert.Equal("ünïcode", headers[0].NameString);
        Assert.Equal([1, 2, 3], headers[0].Xattrs!["security.capability"]);
        Assert.Equal("plain", headers[1].NameString);
        Assert.Null(headers[1].Xattrs);
    }

    internal static byte[] Ustar(string name, int size, byte type = TarType.Regular)
    {
        var header = new GoTarHeaderEncoder().Encode(new TarEntryHeader { Name = Encoding.UTF8.GetBytes(name), Size = size, Mode = 0x81A4, Typeflag = type });
        return [.. header, .. new byte[size + TarType.Padding(size)]];
    }

    internal static byte[] ExtractMember(string archive, string member)
    {
        using var reader = new TarReader(File.OpenRead(archive));
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.Name == member)
            {
                using var content = new MemoryStream();
                entry.DataStream?.CopyTo(content);
                return content.ToArray();
            }
        }

        throw new InvalidOperationException($"{member} is not in {archive}");
    }
}
