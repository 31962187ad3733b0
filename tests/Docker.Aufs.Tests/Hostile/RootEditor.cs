using System.IO.Abstractions.TestingHelpers;
using System.Text;
using Docker.Aufs.IO;

namespace Docker.Aufs.Tests.Hostile;

/// <summary>
/// A private copy of a seed root that one hostile case may damage: every file, directory and recorded status is copied,
/// and each edit keeps the recorded metadata honest (a replaced or deleted path forgets its record, so the library sees
/// what an <c>lstat</c> of the damaged root would say). Paths are relative to the root.
/// </summary>
internal sealed class RootEditor
{
    private readonly RecordedMetadataProvider _metadata;

    public RootEditor(HostileSeed seed)
    {
        Seed = seed;
        FileSystem = new MockFileSystem();
        _metadata = new RecordedMetadataProvider(new FileSystemMetadataProvider(FileSystem));
        var source = (MockFileSystem)seed.FileSystem;
        foreach (var path in source.AllPaths)
        {
            var data = source.GetFile(path);
            if (data.IsDirectory)
            {
                FileSystem.AddDirectory(path);
            }
            else
            {
                FileSystem.AddFile(path, new MockFileData(data));
            }

            if (path.StartsWith(HostileSeed.RootPath, StringComparison.Ordinal) && seed.Metadata.TryGetStatus(path, out var status))
            {
                _metadata.Record(path, status);
            }
        }

        foreach (var (name, content) in HostFiles)
        {
            FileSystem.AddFile(HostileMutations.Outside + "/" + name, new MockFileData(content));
        }
    }

    /// <summary>The secret held by every file outside the root: found in any output, it was read from outside.</summary>
    public const string Secret = "HOSTILE-IN-MEMORY-SECRET-91d2";

    /// <summary>Files outside the root, shaped like what the library looks for, that links and traversal IDs point at.</summary>
    private static readonly (string Name, string Content)[] HostFiles =
    [
        ("passwd", Secret + ":x:0:0::/:/bin/sh\n"), ("json", $"{{\"id\":\"{Secret}\",\"comment\":\"{Secret}\"}}"), ("layersize", "42"),
        ("parent", Secret), ("config.json", $"{{\"ID\":\"{Secret}\"}}"), ("hostconfig.json", "{}"), ("layer/secret", Secret),
    ];

    public HostileSeed Seed { get; }

    /// <summary>Gets the copy.</summary>
    public MockFileSystem FileSystem { get; }

    /// <summary>Gets the metadata of the copy, to open it with.</summary>
    public IUnixMetadataProvider Metadata => _metadata;

    public static string Root => HostileSeed.RootPath;

    public string Full(string relative) => relative.Length == 0 ? Root : Root + "/" + relative;

    public bool IsFile(string relative) => FileSystem.File.Exists(Full(relative));

    public byte[] Read(string relative) => FileSystem.File.ReadAllBytes(Full(relative));

    public string ReadText(string relative) => Encoding.UTF8.GetString(Read(relative));

    /// <summary>Writes (or overwrites) a regular file, creating its directory.</summary>
    public void Write(string relative, byte[] content)
    {
        Remove(relative);
        FileSystem.AddFile(Full(relative), new MockFileData(content));
    }

    public void Write(string relative, string content) => Write(relative, Encoding.UTF8.GetBytes(content));

    /// <summary>Deletes a file or a whole directory (nothing when it does not exist).</summary>
    public void Delete(string relative) => Remove(relative);

    /// <summary>Replaces the entry with an empty directory (holding <paramref name="child"/> when given).</summary>
    public void MakeDirectory(string relative, string? child = null)
    {
        Remove(relative);
        FileSystem.AddDirectory(Full(relative));
        if (child is not null)
        {
            FileSystem.AddFile(Full(relative) + "/" + child, new MockFileData("x"));
        }
    }

    /// <summary>Moves a file or directory (what was recorded of both places is forgotten: lstat would see the moved entries anew).</summary>
    public void Move(string from, string to)
    {
        Remove(to);
        foreach (var path in FileSystem.AllPaths.Where(p => p == Full(from) || p.StartsWith(Full(from) + "/", StringComparison.Ordinal)).ToList())
        {
            _metadata.Forget(path);
        }

        FileSystem.Directory.Move(Full(from), Full(to));
    }

    /// <summary>Replaces the entry with a symbolic link (a real link of the in-memory file system).</summary>
    public void Symlink(string relative, string target)
    {
        Remove(relative);
        FileSystem.Directory.CreateDirectory(FileSystem.Path.GetDirectoryName(Full(relative))!);
        FileSystem.File.CreateSymbolicLink(Full(relative), target);
    }

    /// <summary>Replaces the entry with a special file: what an in-memory file system cannot hold is recorded, as lstat would report it.</summary>
    public void MakeSpecial(string relative, UnixFileType type)
    {
        Write(relative, []);
        _metadata.Record(Full(relative), new UnixFileStatus { Type = type, Permissions = 0x1A4, DeviceMajor = 1, DeviceMinor = 3 });
    }

    /// <summary>Records a status for an entry (what lstat would say of it), replacing the seed's.</summary>
    public void Record(string relative, UnixFileStatus status) => _metadata.Record(Full(relative), status);

    public IEnumerable<string> FilesUnder(string relative) =>
        FileSystem.AllFiles.Where(p => p.StartsWith(Full(relative) + "/", StringComparison.Ordinal)).Select(p => p[(Root.Length + 1)..]).Order(StringComparer.Ordinal).ToList();

    private void Remove(string relative)
    {
        var full = Full(relative);
        foreach (var path in FileSystem.AllPaths.Where(p => p == full || p.StartsWith(full + "/", StringComparison.Ordinal)).ToList())
        {
            _metadata.Forget(path);
        }

        if (FileSystem.Directory.Exists(full) && FileSystem.GetFile(full) is { IsDirectory: true } && FileSystem.GetFile(full).LinkTarget is null)
        {
            FileSystem.Directory.Delete(full, recursive: true);
        }
        else if (FileSystem.FileExists(full) || FileSystem.GetFile(full) is not null)
        {
            FileSystem.RemoveFile(full);
        }
    }
}
