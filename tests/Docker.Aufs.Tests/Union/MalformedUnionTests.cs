using System.Formats.Tar;
using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Drivers.Aufs;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Union;

/// <summary>Broken AUFS data only raises the library's exceptions (or a documented skip with a warning), naming the path.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MalformedUnionTests
{
    private static readonly string Top = Ids.Of("top");
    private static readonly string Missing = Ids.Of("missing");

    [Fact]
    public void ForAufsLayer_LayersFileNamesAMissingBranch_ThrowsBrokenChainNamingTheDiffDirectory()
    {
        var fs = new MockFileSystem();
        fs.AddFile($"/aufs/layers/{Top}", new MockFileData($"{Missing}\n"));
        fs.AddFile($"/aufs/layers/{Missing}", new MockFileData(string.Empty));
        fs.AddDirectory($"/aufs/diff/{Top}");

        var e = Assert.Throws<BrokenLayerChainException>(() => AufsViews.Open(new AufsDriver(fs, "/aufs"), Top, new FileSystemMetadataProvider(fs)));

        Assert.Equal(Missing, e.LayerId);
        Assert.Equal($"/aufs/diff/{Missing}", e.Path);
        Assert.Contains("missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForAufsLayer_BranchThatIsAFile_ThrowsBrokenChainNamingIt()
    {
        var fs = new MockFileSystem();
        fs.AddFile($"/aufs/layers/{Top}", new MockFileData(string.Empty));
        fs.AddFile($"/aufs/diff/{Top}", new MockFileData("not a directory"));

        var e = Assert.Throws<BrokenLayerChainException>(() => AufsViews.Open(new AufsDriver(fs, "/aufs"), Top, new FileSystemMetadataProvider(fs)));

        Assert.Equal($"/aufs/diff/{Top}", e.Path);
        Assert.Contains("regular file, not a directory", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../../etc\n", typeof(UnsafePathException))]
    [InlineData("not-an-id\n", typeof(CorruptFileException))]
    public void ForAufsLayer_LayersFileWithGarbage_ThrowsTheLibrarysException(string content, Type expected)
    {
        var fs = new MockFileSystem();
        fs.AddFile($"/aufs/layers/{Top}", new MockFileData(content));
        fs.AddDirectory($"/aufs/diff/{Top}");

        var e = Assert.ThrowsAny<DockerDataException>(() => AufsViews.Open(new AufsDriver(fs, "/aufs"), Top, new FileSystemMetadataProvider(fs)));

        Assert.IsType(expected, e);
        Assert.Equal($"/aufs/layers/{Top}", e.Path);
    }

    [Fact]
    public void ForAufsLayer_UnknownLayer_ThrowsLayerNotFound()
    {
        var fs = new MockFileSystem();
        fs.AddDirectory("/aufs/layers");

        Assert.Throws<LayerNotFoundException>(() => AufsViews.Open(new AufsDriver(fs, "/aufs"), Top, new FileSystemMetadataProvider(fs)));
        Assert.Throws<ArgumentException>(() => AufsViews.Open(new AufsDriver(fs, "/aufs"), "../etc", new FileSystemMetadataProvider(fs)));
    }

    [Fact]
    public void EnumerateRecursive_NameThatIsNotValidUtf8_IsListedWithItsBytesKeptAndWrittenToTheTar()
    {
        using var directory = new TempDirectory();
        var aufs = directory.Combine("aufs");
        var diff = Path.Combine(aufs, "diff", Top);
        Directory.CreateDirectory(Path.Combine(diff, "etc"));
        Directory.CreateDirectory(Path.Combine(aufs, "layers"));
        File.WriteAllText(Path.Combine(aufs, "layers", Top), string.Empty);
        File.WriteAllText(Path.Combine(diff, "etc", "good"), "good");
        using var odd = TarExtraction.CreateFileWithRawName(Path.Combine(diff, "etc"), [(byte)'b', 0xFF, 0xFE, (byte)'d']);
        var logs = new ListLoggerFactory();

        var view = AufsViews.Open(new AufsDriver(new FileSystem(), aufs), Top, LinuxMetadataProvider.Instance, logs);
        var paths = view.EnumerateRecursive().Select(e => e.Path).Order(StringComparer.Ordinal).ToList();

        // Each byte that is not UTF-8 is kept as U+DC00 plus the byte (docs/hostile-input.md, "Names that are not UTF-8").
        Assert.Equal(["etc", "etc/b\uDCFF\uDCFEd", "etc/good"], paths);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);

        using var tar = new MemoryStream();
        Assert.Equal(3, view.WriteTar(tar, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void GetEntry_NameOfTheLongestAllowedLength_DoesNotFailOnItsTooLongWhiteoutName()
    {
        var name = new string('n', 255);
        using var root = TestRoot.Build(Disk.Real, b => b.Tag("long:latest", b.AddLayer(l => l.Id(Top).File("dir/" + name, "long"))));

        var view = root.Open().OpenImage("long");

        Assert.Equal(4, view.GetEntry("dir/" + name).Size);
        Assert.False(view.TryGetEntry("dir/" + name + "x", followSymbolicLinks: false, out _));
    }

    [Fact]
    public void WriteTar_SocketInALayer_IsSkippedAsDockerSkipsIt()
    {
        using var root = TestRoot.Build(Disk.Memory, b => b.Tag("sock:latest", b.AddLayer(l => l.Id(Top).File("run/app.sock", string.Empty).File("run/pid", "1"))));
        var socketPath = root.FileSystem.Path.Combine(root.Path, "aufs", "diff", Top, "run", "app.sock");
        root.Root.Metadata.Record(socketPath, new UnixFileStatus { Type = UnixFileType.Socket, Permissions = 0x1ED });
        var view = root.Open().OpenImage("sock");
        Assert.Equal(UnixFileType.Socket, view.GetEntry("run/app.sock").Type);

        using var tar = new MemoryStream();
        view.WriteTar(tar, TestContext.Current.CancellationToken);
        tar.Position = 0;
        using var reader = new TarReader(tar);
        var names = new List<string>();
        while (reader.GetNextEntry() is { } entry)
        {
            names.Add(entry.Name);
        }

        Assert.Equal(["run/", "run/pid"], names);
    }
}
