using System.IO.Abstractions.TestingHelpers;
using System.Security.Cryptography;
using Docker.Aufs.IO;

namespace Docker.Aufs.Tests.TestSupport;

/// <summary>Everything lstat and the bytes say about a tree on the real disk (or what an in-memory file system holds), to prove that reading changed nothing.</summary>
internal static class TreeSnapshot
{
    public static IReadOnlyList<string> Take(string root)
    {
        var lines = new List<string>();
        Walk(root, root, lines);
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    /// <summary>What an in-memory file system knows of each entry under <paramref name="root"/>: bytes, attributes, link target, write and creation times (reading sets the access time, as on disk).</summary>
    public static IReadOnlyList<string> Take(MockFileSystem fileSystem, string root) =>
        [.. fileSystem.AllPaths.Where(p => p == root || p.StartsWith(root + "/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).Select(p =>
        {
            var file = fileSystem.GetFile(p);
            return $"{p} {file.Attributes} {file.LastWriteTime.Ticks} {file.CreationTime.Ticks} {file.LinkTarget} " +
                Convert.ToHexString(SHA256.HashData(file.Contents));
        })];

    private static void Walk(string root, string directory, List<string> lines)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(directory))
        {
            Assert.True(LinuxMetadataProvider.Instance.TryGetStatus(path, out var s), path);
            var hash = s.Type == UnixFileType.RegularFile ? Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))) : "-";
            lines.Add($"{Path.GetRelativePath(root, path)} {s.Type} {s.Permissions:x} {s.Uid}:{s.Gid} {s.Size} {s.Inode} {s.LinkCount} {s.ModifiedTime.UtcTicks} {s.LinkTarget} {hash}");
            if (s.Type == UnixFileType.Directory)
            {
                Walk(root, path, lines);
            }
        }
    }
}
