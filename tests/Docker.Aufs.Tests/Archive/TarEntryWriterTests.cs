using System.Formats.Tar;
using System.IO.Abstractions;
using Docker.Aufs.Archive;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Archive;

/// <summary>
/// A file that grows or shrinks between its listing (the header's size) and its reading: the tar still holds exactly the
/// header's size, so every reader reads it to the end, and a warning names the file.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TarEntryWriterTests
{
    private static (byte[] Tar, ListLoggerFactory Log) Write(string path, long listedSize)
    {
        var log = new ListLoggerFactory();
        using var output = new MemoryStream();
        var buffer = new byte[TarSplitAssembler.BufferSize];
        var writer = new TarEntryWriter(new FileSystem(), new StreamTarOutput(output), buffer, log.CreateLogger("test"));
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
    [InlineData(1000, 600)] // grew after it was listed
    [InlineData(1000, 1500)] // shrank after it was listed
    [InlineData(3 * 1024 * 1024, 1024 * 1024)] // grew by more than a buffer
    [InlineData(10, 2 * 1024 * 1024 + 7)] // shrank by more than a buffer
    public void WriteEntry_FileChangedSizeSinceListed_WritesExactlyTheHeadersSizeAndWarnsNamingIt(int actual, int listed)
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("changing");
        var content = new byte[actual];
        new Random(actual).NextBytes(content);
        File.WriteAllBytes(path, content);

        var (tar, log) = Write(path, listed);

        var entries = Read(tar);
        Assert.Equal(["changing", "after"], entries.Select(e => e.Name));
        Assert.Equal(listed, entries[0].Content.Length);
        Assert.Equal(content.AsSpan(0, Math.Min(actual, listed)).ToArray(), entries[0].Content.AsSpan(0, Math.Min(actual, listed)).ToArray());
        Assert.All(entries[0].Content.Skip(actual), b => Assert.Equal(0, b));
        var warning = Assert.Single(log.Warnings);
        Assert.Contains(path, warning, StringComparison.Ordinal);
        Assert.Contains(actual > listed ? "grew" : "shrank", warning, StringComparison.Ordinal);

        // GNU tar reads it to the end, as System.Formats.Tar did.
        var tarTool = InteropTools.Require("tar");
        var archive = temp.Combine("out.tar");
        File.WriteAllBytes(archive, tar);
        Assert.Equal("changing\nafter\n", InteropTools.Run(tarTool, "-tf", archive));
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
