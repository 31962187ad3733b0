using System.Formats.Tar;
using System.IO.Abstractions;
using Docker.Aufs.Archive;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Archive;

/// <summary>
/// A file that grows or shrinks between its listing (the header's size) and its reading: a file that grew is cut at the
/// header's size, so every reader reads the tar to the end, and a warning names it; one that shrank fails the write with
/// one line naming it.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TarEntryWriterTests
{
    private static (byte[] Tar, ListLoggerFactory Log) Write(string path, long listedSize)
    {
        var log = new ListLoggerFactory();
        using var output = new MemoryStream();
        var buffer = new byte[TarSplitAssembler.BufferSize];
        var writer = new TarEntryWriter(new FileSystem(), new FileSystemMetadataProvider(new FileSystem()), new StreamTarOutput(output), buffer, log.CreateLogger("test"));
        var status = new UnixFileStatus { Type = UnixFileType.RegularFile, Permissions = 0x1A4, Size = listedSize, ModifiedTime = DateTimeOffset.UnixEpoch };
        SyncCore.Run(writer.WriteEntryAsync<SyncIo>(status, "changing", path, null, FileOptions.None, default));
        SyncCore.Run(writer.WriteEntryAsync<SyncIo>(status with { Size = 0 }, "after", path, null, FileOptions.None, default));
        SyncCore.Run(writer.FinishAsync<SyncIo>(null, default));
        return (output.ToArray(), log);
    }

    private static List<(string Name, byte[] Content)> Read(byte[] tar)
    {
        var entries = new List<(string, byte[])>();
        using var reader = new TarReader(new MemoryStream(tar));
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            using var content = new MemoryStream();
            entry.DataStream?.CopyTo(content);
            entries.Add((entry.Name, content.ToArray()));
        }

        return entries;
    }

    [Theory]
    [InlineData(1000, 600)]
    [InlineData(3 * 1024 * 1024, 1024 * 1024)] // by more than a buffer, to a whole number of buffers
    [InlineData(2 * 1024 * 1024 + 5, 1024 * 1024 + 3)]
    public void WriteEntry_FileGrewSinceListed_WritesExactlyTheHeadersSizeAndWarnsNamingIt(int actual, int listed)
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("changing");
        var content = new byte[actual];
        new Random(actual).NextBytes(content);
        File.WriteAllBytes(path, content);

        var (tar, log) = Write(path, listed);

        var entries = Read(tar);
        Assert.Equal(["changing", "after"], entries.Select(e => e.Name));
        Assert.Equal(content.AsSpan(0, listed).ToArray(), entries[0].Content);
        var warning = Assert.Single(log.Warnings);
        Assert.Contains(path, warning, StringComparison.Ordinal);
        Assert.Contains("grew", warning, StringComparison.Ordinal);

        // GNU tar reads it to the end, as System.Formats.Tar did.
        var tarTool = InteropTools.Require("tar");
        var archive = temp.Combine("out.tar");
        File.WriteAllBytes(archive, tar);
        Assert.Equal("changing\nafter\n", InteropTools.Run(tarTool, "-tf", archive));
    }

    [Theory]
    [InlineData(1000, 1500)]
    [InlineData(10, 2 * 1024 * 1024 + 7)]
    [InlineData(4, 1L << 40)] // a recorded terabyte is not padded with a terabyte of zeros
    public void WriteEntry_FileShrankSinceListed_FailsWithOneLineNamingIt(int actual, long listed)
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("changing");
        File.WriteAllBytes(path, new byte[actual]);

        var e = Assert.Throws<IOException>(() => Write(path, listed));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains($"shrank while it was read: it ended after {actual} of the {listed} bytes", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>A host path is long (a root, a layer ID); the message once cut it after 80 characters, inside the layer ID.</summary>
    [Fact]
    public void WriteEntry_FileShrankAtTheEndOfALongPath_NamesTheFileItself()
    {
        using var temp = new TempDirectory();
        var directory = temp.Combine(new string('9', 64), "diff", "usr", "lib");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "the-file-that-changed");
        File.WriteAllBytes(path, new byte[10]);

        var e = Assert.Throws<IOException>(() => Write(path, 1000));

        Assert.Contains("/usr/lib/the-file-that-changed shrank while it was read", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteEntry_FileOfTheListedSize_WarnsNothing()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("steady");
        File.WriteAllBytes(path, new byte[5000]);

        var (tar, log) = Write(path, 5000);

        Assert.Equal(5000, Read(tar)[0].Content.Length);
        Assert.Empty(log.Warnings);
    }
}
