using System.IO.Abstractions;
using System.IO.Compression;
using System.Text;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;

namespace Docker.Aufs.Drivers;

/// <summary>
/// Applies a layer tar to a layer directory as Docker applied it to AUFS (entries extracted verbatim, whiteouts kept as
/// files) and writes its tar-split data in one pass, so the layer's tar reassembles byte for byte. Used by import and by
/// the Testing package's builder.
/// </summary>
internal static class LayerTarApplier
{
    /// <summary>The most bytes accepted after the end-of-archive blocks (tar-split keeps them in one JSON line).</summary>
    private const int MaxRemainder = 64 * 1024 * 1024;

    /// <summary>Extracts <paramref name="tar"/> into <paramref name="directory"/> and writes gzip-compressed tar-split data to <paramref name="tarSplit"/>.</summary>
    /// <returns>The layer size as Docker's <c>DiffSize</c> computes it.</returns>
    /// <exception cref="ArchiveFormatException">The tar is not a layer tar Docker would apply.</exception>
    /// <exception cref="UnsafePathException">An entry or link leads outside the layer directory.</exception>
    public static long Apply(EntryWriter writer, Stream tar, string directory, Stream tarSplit, TarSplitDialect dialect, string source)
    {
        using var extraction = new TarExtraction(writer, directory, source);
        Pack(tar, tarSplit, dialect, source, extraction.Apply);
        return extraction.Finish();
    }

    /// <summary>
    /// Writes gzip-compressed tar-split data of <paramref name="tar"/> to <paramref name="tarSplit"/> without extracting it,
    /// as tar-split's <c>disasm</c> does: for a layer tar made from files already in place.
    /// </summary>
    /// <exception cref="ArchiveFormatException">The tar is not a layer tar Docker would apply.</exception>
    public static void Disassemble(Stream tar, Stream tarSplit, TarSplitDialect dialect, string source) =>
        Pack(tar, tarSplit, dialect, source, TarExtraction.Drain);

    /// <summary>The one tar-split writing loop: each entry's raw header segment, its file record (with the CRC <paramref name="content"/> gives), the padding and the end.</summary>
    private static void Pack(Stream tar, Stream tarSplit, TarSplitDialect dialect, string source, Func<TarEntryHeader, TarStreamReader, byte[], ulong?> content)
    {
        using var gzip = new GZipStream(tarSplit, CompressionLevel.Optimal, leaveOpen: true);
        var packer = new TarSplitWriter(gzip, dialect);
        var reader = new TarStreamReader(tar);
        var buffer = new byte[1024 * 1024];
        try
        {
            while (IoRun.Sync(reader.NextAsync<SyncIo>(default)) is { } header)
            {
                AddSegment(packer, reader.TakeRaw());
                var crc = content(header, reader, buffer);
                if (!IoRun.Sync(packer.AddFileAsync<SyncIo>(header.Name, header.Size, crc, default)))
                {
                    throw new ArchiveFormatException(source, Printable(header.Name),
                        "the tar holds this path twice, which Docker 1.8.2 and later refuse (tar-split: duplicates of file paths not supported)");
                }

                AddSegment(packer, reader.TakeRaw());
            }

            AddSegment(packer, reader.TakeRaw());

            // tar-split always ends with whatever follows the end-of-archive blocks, even nothing.
            var remainder = IoRun.Sync(reader.ReadRemainderAsync<SyncIo>(MaxRemainder, default));
            IoRun.Sync(packer.AddSegmentAsync<SyncIo>(remainder, default));
        }
        catch (TarFormatException e)
        {
            throw new ArchiveFormatException(source, null, e.Message, e);
        }
    }

    private static void AddSegment(TarSplitWriter packer, byte[] raw)
    {
        if (raw.Length > 0)
        {
            IoRun.Sync(packer.AddSegmentAsync<SyncIo>(raw, default));
        }
    }

    private static string Printable(byte[] name) => DockerIds.Printable(Encoding.UTF8.GetString(name));

