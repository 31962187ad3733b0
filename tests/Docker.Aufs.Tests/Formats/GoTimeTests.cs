using Docker.Aufs.Formats;

namespace Docker.Aufs.Tests.Formats;

public sealed class GoTimeTests
{
    [Theory]
    [InlineData("2017-12-12T07:15:58.901779813Z", "2017-12-12T07:15:58.9017798+00:00")]
    [InlineData("2013-06-13T14:03:50.821769-07:00", "2013-06-13T14:03:50.8217690-07:00")]
    [InlineData("2015-01-01T00:00:00Z", "2015-01-01T00:00:00.0000000+00:00")]
    [InlineData("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.0000000+00:00")]
    [InlineData("2017-12-12T01:41:34.77099551Z", "2017-12-12T01:41:34.7709955+00:00")]
    public void TryParse_AcceptsRfc3339WithAnyFractionAndOffset(string text, string expected)
    {
        Assert.True(GoTime.TryParse(text, out var value));
        Assert.Equal(expected, value.ToString("o", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("")]
    [InlineData("2017-12-12")]
    [InlineData("2017-12-12 07:15:58Z")]
    [InlineData("2017-13-12T07:15:58Z")]
    [InlineData("2017-02-30T07:15:58Z")]
    [InlineData("2017-12-12T07:15:58")]
    [InlineData("2017-12-12T07:15:58.Z")]
    [InlineData("0001-01-01T00:00:00+01:00")]
    [InlineData("yesterday")]
    public void TryParse_RejectsWhatGoRejects(string text) => Assert.False(GoTime.TryParse(text, out _));

    [Theory]
    [InlineData("2017-12-12T07:15:58.9017798Z")]
    [InlineData("2015-01-01T00:00:00Z")]
    [InlineData("2015-01-01T00:00:00.5Z")]
    [InlineData("2013-06-13T14:03:50.821769-07:00")]
    public void Format_WritesRfc3339NanoAndRoundTrips(string text)
    {
        Assert.True(GoTime.TryParse(text, out var value));
        Assert.Equal(text, GoTime.Format(value));
    }
}
