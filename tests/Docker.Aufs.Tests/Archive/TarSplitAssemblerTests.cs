using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using System.IO.Compression;
using System.Text;
using Docker.Aufs.Archive;
using Docker.Aufs.Testing;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Archive;

public sealed class TarSplitAssemblerTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A layer the way Docker 1.9 left it: a GNU tar, its tar-split data from the real tar-split tool, the tar extracted as the diff dir.</summary>
    private (byte[] Tar, string TarData, string Diff) RealLayer(string format = "gnu", string name = "layer")
    {
        var source = _temp.Combine(name, "source");
        Directory.CreateDirectory(Path.Combine(source, "etc", new string('l', 70), new string('m', 70)));
        File.WriteAllText(Path.Combine(source, "etc", "passwd"), "root:x:0:0::/root:/bin/sh\n");
        File.WriteAllText(Path.Combine(source, "etc", new string('l', 70), new string('m', 70), "deep.txt"), "deep\n");
        File.WriteAllBytes(Path.Combine(source, "big.bin"), Enumerable.Range(0, 3 * 1024 * 1024 + 17).Select(i => (byte)(i * 31)).ToArray());
        File.WriteAllText(Path.Combine(source, "empty"), string.Empty);
        File.CreateSymbolicLink(Path.Combine(source, "etc", "mtab"), "/proc/mounts");
        InteropTools.Run("ln", Path.Combine(source, "etc", "passwd"), Path.Combine(source, "etc", "passwd-"));
        File.WriteAllText(Path.Combine(source, ".wh.removed"), string.Empty);
        var tar = _temp.Combine(name, "layer.tar");
        InteropTools.Run("tar", "--format=" + format, "-C", source, "-cf", tar, ".");
        var tarData = _temp.Combine(name, "tar-data.json.gz");
        InteropTools.Run("tar-split", "disasm", "--no-stdout", "--output", tarData, tar);
        var diff = _temp.Combine(name, "diff");
        Directory.CreateDirectory(diff);
        InteropTools.Run("tar", "-C", diff, "-xpf", tar);
        return (File.ReadAllBytes(tar), tarData, diff);
    }

    private static byte[] Assemble(IFileSystem fs, IUnixMetadataProvider metadata, string tarData, string diff)
    {
        using var output = new MemoryStream();
        using var sink = new LayerSink(output);
        SyncCore.Run(new TarSplitAssembler(fs, metadata, "0123", tarData, diff).AssembleAsync<SyncIo>(sink, null, default));
        return output.ToArray();
    }

    private static byte[] Assemble(string tarData, string diff) => Assemble(new FileSystem(), LinuxMetadataProvider.Instance, tarData, diff);

    private static List<TarSplitEntry> ReadEntries(string tarData)
    {
        using var gzip = new GZipStream(File.OpenRead(tarData), CompressionMode.Decompress);
        var reader = new TarSplitReader(gzip, tarData);
        var entries = new List<TarSplitEntry>();
        while (SyncCore.Run(reader.NextAsync<SyncIo>(default)) is { } entry)
        {
            entries.Add(entry);
        }

        return entries;
    }

    private static void WriteEntries(string path, IEnumerable<TarSplitEntry> entries, TarSplitDialect dialect)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        var writer = new TarSplitWriter(gzip, dialect);
        foreach (var entry in entries)
        {
            if (entry.Type == TarSplitEntryType.Segment)
            {
                SyncCore.Run(writer.AddSegmentAsync<SyncIo>(entry.Payload ?? [], default));
            }
            else
            {
                var crc = entry.Payload is { Length: 8 } p ? System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(p) : (ulong?)null;
                Assert.True(SyncCore.Run(writer.AddFileAsync<SyncIo>(entry.Name, entry.Size, crc, default)));
            }
        }
    }

    private static void WriteLines(string path, string lines)
    {
        using var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        gzip.Write(Encoding.UTF8.GetBytes(lines));
    }

    [Theory]
    [InlineData("gnu")]
    [InlineData("pax")]
    public void Assemble_DataFromTheTarSplitTool_RebuildsTheOriginalTarAsTarSplitAsmDoes(string format)
    {
        var (tar, tarData, diff) = RealLayer(format);
        var ours = Assemble(tarData, diff);
        Assert.Equal(tar, ours);
        Assert.Equal(InteropTools.RunBytes("tar-split", null, "asm", "--input", tarData, "--path", diff), ours);
    }

    [Theory]
    [InlineData(nameof(TarSplitDialect.Version094))]
    [InlineData(nameof(TarSplitDialect.Version096))]
    [InlineData(nameof(TarSplitDialect.Version0910))]
    public void Assemble_EveryDialect_RebuildsTheSameBytesAndTarSplitAgrees(string dialectName)
    {
        var dialect = Enum.Parse<TarSplitDialect>(dialectName);
        var (tar, tarData, diff) = RealLayer();
        var rewritten = _temp.Combine($"tar-data-{dialect}.json.gz");
        WriteEntries(rewritten, ReadEntries(tarData), dialect);
        Assert.Equal(tar, Assemble(rewritten, diff));
        Assert.Equal(tar, InteropTools.RunBytes("tar-split", null, "asm", "--input", rewritten, "--path", diff));
    }

    [Fact]
    public void Assemble_HandCraftedVersion094Lines_WithNameAndSizeOnSegmentsAndNameRaw()
    {
        // As Docker 1.8.0 wrote them: name and size on every line, segments included; plus a name_raw line as 1.9 writes.
        var diff = _temp.Combine("diff");
        Directory.CreateDirectory(Path.Combine(diff, "d"));
        File.WriteAllText(Path.Combine(diff, "d", "f"), "abc");
        var header = new GoTarHeaderEncoder().Encode(new TarEntryHeader { Name = "d/f"u8.ToArray(), Mode = 0x81A4, Size = 3 });
        var tail = new byte[509 + 1024];
        var lines =
            $"{{\"type\":2,\"name\":\"\",\"size\":0,\"payload\":\"{Convert.ToBase64String(header)}\",\"position\":0}}\n" +
            $"{{\"type\":1,\"name\":\"ignored-when-name_raw-is-set\",\"name_raw\":\"{Convert.ToBase64String("d/f"u8.ToArray())}\",\"size\":3,\"payload\":\"{Convert.ToBase64String(Crc64Iso.ToBytes(Crc64Iso.Compute("abc"u8)))}\",\"position\":1}}\n" +
            $"{{\"type\":2,\"name\":\"\",\"size\":0,\"payload\":\"{Convert.ToBase64String(tail)}\",\"position\":2}}\n" +
            "{\"type\":2,\"name\":\"\",\"size\":0,\"payload\":\"\",\"position\":3}\n";
        var tarData = _temp.Combine("v094.json.gz");
        WriteLines(tarData, lines);
        byte[] expected = [.. header, .. "abc"u8, .. tail];
        Assert.Equal(expected, Assemble(tarData, diff));
        Assert.Equal(expected, InteropTools.RunBytes("tar-split", null, "asm", "--input", tarData, "--path", diff));
    }

    [Fact]
    public void Assemble_OnAMockRootBuiltFromATar_RebuildsIt()
    {
        var tar = new TarBytes().Directory("bin").File("bin/sh", "#!busybox").Hardlink("bin/ls", "bin/sh").Symlink("bin/ash", "sh").File("etc/motd", "hi\n").Build();
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r", SpecialFileMode.Recorded);
        var id = builder.AddLayer(l => l.FromTar(() => new MemoryStream(tar)));
        var root = builder.Build();
        Assert.Equal(tar, Assemble(fs, root.Metadata, $"/r/graph/{id}/tar-data.json.gz", $"/r/aufs/diff/{id}"));
    }

    [Fact]
    public void Assemble_FileChangedSinceThePull_ReportsTheCrcMismatchAndTheFile()
    {
        var (_, tarData, diff) = RealLayer();
        var big = Path.Combine(diff, "big.bin");
        using (var file = File.OpenWrite(big))
        {
            file.Position = 1_000_000;
            file.WriteByte(0xFF); // same size, one byte different
        }

        var e = Assert.Throws<LayerReassemblyException>(() => Assemble(tarData, diff));
        Assert.Equal("./big.bin", e.EntryName);
        Assert.Equal(big, e.Path);
        Assert.Contains("CRC-64", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Assemble_FileMissing_ReportsWhichOne()
    {
        var (_, tarData, diff) = RealLayer();
        File.Delete(Path.Combine(diff, "big.bin"));
        var e = Assert.Throws<LayerReassemblyException>(() => Assemble(tarData, diff));
        Assert.Equal(Path.Combine(diff, "big.bin"), e.Path);
        Assert.Contains("missing", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Assemble_FileOfAnotherSize_SaysSo()
    {
        var (_, tarData, diff) = RealLayer();
        var deep = Path.Combine(diff, "etc", new string('l', 70), new string('m', 70), "deep.txt");
        File.AppendAllText(deep, "more\n");
        var e = Assert.Throws<LayerReassemblyException>(() => Assemble(tarData, diff));
        Assert.Contains("10 bytes on disk, the tar held 5", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Assemble_FileReplacedBySymlinkOrDirectoryBySymlink_IsNeverFollowed()
    {
        var (_, tarData, diff) = RealLayer();
        var outside = _temp.Combine("outside");
        Directory.CreateDirectory(outside);
        var deep = Path.Combine(diff, "etc", new string('l', 70), new string('m', 70), "deep.txt");
        File.WriteAllText(Path.Combine(outside, "deep.txt"), "deep\n"); // same content: following it would succeed
        File.Delete(deep);
        File.CreateSymbolicLink(deep, Path.Combine(outside, "deep.txt"));
        var e = Assert.Throws<LayerReassemblyException>(() => Assemble(tarData, diff));
        Assert.Contains("the layer directory holds a symbolic link", e.Problem, StringComparison.Ordinal);

        var (_, tarData2, diff2) = RealLayer(name: "second");
        Directory.Move(Path.Combine(diff2, "etc"), _temp.Combine("moved-etc"));
        File.CreateSymbolicLink(Path.Combine(diff2, "etc"), _temp.Combine("moved-etc"));
        var e2 = Assert.Throws<LayerReassemblyException>(() => Assemble(tarData2, diff2));
        Assert.Contains("the layer directory holds a symbolic link", e2.Problem, StringComparison.Ordinal); // ./etc/ itself is checked first
        Assert.Equal(Path.Combine(diff2, "etc"), e2.Path);
    }

    [Theory]
    [InlineData("../outside.txt", "'..'")]
    [InlineData("a/../../outside.txt", "'..'")]
    [InlineData("/etc/passwd", "relative")]
    public void Assemble_NameOutsideTheLayer_IsAnUnsafePath(string name, string reason)
    {
        var diff = _temp.Combine("diff");
        Directory.CreateDirectory(diff);
        File.WriteAllText(_temp.Combine("outside.txt"), "abc");
        var tarData = _temp.Combine("evil.json.gz");
        var header = new GoTarHeaderEncoder().Encode(new TarEntryHeader { Name = Encoding.UTF8.GetBytes(name), Mode = 0x1A4, Size = 3 });
        WriteLines(tarData, $"{{\"type\":2,\"payload\":\"{Convert.ToBase64String(header)}\",\"position\":0}}\n" +
            $"{{\"type\":1,\"name\":\"{name}\",\"size\":3,\"payload\":\"{Convert.ToBase64String(Crc64Iso.ToBytes(Crc64Iso.Compute("abc"u8)))}\",\"position\":1}}\n");
        var e = Assert.Throws<UnsafePathException>(() => Assemble(tarData, diff));
        Assert.Equal(tarData, e.Path);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Assemble_DuplicateName_IsRefusedAsTarSplitRefusesIt()
    {
        var diff = _temp.Combine("diff");
        Directory.CreateDirectory(diff);
        var tarData = _temp.Combine("dup.json.gz");
        File.WriteAllText(Path.Combine(diff, "a"), string.Empty);
        var encoder = new GoTarHeaderEncoder();
        var first = Convert.ToBase64String(encoder.Encode(new TarEntryHeader { Name = "a"u8.ToArray(), Mode = 0x1A4 }));
        var second = Convert.ToBase64String(encoder.Encode(new TarEntryHeader { Name = "./a"u8.ToArray(), Mode = 0x1A4 }));
        WriteLines(tarData, $"{{\"type\":2,\"payload\":\"{first}\",\"position\":0}}\n{{\"type\":1,\"name\":\"a\",\"payload\":null,\"position\":1}}\n" +
            $"{{\"type\":2,\"payload\":\"{second}\",\"position\":2}}\n{{\"type\":1,\"name\":\"./a\",\"payload\":null,\"position\":3}}\n");
        Assert.Contains("twice", Assert.Throws<LayerReassemblyException>(() => Assemble(tarData, diff)).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Assemble_DamagedTarSplitData_IsACorruptFile()
    {
        var (_, tarData, diff) = RealLayer();
        var bytes = File.ReadAllBytes(tarData);
        var cases = new Dictionary<string, byte[]>
        {
            ["truncated"] = bytes[..(bytes.Length / 2)],
            ["not gzip"] = Encoding.ASCII.GetBytes("{\"type\":2,\"payload\":\"\",\"position\":0}\n"),
            ["empty"] = [],
        };
        foreach (var (label, content) in cases)
        {
            var path = _temp.Combine(label.Replace(' ', '-') + ".json.gz");
            File.WriteAllBytes(path, content);
            var e = Assert.Throws<CorruptFileException>(() => Assemble(path, diff));
            Assert.Equal(path, e.Path);
        }

        var garbage = _temp.Combine("garbage.json.gz");
        WriteLines(garbage, "this is not json\n");
        Assert.Contains("not valid JSON", Assert.Throws<CorruptFileException>(() => Assemble(garbage, diff)).Message, StringComparison.Ordinal);
        var nothing = _temp.Combine("nothing.json.gz");
        File.WriteAllBytes(nothing, [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // gzip of nothing
        Assert.Contains("no entries", Assert.Throws<CorruptFileException>(() => Assemble(nothing, diff)).Message, StringComparison.Ordinal);
    }
}