    /// <summary>
    /// Extracts one layer tar into its <c>diff/</c> directory as Docker 1.9's <c>archive.Untar</c> did for AUFS: names cleaned,
    /// the root entry skipped, missing parents created, an existing path replaced unless both are directories, whiteouts kept
    /// as ordinary files, hardlinks inside the layer, device nodes, fifos and symbolic links created (or recorded where the
    /// file system cannot hold them), owners, extended attributes, modes and times applied in Docker's order, directory modes
    /// and times last. Names that climb out of the layer, symbolic links whose target would, and paths through symbolic
    /// links are refused.
    /// </summary>
    /// <remarks>
    /// On the real Linux file system with native special files every change goes through <see cref="LayerDirectoryHandle"/>:
    /// directory descriptors opened without following links, so a link put in the layer directory while it is written is
    /// refused too, not only one the tar itself made. The work is linear in the tar: each hardlink is one lookup, and link
    /// counts are recorded once at the end (docs/hostile-input.md, "Import amplification").
    /// </remarks>
    private sealed class TarExtraction : IDisposable
    {
        private readonly EntryWriter _writer;
        private readonly IFileSystem _fs;
        private readonly string _root;
        private readonly string _source;
        private readonly LayerDirectoryHandle? _native;
        private readonly Dictionary<string, Tracked> _entries = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (int Permissions, DateTimeOffset Time)> _directories = new(StringComparer.Ordinal);
        private readonly List<string> _directoryOrder = [];

        public TarExtraction(EntryWriter writer, string root, string source)
        {
            _writer = writer;
            _fs = writer.FileSystem;
            _root = root;
            _source = source;
            if (writer.Native && OperatingSystem.IsLinux())
            {
                var confinement = writer.Confinement ?? root;
                var relative = _fs.Path.GetRelativePath(confinement, root).Replace('\\', '/');
                if (relative == ".." || relative.StartsWith("../", StringComparison.Ordinal) || _fs.Path.IsPathRooted(relative))
                {
                    throw new ArgumentException($"The layer directory {root} is not inside {confinement}.", nameof(root));
                }

                _native = LayerDirectoryHandle.Open(confinement, relative == "." ? string.Empty : relative, source);
            }
        }

        [System.Runtime.Versioning.SupportedOSPlatformGuard("linux")]
        private bool Native => _native is not null;

        public void Dispose()
        {
            if (Native)
            {
                _native!.Dispose();
            }
        }

        /// <summary>Applies one entry, consuming its content; returns the CRC-64 of the content (none for size 0).</summary>
        public ulong? Apply(TarEntryHeader header, TarStreamReader reader, byte[] buffer)
        {
            // On disk a name that is not UTF-8 is created with its bytes (NativeName, through the directory handles);
            // a file system reached through .NET's path APIs would write U+FFFD instead, so it refuses such a name.
            if (!Native && !System.Text.Unicode.Utf8.IsValid(header.Name))
            {
                throw new ArchiveFormatException(_source, Printable(header.Name), "the name is not UTF-8, and this platform creates files by UTF-8 names only");
            }

            var name = GoPath.Clean(NativeName.Decode(header.Name)).TrimStart('/');
            if (name is "" or "." || header.Typeflag == TarType.PaxGlobalHeader)
            {
                return Drain(header, reader, buffer); // the root itself (Docker merges nothing into it), or a global PAX header (ignored)
            }

            if (name == ".." || name.StartsWith("../", StringComparison.Ordinal))
            {
                throw new UnsafePathException(_source, DockerIds.Printable(name), "the entry would be written outside the layer directory");
            }

            var time = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(header.ModTimeSeconds, 0, 253402300799));
            EnsureParents(name, time);
            var path = _fs.Path.Combine(_root, name);
            var isDirectory = header.Typeflag == TarType.Directory;
            if (_entries.TryGetValue(name, out var existing) && !(existing.Type == UnixFileType.Directory && isDirectory))
            {
                Remove(name, path, existing);
            }

