using Docker.Aufs.Cli.Output;

namespace Docker.Aufs.Tests.Cli;

public sealed class HumanizeTests
{
    [Theory]
    [InlineData(0L, "0 B")]
    [InlineData(512L, "512 B")]
    [InlineData(1000L, "1 kB")]
    [InlineData(1594L, "1.594 kB")]
    [InlineData(1154361L, "1.154 MB")]
    [InlineData(79146752L, "79.15 MB")]
    [InlineData(5_000_000_000L, "5 GB")]
    [InlineData(null, "unknown")]
    public void Size_IsGoUnitsHumanSize(long? bytes, string expected) => Assert.Equal(expected, Humanize.Size(bytes));

    [Theory]
    [InlineData(0.5, "Less than a second ago")]
    [InlineData(1, "1 second ago")]
    [InlineData(59, "59 seconds ago")]
    [InlineData(60, "About a minute ago")]
    [InlineData(45 * 60, "45 minutes ago")]
    [InlineData(46 * 60, "About an hour ago")]
    [InlineData(47 * 3600, "47 hours ago")]
    [InlineData(13 * 86400, "13 days ago")]
    [InlineData(20 * 86400, "2 weeks ago")]
    [InlineData(90 * 86400, "3 months ago")]
    [InlineData(3 * 365 * 86400, "3 years ago")]
    public void Ago_IsGoUnitsHumanDuration(double seconds, string expected)
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(expected, Humanize.Ago(now.AddSeconds(-seconds), now));
    }

    [Fact]
    public void Truncate_EndsWithAnEllipsis()
    {
        Assert.Equal("abc", Humanize.Truncate("abc", 3));
        Assert.Equal("ab…", Humanize.Truncate("abcd", 3));
    }
}
