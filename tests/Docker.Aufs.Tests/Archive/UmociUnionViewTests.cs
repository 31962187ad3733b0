using System.IO.Abstractions;
using Docker.Aufs.Archive;
using Docker.Aufs.Testing;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Archive;

/// <summary>
/// The export and the merged view agree, as checked by a tool we did not write: the rootfs umoci unpacks from our OCI layout
/// has exactly the paths, types, modes, sizes and link targets of our union view of the same image.
/// </summary>
public sealed class UmociUnionViewTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("dive-test-image.tar", "dive-test:latest", "latest")]
    [InlineData("moby-empty-layer.tar", "matthughes/library-centos:6-2015.03.20", "6-2015.03.20")]
    [InlineData(null, "redis:latest", "latest")]
    [InlineData(null, "busybox:latest", "latest")]
    public void UmociUnpack_OfOurOciExport_EqualsOurUnionView(string? fixture, string reference, string tag)
    {
        var token = TestContext.Current.CancellationToken;
        var rootPath = _temp.Combine("root");
        if (fixture is null)
        {
            SampleRoots.Write(new FileSystem(), rootPath, SpecialFileMode.Native);
        }
        else
        {
            ImageImporter.Import(new FileSystem(), Fixtures.Path(fixture), rootPath, cancellationToken: token);
        }

        var root = DockerRoot.Open(new FileSystem(), rootPath);
        var layout = _temp.Combine("layout");
        new ImageArchiver(root).Save([reference], layout, new ArchiveOptions { Format = ArchiveFormat.OciDirectory }, cancellationToken: token);
        var bundle = _temp.Combine("bundle");
        InteropTools.Run("umoci", "unpack", "--rootless", "--image", $"{layout}:{tag}", bundle);
        var unpacked = LayerApplier.Read(Path.Combine(bundle, "rootfs"));

        var view = new SortedDictionary<string, TreeEntry>(StringComparer.Ordinal);
        foreach (var entry in root.OpenImage(reference).EnumerateRecursive())
        {
            view[entry.Path] = entry.Type switch
            {
                UnixFileType.SymbolicLink => new TreeEntry('l', 0x1FF, 0, entry.LinkTarget),
                UnixFileType.Directory => new TreeEntry('d', entry.Permissions, 0, null),
                UnixFileType.RegularFile => new TreeEntry('f', entry.Permissions, entry.Size, null),
                _ => new TreeEntry('?', entry.Permissions, 0, null),
            };
        }

        Assert.NotEmpty(view);
        Assert.Equal(view.Keys, unpacked.Keys);
        foreach (var (path, expected) in view)
        {
            var actual = unpacked[path];
            Assert.True((expected.Type, expected.Size, expected.LinkTarget, expected.Mode & 0xFFF) == (actual.Type, actual.Size, actual.LinkTarget, actual.Mode & 0xFFF),
                $"/{path}: view {expected}, umoci {actual}");
        }
    }
}