            var permissions = (int)(header.Mode & 0xFFF);
            var uid = (int)header.Uid;
            var gid = (int)header.Gid;
            var setOwner = _writer.NativeOwners;
            ulong? crc = null;
            Tracked? tracked;
            switch (header.Typeflag)
            {
                case TarType.Directory:
                    if (Native)
                    {
                        _native!.CreateDirectory(name, uid, gid, setOwner, header.Xattrs);
                    }
                    else
                    {
                        _fs.Directory.CreateDirectory(path);
                    }

                    SetDirectory(name, permissions, time);
                    tracked = _entries.TryGetValue(name, out var directory) ? directory : new Tracked(UnixFileType.Directory, _writer.NextInode(), 0);
                    crc = Drain(header, reader, buffer);
                    break;
                case TarType.Regular or TarType.RegularA or TarType.Contiguous:
                    crc = WriteContent(name, path, header, reader, buffer, permissions, time);
                    tracked = new Tracked(UnixFileType.RegularFile, _writer.NextInode(), header.Size);
                    break;
                case TarType.HardLink:
                    tracked = Link(name, path, header);
                    crc = Drain(header, reader, buffer);
                    break;
                case TarType.Symlink:
                    tracked = Symlink(name, path, header, time);
                    crc = Drain(header, reader, buffer);
                    break;
                case TarType.CharDevice or TarType.BlockDevice or TarType.Fifo:
                    var type = header.Typeflag switch { TarType.CharDevice => UnixFileType.CharacterDevice, TarType.BlockDevice => UnixFileType.BlockDevice, _ => UnixFileType.Fifo };
                    tracked = Node(name, path, header, type, permissions, time);
                    crc = Drain(header, reader, buffer);
                    break;
                default:
                    throw new ArchiveFormatException(_source, DockerIds.Printable(name), $"the tar entry type '{(char)header.Typeflag}' ({header.Typeflag}) is not one Docker applies");
            }

            if (tracked is null)
            {
                return crc; // a device node a non-root import skips, as rootless Docker does
            }

            _entries[name] = tracked;
            if (header.Typeflag != TarType.HardLink)
            {
                Record(path, tracked, header, permissions, time);
            }

            return crc;
        }

        /// <summary>Applies directory modes and times (last, as Docker does), records link counts, and returns the layer size as Docker's <c>DiffSize</c>.</summary>
        public long Finish()
        {
            for (var i = _directoryOrder.Count - 1; i >= 0; i--)
            {
                var name = _directoryOrder[i];
                if (!_directories.TryGetValue(name, out var applied) || !_entries.TryGetValue(name, out var entry) || entry.Type != UnixFileType.Directory)
                {
                    continue; // replaced or removed by a later entry
                }

                var (permissions, time) = applied;
                if (Native)
                {
                    _native!.FinishDirectory(name, permissions, time);
                }
                else
                {
                    var path = _fs.Path.Combine(_root, name);
                    _writer.SetMode(path, permissions);
                    _writer.SetTime(path, UnixFileType.Directory, time);
                }
            }

            var counted = new HashSet<Tracked>(ReferenceEqualityComparer.Instance);
            long size = 0;
            foreach (var entry in _entries.Values)
            {
                if (entry.Type != UnixFileType.Directory && counted.Add(entry))
                {
                    size += entry.Size;
                    foreach (var name in entry.Names ?? [])
                    {
                        var path = _fs.Path.Combine(_root, name);
                        if (_writer.Metadata.TryGetStatus(path, out var status))
                        {
                            _writer.Metadata.Record(path, status with { LinkCount = (uint)entry.Names!.Count });
                        }
                    }
                }
            }

            return size;
        }

        private void SetDirectory(string name, int permissions, DateTimeOffset time)
        {
            if (!_directories.ContainsKey(name))
            {
                _directoryOrder.Add(name);
            }

            _directories[name] = (permissions, time);
        }

        private ulong? WriteContent(string name, string path, TarEntryHeader header, TarStreamReader reader, byte[] buffer, int permissions, DateTimeOffset time)
        {
            var crc = 0UL;
            using (Stream file = Native ? _native!.CreateFile(name) : _fs.FileStream.New(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None))
            {
                int read;
                while ((read = IoRun.Sync(reader.ReadContentAsync<SyncIo>(buffer, default))) > 0)
                {
                    crc = Crc64Iso.Update(crc, buffer.AsSpan(0, read));
                    file.Write(buffer, 0, read);
                }

                if (Native)
                {
                    // Owner, attributes, mode, times: Docker's order, by descriptor.
                    LayerDirectoryHandle.FinishFile((FileStream)file, name, (int)header.Uid, (int)header.Gid, _writer.NativeOwners, header.Xattrs, permissions, time);
                }
            }

            if (!Native)
            {
                _writer.SetMode(path, permissions);
                _writer.SetTime(path, UnixFileType.RegularFile, time);
            }

            return header.Size > 0 ? crc : null;
        }

