using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Testing;
using Docker.Aufs.IO;
using Docker.Aufs.Union;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Union;

/// <summary>The forensic guarantee for the merged view, containers, diff and export: reading changes nothing in the root.</summary>
public sealed class ReadOnlyUnionTests
{
    private static List<string> Snapshot(MockFileSystem fs, string root) =>
        [.. fs.AllPaths.Where(p => p.StartsWith(root, StringComparison.Ordinal)).Order(StringComparer.Ordinal).Select(p =>
        {
            var file = fs.GetFile(p);
            return $"{p} {file.Attributes} {file.LastWriteTime.Ticks} {file.CreationTime.Ticks} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(file.Contents))}";
        })];

    [Fact]
    public void EveryUnionOperation_LeavesTheRootAsItWas()
    {
        var fs = new MockFileSystem();
        var sample = SampleRoots.Write(fs, "/r", SpecialFileMode.Recorded);
        var before = Snapshot(fs, "/r");
        var root = sample.Open();

        Assert.Single(root.GetContainers());
        foreach (var view in new[] { root.OpenContainer("redis-cache"), root.OpenImage("redis"), root.OpenLayer(SampleRoots.BusyboxId) })
        {
            foreach (var entry in view.EnumerateRecursive())
            {
                _ = (entry.Permissions, entry.Uid, entry.ModifiedTime, entry.LinkTarget);
                if (entry.Type == UnixFileType.RegularFile)
                {
                    using var stream = view.OpenEntry(entry);
                    stream.CopyTo(Stream.Null);
                }
            }

            view.WriteTar(Stream.Null, TestContext.Current.CancellationToken);
            var files = new UnionFileSystem(view);
            Assert.NotEmpty(files.Directory.GetFileSystemEntries("/", "*", SearchOption.AllDirectories));
            Assert.Throws<UnauthorizedAccessException>(() => files.File.WriteAllText("/etc/passwd", "x"));
        }

        Assert.NotEmpty(root.OpenContainer("redis-cache").GetChanges());
        Assert.Equal(before, Snapshot(fs, "/r"));
    }
}
