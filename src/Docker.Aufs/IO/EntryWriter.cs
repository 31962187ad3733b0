using System.IO.Abstractions;

namespace Docker.Aufs.IO;

/// <summary>One entry to write into a layer directory (paths relative to it, <c>/</c>-separated).</summary>
internal sealed record LayerEntry(string Path, UnixFileType Type, int Permissions, int Uid, int Gid, DateTimeOffset? Modified)
{
    public byte[] Content { get; init; } = [];

    public string? LinkTarget { get; init; }

    public string? HardlinkTo { get; init; }

    public uint Major { get; init; }

    public uint Minor { get; init; }
}

/// <summary>
/// The write side's one way of creating entries on an <see cref="IFileSystem"/>: natively (real links, fifos, device nodes
/// and owners on Linux) or as placeholders whose real facts are recorded in <see cref="Metadata"/> (any file system,
/// including in memory); see <see cref="SpecialFileMode"/>. Used by import and by the Testing package's builder, so a root
/// written either way reads back the same.
/// </summary>
internal sealed class EntryWriter
{
    /// <summary>The device number recorded for entries written as placeholders.</summary>
    public const ulong RecordedDevice = 0x801;

    private ulong _nextInode = 1000;

    public EntryWriter(IFileSystem fileSystem, SpecialFileMode mode)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        FileSystem = fileSystem;
        var real = fileSystem is System.IO.Abstractions.FileSystem && OperatingSystem.IsLinux();
        Native = mode switch
        {
            SpecialFileMode.Native when !real => throw new ArgumentException("Native special files need the real file system on Linux.", nameof(mode)),
            SpecialFileMode.Native => true,
            SpecialFileMode.Recorded => false,
            _ => real,
        };
        Metadata = new RecordedMetadataProvider(MetadataProviders.For(fileSystem));
    }

    public IFileSystem FileSystem { get; }

    /// <summary>
    /// Gets the directory nothing is written outside of (import's staging directory): native extraction opens a layer
    /// directory from it one component at a time without following links. <see langword="null"/>: the layer directory itself.
    /// </summary>
    public string? Confinement { get; init; }

    /// <summary>Gets whether special files are created natively.</summary>
    public bool Native { get; }

    /// <summary>Gets the recorded facts of everything written (and, through its fallback, of everything else).</summary>
    public RecordedMetadataProvider Metadata { get; }

    /// <summary>Gets whether owners can be set natively (root on Linux).</summary>
    [System.Runtime.Versioning.SupportedOSPlatformGuard("linux")]
    public bool NativeOwners => Native && OperatingSystem.IsLinux() && LinuxNative.IsRoot;

    /// <summary>Returns a new synthetic inode number for a recorded entry.</summary>
    public ulong NextInode() => _nextInode++;

    /// <summary>Creates one entry at <paramref name="path"/> (a hardlink to <paramref name="hardlinkTarget"/> when <see cref="LayerEntry.HardlinkTo"/> is set).</summary>
    public void WriteEntry(LayerEntry entry, string path, string hardlinkTarget)
    {
        var fs = FileSystem;
        switch (entry.Type)
        {
            case UnixFileType.Directory:
                fs.Directory.CreateDirectory(path);
                SetMode(path, entry.Permissions);
                break;
            case UnixFileType.RegularFile when entry.HardlinkTo is not null && Native && OperatingSystem.IsLinux():
                LinuxNative.Link(hardlinkTarget, path);
                break;
            case UnixFileType.RegularFile:
                fs.File.WriteAllBytes(path, entry.Content);
                SetMode(path, entry.Permissions);
                break;
            case UnixFileType.SymbolicLink when Native:
                fs.File.CreateSymbolicLink(path, entry.LinkTarget!);
                break;
            case UnixFileType.SymbolicLink:
                fs.File.WriteAllText(path, entry.LinkTarget!);
                break;
            case UnixFileType.Fifo when Native && OperatingSystem.IsLinux():
                LinuxNative.MakeFifo(path, entry.Permissions);
                break;
            case UnixFileType.CharacterDevice or UnixFileType.BlockDevice when NativeOwners:
                LinuxNative.MakeNode(path, UnixModes.TypeBits(entry.Type) | entry.Permissions, entry.Major, entry.Minor);
                break;
            default:
                // A placeholder; the real type is in the recorded metadata.
                fs.File.WriteAllBytes(path, []);
                break;
        }

        if (NativeOwners && (entry.Uid != 0 || entry.Gid != 0))
        {
            LinuxNative.ChangeOwner(path, entry.Uid, entry.Gid);
            if (entry.Type is UnixFileType.RegularFile or UnixFileType.Directory)
            {
                SetMode(path, entry.Permissions); // chown clears set-user-ID and set-group-ID: set the mode again, as tar does
            }
        }
    }

    /// <summary>Sets permission bits where the file system can hold them (the recorded metadata carries them otherwise).</summary>
    public void SetMode(string path, int permissions)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (Native && OperatingSystem.IsLinux())
        {
            FileSystem.File.SetUnixFileMode(path, (UnixFileMode)permissions);
            return;
        }

        try
        {
            FileSystem.File.SetUnixFileMode(path, (UnixFileMode)permissions);
        }
        catch (NotSupportedException)
        {
            // The recorded metadata carries the mode.
        }
    }

    /// <summary>Sets the modification time of an entry (of a symbolic link itself, natively).</summary>
    public void SetTime(string path, UnixFileType type, DateTimeOffset time)
    {
        if (Native && OperatingSystem.IsLinux())
        {
            LinuxNative.SetModifiedTime(path, time);
        }
        else if (type == UnixFileType.Directory)
        {
            FileSystem.Directory.SetLastWriteTimeUtc(path, time.UtcDateTime);
        }
        else
        {
            FileSystem.File.SetLastWriteTimeUtc(path, time.UtcDateTime);
        }
    }

    /// <summary>Records an entry's facts as written.</summary>
    public void Record(string path, LayerEntry entry, DateTimeOffset modified, ulong inode, uint links) =>
        Metadata.Record(path, new UnixFileStatus
        {
            Type = entry.Type,
            Permissions = entry.Permissions,
            Uid = entry.Uid,
            Gid = entry.Gid,
            Size = entry.Type switch
            {
                UnixFileType.RegularFile => entry.Content.Length,
                UnixFileType.SymbolicLink => NativeName.GetByteCount(entry.LinkTarget!),
                _ => 0,
            },
            ModifiedTime = modified,
            Device = RecordedDevice,
            Inode = inode,
            LinkCount = entry.Type == UnixFileType.Directory ? 2u : links,
            DeviceMajor = entry.Major,
            DeviceMinor = entry.Minor,
            LinkTarget = entry.LinkTarget,
        });
}