        /// <summary>Reads an entry's content without writing it; returns its CRC-64 (none for an empty one).</summary>
        internal static ulong? Drain(TarEntryHeader header, TarStreamReader reader, byte[] buffer)
        {
            var crc = 0UL;
            int read;
            while ((read = IoRun.Sync(reader.ReadContentAsync<SyncIo>(buffer, default))) > 0)
            {
                crc = Crc64Iso.Update(crc, buffer.AsSpan(0, read));
            }

            return header.Size > 0 ? crc : null;
        }

        private Tracked Link(string name, string path, TarEntryHeader header)
        {
            var target = GoPath.Clean(NativeName.Decode(header.Linkname)).TrimStart('/');
            if (target == ".." || target.StartsWith("../", StringComparison.Ordinal))
            {
                throw new UnsafePathException(_source, DockerIds.Printable(name), $"its hardlink target '{DockerIds.Printable(target)}' is outside the layer directory");
            }

            if (!_entries.TryGetValue(target, out var original) || original.Type is UnixFileType.Directory)
            {
                throw new ArchiveFormatException(_source, DockerIds.Printable(name), $"it is a hardlink to '{DockerIds.Printable(target)}', which is not a file of this layer");
            }

            var targetPath = _fs.Path.Combine(_root, target);
            if (Native)
            {
                _native!.CreateHardlink(name, target);
            }
            else
            {
                _fs.File.Copy(targetPath, path);
            }

            // Both names now share the inode (one Tracked): one more name; the link counts are recorded once, in Finish.
            original.Names ??= [target];
            original.Names.Add(name);
            if (_writer.Metadata.TryGetStatus(targetPath, out var shared))
            {
                _writer.Metadata.Record(path, shared);
            }

            return original;
        }

        private Tracked Symlink(string name, string path, TarEntryHeader header, DateTimeOffset time)
        {
            var target = NativeName.Decode(header.Linkname);
            var parent = name.Contains('/', StringComparison.Ordinal) ? name[..name.LastIndexOf('/')] : string.Empty;
            var resolved = GoPath.Clean(parent.Length == 0 ? target.TrimStart('/') : target.StartsWith('/') ? target : parent + "/" + target).TrimStart('/');
            if (!target.StartsWith('/') && (resolved == ".." || resolved.StartsWith("../", StringComparison.Ordinal)))
            {
                throw new UnsafePathException(_source, DockerIds.Printable(name), $"its symbolic link target '{DockerIds.Printable(target)}' leads outside the layer directory");
            }

            if (Native)
            {
                _native!.CreateSymlink(name, target, (int)header.Uid, (int)header.Gid, _writer.NativeOwners, header.Xattrs, time);
            }
            else
            {
                _writer.WriteEntry(new LayerEntry(name, UnixFileType.SymbolicLink, 0x1FF, (int)header.Uid, (int)header.Gid, null) { LinkTarget = target }, path, path);
                _writer.SetTime(path, UnixFileType.SymbolicLink, time);
            }

            return new Tracked(UnixFileType.SymbolicLink, _writer.NextInode(), NativeName.GetByteCount(target));
        }

        /// <summary>A fifo or device node; <see langword="null"/> for a device a non-root import cannot create (rootless Docker skips those too).</summary>
        private Tracked? Node(string name, string path, TarEntryHeader header, UnixFileType type, int permissions, DateTimeOffset time)
        {
            if (Native)
            {
                if (type != UnixFileType.Fifo && !_writer.NativeOwners)
                {
                    return null;
                }

                _native!.CreateNode(name, type, permissions, (uint)header.DevMajor, (uint)header.DevMinor, (int)header.Uid, (int)header.Gid, _writer.NativeOwners, header.Xattrs, time);
            }
            else
            {
                _writer.WriteEntry(new LayerEntry(name, type, permissions, (int)header.Uid, (int)header.Gid, time) { Major = (uint)header.DevMajor, Minor = (uint)header.DevMinor }, path, path);
                _writer.SetTime(path, type, time);
            }

            return new Tracked(type, _writer.NextInode(), 0);
        }

