using System.Collections.Concurrent;
using System.IO.Abstractions;
using System.IO.Compression;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Union;

namespace Docker.Aufs.Drivers;

/// <summary>
/// Shows the layer directories of the overlay drivers with AUFS's conventions, so the union view, <c>docker diff</c> and
/// every reader above them work unchanged (docs/format/drivers.md §2): a whiteout, which overlay keeps as a character
/// device 0/0 under the name it hides, reads as <c>.wh.&lt;name&gt;</c>; a directory marked opaque by the extended
/// attribute <c>trusted.overlay.opaque=y</c> (<c>user.overlay.opaque</c> for rootless Docker) holds <c>.wh..wh..opq</c>.
/// Docker converts the same way when it writes an overlay layer's tar (moby v18.09 <c>pkg/archive/archive_linux.go</c>,
/// <c>overlayWhiteoutConverter</c>). Names beginning with <c>.wh.</c> that are really in such a directory are not shown:
/// Docker never leaves them there, and they would otherwise act as AUFS whiteouts.
/// </summary>
/// <threadsafety static="true" instance="true"/>
internal sealed class OverlayBranches : IUnixMetadataProvider, IUnixDirectoryReader
{
    /// <summary>The attribute that marks an opaque directory.</summary>
    public const string OpaqueAttribute = "trusted.overlay.opaque";

    /// <summary>The same mark where overlay runs without privileges (rootless Docker 20.10+, <c>userxattr</c>).</summary>
    public const string UserOpaqueAttribute = "user.overlay.opaque";

    private readonly IFileSystem _fileSystem;
    private readonly IUnixMetadataProvider _inner;
    private readonly Action<string> _opaqueUnknown;
    private readonly ConcurrentDictionary<string, byte> _knownOpaque = new(StringComparer.Ordinal);

    /// <summary>Initializes the translation over a provider of the branch directories' real metadata.</summary>
    /// <param name="fileSystem">The file system holding the branches.</param>
    /// <param name="inner">Their real <c>lstat</c> facts (and attributes, when it can read them).</param>
    /// <param name="opaqueUnknown">Called with the reason when opaque marks cannot be read (may be called more than once).</param>
    public OverlayBranches(IFileSystem fileSystem, IUnixMetadataProvider inner, Action<string> opaqueUnknown)
    {
        _fileSystem = fileSystem;
        _inner = inner;
        _opaqueUnknown = opaqueUnknown;
    }

    /// <summary>Whether an entry is an overlay whiteout: a character device with device number 0/0.</summary>
    public static bool IsWhiteout(UnixFileStatus status) => status is { Type: UnixFileType.CharacterDevice, DeviceMajor: 0, DeviceMinor: 0 };

    /// <inheritdoc/>
    public bool TryGetStatus(string path, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out UnixFileStatus? status)
    {
        var slash = path.LastIndexOf('/');
        var name = path[(slash + 1)..];
        var parent = slash <= 0 ? "/" : path[..slash];
        status = null;
        if (name == ImagePath.OpaqueMarker)
        {
            if (!IsOpaque(parent) || !_inner.TryGetStatus(parent, out var directory))
            {
                return false;
            }

            status = Marker(directory);
            return true;
        }

        if (name.StartsWith(ImagePath.WhiteoutPrefix, StringComparison.Ordinal))
        {
            var hidden = name[ImagePath.WhiteoutPrefix.Length..];
            if (hidden.Length == 0 || hidden.StartsWith(ImagePath.WhiteoutPrefix, StringComparison.Ordinal)
                || !_inner.TryGetStatus(parent + "/" + hidden, out var device) || !IsWhiteout(device))
            {
                return false;
            }

            status = Marker(device);
            return true;
        }

        if (!_inner.TryGetStatus(path, out status))
        {
            return false;
        }

        if (IsWhiteout(status))
        {
            status = null;
            return false;
        }

        return true;
    }

