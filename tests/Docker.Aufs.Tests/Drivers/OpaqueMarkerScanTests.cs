using System.IO.Abstractions.TestingHelpers;
using System.IO.Compression;
using System.Text;
using Docker.Aufs.Drivers;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Tests.Drivers;

/// <summary>
/// The opaque-marker scan of overlay2 tar-split data decodes only the lines that can name <c>.wh..wh..opq</c> (issue 12,
/// item 9: decoding every line was most of a listing's time), and finds exactly the markers a full read finds, whatever
/// spelling Go's JSON allows and wherever reads cut the data.
/// </summary>
public sealed class OpaqueMarkerScanTests
{
    private const string Path = "/layer/tar-split.json.gz";

    private static string Segment(int bytes) =>
        $"{{\"type\":2,\"payload\":\"{Convert.ToBase64String(Enumerable.Range(0, bytes).Select(i => (byte)(i * 7)).ToArray())}\",\"position\":0}}\n";

    private static string File(string nameJson, string key = "name") =>
        $"{{\"type\":1,\"{key}\":{nameJson},\"size\":0,\"payload\":null,\"position\":1}}\n";

    private static string Raw(byte[] name, string key = "name_raw") =>
        $"{{\"type\":1,\"{key}\":\"{Convert.ToBase64String(name)}\",\"payload\":null,\"position\":2}}\n";

    /// <summary>Every spelling of a marker's name, among ordinary entries and segments.</summary>
    public static TheoryData<string> Spellings => new()
    {
        "plain",
        "escaped dot",
        "escaped letters",
        "name_raw",
        "NAME_RAW",
        "Name_Raw",
        "name_raw of a non-UTF-8 directory",
        "top-level marker",
        "marker straddling every cut",
    };

    private static string Data(string spelling)
    {
        var lines = new StringBuilder();
        lines.Append(Segment(1536)).Append(File("\"etc/passwd\"")).Append(File("\"usr/lib/__pycache__/x_raw.pyc\""));
        lines.Append(spelling switch
        {
            "plain" => File("\"var/lib/apt/lists/.wh..wh..opq\""),
            "escaped dot" => File("\"var/lib/apt/lists/\\u002ewh..wh..opq\""),
            "escaped letters" => File("\"var/\\u006cib/.\\u0077h..wh..opq\""),
            "name_raw" => Raw(Encoding.UTF8.GetBytes("opt/app/.wh..wh..opq")),
            "NAME_RAW" => Raw(Encoding.UTF8.GetBytes("opt/app/.wh..wh..opq"), "NAME_RAW"),
            "Name_Raw" => Raw(Encoding.UTF8.GetBytes("opt/app/.wh..wh..opq"), "Name_Raw"),
            "name_raw of a non-UTF-8 directory" => Raw([(byte)'d', 0xFF, (byte)'/', .. ".wh..wh..opq"u8]),
            "top-level marker" => File("\".wh..wh..opq\""),
            _ => File("\"srv/.wh..wh..opq\""),
        });
        lines.Append(Segment(70_000)).Append(File("\"tmp/.wh.gone\"")).Append(File("\"tmp/.wh..wh..opq\"")).Append(Segment(512));
        return lines.ToString();
    }

    private static List<string> FullRead(byte[] data)
    {
        var reader = new TarSplitReader(new MemoryStream(data), Path);
        var names = new List<string>();
        while (IoRun.Sync(reader.NextAsync<SyncIo>(CancellationToken.None)) is { } entry)
        {
            if (entry.Type == TarSplitEntryType.File && entry.Name.AsSpan().EndsWith(".wh..wh..opq"u8))
            {
                names.Add(Convert.ToHexString(entry.Name));
            }
        }

        return names;
    }

    private static List<string> Scan(Stream data)
    {
        var candidates = new List<TarSplitEntry>();
        Assert.True(OpaqueMarkerScan.TryScan(data, Path, candidates.Add));
        return candidates.Where(e => e.Name.AsSpan().EndsWith(".wh..wh..opq"u8)).Select(e => Convert.ToHexString(e.Name)).ToList();
    }

