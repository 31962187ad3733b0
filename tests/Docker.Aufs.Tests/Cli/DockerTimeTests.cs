using Docker.Aufs.Cli.Commands;
using Docker.Aufs.Logs;

namespace Docker.Aufs.Tests.Cli;

public sealed class DockerTimeTests
{
    private static readonly DateTimeOffset Now = new(2018, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeZoneInfo Plus2 = TimeZoneInfo.CreateCustomTimeZone("plus2", TimeSpan.FromHours(2), "plus2", "plus2");

    [Theory]
    [InlineData("2018-01-01T10:00:00Z", 1514800800L, 0)]
    [InlineData("2018-01-01T10:00:00.123456789Z", 1514800800L, 123456789)]
    [InlineData("2018-01-01T10:00:00.1234567891Z", 1514800800L, 123456789)]
    [InlineData("2018-01-01T11:00:00+01:00", 1514800800L, 0)]
    [InlineData("2018-01-01T10Z", 1514800800L, 0)]
    [InlineData("2018-01-01T10:00Z", 1514800800L, 0)]
    [InlineData("2018-01-01T12:00:00", 1514800800L, 0)] // no zone: the local one (+02:00 here)
    [InlineData("2018-01-01T12", 1514800800L, 0)]
    [InlineData("2018-01-01", 1514757600L, 0)]
    [InlineData("2018-01-01+02:00", 1514757600L, 0)]
    [InlineData("1514800800", 1514800800L, 0)]
    [InlineData("1514800800.5", 1514800800L, 500000000)]
    [InlineData("0", 0L, 0)]
    [InlineData("10m", 1514807400L, 0)]
    [InlineData("1h30m", 1514802600L, 0)]
    [InlineData("1.5h", 1514802600L, 0)]
    [InlineData("1500ms", 1514807998L, 0)] // cut to whole seconds, as GetTimestamp's Unix() does
    [InlineData("-1h", 1514811600L, 0)]
    public void Parse_EachFormDockerAccepts_IsTheSameInstant(string value, long seconds, int nanoseconds)
    {
        var time = DockerTime.Parse(value, Now, Plus2, out var problem);

        Assert.Null(problem);
        Assert.Equal(new LogTimestamp(seconds, nanoseconds), time);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("10x")]
    [InlineData("2018-01-01 10:00")]
    [InlineData("2018-02-30")]
    [InlineData("-5")]
    [InlineData("1.2.3")]
    [InlineData("2018-01-01T10:00:00z")]
    public void Parse_AnythingElse_IsRefusedWithAReason(string value)
    {
        var time = DockerTime.Parse(value, Now, Plus2, out var problem);

        Assert.Null(time);
        Assert.NotNull(problem);
    }
}
