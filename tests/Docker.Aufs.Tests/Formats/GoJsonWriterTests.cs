using System.Buffers;
using System.Text;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Tests.Formats;

public sealed class GoJsonWriterTests
{
    private static string String(byte[] value)
    {
        var output = new ArrayBufferWriter<byte>();
        GoJsonWriter.WriteString(output, value);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static string Compact(string json)
    {
        var output = new ArrayBufferWriter<byte>();
        GoJsonWriter.Compact(output, Encoding.UTF8.GetBytes(json));
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("a\"b\\c", "\"a\\\"b\\\\c\"")]
    [InlineData("line\nreturn\r", "\"line\\nreturn\\r\"")]
    [InlineData("tab\there", "\"tab\\u0009here\"")] // Go 1.5 had no \t short form
    [InlineData("<cloud-ops@centos.org> & co", "\"\\u003ccloud-ops@centos.org\\u003e \\u0026 co\"")]
    [InlineData("\u0001\u001f", "\"\\u0001\\u001f\"")]
    [InlineData("é€😀", "\"é€😀\"")]
    [InlineData("sep\u2028par\u2029", "\"sep\\u2028par\\u2029\"")]
    public void WriteString_EscapesAsGo15(string value, string expected) =>
        Assert.Equal(expected, String(Encoding.UTF8.GetBytes(value)));

    [Fact]
    public void WriteString_InvalidUtf8_EachBadByteBecomesAnEscapedReplacementCharacter() =>
        Assert.Equal("\"a\\ufffd\\ufffdb\"", String([(byte)'a', 0xFF, 0xC3, (byte)'b']));

    [Theory]
    [InlineData("{ \"a\" : [ 1, 2 ] ,\n\t\"b\":\"x y\" }", "{\"a\":[1,2],\"b\":\"x y\"}")]
    [InlineData("\"a < b & c > d\"", "\"a \\u003c b \\u0026 c \\u003e d\"")]
    [InlineData("\"\\u003c kept \\/ \\t as written\"", "\"\\u003c kept \\/ \\t as written\"")]
    [InlineData("\"quote \\\" inside { }\"", "\"quote \\\" inside { }\"")]
    [InlineData("\"ls\u2028\"", "\"ls\\u2028\"")]
    [InlineData("null", "null")]
    public void Compact_DropsWhitespaceAndEscapesHtmlOnly(string json, string expected) =>
        Assert.Equal(expected, Compact(json));
}