    /// <inheritdoc/>
    public IEnumerable<DirectoryName> ReadDirectory(string path)
    {
        // Listed before the names, as the first thing the union view needs to know about the directory.
        if (IsOpaque(path))
        {
            yield return new DirectoryName(ImagePath.OpaqueMarker, false, false);
        }

        foreach (var entry in DirectoryListing.Read(_fileSystem, _inner, path))
        {
            if (entry.Name.StartsWith(ImagePath.WhiteoutPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (entry.IsDirectory == true || entry.IsCharacterDevice == false)
            {
                yield return entry;
            }
            else if (_inner.TryGetStatus(path + "/" + entry.Name, out var status) && IsWhiteout(status))
            {
                yield return new DirectoryName(ImagePath.WhiteoutPrefix + entry.Name, false, false);
            }
            else
            {
                yield return entry;
            }
        }
    }

    /// <summary>
    /// Records that a directory is opaque because the layer's original tar says so (a <c>.wh..wh..opq</c> entry in its
    /// tar-split data): overlay2's <c>ApplyDiff</c> turned that entry into the mark, so the directory is opaque whether or
    /// not the copy being read kept the mark.
    /// </summary>
    public void RecordOpaque(string directory) => _knownOpaque.TryAdd(directory, 0);

    /// <summary>What the directory's own mark says: <see cref="AttributeAnswer.Present"/> (opaque), <see cref="AttributeAnswer.Absent"/> (readable and not there), or <see cref="AttributeAnswer.Unknown"/>.</summary>
    public AttributeAnswer ReadMark(string directory)
    {
        if (_inner is not IExtendedAttributeReader reader)
        {
            return AttributeAnswer.Unknown;
        }

        var answer = AttributeAnswer.Absent;
        var listed = ListAttributes(directory);
        foreach (var attribute in (ReadOnlySpan<string>)[OpaqueAttribute, UserOpaqueAttribute])
        {
            switch (TryGetAttribute(reader, directory, attribute, listed, out var value))
            {
                case AttributeAnswer.Present when value is [(byte)'y']:
                    return AttributeAnswer.Present;
                case AttributeAnswer.Unknown:
                    answer = AttributeAnswer.Unknown;
                    break;
            }
        }

        return answer;
    }

    /// <summary>
    /// The directories a layer's original tar marks opaque: the cleaned names of its <c>.wh..wh..opq</c> entries without
    /// that last component (<c>""</c> for the layer's top), read from its tar-split data (docs/format/drivers.md §6).
    /// </summary>
    /// <param name="fileSystem">The root's file system.</param>
    /// <param name="tarSplitPath">The layer's tar-split data.</param>
    /// <param name="isDirectory">
    /// Whether the layer holds a directory by that name; only those are kept, so what is held is bounded by the layer, not by
    /// the data (docs/hostile-input.md, "Memory bounds"). <see langword="null"/> keeps every one.
    /// </param>
    /// <exception cref="CorruptFileException">The tar-split data is not gzip, truncated or not tar-split JSON.</exception>
    /// <exception cref="UnsafePathException">The tar-split file is a symbolic link.</exception>
    public static IReadOnlyList<string> OpaqueDirectoriesOf(IFileSystem fileSystem, string tarSplitPath, Func<string, bool>? isDirectory = null)
    {
        NoFollow.RequireRegularFile(fileSystem, tarSplitPath);
        var directories = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Consider(TarSplitEntry entry)
        {
            if (entry.Type != TarSplitEntryType.File || !entry.Name.AsSpan().EndsWith(OpaqueName))
            {
                return;
            }

            var name = GoPath.Clean("/" + NativeName.Decode(entry.Name));
            if (ImagePath.NameOf(name) == ImagePath.OpaqueMarker)
            {
                var directory = name[..name.LastIndexOf('/')].TrimStart('/');
                if ((isDirectory is null || isDirectory(directory)) && seen.Add(directory))
                {
                    directories.Add(directory);
                }
            }
        }

        try
        {
            bool complete;
            using (var file = OpenTarSplit(fileSystem, tarSplitPath))
            using (var gzip = new GZipStream(file, CompressionMode.Decompress))
            {
                complete = OpaqueMarkerScan.TryScan(gzip, tarSplitPath, Consider);
            }

            if (!complete)
            {
                // A line too long to hold may name a marker: read every entry the ordinary way.
                directories.Clear();
                seen.Clear();
                using var file = OpenTarSplit(fileSystem, tarSplitPath);
                using var gzip = new GZipStream(file, CompressionMode.Decompress);
                var reader = new TarSplitReader(gzip, tarSplitPath);
                while (IoRun.Sync(reader.NextAsync<SyncIo>(CancellationToken.None)) is { } entry)
                {
                    Consider(entry);
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new CorruptFileException(tarSplitPath, $"the tar-split data is not a valid gzip stream ({e.Message})", e);
        }

        return directories;
    }

    private static FileSystemStream OpenTarSplit(IFileSystem fileSystem, string path) =>
        RootFile.OpenRead(fileSystem, path, 64 * 1024, FileOptions.SequentialScan);

    private static ReadOnlySpan<byte> OpaqueName => ".wh..wh..opq"u8;

    /// <summary>Whether a directory carries the opaque mark (or its layer's tar said it is opaque); when the mark cannot be read, says so and answers no.</summary>
    public bool IsOpaque(string directory)
    {
        if (!_knownOpaque.IsEmpty && _knownOpaque.ContainsKey(directory))
        {
            return true;
        }

        if (_inner is not IExtendedAttributeReader reader)
        {
            _opaqueUnknown("the metadata provider reads no extended attributes");
            return false;
        }

        var unknown = false;
        var listed = ListAttributes(directory);
        foreach (var attribute in (ReadOnlySpan<string>)[OpaqueAttribute, UserOpaqueAttribute])
        {
            switch (TryGetAttribute(reader, directory, attribute, listed, out var value))
            {
                case AttributeAnswer.Present:
                    return value is [(byte)'y'];
                case AttributeAnswer.Unknown:
                    unknown = true;
                    break;
            }
        }

        if (unknown)
        {
            _opaqueUnknown($"reading {OpaqueAttribute} needs root (CAP_SYS_ADMIN)");
        }

        return false;
    }

    /// <summary>On the real disk, the names of a directory's attributes in one call, so the two marks cost one call, not two (docs/benchmarks.md #9); <see langword="null"/> elsewhere.</summary>
    private string[]? ListAttributes(string directory) =>
        OperatingSystem.IsLinux() && _inner is LinuxMetadataProvider ? LinuxMetadataProvider.ListAttributes(directory) : null;

    private static AttributeAnswer TryGetAttribute(IExtendedAttributeReader reader, string directory, string attribute, string[]? listed, out byte[]? value) =>
        OperatingSystem.IsLinux() && listed is not null && reader is LinuxMetadataProvider
            ? LinuxMetadataProvider.TryGetListedAttribute(directory, attribute, listed, out value)
            : reader.TryGetAttribute(directory, attribute, out value);

    /// <summary>The status shown for a marker name: an empty regular file with the times and owner of what it stands for.</summary>
    private static UnixFileStatus Marker(UnixFileStatus source) => source with
    {
        Type = UnixFileType.RegularFile,
        Size = 0,
        DeviceMajor = 0,
        DeviceMinor = 0,
        LinkTarget = null,
        SecurityCapability = null,
    };
}
