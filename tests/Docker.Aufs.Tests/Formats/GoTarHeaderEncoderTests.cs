using System.Text;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Tests.Formats;

public sealed class GoTarHeaderEncoderTests
{
    private static string Field(byte[] block, int start, int length) => Encoding.ASCII.GetString(block, start, length);

    private static TarEntryHeader File(string name, long size = 0) =>
        new() { Name = Encoding.UTF8.GetBytes(name), Mode = 0x81ED, Size = size, ModTimeSeconds = 1_500_000_000 };

    [Fact]
    public void Encode_PlainFile_IsOneUstarBlockLaidOutAsGo15()
    {
        var block = new GoTarHeaderEncoder().Encode(File("bin/busybox", 3));
        Assert.Equal(512, block.Length);
        Assert.Equal("bin/busybox\0", Field(block, 0, 12));
        Assert.Equal("0100755\0", Field(block, 100, 8)); // the type bits are in the mode, as Go's FileInfoHeader sets them
        Assert.Equal("0000000\0", Field(block, 108, 8));
        Assert.Equal("0000000\0", Field(block, 116, 8));
        Assert.Equal("00000000003\0", Field(block, 124, 12));
        Assert.Equal("13132027400\0", Field(block, 136, 12));
        Assert.Equal((byte)'0', block[156]);
        Assert.Equal("ustar\u000000", Field(block, 257, 8));
        Assert.Equal(new byte[64], block[265..329]); // no user or group names
        Assert.Equal("0000000\00000000\0", Field(block, 329, 16)); // device numbers always written
        Assert.Equal(new byte[155], block[345..500]);
        var sum = block.Select((b, i) => i is >= 148 and < 156 ? (int)' ' : b).Sum();
        Assert.Equal(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ", Field(block, 148, 8));
    }

    [Fact]
    public void Encode_LongSplittableName_UsesTheUstarPrefixNotPax()
    {
        var name = new string('a', 80) + "/" + new string('b', 90);
        var block = new GoTarHeaderEncoder().Encode(File(name));
        Assert.Equal(512, block.Length);
        Assert.Equal(new string('b', 90), Field(block, 0, 90));
        Assert.Equal(new string('a', 80), Field(block, 345, 80));
    }

    [Fact]
    public void Encode_LongUnsplittableName_WritesAPaxPathRecordUnderPaxHeaders0()
    {
        var name = "dir/" + new string('x', 120);
        var blocks = new GoTarHeaderEncoder().Encode(File(name));
        Assert.Equal(3 * 512, blocks.Length);
        Assert.Equal((byte)'x', blocks[156]);
        Assert.Equal("dir/PaxHeaders.0/" + new string('x', 83), Field(blocks, 0, 100));
        var record = $"{name.Length + 10} path={name}\n"; // 3 digits + " path=" + name + "\n"
        Assert.Equal(record, Field(blocks, 512, record.Length));
        Assert.Equal(Convert.ToString(record.Length, 8).PadLeft(11, '0') + "\0", Field(blocks, 124, 12)); // the PAX header's size
        Assert.Equal(new byte[100], blocks[1024..1124]); // the real header's name field stays empty
    }

    [Fact]
    public void Encode_NonAsciiName_GoesToPaxWithTheRecordLengthCountingItself()
    {
        var blocks = new GoTarHeaderEncoder().Encode(File("é"));
        Assert.Equal("PaxHeaders.0/\0", Field(blocks, 0, 14)); // non-ASCII characters are dropped from the PAX header's name
        Assert.Equal("11 path=é\n", Encoding.UTF8.GetString(blocks, 512, 11)); // 10 would make it 11 bytes long
    }

    [Fact]
    public void Encode_Xattrs_AreSortedPaxRecordsWithRawValues()
    {
        var header = File("ping");
        header.Xattrs = new(StringComparer.Ordinal) { ["user.z"] = "1"u8.ToArray(), ["security.capability"] = [1, 0, 0, 2] };
        var blocks = new GoTarHeaderEncoder().Encode(header);
        var data = blocks.AsSpan(512, 512).ToArray();
        var expected = "41 SCHILY.xattr.security.capability=\u0001\0\0\u0002\n25 SCHILY.xattr.user.z=1\n";
        Assert.Equal(expected, Encoding.Latin1.GetString(data, 0, expected.Length));
        Assert.Equal("ping\0", Field(blocks, 1024, 5)); // the name fits: it stays in the real header
    }

    [Fact]
    public void Encode_NumbersTooLargeForOctal_UseBase256AndTheGnuMagicFromThenOn()
    {
        var encoder = new GoTarHeaderEncoder();
        var big = File("big", 9L << 30);
        big.Uid = 3_000_000;
        var block = encoder.Encode(big);
        Assert.Equal(0x80, block[108] & 0x80);
        Assert.Equal(3_000_000, (block[113] << 16) | (block[114] << 8) | block[115]);
        Assert.Equal(0x80, block[124]);
        Assert.Equal("ustar  \0", Field(block, 257, 8));

        // Go 1.5's writer keeps the flag: the next, ordinary header gets the GNU magic too.
        Assert.Equal("ustar  \0", Field(encoder.Encode(File("small")), 257, 8));
        Assert.Equal("ustar\u000000", Field(new GoTarHeaderEncoder().Encode(File("small")), 257, 8));
    }

    [Fact]
    public void Encode_Devices_CarryMajorAndMinor()
    {
        var header = new TarEntryHeader { Name = "dev/null"u8.ToArray(), Mode = 0x21B6, Typeflag = TarType.CharDevice, DevMajor = 1, DevMinor = 3 };
        var block = new GoTarHeaderEncoder().Encode(header);
        Assert.Equal("0020666\0", Field(block, 100, 8));
        Assert.Equal("0000001\00000003\0", Field(block, 329, 16));
    }

    [Fact]
    public void Encode_ThenParse_RoundTrips()
    {
        var header = new TarEntryHeader
        {
            Name = Encoding.UTF8.GetBytes("a/" + new string('n', 130)),
            Linkname = Encoding.UTF8.GetBytes("/target/ü"),
            Typeflag = TarType.Symlink,
            Mode = 0xA1FF,
            Uid = 999,
            Gid = 42,
            ModTimeSeconds = 1_234_567_890,
        };
        var (_, headers) = TarStreamReaderTests.Rebuild([.. new GoTarHeaderEncoder().Encode(header), .. new byte[1024]]);
        var parsed = Assert.Single(headers);
        Assert.Equal(header.Name, parsed.Name);
        Assert.Equal(header.Linkname, parsed.Linkname);
        Assert.Equal((header.Mode, header.Uid, header.Gid, header.ModTimeSeconds, header.Typeflag), (parsed.Mode, parsed.Uid, parsed.Gid, parsed.ModTimeSeconds, parsed.Typeflag));
    }

    [Fact]
    public void Encode_Portable_PutsNumbersOctalCannotHoldInPaxRecords_AndNeverTheGnuMagic()
    {
        var encoder = new GoTarHeaderEncoder(portable: true);
        var big = File("big", 9L << 30);
        big.Uid = 3_000_000;
        big.ModTimeSeconds = -300_000_000; // 1960
        var blocks = encoder.Encode(big);
        var records = Encoding.ASCII.GetString(blocks, 512, 512);
        Assert.Contains("mtime=-300000000\n", records, StringComparison.Ordinal);
        Assert.Contains("size=9663676416\n", records, StringComparison.Ordinal);
        Assert.Contains("uid=3000000\n", records, StringComparison.Ordinal);
        var main = blocks[^512..];
        Assert.Equal("ustar\u000000", Field(main, 257, 8));
        Assert.Equal("0000000\0", Field(main, 108, 8));

        // The next header, a name of 101 bytes split into prefix and name, keeps the USTAR magic its prefix needs.
        var next = encoder.Encode(File("z/" + new string('n', 99)));
        Assert.Equal("ustar\u000000", Field(next, 257, 8));
        Assert.Equal("z", Field(next, 345, 1));
    }

    [Fact]
    public void Encode_PortableTar_ReadsTheSameInSystemFormatsTar()
    {
        var encoder = new GoTarHeaderEncoder(portable: true);
        var owner = new TarEntryHeader { Name = "z/"u8.ToArray(), Mode = 0x41ED, Typeflag = TarType.Directory, Uid = 3_000_000, ModTimeSeconds = 1_500_000_000 };
        var longName = "z/" + new string('n', 99);
        byte[] tar = [.. encoder.Encode(owner), .. encoder.Encode(File(longName)), .. new byte[1024]];
        using var reader = new System.Formats.Tar.TarReader(new MemoryStream(tar));
        var first = reader.GetNextEntry()!;
        Assert.Equal(("z/", 3_000_000), (first.Name, first.Uid));
        Assert.Equal(longName, reader.GetNextEntry()!.Name);
    }

    [Fact]
    public void Parse_AGo15HeaderWithTheGnuMagicAndAPrefix_ReadsThePrefixAsGo110Does()
    {
        // Go 1.5's writer (and layer tars regenerated as it wrote them) split a long name into the USTAR prefix under the
        // GNU magic; Go 1.10+ reads those bytes as the prefix when they are no access and change times.
        var encoder = new GoTarHeaderEncoder();
        var big = File("big");
        big.Uid = 3_000_000;
        var longName = "z/" + new string('n', 99);
        var (_, headers) = TarStreamReaderTests.Rebuild([.. encoder.Encode(big), .. encoder.Encode(File(longName)), .. new byte[1024]]);
        Assert.Equal(longName, headers[1].NameString);
    }

    [Fact]
    public void Parse_AGnuHeaderWithAccessAndChangeTimes_HasNoPrefix()
    {
        var encoder = new GoTarHeaderEncoder();
        var big = File("big");
        big.Uid = 3_000_000;
        var block = encoder.Encode(big);
        var plain = encoder.Encode(File("plain"));
        Encoding.ASCII.GetBytes("14000000000\0").CopyTo(plain, 345); // a GNU access time
        Encoding.ASCII.GetBytes("14000000000\0").CopyTo(plain, 357); // and change time
        var sum = 8 * ' ';
        for (var i = 0; i < 512; i++)
        {
            sum += i is >= 148 and < 156 ? 0 : plain[i];
        }

        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(plain, 148);
        var (_, headers) = TarStreamReaderTests.Rebuild([.. block, .. plain, .. new byte[1024]]);
        Assert.Equal("plain", headers[1].NameString);
    }
}
