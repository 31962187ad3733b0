using System.Globalization;
using System.Text;
using Docker.Aufs.IO;

namespace Docker.Aufs.Testing;

/// <summary>The entries of a layer's directory: files, directories, links, whiteouts and special files.</summary>
public sealed partial class LayerBuilder
{
    /// <summary>Adds a directory (its parents are created implicitly with mode 0755).</summary>
    /// <param name="path">The path in the layer.</param>
    /// <param name="mode">Octal permissions, default <c>0755</c>.</param>
    /// <param name="uid">The owner.</param>
    /// <param name="gid">The group.</param>
    /// <param name="modified">The modification time; default the layer's creation time.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder Directory(string path, string mode = "0755", int uid = 0, int gid = 0, DateTimeOffset? modified = null) =>
        Add(new LayerEntry(Normalize(path), UnixFileType.Directory, ParseMode(mode), uid, gid, modified));

    /// <summary>Adds a regular file with UTF-8 text content.</summary>
    /// <param name="path">The path in the layer.</param>
    /// <param name="content">The text.</param>
    /// <param name="mode">Octal permissions, default <c>0644</c>.</param>
    /// <param name="uid">The owner.</param>
    /// <param name="gid">The group.</param>
    /// <param name="modified">The modification time; default the layer's creation time.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder File(string path, string content, string mode = "0644", int uid = 0, int gid = 0, DateTimeOffset? modified = null) =>
        FileBytes(path, Encoding.UTF8.GetBytes(content ?? throw new ArgumentNullException(nameof(content))), mode, uid, gid, modified);

