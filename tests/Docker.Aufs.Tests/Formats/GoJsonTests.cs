using System.Text;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Tests.Formats;

public sealed class GoJsonTests
{
    private static string First(string text) => Encoding.UTF8.GetString(GoJson.FirstValue(Encoding.UTF8.GetBytes(text), "/f").Span);

    [Theory]
    [InlineData("{\"a\":1}", "{\"a\":1}")]
    [InlineData("  {\"a\":1}\n", "{\"a\":1}")]
    [InlineData("{\"a\":1}{\"b\":2}", "{\"a\":1}")]
    [InlineData("{\"a\":1}\ngarbage that is not json", "{\"a\":1}")]
    [InlineData("null", "null")]
    [InlineData("\uFEFF{}", "{}")]
    public void FirstValue_ReadsOnlyTheFirstJsonValueLikeGosDecoder(string text, string expected) =>
        Assert.Equal(expected, First(text));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   \n", "whitespace")]
    [InlineData("{\"a\":1", "not valid JSON")]
    [InlineData("{\"a\":", "not valid JSON")]
    [InlineData("\u0000\u0001\u0002", "not valid JSON")]
    [InlineData("{a:1}", "not valid JSON")]
    public void FirstValue_EmptyTruncatedOrGarbage_ThrowsCorruptFileNamingTheFile(string text, string expected)
    {
        var e = Assert.Throws<CorruptFileException>(() => First(text));
        Assert.Equal("/f", e.Path);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplaceInvalidUtf8_ReplacesEachBadByteWithTheReplacementCharacter()
    {
        var bytes = new byte[] { (byte)'a', 0xFF, 0xC3, (byte)'b', 0xC3, 0xA9 };
        var text = Encoding.UTF8.GetString(GoJson.ReplaceInvalidUtf8(bytes).Span);
        Assert.Equal("a\uFFFD\uFFFDbé", text);
    }

    [Fact]
    public void FirstValue_InvalidUtf8InsideAString_IsReadLeniently()
    {
        var bytes = new byte[] { (byte)'"', (byte)'x', 0xFE, (byte)'"' };
        Assert.Equal("\"x\uFFFD\"", Encoding.UTF8.GetString(GoJson.FirstValue(bytes, "/f").Span));
    }

    [Fact]
    public void FirstValue_NestingDeeperThanAnyDockerFile_ThrowsCorruptFile()
    {
        var deep = new string('[', 5000) + new string(']', 5000);
        Assert.Throws<CorruptFileException>(() => First(deep));
    }
}
