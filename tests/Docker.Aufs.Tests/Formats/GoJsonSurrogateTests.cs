using System.Text;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Tests.Formats;

/// <summary>Go's <c>encoding/json</c> reads a <c>\u</c> escape of a surrogate that is not half of a valid pair as U+FFFD; so does every reader of the library.</summary>
public sealed class GoJsonSurrogateTests
{
    [Theory]
    [InlineData(@"""a\ud800b""", "a\uFFFDb")]
    [InlineData(@"""a\uDC00b""", "a\uFFFDb")]
    [InlineData(@"""\ud800""", "\uFFFD")]
    [InlineData(@"""\ud83d\ude00""", "\U0001F600")]
    [InlineData(@"""\ud800\ud83d\ude00""", "\uFFFD\U0001F600")]
    [InlineData(@"""\ud800\u0041""", "\uFFFDA")]
    [InlineData(@"""\ude00\ud83d""", "\uFFFD\uFFFD")]
    [InlineData(@"""\\ud800""", @"\ud800")]
    [InlineData(@"""\\\ud800""", "\\\uFFFD")]
    public void Deserialize_SurrogateEscapes_DecodeAsGoDecodesThem(string json, string expected) =>
        Assert.Equal(expected, Comment("{\"comment\":" + json + "}"));

    [Fact]
    public void RepairSurrogateEscapes_KeepsTheLengthAndEveryOtherByte()
    {
        var json = Encoding.UTF8.GetBytes(@"{""k\udc00"":[""\ud800"",""\ud83d\ude00"",""\\ud800""]}");
        var repaired = GoJson.RepairSurrogateEscapes(json).ToArray();
        Assert.Equal(json.Length, repaired.Length);
        Assert.Equal(@"{""k\uFFFD"":[""\uFFFD"",""\ud83d\ude00"",""\\ud800""]}", Encoding.UTF8.GetString(repaired));
    }

    [Fact]
    public void RepairSurrogateEscapes_ReturnsTheInputItselfWhenNothingNeedsRepair()
    {
        var json = Encoding.UTF8.GetBytes(@"{""a"":""\u0041\ud83d\ude00""}");
        Assert.True(GoJson.RepairSurrogateEscapes(json) == json.AsSpan());
    }

    [Fact]
    public void RepairSurrogateEscapes_TruncatedEscapesAreLeftForTheParserToRefuse()
    {
        foreach (var json in new[] { @"""\ud8", @"""\u", @"""\", @"""\ud800\u" })
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            Assert.Equal(json.Replace(@"\ud800", @"\uFFFD", StringComparison.Ordinal), Encoding.UTF8.GetString(GoJson.RepairSurrogateEscapes(bytes)));
            Assert.Throws<CorruptFileException>(() => Comment("{\"comment\":" + json + "}"));
        }
    }

    [Fact]
    public void Rewrite_KeepsARawValueByteForByteAsGoRawMessageDoes()
    {
        // Docker 1.10 kept the other values of a config as json.RawMessage: the escape itself, not its decoding.
        var config = Encoding.UTF8.GetBytes(@"{""author"":""a\ud800b"",""\udc00"":1}");
        var rewritten = Encoding.UTF8.GetString(GoImageConfig.WithDiffIds(config, [], "test"));
        Assert.Equal("{\"author\":\"a\\ud800b\",\"rootfs\":{\"type\":\"layers\"},\"\uFFFD\":1}", rewritten);
    }

    [Fact]
    public void HistoryFromV1_AStringWithALoneSurrogate_ReadsAsTheReplacementCharacter()
    {
        var json = Encoding.UTF8.GetBytes(@"{""created"":""2015-01-01T00:00:00Z"",""author"":""a\ud800"",""container_config"":{""Cmd"":[""sh"",""\udfff""]}}");
        var item = GoImageConfig.HistoryFromV1(json, "test");
        Assert.Equal(("a\uFFFD", "sh \uFFFD"), (item.Author, item.CreatedBy));
    }

    [Fact]
    public void DockerJsonParse_ReadsALoneSurrogateAsTheReplacementCharacterAndNamesTheSourceOfBadJson()
    {
        using var document = DockerJson.Parse(Encoding.UTF8.GetBytes(@"{""a"":""\ud800""} trailing"), "config");
        Assert.Equal("\uFFFD", document.RootElement.GetProperty("a").GetString());
        var error = Assert.Throws<CorruptFileException>(() => DockerJson.Parse(Encoding.UTF8.GetBytes("{\"a\":"), "the-file"));
        Assert.Contains("the-file", error.Message, StringComparison.Ordinal);
    }

    private static string? Comment(string json) => GoJson.Deserialize(Encoding.UTF8.GetBytes(json), DockerJsonContext.Default.ImageJson, "test")?.Comment;
}
