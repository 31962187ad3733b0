using Docker.Aufs.Formats;

namespace Docker.Aufs.Tests.Formats;

public sealed class DockerIdsTests
{
    private const string Valid = "789355058656ec2ca0a856283e2597852ccd444548c9ef4fcbf8c9c24a73e169";

    [Theory]
    [InlineData(Valid, true)]
    [InlineData("789355058656EC2CA0A856283E2597852CCD444548C9EF4FCBF8C9C24A73E169", false)]
    [InlineData("789355058656ec2ca0a856283e2597852ccd444548c9ef4fcbf8c9c24a73e16", false)]
    [InlineData(Valid + "0", false)]
    [InlineData("../../../../../../../../../../../../../../../../../../../etc/passwd", false)]
    [InlineData("", false)]
    public void IsId_AcceptsOnlySixtyFourLowercaseHexCharacters(string value, bool expected) =>
        Assert.Equal(expected, DockerIds.IsId(value));

    [Theory]
    [InlineData(Valid, true)]
    [InlineData(Valid + "-init", true)]
    [InlineData(Valid + "-INIT", false)]
    [InlineData(Valid + "-removing", false)]
    [InlineData("x-init", false)]
    public void IsLayerId_AcceptsIdsAndInitLayers(string value, bool expected) =>
        Assert.Equal(expected, DockerIds.IsLayerId(value));

    [Fact]
    public void Shorten_KeepsTwelveCharacters() => Assert.Equal("789355058656", DockerIds.Shorten(Valid));

    [Theory]
    [InlineData("1a2d3c4d4e5f", true)]
    [InlineData("1a2d3c4d4e5fffff", true)]
    [InlineData("latest", false)]
    [InlineData("zzzzzzzzzzzz", true)]
    [InlineData("1a2d3c4d4e5F", false)]
    public void LooksLikeShortId_FollowsDockersIsShortIdOfTheTruncatedValue(string value, bool expected) =>
        Assert.Equal(expected, DockerIds.LooksLikeShortId(value));

    [Fact]
    public void RequireId_PathLikeValue_ThrowsUnsafePath()
    {
        var e = Assert.Throws<UnsafePathException>(() => DockerIds.RequireId("../../etc", "/root/repositories-aufs"));
        Assert.Equal("/root/repositories-aufs", e.Path);
        Assert.Equal("../../etc", e.UnsafeValue);
    }

    [Fact]
    public void RequireId_GarbageValue_ThrowsCorruptFileNamingTheFile()
    {
        var e = Assert.Throws<CorruptFileException>(() => DockerIds.RequireId("zzz\u0001", "/root/x"));
        Assert.Equal("/root/x", e.Path);
        Assert.Contains("\\u0001", e.Message, StringComparison.Ordinal);
    }
}
