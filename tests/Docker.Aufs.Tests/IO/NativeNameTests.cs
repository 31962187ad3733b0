using System.Text;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

// Not Docker.Aufs.Tests.IO: that namespace would shadow Docker.Aufs.IO for tests elsewhere.
namespace Docker.Aufs.Tests.IOTests;

/// <summary>
/// Names as bytes in .NET strings (docs/hostile-input.md, "Names that are not UTF-8"): valid UTF-8 decodes as usual and
/// each byte that is not part of valid UTF-8 becomes U+DC00 plus the byte, so every byte string comes back exactly.
/// </summary>
public sealed class NativeNameTests
{
    [Theory]
    [InlineData(new byte[] { 0x66, 0xFF, 0x6F }, @"f\xffo")] // an invalid byte
    [InlineData(new byte[] { 0xC3, 0x28 }, @"\xc3(")] // a lead byte without its continuation
    [InlineData(new byte[] { 0xC0, 0xAF }, @"\xc0\xaf")] // an overlong '/': never a slash
    [InlineData(new byte[] { 0x80 }, @"\x80")] // a lone continuation byte
    [InlineData(new byte[] { 0x61, 0xE2, 0x82 }, @"a\xe2\x82")] // a truncated sequence
    [InlineData(new byte[] { 0xED, 0xB2, 0x80 }, @"\xed\xb2\x80")] // UTF-8 of a surrogate is not UTF-8 either
    [InlineData(new byte[] { 0x63, 0x61, 0x66, 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80 }, "café😀")] // valid UTF-8 unchanged
    public void Decode_AnyBytes_GivesTheEscapedFormAndGetBytesGivesTheBytesBack(byte[] bytes, string shown)
    {
        // Attribute strings cannot hold an unpaired surrogate: \xHH stands for U+DC00 plus HH here.
        var expected = System.Text.RegularExpressions.Regex.Replace(shown, @"\\x([0-9a-f]{2})", m => ((char)(0xDC00 + Convert.ToInt32(m.Groups[1].Value, 16))).ToString());
        var decoded = NativeName.Decode(bytes);

        Assert.Equal(expected, decoded);
        Assert.Equal(bytes, NativeName.GetBytes(decoded));
        Assert.Equal(bytes.Length, NativeName.GetByteCount(decoded));
    }

    [Fact]
    public void Decode_EveryTwoByteString_RoundTrips()
    {
        var bytes = new byte[2];
        for (var i = 0; i < 0x10000; i++)
        {
            bytes[0] = (byte)(i >> 8);
            bytes[1] = (byte)i;
            Assert.Equal(bytes, NativeName.GetBytes(NativeName.Decode(bytes)));
        }
    }

    [Fact]
    public void GetBytes_AnUnpairedSurrogateOutsideTheEscapes_IsWrittenAsUtf8WritesIt()
    {
        Assert.Equal(Encoding.UTF8.GetBytes("a\ud800b"), NativeName.GetBytes("a\ud800b"));
        Assert.Equal(Encoding.UTF8.GetBytes("\udc7f"), NativeName.GetBytes("\udc7f"));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Marshaller_APathLongerThanItsBuffer_ReachesTheKernelWithItsBytes()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "names as bytes on a Linux file system");
        using var directory = new TempDirectory();
        var deep = directory.Combine(new string('d', 200) + "/" + new string('e', 200));
        Directory.CreateDirectory(deep);
        using var odd = TarExtraction.CreateFileWithRawName(deep, [0x66, 0xFF]);

        Assert.True(LinuxNative.TryLstat(deep + "/f\udcff", out _));
        Assert.False(LinuxNative.TryLstat(deep + "/f\ufffd", out _));
    }
}
