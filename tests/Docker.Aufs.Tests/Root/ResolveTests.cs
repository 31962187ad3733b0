using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Root;

/// <summary>Reference resolution as Docker 1.9's <c>TagStore.LookupImage</c>; the matrix is moby v1.9.1 <c>graph/tags_unit_test.go</c>.</summary>
public sealed class ResolveTests
{
    private const string OfficialId = "1a2d3c4d4e5fa2d2a21acea242a5e2345d3aefc3e7dfa2a2a2a21a2a2ad2d234";
    private const string PrivateId = "5bc255f8699e4ee89ac4469266c3d11515da88fdcbde45d7b069b636ff4efd81";
    private const string PrivateDigest = "sha256:bc8813ea7b3603864987522f02a76101c17ad122e1c46d790efc0fca78ca7bfb";

    private static IDockerRoot MokyStore()
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), "/r");
        builder.AddLayer(l => l.Id(OfficialId));
        builder.AddLayer(l => l.Id(PrivateId));
        builder.Tag("myapp", OfficialId);
        builder.Tag("127.0.0.1:8000/privateapp", PrivateId);
        builder.Tag("127.0.0.1:8000/privateapp@" + PrivateDigest, PrivateId);
        return builder.Build().Open();
    }

    public static TheoryData<string> OfficialLookups() =>
    [
        OfficialId, "1a2d3c4d4e5f", "myapp:" + OfficialId, "myapp:1a2d3c4d4e5f", "myapp", "myapp:latest",
        "docker.io/myapp", "docker.io/myapp:latest", "index.docker.io/myapp", "index.docker.io/myapp:latest",
        "library/myapp", "library/myapp:latest", "docker.io/library/myapp", "docker.io/library/myapp:latest",
        "index.docker.io/library/myapp", "index.docker.io/library/myapp:latest",
    ];

    public static TheoryData<string> PrivateLookups() =>
    [
        PrivateId, "5bc255f8699e", "127.0.0.1:8000/privateapp:" + PrivateId, "127.0.0.1:8000/privateapp:5bc255f8699e",
        "127.0.0.1:8000/privateapp", "127.0.0.1:8000/privateapp:latest", "127.0.0.1:8000/privateapp@" + PrivateDigest,
    ];

    [Theory]
    [MemberData(nameof(OfficialLookups))]
    public void ResolveImageId_DockersOfficialLookups_FindTheOfficialImage(string reference) =>
        Assert.Equal(OfficialId, MokyStore().ResolveImage(reference).Id);

    [Theory]
    [MemberData(nameof(PrivateLookups))]
    public void ResolveImageId_DockersPrivateAndDigestLookups_FindThePrivateImage(string reference) =>
        Assert.Equal(PrivateId, MokyStore().ResolveImage(reference).Id);

    [Theory]
    [InlineData("myapp:fail")]
    [InlineData("fail:fail")]
    [InlineData("127.0.0.1:8000/privateapp@sha256:0000")]
    [InlineData("x")]
    public void ResolveImageId_DockersInvalidLookups_ThrowImageNotFound(string reference)
    {
        var e = Assert.Throws<ImageNotFoundException>(() => MokyStore().ResolveImage(reference).Id);
        Assert.Equal(reference, e.Reference);
    }

    [Fact]
    public void ResolveImageId_AnyUniquePrefixOfAllIds_NoMinimumLength() =>
        Assert.Equal(PrivateId, MokyStore().ResolveImage("5").Id);

    [Fact]
    public void ResolveImageId_PrefixOfSeveralImages_ThrowsAmbiguousWithTheCandidates()
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), "/r");
        var a = Ids.WithPrefix("abcd", "a");
        var b = Ids.WithPrefix("abce", "b");
        builder.AddLayer(l => l.Id(a));
        builder.AddLayer(l => l.Id(b));
        var root = builder.Build().Open();

        var e = Assert.Throws<AmbiguousReferenceException>(() => root.ResolveImage("abc").Id);
        Assert.Equal([a, b], e.Candidates);
        Assert.Equal(a, root.ResolveImage("abcd").Id);
    }

    [Fact]
    public void ResolveImageId_ShortIdMatchingTwoImagesOfTheRepository_ThrowsAmbiguous()
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), "/r");
        var a = Ids.WithPrefix("1234567890ab0", "a");
        var b = Ids.WithPrefix("1234567890ab1", "b");
        builder.AddLayer(l => l.Id(a));
        builder.AddLayer(l => l.Id(b));
        builder.Tag("app:one", a).Tag("app:two", b);
        var e = Assert.Throws<AmbiguousReferenceException>(() => builder.Build().Open().ResolveImage("app:1234567890ab").Id);
        Assert.Equal([a, b], e.Candidates);
    }

    [Fact]
    public void ResolveImageId_ARepositoryNamedLikeAHexPrefix_ShadowsTheIdPrefix()
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), "/r");
        var byPrefix = Ids.WithPrefix("abc", "prefix");
        var tagged = Ids.Of("tagged");
        builder.AddLayer(l => l.Id(byPrefix));
        builder.AddLayer(l => l.Id(tagged));
        builder.Tag("abc", tagged);
        Assert.Equal(tagged, builder.Build().Open().ResolveImage("abc").Id);
    }

    [Fact]
    public void ResolveImageId_TagOfAMissingImage_ThrowsImageNotFoundNamingTheTarget()
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), "/r");
        var missing = Ids.Of("gone");
        builder.Tag("app", missing);
        var e = Assert.Throws<ImageNotFoundException>(() => builder.Build().Open().ResolveImage("app").Id);
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveImageId_ImageWithoutDriverData_IsNotAnImageAsInDocker()
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), "/r");
        var id = builder.AddLayer(l => l.WithoutDriverData());
        builder.Tag("app", id);
        var root = builder.Build().Open();
        Assert.Throws<ImageNotFoundException>(() => root.ResolveImage("app").Id);
        Assert.Throws<ImageNotFoundException>(() => root.ResolveImage(id[..8]).Id);
    }

    [Theory]
    [InlineData("../../../../etc/passwd")]
    [InlineData("/etc/passwd")]
    public void ResolveImageId_TagStoreNamingAPath_ThrowsUnsafePathAndReadsNothingThere(string value)
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), "/r");
        builder.Tag("evil", value);
        var e = Assert.Throws<UnsafePathException>(() => builder.Build().Open().ResolveImage("evil").Id);
        Assert.Equal("/r/repositories-aufs", e.Path);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"Repositories\":{\"redis\":{\"lat")]
    [InlineData("\u0000\u0000\u0000\u0000")]
    public void ResolveImageId_EmptyOrTruncatedTagStore_ImagesStayReachableByIdWithAWarning(string content)
    {
        var logs = new ListLoggerFactory();
        var builder = new DockerRootBuilder(new MockFileSystem(), "/r");
        var id = builder.AddLayer(_ => { });
        builder.RawRepositories(System.Text.Encoding.UTF8.GetBytes(content));
        var root = builder.Build().Open(new DockerRootOptions { LoggerFactory = logs });

        Assert.Equal(id, root.ResolveImage(id[..10]).Id);
        Assert.Throws<ImageNotFoundException>(() => root.ResolveImage("redis").Id);
        Assert.Contains(logs.Warnings, w => w.Contains("/r/repositories-aufs", StringComparison.Ordinal));
        Assert.Empty(root.Graph().Repositories.Entries);
    }

    [Fact]
    public void ResolveImageId_MissingTagStore_IsNoTags()
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), "/r").WithoutRepositories();
        var id = builder.AddLayer(_ => { });
        Assert.Equal(id, builder.Build().Open().ResolveImage(id).Id);
    }

    [Fact]
    public void ResolveImageId_Empty_ThrowsArgumentException() =>
        Assert.Throws<ArgumentException>(() => MokyStore().ResolveImage("").Id);
}
