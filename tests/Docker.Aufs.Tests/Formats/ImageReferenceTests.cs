using Docker.Aufs.Formats;

namespace Docker.Aufs.Tests.Formats;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("busybox", "busybox", null)]
    [InlineData("busybox:1.24", "busybox", "1.24")]
    [InlineData("localhost:5000/foo", "localhost:5000/foo", null)]
    [InlineData("localhost:5000/foo:bar", "localhost:5000/foo", "bar")]
    [InlineData("busybox@sha256:e3789c406237e25d6139035a17981be5f1ccdae9c392d1623a02d31621a12bcc", "busybox", "sha256:e3789c406237e25d6139035a17981be5f1ccdae9c392d1623a02d31621a12bcc")]
    [InlineData("a@b@c", "a", "b")]
    [InlineData("busybox:", "busybox", "")]
    public void Parse_SplitsLikeDockersParseRepositoryTag(string text, string repository, string? reference)
    {
        var parsed = ImageReference.Parse(text);
        Assert.Equal(repository, parsed.Repository);
        Assert.Equal(reference, parsed.ExplicitReference);
    }

    [Fact]
    public void TagOrDigest_WithoutTagOrEmptyTag_IsLatest()
    {
        Assert.Equal("latest", ImageReference.Parse("busybox").TagOrDigest);
        Assert.Equal("latest", ImageReference.Parse("busybox:").TagOrDigest);
    }

    [Theory]
    [InlineData("ubuntu", "ubuntu")]
    [InlineData("library/ubuntu", "ubuntu")]
    [InlineData("docker.io/ubuntu", "ubuntu")]
    [InlineData("docker.io/library/ubuntu", "ubuntu")]
    [InlineData("index.docker.io/ubuntu", "ubuntu")]
    [InlineData("index.docker.io/library/ubuntu", "ubuntu")]
    [InlineData("user/app", "user/app")]
    [InlineData("docker.io/user/app", "user/app")]
    [InlineData("localhost:5000/foo", "localhost:5000/foo")]
    [InlineData("localhost/foo", "localhost/foo")]
    [InlineData("127.0.0.1:8000/privateapp", "127.0.0.1:8000/privateapp")]
    [InlineData("registry.example.com/library/ubuntu", "registry.example.com/library/ubuntu")]
    public void NormalizeLocalName_KeysNamesAsDocker19Does(string name, string expected) =>
        Assert.Equal(expected, ImageReference.NormalizeLocalName(name));

    [Theory]
    [InlineData("Ubuntu")]
    [InlineData("docker.io/Library/ubuntu")]
    [InlineData("789355058656ec2ca0a856283e2597852ccd444548c9ef4fcbf8c9c24a73e169")]
    [InlineData("http://docker.io/ubuntu")]
    [InlineData("-bad-/ubuntu")]
    [InlineData("a//b")]
    public void NormalizeLocalName_InvalidNames_PassThroughUnchanged(string name) =>
        Assert.Equal(name, ImageReference.NormalizeLocalName(name));

    [Theory]
    [InlineData("latest", false)]
    [InlineData("sha256:abc", true)]
    public void IsDigestReference_TellsDigestsFromTagsByTheColon(string reference, bool expected) =>
        Assert.Equal(expected, ImageReference.IsDigestReference(reference));

    [Fact]
    public void Format_UsesColonForTagsAndAtForDigests()
    {
        Assert.Equal("redis:latest", ImageReference.Format("redis", "latest"));
        Assert.Equal("redis@sha256:1", ImageReference.Format("redis", "sha256:1"));
    }
}
