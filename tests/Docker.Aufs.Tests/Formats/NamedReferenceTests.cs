using Docker.Aufs.Formats;

namespace Docker.Aufs.Tests.Formats;

/// <summary>References as Docker 1.10+ parses them (docker/distribution's ParseNormalizedNamed) and keys them in its reference store.</summary>
public sealed class NamedReferenceTests
{
    private const string Hex = "cde96a6db8ba29d051b91de849f6240e8aac5bcaf559e8cc5286183264cd8d48";

    [Theory]
    [InlineData("busybox", "docker.io/library/busybox", "busybox", "busybox", "busybox:latest")]
    [InlineData("busybox:1.33.0", "docker.io/library/busybox", "busybox", "busybox:1.33.0", "busybox:1.33.0")]
    [InlineData("library/busybox", "docker.io/library/busybox", "busybox", "busybox", "busybox:latest")]
    [InlineData("docker.io/library/busybox:latest", "docker.io/library/busybox", "busybox", "busybox:latest", "busybox:latest")]
    [InlineData("index.docker.io/busybox", "docker.io/library/busybox", "busybox", "busybox", "busybox:latest")]
    [InlineData("user/app:v1", "docker.io/user/app", "user/app", "user/app:v1", "user/app:v1")]
    [InlineData("docker.io/user/app", "docker.io/user/app", "user/app", "user/app", "user/app:latest")]
    [InlineData("library/a/b", "docker.io/library/a/b", "library/a/b", "library/a/b", "library/a/b:latest")]
    [InlineData("localhost/app", "localhost/app", "localhost/app", "localhost/app", "localhost/app:latest")]
    [InlineData("localhost:5000/team/app:v2", "localhost:5000/team/app", "localhost:5000/team/app", "localhost:5000/team/app:v2", "localhost:5000/team/app:v2")]
    [InlineData("quay.io/coreos/etcd:v3.1", "quay.io/coreos/etcd", "quay.io/coreos/etcd", "quay.io/coreos/etcd:v3.1", "quay.io/coreos/etcd:v3.1")]
    [InlineData("Registry.Example.com/app", "Registry.Example.com/app", "Registry.Example.com/app", "Registry.Example.com/app", "Registry.Example.com/app:latest")]
    [InlineData("busybox@sha256:" + Hex, "docker.io/library/busybox", "busybox", "busybox@sha256:" + Hex, "busybox@sha256:" + Hex)]
    [InlineData("busybox:1.33.0@sha256:" + Hex, "docker.io/library/busybox", "busybox", "busybox:1.33.0@sha256:" + Hex, "busybox@sha256:" + Hex)]
    public void TryParse_AReferenceDockerAccepts_NormalizesItAsItsReferenceStoreKeysIt(string value, string name, string familiarName, string familiar, string storeKey)
    {
        Assert.True(NamedReference.TryParse(value, out var reference, out var problem), problem);

        Assert.Equal(name, reference.Name);
        Assert.Equal(familiarName, reference.FamiliarName);
        Assert.Equal(familiar, reference.FamiliarString);
        Assert.Equal(storeKey, reference.ForLookup().FamiliarString);
        Assert.Equal(familiarName, reference.ForLookup().FamiliarName);
    }

    [Theory]
    [InlineData("Busybox", "repository name must be lowercase")]
    [InlineData("user/App:v1", "repository name must be lowercase")]
    [InlineData(Hex, "cannot specify 64-byte hexadecimal strings")]
    [InlineData("busybox:", "invalid reference format")]
    [InlineData("busybox\n", "invalid reference format")]
    [InlineData("bu sybox", "invalid reference format")]
    [InlineData("-busybox", "invalid reference format")]
    [InlineData("busybox:-tag", "invalid reference format")]
    [InlineData("a:b:c", "invalid reference format")]
    [InlineData("busybox@sha256:abc", "invalid reference format")]
    [InlineData("busybox@sha256:" + "CDE96A6DB8BA29D051B91DE849F6240E8AAC5BCAF559E8CC5286183264CD8D48", "invalid checksum digest format")]
    [InlineData("busybox@sha256:" + Hex + "00", "invalid checksum digest length")]
    [InlineData("busybox@md5:0123456789abcdef0123456789abcdef", "unsupported digest algorithm")]
    public void TryParse_AStringDockerRefuses_SaysWhyInTheWordsOfTheGoPackage(string value, string expected)
    {
        Assert.False(NamedReference.TryParse(value, out var reference, out var problem));

        Assert.Null(reference);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_ANameLongerThan255Characters_IsTooLong()
    {
        Assert.False(NamedReference.TryParse("registry.example.com/" + new string('a', 240), out _, out var problem));

        Assert.Contains("must not be more than 255 characters", problem, StringComparison.Ordinal);
        Assert.True(NamedReference.TryParse("r.io/" + new string('a', 250), out _, out _));
    }

    [Theory]
    [InlineData("latest", true)]
    [InlineData("_private.1-x", true)]
    [InlineData(".hidden", false)]
    [InlineData("tag\n", false)]
    public void IsTag_FollowsTheTagGrammar(string tag, bool expected)
    {
        Assert.Equal(expected, NamedReference.IsTag(tag));
        Assert.False(NamedReference.IsTag(new string('a', 129)));
        Assert.True(NamedReference.IsTag(new string('a', 128)));
    }
}
