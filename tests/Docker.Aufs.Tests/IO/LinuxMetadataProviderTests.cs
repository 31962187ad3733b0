using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

// Not Docker.Aufs.Tests.IO: that namespace would shadow Docker.Aufs.IO for tests elsewhere that write IO.UnixFileType.
namespace Docker.Aufs.Tests.IOTests;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LinuxMetadataProviderTests
{
    [Fact]
    public void ReadDirectory_RealDirectory_GivesNamesWithTheKernelsTypesKeepsBytesThatAreNotUtf8AndFollowsNothing()
    {
        using var directory = new TempDirectory();
        Directory.CreateDirectory(directory.Combine("dir"));
        File.WriteAllText(directory.Combine("file"), "x");
        File.CreateSymbolicLink(directory.Combine("link-to-dir"), "dir");
        File.CreateSymbolicLink(directory.Combine("host-etc"), "/etc");
        using var odd = TarExtraction.CreateFileWithRawName(directory.Path, [(byte)'b', 0xFF]);

        var names = LinuxMetadataProvider.Instance.ReadDirectory(directory.Path).OrderBy(n => n.Name, StringComparer.Ordinal).ToList();

        Assert.Equal(
            [new DirectoryName("b\uDCFF", false, false) { IsSymbolicLink = false }, new DirectoryName("dir", true, false) { IsSymbolicLink = false }, new DirectoryName("file", false, false) { IsSymbolicLink = false },
                new DirectoryName("host-etc", false, false) { IsSymbolicLink = true }, new DirectoryName("link-to-dir", false, false) { IsSymbolicLink = true }],
            names);
    }

    [Fact]
    public void ReadDirectory_MissingOrAFile_ThrowsTheMatchingIoException()
    {
        using var directory = new TempDirectory();
        File.WriteAllText(directory.Combine("file"), "x");

        Assert.Throws<DirectoryNotFoundException>(() => LinuxMetadataProvider.Instance.ReadDirectory(directory.Combine("missing")).ToList());
        Assert.Throws<IOException>(() => LinuxMetadataProvider.Instance.ReadDirectory(directory.Combine("file")).ToList());
    }
}
