using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Testing;
using Docker.Aufs.IO;

namespace Docker.Aufs.Tests.TestSupport;

/// <summary>Where a fixture root is written: in memory (recorded metadata) or on the real disk (real links, statx).</summary>
public enum Disk
{
    Memory,
    Real,
}

/// <summary>A root built with <see cref="DockerRootBuilder"/> on the chosen disk, removed again when disposed.</summary>
internal sealed class TestRoot : IDisposable
{
    private readonly TempDirectory? _directory;

    private TestRoot(BuiltRoot root, TempDirectory? directory)
    {
        Root = root;
        _directory = directory;
    }

    public Disk Disk => _directory is null ? Disk.Memory : Disk.Real;

    public BuiltRoot Root { get; }

    public IFileSystem FileSystem => Root.FileSystem;

    public string Path => Root.Path;

    public static TestRoot Build(Disk disk, Action<DockerRootBuilder> configure, ImageStoreKind store = ImageStoreKind.Graph)
    {
        if (disk == Disk.Memory)
        {
            var builder = new DockerRootBuilder(new MockFileSystem(), store, "/var/lib/docker", SpecialFileMode.Recorded);
            configure(builder);
            return new TestRoot(builder.Build(), null);
        }

        var directory = new TempDirectory();
        try
        {
            var builder = new DockerRootBuilder(new FileSystem(), store, directory.Path);
            configure(builder);
            return new TestRoot(builder.Build(), directory);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>Opens the root: in memory with the recorded metadata, on the real disk with what statx says (nothing recorded).</summary>
    public IDockerRoot Open(DockerRootOptions? options = null) =>
        Disk == Disk.Memory ? Root.Open(options) : DockerRoot.Open(FileSystem, Path, options);

    public void Dispose() => _directory?.Dispose();
}
