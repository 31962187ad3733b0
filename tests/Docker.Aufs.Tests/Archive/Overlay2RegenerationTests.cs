using System.Formats.Tar;
using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Archive;
using Docker.Aufs.IO;
using Docker.Aufs.Testing;

namespace Docker.Aufs.Tests.Archive;

/// <summary>
/// Regenerating an overlay2 layer's tar when its tar-split data is missing or wrong (issue 12 item 6): the layer's
/// <c>diff/</c> written as Docker's overlay2 <c>Diff</c> writes it — whiteouts (0/0 character devices) as <c>.wh.</c>
/// files of mode 0600, an opaque directory followed by <c>.wh..wh..opq</c> (moby v18.09
/// <c>pkg/archive/archive_linux.go</c> <c>ConvertWrite</c>) — compared with the same layers on AUFS.
/// </summary>
public sealed class Overlay2RegenerationTests
{
    private static readonly ArchiveOptions Regenerated = new() { Source = LayerSource.Regenerated };

    private static IDockerRoot Overlay2() =>
        SampleRoots.Write(new DockerRootBuilder(new MockFileSystem(), ImageStoreKind.ContentAddressed, "overlay2", null, SpecialFileMode.Recorded)).Open();

    private static IDockerRoot Aufs() => SampleRoots.WriteInMemory(ImageStoreKind.ContentAddressed).Open();

    private static (LayerDigest Digest, List<TarEntry> Entries) Regenerate(IDockerRoot root, string layer)
    {
        using var tar = new MemoryStream();
        var digest = new ImageArchiver(root).WriteLayerTar(layer, tar, Regenerated, cancellationToken: TestContext.Current.CancellationToken);
        tar.Position = 0;
        using var reader = new TarReader(tar);
        var entries = new List<TarEntry>();
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            entries.Add(entry);
        }

        return (digest, entries);
    }

    private static string Describe(TarEntry e) => $"{e.Name} {e.EntryType} {Convert.ToString((int)e.Mode, 8)} {e.Uid}:{e.Gid} {e.Length} {e.ModificationTime.ToUnixTimeSeconds()}";

    public static TheoryData<string> Images() => ["busybox", "redis"];

    [Theory]
    [MemberData(nameof(Images))]
    public void WriteLayerTar_RegeneratingALayerWithoutWhiteouts_GivesTheDiffIdOfTheSameLayerOnAufsAndOfLayerdb(string image)
    {
        var overlay2 = Overlay2();
        var aufs = Aufs();

        foreach (var layer in aufs.ResolveImage(image).Layers)
        {
            var (onAufs, aufsEntries) = Regenerate(aufs, layer.Id);
            if (aufsEntries.Any(e => e.Name.Contains(".wh.", StringComparison.Ordinal)))
            {
                continue;
            }

            var (onOverlay2, entries) = Regenerate(overlay2, layer.Id);
            Assert.Equal(LayerSource.Regenerated, onOverlay2.Source);
            Assert.Equal(aufsEntries.Select(Describe), entries.Select(Describe));
            Assert.Equal(onAufs.DiffId, onOverlay2.DiffId);
            Assert.Equal(layer.DiffId, onOverlay2.DiffId);
        }
    }

    [Fact]
    public void WriteLayerTar_RegeneratingALayerWithWhiteoutsAndAnOpaqueDirectory_WritesThemAsDockersOverlayConverterDoes()
    {
        var overlay2 = Overlay2();
        var aufs = Aufs();
        var converted = 0;

        foreach (var layer in aufs.ResolveImage("redis").Layers)
        {
            var (_, aufsEntries) = Regenerate(aufs, layer.Id);
            if (!aufsEntries.Any(e => e.Name.Contains(".wh.", StringComparison.Ordinal)))
            {
                continue;
            }

            var (_, entries) = Regenerate(overlay2, layer.Id);
            Assert.Equal(aufsEntries.Select(e => e.Name).Order(StringComparer.Ordinal), entries.Select(e => e.Name).Order(StringComparer.Ordinal));
            for (var i = 0; i < entries.Count; i++)
            {
                var entry = entries[i];
                var name = entry.Name.TrimEnd('/');
                var baseName = name[(name.LastIndexOf('/') + 1)..];
                var onAufs = aufsEntries.Single(e => e.Name == entry.Name);
                if (baseName == ".wh..wh..opq")
                {
                    var directory = entries[i - 1]; // written right after its directory
                    Assert.Equal(name[..^".wh..wh..opq".Length], directory.Name);
                    Assert.Equal((TarEntryType.RegularFile, (int)directory.Mode & 0x1FF, directory.Uid, directory.Gid, 0L, 0L),
                        (entry.EntryType, (int)entry.Mode, entry.Uid, entry.Gid, entry.Length, entry.ModificationTime.ToUnixTimeSeconds()));
                    converted++;
                }
                else if (baseName.StartsWith(".wh.", StringComparison.Ordinal))
                {
                    Assert.Equal((TarEntryType.RegularFile, 0x180, onAufs.Uid, onAufs.Gid, 0L), (entry.EntryType, (int)entry.Mode, entry.Uid, entry.Gid, entry.Length));
                    converted++;
                }
                else
                {
                    Assert.Equal(Describe(onAufs), Describe(entry));
                }
            }
        }

        Assert.Equal(3, converted); // gosu's whiteout and opaque directory, redis's whiteout
    }

    [Fact]
    public void ComputeDigests_AnOverlay2LayerThatLostItsTarSplitData_IsRegeneratedToItsDiffId()
    {
        var built = SampleRoots.Write(new DockerRootBuilder(new MockFileSystem(), ImageStoreKind.ContentAddressed, "overlay2", null, SpecialFileMode.Recorded));
        var layer = built.Open().ResolveImage("busybox").Layers[0];
        built.FileSystem.File.Delete(layer.TarSplitPath!);
        var overlay2 = built.Open();

        var digests = new ImageArchiver(overlay2).ComputeDigests("busybox", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(LayerSource.Regenerated, digests.Layers[0].Source);
        Assert.Equal(layer.DiffId, digests.Layers[0].DiffId);
    }

    [Fact]
    public void WriteLayerTar_RegeneratingAVfsLayer_IsRefusedWithOneClearReason()
    {
        var vfs = SampleRoots.Write(new DockerRootBuilder(new MockFileSystem(), ImageStoreKind.ContentAddressed, "vfs", null, SpecialFileMode.Recorded)).Open();
        var layer = vfs.ResolveImage("busybox").Layers[0];

        var e = Assert.Throws<LayerReassemblyException>(() => new ImageArchiver(vfs).WriteLayerTar(layer.Id, Stream.Null, Regenerated, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("a whole-tree layer (vfs) cannot yet", e.Message, StringComparison.Ordinal);
    }
}