    /// <summary>Adds a regular file with binary content.</summary>
    /// <param name="path">The path in the layer.</param>
    /// <param name="content">The bytes.</param>
    /// <param name="mode">Octal permissions, default <c>0644</c>.</param>
    /// <param name="uid">The owner.</param>
    /// <param name="gid">The group.</param>
    /// <param name="modified">The modification time; default the layer's creation time.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder FileBytes(string path, byte[] content, string mode = "0644", int uid = 0, int gid = 0, DateTimeOffset? modified = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        return Add(new LayerEntry(Normalize(path), UnixFileType.RegularFile, ParseMode(mode), uid, gid, modified) { Content = [.. content] });
    }

    /// <summary>Adds a symbolic link. Its target is stored verbatim and never followed.</summary>
    /// <param name="path">The path in the layer.</param>
    /// <param name="target">The link target, absolute or relative.</param>
    /// <param name="uid">The owner.</param>
    /// <param name="gid">The group.</param>
    /// <param name="modified">The modification time; default the layer's creation time.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder Symlink(string path, string target, int uid = 0, int gid = 0, DateTimeOffset? modified = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        return Add(new LayerEntry(Normalize(path), UnixFileType.SymbolicLink, 0x1FF, uid, gid, modified) { LinkTarget = target });
    }

    /// <summary>Adds a hardlink to a regular file added earlier to the same layer (same inode, same content).</summary>
    /// <param name="path">The path of the new name.</param>
    /// <param name="target">The path of the existing file in this layer.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder Hardlink(string path, string target)
    {
        var normalizedTarget = Normalize(target);
        if (!_entryIndex.TryGetValue(normalizedTarget, out var index) || _entries[index].Type != UnixFileType.RegularFile)
        {
            throw new ArgumentException($"'{target}' is not a regular file added earlier to this layer.", nameof(target));
        }

        var original = _entries[index];
        return Add(original with { Path = Normalize(path), HardlinkTo = original.HardlinkTo ?? normalizedTarget });
    }

    /// <summary>Adds an AUFS whiteout: the empty file <c>&lt;dir&gt;/.wh.&lt;name&gt;</c>, which hides <paramref name="path"/> in lower layers.</summary>
    /// <param name="path">The path to hide.</param>
    /// <param name="mode">Octal permissions of the whiteout file, default <c>0644</c>.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder Whiteout(string path, string mode = "0644")
    {
        var normalized = Normalize(path);
        var slash = normalized.LastIndexOf('/');
        var whiteout = slash < 0 ? ".wh." + normalized : normalized[..(slash + 1)] + ".wh." + normalized[(slash + 1)..];
        return FileBytes(whiteout, [], mode);
    }

    /// <summary>Adds a directory marked opaque with <c>.wh..wh..opq</c>: lower layers' content of it is hidden.</summary>
    /// <param name="path">The directory.</param>
    /// <param name="mode">Octal permissions of the directory, default <c>0755</c>.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder OpaqueDirectory(string path, string mode = "0755")
    {
        Directory(path, mode);
        return FileBytes(Normalize(path) + "/.wh..wh..opq", [], "0444");
    }

    /// <summary>Adds a named pipe.</summary>
    /// <param name="path">The path in the layer.</param>
    /// <param name="mode">Octal permissions, default <c>0644</c>.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder Fifo(string path, string mode = "0644") =>
        Add(new LayerEntry(Normalize(path), UnixFileType.Fifo, ParseMode(mode), 0, 0, null));

    /// <summary>Adds a character device node.</summary>
    /// <param name="path">The path in the layer.</param>
    /// <param name="major">The major device number.</param>
    /// <param name="minor">The minor device number.</param>
    /// <param name="mode">Octal permissions, default <c>0666</c>.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder CharacterDevice(string path, uint major, uint minor, string mode = "0666") =>
        Add(new LayerEntry(Normalize(path), UnixFileType.CharacterDevice, ParseMode(mode), 0, 0, null) { Major = major, Minor = minor });

    /// <summary>Adds a block device node.</summary>
    /// <param name="path">The path in the layer.</param>
    /// <param name="major">The major device number.</param>
    /// <param name="minor">The minor device number.</param>
    /// <param name="mode">Octal permissions, default <c>0660</c>.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder BlockDevice(string path, uint major, uint minor, string mode = "0660") =>
        Add(new LayerEntry(Normalize(path), UnixFileType.BlockDevice, ParseMode(mode), 0, 0, null) { Major = major, Minor = minor });

    /// <summary>The size Docker records for the layer: the sum of the sizes of its non-directory entries, hardlinks once.</summary>
    internal long ComputeSize() =>
        _entries.Where(e => e.HardlinkTo is null).Sum(e => e.Type switch
        {
            UnixFileType.RegularFile => (long)e.Content.Length,
            UnixFileType.SymbolicLink => Encoding.UTF8.GetByteCount(e.LinkTarget!),
            _ => 0L,
        });

    internal static int ParseMode(string mode)
    {
        ArgumentException.ThrowIfNullOrEmpty(mode);
        return int.TryParse(mode, NumberStyles.None, CultureInfo.InvariantCulture, out _) && mode.All(c => c is >= '0' and <= '7') && mode.Length <= 5
            ? Convert.ToInt32(mode, 8)
            : throw new ArgumentException($"'{mode}' is not an octal mode such as \"0755\".", nameof(mode));
    }

    private LayerBuilder Add(LayerEntry entry)
    {
        if (TarSource is not null)
        {
            throw new InvalidOperationException("This layer is built from a tar; entries cannot be added one by one.");
        }

        if (IsEmptyLayer)
        {
            throw new InvalidOperationException($"This step is an empty layer; it cannot have files ('{entry.Path}').");
        }

        // Implicit parent directories, as tar extraction creates them.
        var slash = entry.Path.LastIndexOf('/');
        if (slash > 0 && !_entryIndex.ContainsKey(entry.Path[..slash]))
        {
            Add(new LayerEntry(entry.Path[..slash], UnixFileType.Directory, 0x1ED, 0, 0, null));
        }

        if (_entryIndex.TryGetValue(entry.Path, out var existing))
        {
            if (!(entry.Type == UnixFileType.Directory && _entries[existing].Type == UnixFileType.Directory))
            {
                throw new ArgumentException($"'{entry.Path}' is already in this layer.", nameof(entry));
            }

            _entries[existing] = entry;
            return this;
        }

        _entryIndex[entry.Path] = _entries.Count;
        _entries.Add(entry);
        return this;
    }

    private static string Normalize(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts.Any(p => p is "." or ".."))
        {
            throw new ArgumentException($"'{path}' is not a path inside the layer (no '.', '..' or empty path).", nameof(path));
        }

        return string.Join('/', parts);
    }
}
