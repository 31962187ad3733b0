using System.IO.Abstractions;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.IO;

namespace Docker.Aufs.Tests.Archive;

public sealed class AtomicOutputTests
{
    [Fact]
    public void AtomicFile_AppearsOnlyOnCommit_AndReplacesTheOldFile()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("out.tar");
        File.WriteAllText(path, "old");
        using (var output = AtomicFile.Create(new FileSystem(), path, asynchronous: false))
        {
            output.Stream.Write("new"u8);
            Assert.Equal("old", File.ReadAllText(path));
            Assert.StartsWith(temp.Combine(".out.tar.tmp-"), output.TemporaryPath, StringComparison.Ordinal);
            output.Commit(TestContext.Current.CancellationToken);
        }

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal([path], Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Fact]
    public void AtomicFile_DisposedWithoutCommit_LeavesNothing()
    {
        using var temp = new TempDirectory();
        using (var output = AtomicFile.Create(new FileSystem(), temp.Combine("out.tar"), asynchronous: false))
        {
            output.Stream.Write("partial"u8);
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Fact]
    public void AtomicDirectory_DisposedWithoutCommit_RemovesEvenReadOnlyDirectories()
    {
        // As a non-root user a directory of mode 0555 cannot be emptied until it is made writable again.
        using var temp = new TempDirectory();
        using (var output = AtomicDirectory.Create(new FileSystem(), temp.Combine("root")))
        {
            var locked = Path.Combine(output.TemporaryPath, "aufs", "diff", "proc");
            Directory.CreateDirectory(Path.Combine(locked, "inner"));
            File.WriteAllText(Path.Combine(locked, "inner", "file"), "x");
            File.SetUnixFileMode(Path.Combine(locked, "inner"), (UnixFileMode)0x16D);
            File.SetUnixFileMode(locked, (UnixFileMode)0x16D);
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Fact]
    public void AtomicDirectory_ExistingNonEmptyTarget_IsRefused()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("root"));
        File.WriteAllText(temp.Combine("root", "keep"), "x");
        Assert.Throws<IOException>(() => AtomicDirectory.Create(new FileSystem(), temp.Combine("root")));
        Assert.Throws<IOException>(() => AtomicDirectory.Create(new FileSystem(), temp.Combine("root", "keep")));
        Assert.Throws<DirectoryNotFoundException>(() => AtomicDirectory.Create(new FileSystem(), temp.Combine("no", "parent")));
    }
}
