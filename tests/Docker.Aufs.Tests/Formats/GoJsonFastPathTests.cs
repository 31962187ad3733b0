using System.Text;
using System.Text.Json;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Tests.Formats;

/// <summary>Deserialize reads valid UTF-8 in one pass; it must agree with the two-pass read on every input, good or bad.</summary>
public sealed class GoJsonFastPathTests
{
    public static TheoryData<string> Documents => new()
    {
        "{\"id\":\"" + new string('a', 64) + "\",\"created\":\"2015-11-03T12:00:00.123456789Z\"}",
        "  {\"ID\":\"x\",\"id\":\"y\"}\n",
        "{\"parent\":\"p\"}{\"parent\":\"q\"}",
        "{\"comment\":\"c\"}\ntrailing garbage {",
        "\uFEFF{\"author\":\"me\"}",
        "null",
        "",
        "   \n",
        "{\"id\":",
        "{\"id\":1}",
        "{\"config\":{\"Cmd\":\"sh\"}}",
        "{\"config\":{\"Cmd\":5}}",
        "{\"config\":{\"Tty\":\"yes\"}} and then {",
        "{\"config\":{\"Env\":[\"A=1\"]},\"Size\":\"big\",",
        "{\"comment\":\"\\ud800\"}",
        "{\"comment\":\"\\ud800\"",
        "[1,2]",
        "{\"container_config\":{\"ExposedPorts\":{\"80/tcp\":{}},\"Labels\":{\"a\":\"b\",\"a\":\"c\"}}}",
        "{\"created\":\"not a time\"}",
        "{a:1}",
    };

    [Theory]
    [MemberData(nameof(Documents))]
    public void Deserialize_AgreesWithTheTwoPassRead(string document) =>
        AssertSameOutcome(Encoding.UTF8.GetBytes(document));

    [Fact]
    public void Deserialize_InvalidUtf8_AgreesWithTheTwoPassRead()
    {
        AssertSameOutcome([.. "{\"comment\":\""u8, 0xFF, 0xFE, .. "\"}"u8]);
        AssertSameOutcome([.. "{\"comment\":"u8, 0xFF]);
    }

    private static void AssertSameOutcome(byte[] bytes)
    {
        var fast = Outcome(() => GoJson.Deserialize(bytes, DockerJsonContext.Default.ImageJson, "/json"));
        var careful = Outcome(() => GoJson.DeserializeCarefully(bytes, DockerJsonContext.Default.ImageJson, "/json"));
        Assert.Equal(careful, fast);
    }

    private static string Outcome(Func<ImageJson?> read)
    {
        try
        {
            return read() is { } image ? JsonSerializer.Serialize(image, DockerJsonContext.Default.ImageJson) : "null";
        }
        catch (Exception e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }
}