        private void EnsureParents(string name, DateTimeOffset time)
        {
            var slash = name.IndexOf('/');
            while (slash > 0)
            {
                var parent = name[..slash];
                if (_entries.TryGetValue(parent, out var existing))
                {
                    if (existing.Type != UnixFileType.Directory)
                    {
                        throw new UnsafePathException(_source, DockerIds.Printable(name),
                            existing.Type == UnixFileType.SymbolicLink
                                ? $"it would be written through the symbolic link '{DockerIds.Printable(parent)}'"
                                : $"its parent '{DockerIds.Printable(parent)}' is not a directory");
                    }
                }
                else
                {
                    var path = _fs.Path.Combine(_root, parent);
                    if (Native)
                    {
                        _native!.CreateDirectory(parent, 0, 0, setOwner: false, xattrs: null);
                    }
                    else
                    {
                        _fs.Directory.CreateDirectory(path);
                    }

                    var tracked = new Tracked(UnixFileType.Directory, _writer.NextInode(), 0);
                    _entries[parent] = tracked;
                    SetDirectory(parent, 0x1ED, time);
                    _writer.Metadata.Record(path, new UnixFileStatus
                    {
                        Type = UnixFileType.Directory, Permissions = 0x1ED, ModifiedTime = time, Device = EntryWriter.RecordedDevice, Inode = tracked.Inode, LinkCount = 2,
                    });
                }

                slash = name.IndexOf('/', slash + 1);
            }
        }

        private void Remove(string name, string path, Tracked existing)
        {
            if (existing.Type == UnixFileType.Directory)
            {
                if (Native)
                {
                    _native!.Remove(name, isDirectory: true);
                }
                else
                {
                    _fs.Directory.Delete(path, recursive: true);
                }

                foreach (var child in _entries.Keys.Where(k => k.StartsWith(name + "/", StringComparison.Ordinal)).ToList())
                {
                    Untrack(child, _entries[child]);
                    _directories.Remove(child);
                }

                _directories.Remove(name);
            }
            else if (Native)
            {
                _native!.Remove(name, isDirectory: false);
            }
            else
            {
                _fs.File.Delete(path);
            }

            Untrack(name, existing);
        }

        private void Untrack(string name, Tracked tracked)
        {
            _entries.Remove(name);
            tracked.Names?.Remove(name);
            _writer.Metadata.Forget(_fs.Path.Combine(_root, name));
        }

        private void Record(string path, Tracked tracked, TarEntryHeader header, int permissions, DateTimeOffset time) =>
            _writer.Metadata.Record(path, new UnixFileStatus
            {
                Type = tracked.Type,
                Permissions = tracked.Type == UnixFileType.SymbolicLink ? 0x1FF : permissions,
                Uid = (int)header.Uid,
                Gid = (int)header.Gid,
                Size = tracked.Size,
                ModifiedTime = time,
                Device = EntryWriter.RecordedDevice,
                Inode = tracked.Inode,
                LinkCount = tracked.Type == UnixFileType.Directory ? 2u : 1u,
                DeviceMajor = (uint)header.DevMajor,
                DeviceMinor = (uint)header.DevMinor,
                LinkTarget = tracked.Type == UnixFileType.SymbolicLink ? NativeName.Decode(header.Linkname) : null,
                SecurityCapability = header.Xattrs is { } x && x.TryGetValue("security.capability", out var capability) ? capability : null,
            });

        /// <summary>One inode of the layer; the names of a hardlinked one share this object.</summary>
        private sealed class Tracked(UnixFileType type, ulong inode, long size)
        {
            public UnixFileType Type { get; } = type;

            public ulong Inode { get; } = inode;

            public long Size { get; } = size;

            /// <summary>Gets or sets every name of a hardlinked inode (<see langword="null"/>: one name only).</summary>
            public HashSet<string>? Names { get; set; }
        }
    }
}
