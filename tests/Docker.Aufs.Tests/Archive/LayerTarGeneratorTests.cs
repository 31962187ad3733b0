using System.Formats.Tar;
using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using System.Net.Sockets;
using System.Security.Cryptography;
using Docker.Aufs.Archive;
using Docker.Aufs.Testing;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Tests.Archive;

public sealed class LayerTarGeneratorTests
{
    internal static byte[] Generate(IFileSystem fs, IUnixMetadataProvider metadata, string diff)
    {
        using var output = new MemoryStream();
        using var sink = new LayerSink(output);
        SyncCore.Run(new LayerTarGenerator(fs, metadata, diff, NullLogger.Instance).GenerateAsync<SyncIo>(sink, null, default));
        return output.ToArray();
    }

    internal static List<TarEntry> Entries(byte[] tar)
    {
        using var reader = new TarReader(new MemoryStream(tar));
        var entries = new List<TarEntry>();
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            entries.Add(entry);
        }

        return entries;
    }

    private static (MockFileSystem Fs, BuiltRoot Root, string Diff) Mock(Action<LayerBuilder> layer)
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r", SpecialFileMode.Recorded);
        var id = builder.AddLayer(layer);
        return (fs, builder.Build(), $"/r/aufs/diff/{id}");
    }

    [Fact]
    public void Generate_FollowsDockersAufsDiffRules_ExclusionsAndWalkOrder()
    {
        var (fs, root, diff) = Mock(l => l
            .File(".wh..wh.aufs", string.Empty, mode: "0444")
            .File(".wh..wh.plnk/1234.5", "plink")
            .Directory(".wh..wh.orph", mode: "0700")
            .File(".wh..wh..opq", string.Empty)
            .File("a.txt", "a").File("a-b", "ab").File("a/child", "c").File("Z", "z").File("b", "b").File("é", "e")
            .OpaqueDirectory("dir").Whiteout("dir/gone"));

        var names = Entries(Generate(fs, root.Metadata, diff)).Select(e => e.Name).ToList();

        Assert.Equal([".wh..wh..opq", "Z", "a/", "a/child", "a-b", "a.txt", "b", "dir/", "dir/.wh..wh..opq", "dir/.wh.gone", "é"], names);
    }

    [Fact]
    public void Generate_HeadersComeFromTheMetadataSeam()
    {
        var created = new DateTimeOffset(2015, 11, 3, 12, 0, 0, TimeSpan.Zero);
        var (fs, root, diff) = Mock(l => l.Created(created)
            .File("etc/shadow", "x", mode: "0640", uid: 0, gid: 42)
            .Directory("data", mode: "0750", uid: 999, gid: 999)
            .Symlink("etc/mtab", "/proc/mounts")
            .CharacterDevice("dev/null", 1, 3)
            .Fifo("run/fifo"));

        var entries = Entries(Generate(fs, root.Metadata, diff)).ToDictionary(e => e.Name);

        Assert.Equal((UnixFileMode)0x1A0, entries["etc/shadow"].Mode);
        Assert.Equal(42, entries["etc/shadow"].Gid);
        Assert.Equal((999, 999, TarEntryType.Directory), (entries["data/"].Uid, entries["data/"].Gid, entries["data/"].EntryType));
        Assert.Equal((TarEntryType.SymbolicLink, "/proc/mounts"), (entries["etc/mtab"].EntryType, entries["etc/mtab"].LinkName));
        var device = Assert.IsAssignableFrom<PosixTarEntry>(entries["dev/null"]);
        Assert.Equal((TarEntryType.CharacterDevice, 1, 3), (device.EntryType, device.DeviceMajor, device.DeviceMinor));
        Assert.Equal(TarEntryType.Fifo, entries["run/fifo"].EntryType);
        Assert.Equal(created, entries["etc/shadow"].ModificationTime);
    }

    [Fact]
    public void Generate_OwnerAboveInt32Max_IsWrittenAsGoWritesIt_Base256()
    {
        var (fs, root, diff) = Mock(l => l.File("nobody", "x"));
        var path = diff + "/nobody";
        Assert.True(root.Metadata.TryGetStatus(path, out var status));
        root.Metadata.Record(path, status with { Uid = unchecked((int)4294967294u), Gid = int.MinValue });

        var header = Generate(fs, root.Metadata, diff).AsSpan(0, 512);

        Assert.Equal(new byte[] { 0x80, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFE }, header[108..116].ToArray());
        Assert.Equal(new byte[] { 0x80, 0, 0, 0, 0x80, 0, 0, 0 }, header[116..124].ToArray());
    }

    [Fact]
    public void Generate_HardlinksBecomeLinkEntriesToTheFirstNameInWalkOrder()
    {
        var (fs, root, diff) = Mock(l => l.File("zzz", "shared content").Hardlink("aaa", "zzz").Hardlink("mmm", "zzz"));
        var entries = Entries(Generate(fs, root.Metadata, diff));
        Assert.Equal(TarEntryType.RegularFile, entries[0].EntryType);
        Assert.Equal("aaa", entries[0].Name);
        Assert.Equal(14, entries[0].Length);
        Assert.All(entries.Skip(1), e => Assert.Equal((TarEntryType.HardLink, "aaa", 0L), (e.EntryType, e.LinkName, e.Length)));
    }

    [Fact]
    public void Generate_SecurityCapability_BecomesAPaxXattr()
    {
        var (fs, root, diff) = Mock(l => l.File("bin/ping", "elf", mode: "0755"));
        var path = diff + "/bin/ping";
        Assert.True(root.Metadata.TryGetStatus(path, out var status));
        root.Metadata.Record(path, status with { SecurityCapability = [1, 0, 0, 2, 0, 0x20, 0, 0] });

        var ping = Assert.IsType<PaxTarEntry>(Entries(Generate(fs, root.Metadata, diff)).Single(e => e.Name == "bin/ping"));
        Assert.Equal("\u0001\0\0\u0002\0 \0\0", ping.ExtendedAttributes["SCHILY.xattr.security.capability"]);
    }

    [Fact]
    public void Generate_EmptyLayer_IsTwoZeroBlocks_TheWellKnownEmptyDiffId()
    {
        var (fs, root, diff) = Mock(_ => { });
        var tar = Generate(fs, root.Metadata, diff);
        Assert.Equal(new byte[1024], tar);
        Assert.Equal("5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef", Convert.ToHexStringLower(SHA256.HashData(tar)));
    }

    [Fact]
    public void Generate_OnRealDisk_StoresSymlinksWithoutFollowingAndSkipsSockets()
    {
        using var temp = new TempDirectory();
        var diff = temp.Combine("diff");
        Directory.CreateDirectory(Path.Combine(diff, "sub"));
        File.WriteAllText(Path.Combine(diff, "sub", "file"), "content");
        File.CreateSymbolicLink(Path.Combine(diff, "etc"), "/etc");
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(diff, "sub", "sock")));
        }

        var entries = Entries(Generate(new FileSystem(), LinuxMetadataProvider.Instance, diff));

        Assert.Equal(["etc", "sub/", "sub/file"], entries.Select(e => e.Name));
        Assert.Equal((TarEntryType.SymbolicLink, "/etc"), (entries[0].EntryType, entries[0].LinkName));
    }

    [Fact]
    public void Generate_GnuTarListsTheResult()
    {
        using var temp = new TempDirectory();
        var (fs, root, diff) = Mock(l => l.File("a/" + new string('n', 120), "long").File("ü/é", "utf8").Whiteout("gone"));
        var tar = temp.Combine("layer.tar");
        File.WriteAllBytes(tar, Generate(fs, root.Metadata, diff));
        var listing = InteropTools.Run("tar", "-tf", tar).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([".wh.gone", "a/", "a/" + new string('n', 120), "ü/", "ü/é"], listing.Order(StringComparer.Ordinal));
    }
}
