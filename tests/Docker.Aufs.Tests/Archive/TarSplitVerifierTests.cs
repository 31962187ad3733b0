using System.IO.Abstractions;
using System.IO.Compression;
using System.Text;
using Docker.Aufs.Archive;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Archive;

/// <summary>tar-split data that lies about the layer directory (issue 15 class 6): every lie is refused before any of it is written.</summary>
public sealed class TarSplitVerifierTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public TarSplitVerifierTests()
    {
        Diff = _temp.Combine("diff");
        Directory.CreateDirectory(Path.Combine(Diff, "d"));
        File.WriteAllText(Path.Combine(Diff, "a"), "abc");
        File.WriteAllText(Path.Combine(Diff, "b"), "xyz");
        File.WriteAllText(Path.Combine(Diff, "empty"), string.Empty);
        File.CreateSymbolicLink(Path.Combine(Diff, "l"), "a");
        TarData = _temp.Combine("tar-data.json.gz");
    }

    private string Diff { get; }

    private string TarData { get; }

    public void Dispose() => _temp.Dispose();

    /// <summary>Writes tar-split lines as the tool does: a segment with each header, a file entry, a segment with the padding.</summary>
    internal sealed class Lines
    {
        private readonly StringBuilder _text = new();
        private int _position;

        public static byte[] Header(string name, long size = 0, byte type = TarType.Regular, string link = "", int mode = 0x1A4) =>
            new GoTarHeaderEncoder().Encode(new TarEntryHeader
            {
                Name = Encoding.UTF8.GetBytes(name), Size = size, Typeflag = type, Linkname = Encoding.UTF8.GetBytes(link), Mode = mode,
            });

        public Lines Segment(byte[] payload)
        {
            _text.Append($"{{\"type\":2,\"payload\":\"{Convert.ToBase64String(payload)}\",\"position\":{_position++}}}\n");
            return this;
        }

        public Lines FileEntry(string name, string content)
        {
            var payload = content.Length == 0 ? "null" : $"\"{Convert.ToBase64String(Crc64Iso.ToBytes(Crc64Iso.Compute(Encoding.UTF8.GetBytes(content))))}\"";
            _text.Append($"{{\"type\":1,\"name\":\"{name}\",\"size\":{content.Length},\"payload\":{payload},\"position\":{_position++}}}\n");
            return this;
        }

        public Lines Member(string name, string content = "", byte type = TarType.Regular, string link = "", int mode = 0x1A4)
        {
            Segment(Header(name, content.Length, type, link, mode));
            FileEntry(name, content);
            return content.Length % 512 == 0 ? this : Segment(new byte[512 - content.Length % 512]);
        }

        public Lines FileEntryRaw(byte[] name)
        {
            _text.Append($"{{\"type\":1,\"name_raw\":\"{Convert.ToBase64String(name)}\",\"payload\":null,\"position\":{_position++}}}\n");
            return this;
        }

        public Lines End() => Segment(new byte[1024]);

        public void WriteTo(string path)
        {
            using var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest);
            gzip.Write(Encoding.UTF8.GetBytes(_text.ToString()));
        }
    }

    /// <summary>Reassembles into memory: the exception (or none) and every byte that reached the output before it.</summary>
    private (Exception? Error, byte[] Written) Assemble(Lines lines)
    {
        lines.WriteTo(TarData);
        using var output = new MemoryStream();
        using var sink = new LayerSink(output);
        var error = Record.Exception(() => SyncCore.Run(new TarSplitAssembler(new FileSystem(), LinuxMetadataProvider.Instance, "0123", TarData, Diff).AssembleAsync<SyncIo>(sink, null, default)));
        return (error, output.ToArray());
    }

    private static bool Holds(byte[] written, string text) => written.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    [Fact]
    public void Assemble_TrueData_StillRebuildsTheTar()
    {
        var (error, written) = Assemble(new Lines().Member("a", "abc").Member("d/", type: TarType.Directory).Member("l", type: TarType.Symlink, link: "a").Member("empty").End());
        Assert.Null(error);
        Assert.Equal(4 * 512 + 512 + 1024, written.Length);
    }

    [Fact]
    public void Assemble_AnEmptyMemberWhoseNameIsNotUtf8_IsLookedUpByItsBytesAndKept()
    {
        // Names that are not UTF-8 are carried as bytes (docs/hostile-input.md, "Names that are not UTF-8"): the member is
        // checked against the directory like any other.
        byte[] raw = [(byte)'d', (byte)'/', 0xFF, (byte)'x'];
        using var file = TarExtraction.CreateFileWithRawName(Path.Combine(Diff, "d"), [0xFF, (byte)'x']);
        var header = new GoTarHeaderEncoder().Encode(new TarEntryHeader { Name = raw, Mode = 0x1A4 });
        var (error, written) = Assemble(new Lines().Member("a", "abc").Segment(header).FileEntryRaw(raw).End());
        Assert.Null(error);
        Assert.Equal(2 * 512 + header.Length + 1024, written.Length);
    }

    [Fact]
    public void Assemble_AMemberWhoseNameIsNotUtf8AndThatTheDirectoryLacks_IsRefusedAsMissing()
    {
        byte[] raw = [(byte)'d', (byte)'/', 0xFF, (byte)'x'];
        var header = new GoTarHeaderEncoder().Encode(new TarEntryHeader { Name = raw, Mode = 0x1A4 });
        var (error, written) = Assemble(new Lines().Member("a", "abc").Segment(header).FileEntryRaw(raw).End());
        var e = Assert.IsType<LayerReassemblyException>(error);
        Assert.Contains("missing from the layer directory", e.Message, StringComparison.Ordinal);
        Assert.Equal(2 * 512, written.Length);
    }

    [Fact]
    public void Assemble_AMemberWithDotDotCarriedWhollyInASegment_IsRefusedBeforeAByteOfItIsWritten()
    {
        byte[] smuggled = [.. Lines.Header("../../etc/cron.d/evil", 5), .. "evil\n"u8, .. new byte[507]];
        var (error, written) = Assemble(new Lines().Member("a", "abc").Segment(smuggled).End());
        var e = Assert.IsType<UnsafePathException>(error);
        Assert.Contains("'..'", e.Message, StringComparison.Ordinal);
        Assert.False(Holds(written, "../../etc"), "the smuggled header reached the output");
    }

    [Theory]
    [InlineData("/etc/shadow")]
    [InlineData("d/../../x")]
    public void Assemble_AHardLinkToAPathOutsideTheLayer_IsRefused(string target)
    {
        var (error, written) = Assemble(new Lines().Member("a", "abc").Member("b", type: TarType.HardLink, link: target).End());
        Assert.IsType<UnsafePathException>(error);
        Assert.False(Holds(written, target));
    }

    [Fact]
    public void Assemble_ContentCarriedInASegmentInsteadOfTheDirectory_IsRefused()
    {
        var (error, _) = Assemble(new Lines().Segment(Lines.Header("a", 3)).Segment([.. "EVL"u8, .. new byte[509]]).FileEntry("a", "abc").End());
        Assert.Contains("must come from the layer directory", Assert.IsType<CorruptFileException>(error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Assemble_AFileEntryForAnotherMemberThanItsHeader_IsRefused()
    {
        var (error, _) = Assemble(new Lines().Segment(Lines.Header("a", 3)).FileEntry("b", "xyz").Segment(new byte[509]).End());
        Assert.Contains("follows the header of 'a'", Assert.IsType<CorruptFileException>(error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Assemble_AnEmptyMemberTheDirectoryDoesNotHold_IsRefused()
    {
        var (error, _) = Assemble(new Lines().Member("a", "abc").Member("ghost").End());
        var e = Assert.IsType<LayerReassemblyException>(error);
        Assert.Equal(Path.Combine(Diff, "ghost"), e.Path);
        Assert.Contains("missing", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Assemble_AnEmptyMemberWhoseFileHasBytes_IsASizeMismatch()
    {
        var (error, _) = Assemble(new Lines().Member("a").End());
        Assert.Contains("3 bytes on disk, the tar held 0", Assert.IsType<LayerReassemblyException>(error).Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a", TarType.Directory, "records a directory, the layer directory holds a regular file")]
    [InlineData("d", TarType.Regular, "records a regular file, the layer directory holds a directory")]
    [InlineData("a", TarType.Fifo, "records a fifo, the layer directory holds a regular file")]
    [InlineData("d", TarType.HardLink, "records a hard link, the layer directory holds a directory")]
    public void Assemble_AMemberOfAnotherTypeThanItsFile_IsATypeMismatch(string name, byte type, string problem)
    {
        var (error, _) = Assemble(new Lines().Member(name, type: type, link: type == TarType.HardLink ? "a" : "").End());
        var e = Assert.IsType<LayerReassemblyException>(error);
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
        Assert.Equal(LayerReassemblyKind.Type, e.Kind);
    }

    [Fact]
    public void Assemble_ASymbolicLinkRecordedWithAnotherTarget_IsALinkMismatch()
    {
        var (error, written) = Assemble(new Lines().Member("l", type: TarType.Symlink, link: "/etc/shadow").End());
        var e = Assert.IsType<LayerReassemblyException>(error);
        Assert.Equal(LayerReassemblyKind.LinkTarget, e.Kind);
        Assert.Contains("'/etc/shadow'", e.Problem, StringComparison.Ordinal);
        Assert.Empty(written);
    }

    [Fact]
    public void Assemble_MembersHiddenAfterTheEndOfTheArchive_AreRefused()
    {
        byte[] hidden = [.. new byte[1024], .. Lines.Header("../evil", 0)];
        var (error, written) = Assemble(new Lines().Member("a", "abc").Segment(hidden));
        Assert.Contains("follow the end of the archive", Assert.IsType<CorruptFileException>(error).Message, StringComparison.Ordinal);
        Assert.False(Holds(written, "../evil"));
    }

    [Fact]
    public void Assemble_DataEndingInsideAMember_IsRefused()
    {
        var (error, _) = Assemble(new Lines().Segment(Lines.Header("a", 3)));
        Assert.Contains("ends inside the member 'a'", Assert.IsType<CorruptFileException>(error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Assemble_AMemberTypeLayerTarsDoNotHold_IsRefused()
    {
        var (error, _) = Assemble(new Lines().Member("a", type: (byte)'V').End());
        Assert.Contains("of type 'V'", Assert.IsType<CorruptFileException>(error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Assemble_AHugeNameInALie_IsQuotedInAtMost200Characters()
    {
        var name = "d/" + string.Concat(Enumerable.Repeat("x/", 50_000)) + "../../../escape";
        byte[] pax = PaxPath(name);
        var (error, _) = Assemble(new Lines().Segment([.. pax, .. Lines.Header("placeholder")]).FileEntry(name, string.Empty).End());
        var e = Assert.IsType<UnsafePathException>(error);
        Assert.True(e.Message.Length < 600, $"a message of {e.Message.Length} characters");
    }

    /// <summary>A PAX header block and its records, giving <paramref name="name"/> as the next member's path.</summary>
    internal static byte[] PaxPath(string name)
    {
        var record = $" path={name}\n";
        var length = record.Length + 1;
        while ((length.ToString(System.Globalization.CultureInfo.InvariantCulture) + record).Length != length)
        {
            length++;
        }

        var data = Encoding.UTF8.GetBytes(length.ToString(System.Globalization.CultureInfo.InvariantCulture) + record);
        var header = Lines.Header("PaxHeaders/x", data.Length, TarType.PaxHeader);
        return [.. header, .. data, .. new byte[TarType.Padding(data.Length)]];
    }

    /// <summary>The most a reassembly may allocate on hostile data, whatever its size: a few line buffers and a copy buffer (docs/hostile-input.md, "Memory bounds").</summary>
    private const long AllocationBound = 32L * 1024 * 1024;

    /// <summary>Writes a gzip whose decompressed content is <paramref name="write"/>'s output, as a hostile tar-split file.</summary>
    private string Bomb(string name, Action<Stream> write)
    {
        var path = _temp.Combine(name);
        using (var gzip = new GZipStream(File.Create(path), CompressionLevel.SmallestSize))
        {
            write(gzip);
        }

        return path;
    }

    /// <summary>Reassembles <paramref name="tarData"/> on this thread; returns the error and how many bytes this thread allocated meanwhile (an upper bound of the peak).</summary>
    private (Exception? Error, long Allocated) Measure(string tarData)
    {
        using var sink = new LayerSink(Stream.Null);
        var assembler = new TarSplitAssembler(new FileSystem(), LinuxMetadataProvider.Instance, "0123", tarData, Diff);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Record.Exception(() => SyncCore.Run(assembler.AssembleAsync<SyncIo>(sink, null, default)));
        return (error, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Assemble_OneHugeLine_IsRefusedAtTheLineBound_AllocatingAFewMegabytes()
    {
        var chunk = Encoding.ASCII.GetBytes(new string('A', 1024 * 1024));
        var tarData = Bomb("huge-line.json.gz", s =>
        {
            s.Write("{\"type\":2,\"payload\":\""u8);
            for (var i = 0; i < 300; i++)
            {
                s.Write(chunk); // 300 MiB of base64 in one line, about 300 KB compressed
            }
        });

        var (error, allocated) = Measure(tarData);

        var e = Assert.IsType<CorruptFileException>(error);
        Assert.Contains($"longer than {TarSplitReader.MaxLineLength} bytes", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Length < 400, e.Message);
        Assert.True(allocated < AllocationBound, $"{allocated / (1024 * 1024)} MiB allocated");
    }

    [Fact]
    public void Assemble_AMillionTinyFileEntries_IsRefusedWithoutHoldingTheirNames()
    {
        var tarData = Bomb("tiny-entries.json.gz", s =>
        {
            using var writer = new StreamWriter(s, Encoding.ASCII, 1 << 16, leaveOpen: true);
            for (var i = 0; i < 1_000_000; i++)
            {
                writer.Write($"{{\"type\":1,\"name\":\"f{i:x}\",\"payload\":null}}\n");
            }
        });

        var (error, allocated) = Measure(tarData);

        Assert.IsType<CorruptFileException>(error);
        Assert.True(allocated < AllocationBound, $"{allocated / (1024 * 1024)} MiB allocated");
    }

    [Fact]
    public void Assemble_DeeplyRepeatedNames_AreRefusedWithAShortMessage_AllocatingAFewMegabytes()
    {
        var deep = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("a/", 1_000_000)));
        var tarData = Bomb("deep-names.json.gz", s =>
        {
            for (var i = 0; i < 200; i++)
            {
                s.Write("{\"type\":1,\"name\":\""u8);
                s.Write(deep); // 2 MB names, 200 of them
                s.Write(Encoding.ASCII.GetBytes($"{i}\",\"payload\":null}}\n"));
            }
        });

        var (error, allocated) = Measure(tarData);

        var e = Assert.IsType<CorruptFileException>(error);
        Assert.True(e.Message.Length < 600, $"a message of {e.Message.Length} characters");
        Assert.True(allocated < AllocationBound, $"{allocated / (1024 * 1024)} MiB allocated");
    }

    [Fact]
    public void Assemble_EntriesThatCarryNothing_AreBoundedBetweenMembers()
    {
        var lines = new Lines().Member("a", "abc");
        for (var i = 0; i <= TarSplitVerifier.MaxEntriesPerMember; i++)
        {
            lines.Segment([]);
        }

        var (error, _) = Assemble(lines.End());
        Assert.Contains("without a member", Assert.IsType<CorruptFileException>(error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Assemble_AnExtendedHeaderLargerThanGoReads_IsRefusedBeforeItIsHeld()
    {
        var (error, written) = Assemble(new Lines().Segment(Lines.Header("PaxHeaders/a", 1L << 30, TarType.PaxHeader)).End());
        Assert.Contains("an extended header of 1073741824 bytes", Assert.IsType<CorruptFileException>(error).Message, StringComparison.Ordinal);
        Assert.Empty(written);
    }
}
