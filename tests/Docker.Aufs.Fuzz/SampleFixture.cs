using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Testing;
using Docker.Aufs.IO;

namespace Docker.Aufs.Fuzz;

/// <summary>The built-in sample root (busybox, redis, a redis container) in memory; a target overwrites one of its files per run.</summary>
internal sealed class SampleFixture
{
    public const string RootPath = "/docker";

    private readonly BuiltRoot _built;

    private SampleFixture(MockFileSystem fileSystem, BuiltRoot built)
    {
        FileSystem = fileSystem;
        _built = built;
    }

    public MockFileSystem FileSystem { get; }

    public static SampleFixture Create()
    {
        var fileSystem = new MockFileSystem();
        return new SampleFixture(fileSystem, SampleRoots.Write(fileSystem, RootPath, SpecialFileMode.Recorded));
    }

    /// <summary>The sample written as a Docker 1.10+ root (<c>image/aufs/</c>: imagedb, layerdb, repositories.json).</summary>
    public static SampleFixture CreateContentAddressed()
    {
        var fileSystem = new MockFileSystem();
        return new SampleFixture(fileSystem, SampleRoots.Write(fileSystem, ImageStoreKind.ContentAddressed, RootPath, SpecialFileMode.Recorded));
    }

    /// <summary>Gets the ChainIDs of the root's layers, in the order written (for a content-addressed root).</summary>
    public IReadOnlyList<string> LayerIds => _built.LayerIds;

    /// <summary>Gets the options that read the root as <see cref="Open"/> does (for fsck).</summary>
    public DockerRootOptions Options => new() { Metadata = _built.Metadata };

    /// <summary>Returns the full path of a file of the root.</summary>
    public static string PathOf(string relative) => RootPath + "/" + relative;

    /// <summary>Replaces a file of the root with the input.</summary>
    public void Write(string relative, byte[] content) => FileSystem.File.WriteAllBytes(PathOf(relative), content);

    /// <summary>Opens the root afresh, so nothing read from an earlier input is cached.</summary>
    public IDockerRoot Open(bool strictChains = false) =>
        DockerRoot.Open(FileSystem, RootPath, new DockerRootOptions { Metadata = _built.Metadata, StrictChains = strictChains });
}
