using System.Formats.Tar;
using System.IO.Abstractions;
using System.Text.Json;
using Docker.Aufs.Drivers.Aufs;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.Union;

namespace Docker.Aufs.Tests.Union;

/// <summary>
/// The merged view of an image equals what applying its layer tars in order gives. The layers are those of
/// dive-test-image.tar (a real <c>docker save</c>, with whiteouts of a file and of a whole directory), read here with
/// System.Formats.Tar, applied with the whiteout rules of docs/format/graph-era.md §7 into an expected tree, and also written as
/// AUFS branches (in memory with the builder, on the real disk by extraction) and read back through the view.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DiveFixtureTests
{
    private static readonly Lazy<(List<string> Ids, List<byte[]> Tars)> Layers = new(ReadLayers);

    [Fact]
    public void Expected_AppliedLayers_MatchTheFixturesReadme()
    {
        var expected = Apply(Layers.Value.Tars);

        Assert.DoesNotContain("root/example", expected.Keys);
        Assert.DoesNotContain(expected.Keys, p => p.EndsWith("somefile3.txt", StringComparison.Ordinal));
        Assert.Equal(0x1ED /* 0755 */, expected["root/saved.txt"].Mode);
    }

    [Fact]
    public void GetImageView_DiveLayersBuiltInMemory_EqualsTheLayersAppliedInOrder()
    {
        var (ids, tars) = Layers.Value;
        using var root = TestRoot.Build(Disk.Memory, builder =>
        {
            for (var i = 0; i < ids.Count; i++)
            {
                var index = i;
                builder.AddLayer(l =>
                {
                    l.Id(ids[index]).Parent(index == 0 ? null : ids[index - 1]);
                    foreach (var entry in Entries(tars[index]))
                    {
                        var mode = Convert.ToString((int)entry.Mode, 8).PadLeft(4, '0');
                        var name = Clean(entry.Name);
                        switch (entry.EntryType)
                        {
                            case TarEntryType.Directory:
                                l.Directory(name, mode, entry.Uid, entry.Gid, entry.ModificationTime);
                                break;
                            case TarEntryType.SymbolicLink:
                                l.Symlink(name, entry.LinkName, entry.Uid, entry.Gid, entry.ModificationTime);
                                break;
                            case TarEntryType.HardLink:
                                l.Hardlink(name, Clean(entry.LinkName));
                                break;
                            default:
                                l.FileBytes(name, ReadData(entry), mode, entry.Uid, entry.Gid, entry.ModificationTime);
                                break;
                        }
                    }
                });
            }

            builder.Tag("dive-test:latest", ids[^1]);
        });

        var view = root.Open().OpenImage("dive-test");

        AssertSameTree(Apply(tars), view, owners: true);
    }

    [Fact]
    public void ForAufsLayer_DiveLayersExtractedOnTheRealDisk_EqualsTheLayersAppliedInOrder()
    {
        var (ids, tars) = Layers.Value;
        using var directory = new TempDirectory();
        var aufs = directory.Combine("aufs");
        for (var i = 0; i < ids.Count; i++)
        {
            var diff = System.IO.Path.Combine(aufs, "diff", ids[i]);
            Directory.CreateDirectory(diff);
            using (var tar = new MemoryStream(tars[i]))
            {
                TarExtraction.Extract(tar, diff);
            }

            Directory.CreateDirectory(System.IO.Path.Combine(aufs, "layers"));
            File.WriteAllText(System.IO.Path.Combine(aufs, "layers", ids[i]), string.Concat(ids.Take(i).Reverse().Select(id => id + "\n")));
        }

        var view = AufsViews.Open(new AufsDriver(new FileSystem(), aufs), ids[^1], LinuxMetadataProvider.Instance);

        AssertSameTree(Apply(tars), view, owners: TarExtraction.IsRoot);
        Assert.Equal(0x1ED /* -rwxr-xr-x */, view.GetEntry("root/saved.txt").Permissions);
        Assert.False(view.TryGetEntry("root/example", followSymbolicLinks: false, out _));
    }

    private static void AssertSameTree(Dictionary<string, Node> expected, UnionView view, bool owners)
    {
        var entries = view.EnumerateRecursive().ToList();
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), entries.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.Equal(expected.Count, entries.Count);
        var byPath = entries.ToDictionary(e => e.Path, StringComparer.Ordinal);
        foreach (var (path, node) in expected)
        {
            var entry = byPath[path];
            Assert.True(node.Type == entry.Type, $"{path}: {node.Type} expected, {entry.Type} found");
            Assert.True(node.Mode == entry.Permissions, $"{path}: mode {node.Mode:x} expected, {entry.Permissions:x} found");
            Assert.True(node.Time.ToUnixTimeSeconds() == entry.ModifiedTime.ToUnixTimeSeconds(), $"{path}: time {node.Time} expected, {entry.ModifiedTime} found");
            if (owners)
            {
                Assert.True((node.Uid, node.Gid) == (entry.Uid, entry.Gid), $"{path}: owner {node.Uid}:{node.Gid} expected, {entry.Uid}:{entry.Gid} found");
            }

            switch (node.Type)
            {
                case UnixFileType.RegularFile:
                    using (var stream = view.OpenRead(path))
                    using (var copy = new MemoryStream())
                    {
                        stream.CopyTo(copy);
                        Assert.True(node.Content!.AsSpan().SequenceEqual(copy.ToArray()), $"{path}: content differs");
                    }

                    Assert.Equal(node.Content!.Length, entry.Size);
                    break;
                case UnixFileType.SymbolicLink:
                    Assert.Equal(node.LinkTarget, entry.LinkTarget);
                    break;
                default:
                    break;
            }
        }

        // Names that were one file in a layer tar are one file (one inode) in the view.
        foreach (var group in expected.Where(e => e.Value.Group is not null).GroupBy(e => e.Value.Group))
        {
            var first = byPath[group.First().Key];
            Assert.All(group, member => Assert.True(byPath[member.Key].IsHardlinkOf(first), $"{member.Key} should be a hardlink of {first.Path}"));
        }

        Assert.Equal(393, expected.Values.Count(n => n.Group == "bin/[")); // bin/[ and its 392 hardlinks
    }

    /// <summary>Applies the layer tars in order, base first, as Docker's UnpackLayer does (docs/format/graph-era.md §7).</summary>
    private static Dictionary<string, Node> Apply(List<byte[]> tars)
    {
        var tree = new Dictionary<string, Node>(StringComparer.Ordinal);
        foreach (var tar in tars)
        {
            var added = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in Entries(tar))
            {
                var name = Clean(entry.Name);
                var slash = name.LastIndexOf('/');
                var directory = slash < 0 ? string.Empty : name[..slash];
                var baseName = name[(slash + 1)..];
                if (baseName == ".wh..wh..opq")
                {
                    foreach (var path in tree.Keys.Where(p => IsBelow(p, directory) && !added.Contains(p)).ToList())
                    {
                        tree.Remove(path);
                    }

                    continue;
                }

                if (directory.Length == 0 && name.StartsWith(".wh..wh.", StringComparison.Ordinal))
                {
                    continue;
                }

                if (baseName.StartsWith(".wh.", StringComparison.Ordinal))
                {
                    RemoveAll(tree, (directory.Length == 0 ? string.Empty : directory + "/") + baseName[4..]);
                    continue;
                }

                var isDirectory = entry.EntryType == TarEntryType.Directory;
                if (tree.TryGetValue(name, out var existing) && !(existing.Type == UnixFileType.Directory && isDirectory))
                {
                    RemoveAll(tree, name);
                }

                var node = entry.EntryType switch
                {
                    TarEntryType.Directory => new Node(UnixFileType.Directory, (int)entry.Mode, entry.Uid, entry.Gid, entry.ModificationTime, null, null, null),
                    TarEntryType.SymbolicLink => new Node(UnixFileType.SymbolicLink, 0x1FF, entry.Uid, entry.Gid, entry.ModificationTime, null, entry.LinkName, null),
                    TarEntryType.HardLink => tree[Clean(entry.LinkName)] with { Group = Clean(entry.LinkName) },
                    _ => new Node(UnixFileType.RegularFile, (int)entry.Mode, entry.Uid, entry.Gid, entry.ModificationTime, ReadData(entry), null, null),
                };
                if (entry.EntryType == TarEntryType.HardLink)
                {
                    tree[Clean(entry.LinkName)] = node;
                }

                tree[name] = node;
                added.Add(name);
            }
        }

        return tree;
    }

    private static void RemoveAll(Dictionary<string, Node> tree, string path)
    {
        tree.Remove(path);
        foreach (var below in tree.Keys.Where(p => IsBelow(p, path)).ToList())
        {
            tree.Remove(below);
        }
    }

    private static bool IsBelow(string path, string directory) =>
        directory.Length == 0 ? path.Length > 0 : path.StartsWith(directory + "/", StringComparison.Ordinal);

    private static string Clean(string name) => name.TrimStart('.', '/').TrimEnd('/');

    private static byte[] ReadData(TarEntry entry)
    {
        if (entry.DataStream is null)
        {
            return [];
        }

        using var copy = new MemoryStream();
        entry.DataStream.CopyTo(copy);
        return copy.ToArray();
    }

    private static IEnumerable<TarEntry> Entries(byte[] tar)
    {
        using var reader = new TarReader(new MemoryStream(tar));
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            yield return entry;
        }
    }

    private static (List<string> Ids, List<byte[]> Tars) ReadLayers()
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using (var reader = new TarReader(File.OpenRead(Fixtures.Path("dive-test-image.tar"))))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.DataStream is not null)
                {
                    files[entry.Name] = ReadData(entry);
                }
            }
        }

        using var manifest = JsonDocument.Parse(files["manifest.json"]);
        var layers = manifest.RootElement[0].GetProperty("Layers").EnumerateArray().Select(l => l.GetString()!).ToList();
        Assert.Equal(14, layers.Count);
        return ([.. layers.Select(l => l[..l.IndexOf('/', StringComparison.Ordinal)])], [.. layers.Select(l => files[l])]);
    }

    private sealed record Node(UnixFileType Type, int Mode, int Uid, int Gid, DateTimeOffset Time, byte[]? Content, string? LinkTarget, string? Group);
}
