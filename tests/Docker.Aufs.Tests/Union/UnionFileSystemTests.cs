using System.IO.Abstractions;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.Union;

namespace Docker.Aufs.Tests.Union;

/// <summary>The merged view as a read-only <see cref="IFileSystem"/>: code written against System.IO.Abstractions can browse an image.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class UnionFileSystemTests
{
    private static readonly DateTimeOffset Time = new(2016, 5, 6, 7, 8, 9, TimeSpan.Zero);

    private static (TestRoot Root, IFileSystem FileSystem) Image(Disk disk = Disk.Memory)
    {
        var lower = Ids.Of("fs-lower");
        var root = TestRoot.Build(disk, b =>
        {
            b.AddLayer(l => l.Id(lower).Created(Time)
                .File("etc/nginx/nginx.conf", "worker_processes 1;\n").File("etc/nginx/mime.types", "types {}\n").File("etc/old.conf", "old")
                .File("var/www/index.html", "<h1>hi</h1>\n", mode: "0640").Symlink("www", "/var/www").Symlink("dangling", "/nowhere")
                .Symlink("etc/nginx/sites", "../../var/www"));
            b.Tag("web:latest", b.AddLayer(l => l.Id(Ids.Of("fs-top")).Parent(lower).Created(Time).Whiteout("etc/old.conf").File("etc/app.conf", "app=1\n")));
        });
        return (root, new UnionFileSystem(root.Open().OpenImage("web")));
    }

    /// <summary>Code that knows nothing about images: counts the .conf files below a directory.</summary>
    private static int CountConfigFiles(IFileSystem fileSystem, string directory) =>
        fileSystem.Directory.EnumerateFiles(directory, "*.conf", SearchOption.AllDirectories).Count();

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void Directory_CodeWrittenAgainstIFileSystem_BrowsesTheMergedImage(Disk disk)
    {
        var (root, fs) = Image(disk);
        using (root)
        {
            Assert.Equal(2, CountConfigFiles(fs, "/etc"));
            Assert.Equal(["/etc/app.conf", "/etc/nginx/nginx.conf"], fs.Directory.GetFiles("/etc", "*.conf", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            Assert.Equal(["/dangling"], fs.Directory.GetFiles("/"));
            Assert.Equal(["/etc", "/var", "/www"], fs.Directory.GetDirectories("/").Order(StringComparer.Ordinal));
            Assert.Equal(["etc/app.conf", "etc/nginx"], fs.Directory.GetFileSystemEntries("etc").Order(StringComparer.Ordinal));
            Assert.Equal("worker_processes 1;\n", fs.File.ReadAllText("/etc/nginx/nginx.conf"));
            Assert.Equal("<h1>hi</h1>\n", fs.File.ReadAllText("/www/index.html"));
            Assert.Equal(["<h1>hi</h1>"], fs.File.ReadAllLines("/etc/nginx/sites/index.html"));
            Assert.False(fs.File.Exists("/etc/old.conf"));
        }
    }

    [Fact]
    public void Exists_LinksAreFollowedInsideTheImage()
    {
        var (root, fs) = Image();
        using (root)
        {
            Assert.True(fs.Directory.Exists("/www"));
            Assert.False(fs.File.Exists("/www"));
            Assert.False(fs.File.Exists("/dangling"));
            Assert.False(fs.Directory.Exists("/dangling"));
            Assert.True(fs.File.Exists("www/index.html"));
            Assert.False(fs.File.Exists(null));
            Assert.True(fs.Path.Exists("/etc"));
        }
    }

    [Fact]
    public void Enumeration_ALinkToADirectory_CountsAsADirectoryButIsNotRecursedInto()
    {
        var (root, fs) = Image();
        using (root)
        {
            Assert.Contains("/www", fs.Directory.GetDirectories("/"));
            Assert.DoesNotContain(fs.Directory.GetFiles("/", "*", SearchOption.AllDirectories), p => p.StartsWith("/www/", StringComparison.Ordinal));
            Assert.Contains("/var/www/index.html", fs.Directory.GetFiles("/", "*", SearchOption.AllDirectories));
            Assert.Equal(["app.conf", "nginx"], fs.DirectoryInfo.New("/etc").EnumerateFileSystemInfos().Select(i => i.Name).Order(StringComparer.Ordinal));
            Assert.Throws<DirectoryNotFoundException>(() => fs.Directory.GetFiles("/missing"));
            Assert.Throws<DirectoryNotFoundException>(() => fs.Directory.GetFiles("/etc/app.conf"));
        }
    }

    [Fact]
    public void FileInfo_Entry_DescribesItselfLikeLstat()
    {
        var (root, fs) = Image();
        using (root)
        {
            var index = fs.FileInfo.New("/var/www/index.html");
            Assert.True(index.Exists);
            Assert.Equal(12, index.Length);
            Assert.Equal((UnixFileMode)0x1A0, index.UnixFileMode);
            Assert.Equal(Time.UtcDateTime, index.LastWriteTimeUtc);
            Assert.Equal("/var/www", index.DirectoryName);
            Assert.True(index.IsReadOnly);

            var link = fs.FileInfo.New("/www");
            Assert.Equal("/var/www", link.LinkTarget);
            Assert.True(link.Attributes.HasFlag(FileAttributes.ReparsePoint));
            Assert.True(link.Attributes.HasFlag(FileAttributes.Directory));
            Assert.Equal("/var/www", link.ResolveLinkTarget(returnFinalTarget: true)!.FullName);
            Assert.Null(index.ResolveLinkTarget(returnFinalTarget: false));

            var missing = fs.FileInfo.New("/nope");
            Assert.False(missing.Exists);
            Assert.Throws<FileNotFoundException>(() => missing.Length);
        }
    }

    [Fact]
    public void Path_RelativePaths_StartAtTheImageRoot()
    {
        var (root, fs) = Image();
        using (root)
        {
            Assert.Equal("/bin", fs.Path.GetFullPath("etc/../bin"));
            Assert.Equal("/", fs.Directory.GetCurrentDirectory());
            Assert.Equal("/etc/nginx", fs.DirectoryInfo.New("etc/nginx/").FullName);
            Assert.Equal("/etc", fs.DirectoryInfo.New("/etc/nginx").Parent!.FullName);
        }
    }

    [Fact]
    public async Task Writes_AnyKind_ThrowUnauthorizedAccess()
    {
        var (root, fs) = Image();
        using (root)
        {
            Assert.Throws<UnauthorizedAccessException>(() => fs.File.WriteAllText("/etc/app.conf", "x"));
            Assert.Throws<UnauthorizedAccessException>(() => fs.File.AppendAllText("/new", "x"));
            Assert.Throws<UnauthorizedAccessException>(() => fs.File.Delete("/etc/app.conf"));
            Assert.Throws<UnauthorizedAccessException>(() => fs.File.Open("/etc/app.conf", FileMode.Open));
            Assert.Throws<UnauthorizedAccessException>(() => fs.FileStream.New("/etc/app.conf", FileMode.Create));
            Assert.Throws<UnauthorizedAccessException>(() => fs.FileStream.New("/etc/app.conf", FileMode.Open, FileAccess.ReadWrite));
            Assert.Throws<UnauthorizedAccessException>(() => fs.Directory.CreateDirectory("/new"));
            Assert.Throws<UnauthorizedAccessException>(() => fs.Directory.Delete("/etc", recursive: true));
            Assert.Throws<UnauthorizedAccessException>(() => fs.FileInfo.New("/etc/app.conf").Delete());
            Assert.Throws<UnauthorizedAccessException>(() => fs.File.SetLastWriteTimeUtc("/etc/app.conf", DateTime.UtcNow));
            Assert.Throws<UnauthorizedAccessException>(() => fs.File.Copy("/etc/app.conf", "/etc/copy.conf"));
            await Assert.ThrowsAsync<UnauthorizedAccessException>(() => fs.File.WriteAllBytesAsync("/x", [1], TestContext.Current.CancellationToken));
            Assert.Throws<NotSupportedException>(() => fs.DriveInfo.GetDrives());
            Assert.Throws<NotSupportedException>(() => fs.FileSystemWatcher.New("/etc"));
            Assert.Equal("worker_processes 1;\n", fs.File.ReadAllText("/etc/nginx/nginx.conf"));
        }
    }

    [Fact]
    public void Reads_MissingOrDirectory_ThrowLikeDotNet()
    {
        var (root, fs) = Image();
        using (root)
        {
            Assert.Throws<FileNotFoundException>(() => fs.File.ReadAllBytes("/missing"));
            Assert.Throws<UnauthorizedAccessException>(() => fs.File.ReadAllBytes("/etc"));
            Assert.Throws<FileNotFoundException>(() => fs.File.OpenRead("/dangling"));
            Assert.Throws<ArgumentException>(() => fs.File.ReadAllText(string.Empty));
        }
    }

    [Fact]
    public void OpenRead_File_IsAStreamNamedByItsPathInTheImage()
    {
        var (root, fs) = Image();
        using (root)
        {
            using var stream = fs.File.OpenRead("etc/app.conf");

            Assert.Equal("/etc/app.conf", stream.Name);
            Assert.False(stream.CanWrite);
            Assert.Equal(6, stream.Length);
        }
    }

    [Fact]
    public async Task ReadAsync_File_ReadsTheSameBytes()
    {
        var (root, fs) = Image();
        using (root)
        {
            Assert.Equal("app=1\n", await fs.File.ReadAllTextAsync("/etc/app.conf", TestContext.Current.CancellationToken));
            Assert.Equal("app=1\n"u8.ToArray(), await fs.File.ReadAllBytesAsync("/etc/app.conf", TestContext.Current.CancellationToken));
        }
    }
}
