using System.Security.Cryptography;
using Docker.Aufs.IO;

namespace Docker.Aufs.Tests.TestSupport;

/// <summary>Everything lstat and the bytes say about a tree on the real disk, to prove that reading changed nothing.</summary>
internal static class TreeSnapshot
{
    public static IReadOnlyList<string> Take(string root)
    {
        var lines = new List<string>();
        Walk(root, root, lines);
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

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
