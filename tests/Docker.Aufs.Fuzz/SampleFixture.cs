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

    /// <summary>Returns the full path of a file of the root.</summary>
    public static string PathOf(string relative) => RootPath + "/" + relative;

    /// <summary>Replaces a file of the root with the input.</summary>
    public void Write(string relative, byte[] content) => FileSystem.File.WriteAllBytes(PathOf(relative), content);

    /// <summary>Opens the root afresh, so nothing read from an earlier input is cached.</summary>
    public IDockerRoot Open(bool strictChains = false) =>
        DockerRoot.Open(FileSystem, RootPath, new DockerRootOptions { Metadata = _built.Metadata, StrictChains = strictChains });
}
