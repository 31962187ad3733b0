using System.Formats.Tar;

namespace Docker.Aufs.Tests.TestSupport;

/// <summary>One path of a file tree, as the tree comparisons see it.</summary>
internal sealed record TreeEntry(char Type, int Mode, long Size, string? LinkTarget);

/// <summary>
/// Applies layer tars base first with Docker's rules (docs/format/graph-era.md §7): <c>.wh.X</c> removes X, <c>.wh..wh..opq</c> empties its
/// directory of what lower layers put there, a later entry replaces an earlier one unless both are directories. The expected
/// result of unpacking an exported image, computed independently of the code under test.
/// </summary>
internal static class LayerApplier
{
    public static SortedDictionary<string, TreeEntry> Apply(IEnumerable<byte[]> layersBaseFirst)
    {
        var tree = new SortedDictionary<string, TreeEntry>(StringComparer.Ordinal);
        foreach (var layer in layersBaseFirst)
        {
            var added = new HashSet<string>(StringComparer.Ordinal);
            using var reader = new TarReader(new MemoryStream(layer));
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                var name = Clean(entry.Name);
                if (name.Length == 0)
                {
                    continue;
                }

                var slash = name.LastIndexOf('/');
                var directory = slash < 0 ? string.Empty : name[..slash];
                var baseName = name[(slash + 1)..];
                if (baseName == ".wh..wh..opq")
                {
                    foreach (var child in tree.Keys.Where(k => IsUnder(k, directory) && !added.Contains(k)).ToList())
                    {
                        tree.Remove(child);
                    }

                    continue;
                }

                if (baseName.StartsWith(".wh.", StringComparison.Ordinal))
                {
                    var hidden = (directory.Length == 0 ? string.Empty : directory + "/") + baseName[4..];
                    foreach (var gone in tree.Keys.Where(k => k == hidden || k.StartsWith(hidden + "/", StringComparison.Ordinal)).ToList())
                    {
                        tree.Remove(gone);
                    }

                    continue;
                }

                var parts = name.Split('/');
                for (var i = 1; i < parts.Length; i++)
                {
                    var parent = string.Join('/', parts[..i]);
                    if (!tree.ContainsKey(parent))
                    {
                        tree[parent] = new TreeEntry('d', 0x1ED, 0, null);
                    }
                }

                if (tree.TryGetValue(name, out var existing) && !(existing.Type == 'd' && entry.EntryType == TarEntryType.Directory))
                {
                    foreach (var gone in tree.Keys.Where(k => k.StartsWith(name + "/", StringComparison.Ordinal)).ToList())
                    {
                        tree.Remove(gone);
                    }
                }

                tree[name] = entry.EntryType switch
                {
                    TarEntryType.Directory => new TreeEntry('d', (int)entry.Mode, 0, null),
                    TarEntryType.SymbolicLink => new TreeEntry('l', 0x1FF, 0, entry.LinkName),
                    TarEntryType.HardLink => tree[Clean(entry.LinkName)],
                    TarEntryType.CharacterDevice => new TreeEntry('c', (int)entry.Mode, 0, null),
                    TarEntryType.BlockDevice => new TreeEntry('b', (int)entry.Mode, 0, null),
                    TarEntryType.Fifo => new TreeEntry('p', (int)entry.Mode, 0, null),
                    _ => new TreeEntry('f', (int)entry.Mode, entry.Length, null),
                };
                added.Add(name);
            }
        }

        return tree;
    }

    /// <summary>Reads a directory tree on disk (not following symbolic links) in the same shape.</summary>
    public static SortedDictionary<string, TreeEntry> Read(string root)
    {
        var tree = new SortedDictionary<string, TreeEntry>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            foreach (var path in Directory.EnumerateFileSystemEntries(pending.Pop(), "*", new EnumerationOptions { AttributesToSkip = 0 }))
            {
                var info = new FileInfo(path);
                var name = Path.GetRelativePath(root, path).Replace('\\', '/');
                if (info.LinkTarget is { } target)
                {
                    tree[name] = new TreeEntry('l', 0x1FF, 0, target);
                }
                else if (Directory.Exists(path))
                {
                    tree[name] = new TreeEntry('d', (int)File.GetUnixFileMode(path), 0, null);
                    pending.Push(path);
                }
                else
                {
                    tree[name] = new TreeEntry('f', (int)File.GetUnixFileMode(path), info.Length, null);
                }
            }
        }

        return tree;
    }

    private static bool IsUnder(string path, string directory) =>
        directory.Length == 0 ? path.Length > 0 : path.StartsWith(directory + "/", StringComparison.Ordinal);

    private static string Clean(string name) => string.Join('/', name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != "."));
}