    [Theory]
    [MemberData(nameof(Spellings))]
    public void The_scan_finds_the_markers_a_full_read_finds(string spelling)
    {
        var data = Encoding.UTF8.GetBytes(Data(spelling));
        var expected = FullRead(data);
        Assert.Equal(2, expected.Count);

        Assert.Equal(expected, Scan(new MemoryStream(data)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(11)]
    [InlineData(4093)]
    public void The_scan_finds_them_whatever_sizes_the_reads_come_in(int chunk)
    {
        var data = Encoding.UTF8.GetBytes(Data("marker straddling every cut") + Data("name_raw") + Data("escaped dot"));

        Assert.Equal(FullRead(data), Scan(new Trickle(data, chunk)));
    }

    [Fact]
    public void A_damaged_line_that_cannot_name_a_marker_is_not_decoded()
    {
        var data = Encoding.UTF8.GetBytes(Segment(100) + "{\"type\":1,\"name\":\"etc/hosts\",\"size\":oops}\n" + File("\"a/.wh..wh..opq\""));

        Assert.Single(Scan(new MemoryStream(data)));
    }

    [Fact]
    public void A_damaged_line_that_names_a_marker_is_refused_naming_its_line()
    {
        var data = Encoding.UTF8.GetBytes(Segment(100) + Segment(100) + "{\"type\":1,\"name\":\"a/.wh..wh..opq\",\"size\":oops}\n");

        var e = Assert.Throws<CorruptFileException>(() => OpaqueMarkerScan.TryScan(new MemoryStream(data), Path, _ => { }));
        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
        Assert.Contains(Path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Data_cut_inside_a_line_is_refused_as_truncated()
    {
        var data = Encoding.UTF8.GetBytes(Segment(100) + "{\"type\":1,\"name\":\"a/b");

        var e = Assert.Throws<CorruptFileException>(() => OpaqueMarkerScan.TryScan(new MemoryStream(data), Path, _ => { }));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_longer_than_the_scan_holds_is_skipped_when_it_cannot_name_a_marker()
    {
        var data = Encoding.UTF8.GetBytes(Segment(OpaqueMarkerScan.MaxKeptLine * 2) + File("\"x/.wh..wh..opq\""));

        Assert.Single(Scan(new Trickle(data, 64 * 1024)));
    }

    [Fact]
    public void A_line_longer_than_the_scan_holds_that_may_name_a_marker_is_left_to_the_full_read()
    {
        // Go's JSON allows any whitespace between tokens; a name line is never this long in tar-split Docker wrote.
        var padding = new string(' ', OpaqueMarkerScan.MaxKeptLine + 10);
        var data = Encoding.UTF8.GetBytes(Segment(10) + $"{{\"type\":1,{padding}\"name\":\"x/.wh..wh..opq\",\"payload\":null,\"position\":1}}\n");

        Assert.False(OpaqueMarkerScan.TryScan(new MemoryStream(data), Path, _ => { }));

        // The caller then reads every entry: the directory is still found.
        var fileSystem = new MockFileSystem();
        fileSystem.AddFile(Path, new MockFileData(Gzip(data)));
        Assert.Equal(["x"], OverlayBranches.OpaqueDirectoriesOf(fileSystem, Path));
    }

    [Fact]
    public void The_directories_come_from_the_scan_cleaned_and_once_each()
    {
        var data = Encoding.UTF8.GetBytes(Data("escaped dot") + File("\"./var/lib/apt//lists/.wh..wh..opq\""));
        var fileSystem = new MockFileSystem();
        fileSystem.AddFile(Path, new MockFileData(Gzip(data)));

        Assert.Equal(["var/lib/apt/lists", "tmp"], OverlayBranches.OpaqueDirectoriesOf(fileSystem, Path));
    }

    private static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>A stream that hands out its data a few bytes per read, as a decompressor may.</summary>
    private sealed class Trickle(byte[] data, int chunk) : MemoryStream(data, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));
    }
}
