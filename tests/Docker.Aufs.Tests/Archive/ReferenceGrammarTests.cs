using Docker.Aufs.Archive;

namespace Docker.Aufs.Tests.Archive;

public sealed class ReferenceGrammarTests
{
    [Theory]
    [InlineData("busybox", "latest")]
    [InlineData("library/ubuntu", "14.04")]
    [InlineData("user/my-app__x.y", "v1_2-3.4")]
    [InlineData("localhost:5000/foo", "1")]
    [InlineData("registry.example.com/team/app", "2015")]
    public void Problem_ValidTaggedReference_IsNone(string repository, string tag) => Assert.Null(ReferenceGrammar.Problem(repository, tag));

    [Theory]
    [InlineData("Busybox", "latest", "name component")]
    [InlineData("busybox", "-bad", "tag")]
    [InlineData("busybox", "a:b", "tag")]
    [InlineData("bad_host:5000x/app", "1", "registry host")]
    [InlineData("app", "tag with space", "tag")]
    [InlineData("4da8c76d1b68a8b3f9a80d7ea1fb1e1c9b4a8ae3c6d7fc0f0d8b1d1c5c7a7e2f", "latest", "64-character")]
    public void Problem_LegacyNamesCurrentToolsReject_AreNamed(string repository, string tag, string problem) =>
        Assert.Contains(problem, ReferenceGrammar.Problem(repository, tag), StringComparison.Ordinal);

    [Theory]
    [InlineData("busybox", "docker.io/library/busybox:latest")]
    [InlineData("user/app", "docker.io/user/app:latest")]
    [InlineData("localhost:5000/foo", "localhost:5000/foo:latest")]
    public void FullyQualified_IsContainerdsName(string repository, string expected) =>
        Assert.Equal(expected, ReferenceGrammar.FullyQualified(repository, "latest"));
}
