using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.IO;

namespace Docker.Aufs.Tests.Root;

/// <summary>
/// An ID prefix is first looked up by listing only the matching directories of graph/; once every ID has been listed, by
/// a search of that list. Both must resolve every reference the same way.
/// </summary>
public sealed class DockerRootPrefixTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> References => new()
    {
        "abc1", "abc12", "abc123", "abc1234", "abd", "ab", "a", "f", "0", Ids.WithPrefix("abc123", "one"), Ids.WithPrefix("abc123", "one") + "0",
        "ABC1", "abc1*", "ab?", "nohex", "abc12:latest", "abc123456789", "fedcba987654", "dead",
    };

    [Theory]
    [MemberData(nameof(References))]
    public void ResolveImageId_PrefixListingAndFullListing_Agree(string reference)
    {
        foreach (var fileSystem in new IFileSystem[] { new MockFileSystem(), new FileSystem() })
        {
            var root = Build(fileSystem, fileSystem is MockFileSystem ? "/var/lib/docker" : _temp.Combine("docker"));
            var fresh = root.Open();
            var listed = root.Open();
            _ = listed.Graph().GetImageIds();

            Assert.Equal(Outcome(() => listed.ResolveImage(reference).Id), Outcome(() => fresh.ResolveImage(reference).Id));
        }
    }

    private static BuiltRoot Build(IFileSystem fileSystem, string path)
    {
        var builder = new DockerRootBuilder(fileSystem, path, SpecialFileMode.Recorded);
        builder.AddLayer(l => l.Id(Ids.WithPrefix("abc123", "one")));
        builder.AddLayer(l => l.Id(Ids.WithPrefix("abc124", "two")));
        builder.AddLayer(l => l.Id(Ids.WithPrefix("abd", "three")));
        builder.AddLayer(l => l.Id(Ids.WithPrefix("fedcba987654", "four")));
        builder.AddLayer(l => l.Id(Ids.WithPrefix("dead", "gone")).WithoutDriverData());
        var root = builder.Build();
        fileSystem.Directory.CreateDirectory(fileSystem.Path.Combine(path, "graph", "abc1-not-an-id"));
        fileSystem.Directory.CreateDirectory(fileSystem.Path.Combine(path, "graph", "ABC1" + Ids.Of("upper")[4..]));
        return root;
    }

    private static string Outcome(Func<string> resolve)
    {
        try
        {
            return resolve();
        }
        catch (DockerAufsException e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }
}
