using Docker.Aufs.Formats;

namespace Docker.Aufs.Tests.Formats;

public sealed class GoTimestampTests
{
    [Theory]
    [InlineData("2015-03-04T21:38:56.769279623Z", "2015-03-04T21:38:56.769279623Z")]
    [InlineData("2013-06-13T14:03:50.821769-07:00", "2013-06-13T14:03:50.821769-07:00")]
    [InlineData("2014-10-01T20:46:13.51090041Z", "2014-10-01T20:46:13.51090041Z")]
    [InlineData("2017-11-03T22:39:17.100000000Z", "2017-11-03T22:39:17.1Z")]
    [InlineData("2017-11-03T22:39:17Z", "2017-11-03T22:39:17Z")]
    [InlineData("2017-11-03T22:39:17.000Z", "2017-11-03T22:39:17Z")]
    [InlineData("2017-11-03T22:39:17+00:00", "2017-11-03T22:39:17Z")]
    [InlineData("2017-11-03T22:39:17.1234567891234+02:00", "2017-11-03T22:39:17.123456789+02:00")]
    public void TryParse_ThenToString_IsGosRfc3339Nano(string input, string expected)
    {
        Assert.True(GoTimestamp.TryParse(input, out var time));
        Assert.Equal(expected, time.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("2017-11-03 22:39:17Z")]
    [InlineData("2017-11-03T22:39:17")]
    [InlineData("2017-13-03T22:39:17Z")]
    [InlineData("2017-02-30T22:39:17Z")]
    [InlineData("2017-11-03T22:39:17.Z")]
    [InlineData("2017-11-03T22:39:17+0200")]
    public void TryParse_NotRfc3339_Fails(string input) => Assert.False(GoTimestamp.TryParse(input, out _));

    [Fact]
    public void Zero_IsGosZeroTime() => Assert.Equal("0001-01-01T00:00:00Z", GoTimestamp.Zero.ToString());

    [Fact]
    public void UnixSeconds_AppliesTheOffset()
    {
        Assert.True(GoTimestamp.TryParse("2013-06-13T14:03:50.821769-07:00", out var time));
        Assert.Equal(new DateTimeOffset(2013, 6, 13, 21, 3, 50, TimeSpan.Zero).ToUnixTimeSeconds(), time.UnixSeconds);
    }

    [Theory]
    [InlineData("2017-12-12T07:15:58.901779813Z", "2017-12-12T07:15:58.9017798+00:00")]
    [InlineData("2013-06-13T14:03:50.821769-07:00", "2013-06-13T14:03:50.8217690-07:00")]
    [InlineData("2015-01-01T00:00:00Z", "2015-01-01T00:00:00.0000000+00:00")]
    [InlineData("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.0000000+00:00")]
    [InlineData("2017-12-12T01:41:34.77099551Z", "2017-12-12T01:41:34.7709955+00:00")]
    public void TryParseDateTimeOffset_AcceptsRfc3339WithAnyFractionAndOffset(string text, string expected)
    {
        Assert.True(GoTimestamp.TryParseDateTimeOffset(text, out var value));
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
    [InlineData("0000-06-01T00:00:00Z")]
    [InlineData("2017-12-12T07:15:58+15:00")]
    [InlineData("yesterday")]
    public void TryParseDateTimeOffset_RejectsWhatGoRejectsAndWhatDateTimeOffsetCannotHold(string text) => Assert.False(GoTimestamp.TryParseDateTimeOffset(text, out _));

    [Theory]
    [InlineData("2017-12-12T07:15:58.9017798Z")]
    [InlineData("2015-01-01T00:00:00Z")]
    [InlineData("2015-01-01T00:00:00.5Z")]
    [InlineData("2013-06-13T14:03:50.821769-07:00")]
    public void Format_OfADateTimeOffset_WritesRfc3339NanoAndRoundTrips(string text)
    {
        Assert.True(GoTimestamp.TryParseDateTimeOffset(text, out var value));
        Assert.Equal(text, GoTimestamp.Format(value));
    }
}
