using System.Buffers;
using System.IO.Abstractions;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;

namespace Docker.Aufs.Archive;

/// <summary>A recorded header field that the layer directory no longer holds (fsck's <c>tarsplit-*-mismatch</c> codes).</summary>
internal enum TarSplitHeaderField
{
    /// <summary>Permission bits, set-user-ID, set-group-ID and sticky included.</summary>
    Mode,

    /// <summary>Numeric owner or group.</summary>
    Owner,

    /// <summary>Major or minor number of a device.</summary>
    Device,
}

/// <summary>One member whose recorded header says something else than <c>lstat</c> of its file in the layer directory.</summary>
internal sealed record TarSplitHeaderDivergence(TarSplitHeaderField Field, string EntryName, string Path, string Problem);

/// <summary>
/// Checks, while a layer's tar is reassembled, that the tar-split data is a true account of the layer directory: the raw
/// segments are parsed as the tar they make, and every member header is checked against the directory before one byte of it
/// is written (issue 15 class 6): its name is relative and never climbs with <c>..</c> (a hard link's target likewise), the
/// directory holds it with the same type (a symbolic link with the same target, a regular file with the same size), and
/// its content comes from the file entry that follows it, never from a segment. Mode, owner and device numbers do not
/// change the tar Docker reassembles (it writes the recorded header), so they are reported to a callback, not refused.
/// Memory is bounded: the bytes of one member's headers (at most <see cref="MaxExtendedHeader"/> per extended header) and
/// one name per member the directory holds.
/// </summary>
internal sealed class TarSplitVerifier
{
    /// <summary>The largest PAX or GNU long-name record accepted, as Go's <c>archive/tar</c> since 1.10 (<c>maxSpecialFileSize</c>).</summary>
    public const int MaxExtendedHeader = 1024 * 1024;

    /// <summary>The most entries between two members: tar-split writes a segment for a member's headers, a file entry and a segment for its padding.</summary>
    public const int MaxEntriesPerMember = 64;

    /// <summary>The most bytes after the end-of-archive block: zeros padding the archive to its record size (GNU tar's largest blocking factor is far below).</summary>
    public const int MaxTrailingBytes = 1024 * 1024;

    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueMarker = ".wh..wh..opq";

    private readonly IFileSystem _fileSystem;
    private readonly IUnixMetadataProvider _metadata;
    private readonly string _layerId;
    private readonly string _tarDataPath;
    private readonly string _diffPath;
    private readonly LayerContentFormat _format;
    private readonly Action<TarSplitHeaderDivergence>? _onHeaderDivergence;
    private readonly bool _metadataIsReal;
    private readonly ArrayBufferWriter<byte> _pending = new(1024);
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly HashSet<string> _verifiedDirectories = new(StringComparer.Ordinal);

    private State _state = State.Header;
    private int _parsed;
    private int _need = TarType.BlockSize;
    private byte _extendedType;
    private int _extendedSize;
    private Dictionary<string, byte[]>? _pax;
    private byte[]? _longName;
    private byte[]? _longLink;
    private TarEntryHeader? _current;
    private string? _currentPath;
    private int _padding;
    private int _entries;
    private long _trailing;

    public TarSplitVerifier(IFileSystem fileSystem, IUnixMetadataProvider metadata, string layerId, string tarDataPath, string diffPath,
        LayerContentFormat format, Action<TarSplitHeaderDivergence>? onHeaderDivergence)
    {
        _fileSystem = fileSystem;
        _metadata = metadata;
        _layerId = layerId;
        _tarDataPath = tarDataPath;
        _diffPath = diffPath;
        _format = format;
        _onHeaderDivergence = onHeaderDivergence;
        // A provider derived from IFileSystem invents owners and modes: comparing them would report every file.
        _metadataIsReal = metadata is not FileSystemMetadataProvider;
    }

    private enum State
    {
        /// <summary>Collecting the blocks of the next member's headers (nothing of them written yet).</summary>
        Header,

        /// <summary>A member's header was written; its file entry must come next.</summary>
        AwaitFile,

        /// <summary>The padding after a member's content.</summary>
        Padding,

        /// <summary>After the end-of-archive block: only zero bytes may follow.</summary>
        End,
    }

    /// <summary>Takes a segment's raw bytes; writes to <paramref name="sink"/> only what has been verified.</summary>
    /// <exception cref="CorruptFileException">The segments do not make a tar whose members are given by the file entries.</exception>
    /// <exception cref="UnsafePathException">A member is named (or hard-linked) outside the layer directory.</exception>
    /// <exception cref="LayerReassemblyException">The layer directory does not hold a member as recorded.</exception>
    public async ValueTask SegmentAsync<TIo>(ReadOnlyMemory<byte> data, LayerSink sink, Action<long>? progress, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        CountEntry();
        while (!data.IsEmpty)
        {
            switch (_state)
            {
                case State.AwaitFile:
                    throw Corrupt($"bytes follow the header of '{Shown(_current!.Name)}' where its file entry belongs: a member's content must come from the layer directory, not from the tar-split data");
                case State.Padding:
                {
                    var n = Math.Min(_padding, data.Length);
                    await WriteAsync<TIo>(sink, data[..n], progress, cancellationToken).ConfigureAwait(false);
                    data = data[n..];
                    _padding -= n;
                    if (_padding == 0)
                    {
                        _state = State.Header;
                    }

                    break;
                }

                case State.End:
                    if (data.Span.ContainsAnyExcept((byte)0))
                    {
                        throw Corrupt("bytes other than zeros follow the end of the archive: a reader that skips zero blocks would take them for members");
                    }

                    _trailing += data.Length;
                    if (_trailing > MaxTrailingBytes)
                    {
                        throw Corrupt($"more than {MaxTrailingBytes} bytes follow the end of the archive, more than any tar writer pads with");
                    }

                    await WriteAsync<TIo>(sink, data, progress, cancellationToken).ConfigureAwait(false);
                    data = ReadOnlyMemory<byte>.Empty;
                    break;
                default:
                {
                    var n = Math.Min(_need - _pending.WrittenCount, data.Length);
                    _pending.Write(data.Span[..n]);
                    data = data[n..];
                    if (_pending.WrittenCount == _need)
                    {
                        await StepAsync<TIo>(sink, progress, cancellationToken).ConfigureAwait(false);
                    }

                    break;
                }
            }
        }
    }

    /// <summary>Takes a file entry: it must be the member whose header came last, with its size.</summary>
    /// <returns>The member's file in the layer directory, to be read for its content; <see langword="null"/> when it has none.</returns>
    /// <exception cref="CorruptFileException">No header precedes the entry, or it names another member or size.</exception>
    public string? File(TarSplitEntry entry)
    {
        CountEntry();
        if (_state != State.AwaitFile)
        {
            throw Corrupt($"the file entry '{Shown(entry.Name)}' follows no member header: the tar-split data does not describe the tar it claims to");
        }

        var header = _current!;
        if (!entry.Name.AsSpan().SequenceEqual(header.Name) && NativeName.Decode(entry.Name) != NativeName.Decode(header.Name))
        {
            throw Corrupt($"the file entry '{Shown(entry.Name)}' follows the header of '{Shown(header.Name)}': the tar-split data does not describe the tar it claims to");
        }

        if (entry.Size != header.Size)
        {
            throw Corrupt($"the file entry '{Shown(entry.Name)}' has {entry.Size} bytes, its header {header.Size}");
        }

        _padding = TarType.Padding(header.Size);
        _state = _padding == 0 ? State.Header : State.Padding;
        return header.Size > 0 ? _currentPath : null;
    }

    /// <summary>Checks that the data ended where a tar may end.</summary>
    /// <exception cref="CorruptFileException">It ends inside a member.</exception>
    public void Finish()
    {
        if (_state == State.End || (_state == State.Header && _pending.WrittenCount == 0))
        {
            return;
        }

        throw Corrupt(_current is { } member
            ? $"the tar-split data ends inside the member '{Shown(member.Name)}'"
            : "the tar-split data ends inside a member's header");
    }

    private async ValueTask StepAsync<TIo>(LayerSink sink, Action<long>? progress, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        var pending = _pending.WrittenSpan;
        if (_extendedSize > 0 || _extendedType != 0)
        {
            // The data of an extended header is complete.
            var record = pending.Slice(_parsed, _extendedSize).ToArray();
            _parsed += _extendedSize + TarType.Padding(_extendedSize);
            try
            {
                switch (_extendedType)
                {
                    case TarType.PaxHeader: _pax = TarStreamReader.ParsePax(record); break;
                    case TarType.GnuLongName: _longName = TarStreamReader.CString(record); break;
                    default: _longLink = TarStreamReader.CString(record); break;
                }
            }
            catch (TarFormatException e)
            {
                throw Corrupt($"its segments hold a bad header: {e.Message}");
            }

            _extendedType = 0;
            _extendedSize = 0;
            _need = _parsed + TarType.BlockSize;
            return;
        }

        var block = pending.Slice(_parsed, TarType.BlockSize);
        if (!block.ContainsAnyExcept((byte)0))
        {
            if (_parsed > 0)
            {
                throw Corrupt("an extended header is followed by the end of the archive, not by the member it describes");
            }

            // Go's reader ends the archive at a zero block: whatever follows is not read as members.
            _state = State.End;
            _entries = 0;
            await ReleaseAsync<TIo>(sink, progress, cancellationToken).ConfigureAwait(false);
            return;
        }

        TarEntryHeader header;
        try
        {
            header = TarStreamReader.Parse(block);
        }
        catch (TarFormatException e)
        {
            throw Corrupt($"its segments hold a bad header: {e.Message}");
        }

        _parsed += TarType.BlockSize;
        if ((header.Typeflag == TarType.PaxHeader && _pax is null) || (header.Typeflag == TarType.GnuLongName && _longName is null) ||
            (header.Typeflag == TarType.GnuLongLink && _longLink is null))
        {
            if (header.Size > MaxExtendedHeader)
            {
                throw Corrupt($"an extended header of {header.Size} bytes (at most {MaxExtendedHeader} are read, as Go's archive/tar reads)");
            }

            _extendedType = header.Typeflag;
            _extendedSize = (int)header.Size;
            if (_extendedSize == 0)
            {
                await StepAsync<TIo>(sink, progress, cancellationToken).ConfigureAwait(false);
                return;
            }

            _need = _parsed + _extendedSize + TarType.Padding(_extendedSize);
            return;
        }

        try
        {
            if (_pax is not null)
            {
                TarStreamReader.MergePax(header, _pax);
            }
        }
        catch (TarFormatException e)
        {
            throw Corrupt($"its segments hold a bad header: {e.Message}");
        }

        header.Name = _longName ?? header.Name;
        header.Linkname = _longLink ?? header.Linkname;
        _pax = null;
        _longName = null;
        _longLink = null;
        _currentPath = Verify(header);
        _current = header;
        _entries = 0;
        await ReleaseAsync<TIo>(sink, progress, cancellationToken).ConfigureAwait(false);
        _state = State.AwaitFile;
    }

    /// <summary>Bounds the work the data can ask for without describing members: entries that carry nothing, or a header cut in crumbs.</summary>
    private void CountEntry()
    {
        if (++_entries > (_state == State.End ? 64 * MaxEntriesPerMember : MaxEntriesPerMember))
        {
            throw Corrupt(_state == State.End
                ? $"more than {64 * MaxEntriesPerMember} entries follow the end of the archive"
                : $"more than {MaxEntriesPerMember} entries follow one another without a member: tar-split writes at most three for each");
        }
    }

    private async ValueTask ReleaseAsync<TIo>(LayerSink sink, Action<long>? progress, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        await WriteAsync<TIo>(sink, _pending.WrittenMemory, progress, cancellationToken).ConfigureAwait(false);
        _pending.ResetWrittenCount();
        if (_pending.Capacity > 64 * 1024)
        {
            // An extended header made the buffer large; the next member starts small again.
            _pending.Clear();
        }

        _parsed = 0;
        _need = TarType.BlockSize;
    }

    private static async ValueTask WriteAsync<TIo>(LayerSink sink, ReadOnlyMemory<byte> bytes, Action<long>? progress, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        await sink.WriteAsync<TIo>(bytes, cancellationToken).ConfigureAwait(false);
        progress?.Invoke(bytes.Length);
    }

    /// <summary>Checks one member against the layer directory; returns the path of its file.</summary>
    private string Verify(TarEntryHeader header)
    {
        var name = NativeName.Decode(header.Name);
        var parts = SafeParts(header.Name, "member");
        var type = header.Typeflag switch
        {
            TarType.Regular or TarType.RegularA or TarType.Contiguous => UnixFileType.RegularFile,
            TarType.HardLink => (UnixFileType?)null,
            TarType.Symlink => UnixFileType.SymbolicLink,
            TarType.CharDevice => UnixFileType.CharacterDevice,
            TarType.BlockDevice => UnixFileType.BlockDevice,
            TarType.Directory => UnixFileType.Directory,
            TarType.Fifo => UnixFileType.Fifo,
            _ => throw Corrupt($"the member '{Shown(header.Name)}' is of type '{DockerIds.Printable(((char)header.Typeflag).ToString())}', which layer tars do not hold"),
        };

        if (header.Typeflag == TarType.HardLink)
        {
            var target = SafeParts(header.Linkname, "hard link target");
            if (target.Length == 0 || Lookup(name, target) is not { } linked || linked.Status.Type == UnixFileType.Directory)
            {
                throw Reassembly(name, _diffPath, $"it is a hard link to '{Shown(header.Linkname)}', which the layer directory does not hold as a file");
            }
        }

        if (parts.Length == 0)
        {
            if (type != UnixFileType.Directory)
            {
                throw Reassembly(name, _diffPath, "a member that is not a directory names the layer directory itself");
            }

            return _diffPath;
        }

        // A name that is not UTF-8 is looked up like any other: its bytes are carried in the string (NativeName).
        var leaf = parts[^1];
        if (leaf.StartsWith(WhiteoutPrefix, StringComparison.Ordinal) && _format != LayerContentFormat.AufsChanges)
        {
            return VerifyWhiteout(header, name, parts);
        }

        var found = Lookup(name, parts) ?? throw Reassembly(name, Join(parts), "the file is missing from the layer directory");
        var (path, status) = found;
        if (!_metadataIsReal && !(type is UnixFileType.RegularFile or UnixFileType.Directory && status.Type is UnixFileType.RegularFile or UnixFileType.Directory))
        {
            // A provider derived from IFileSystem tells files from directories, nothing more (links, devices and fifos are not
            // there to see): only the name's presence is checked.
            return _seen.Add(string.Join('/', parts)) ? path : throw Reassembly(name, path, "the tar-split data names this file twice, which tar-split refuses");
        }

        if (type is { } expected && status.Type != expected)
        {
            throw Reassembly(name, path, $"the tar-split data records a {LayerFileOpener.Describe(expected)}, the layer directory holds a {LayerFileOpener.Describe(status.Type)}", LayerReassemblyKind.Type);
        }

        if (type is null && status.Type == UnixFileType.Directory)
        {
            throw Reassembly(name, path, "the tar-split data records a hard link, the layer directory holds a directory", LayerReassemblyKind.Type);
        }

        if (type == UnixFileType.SymbolicLink && status.LinkTarget is { } target2 && target2 != NativeName.Decode(header.Linkname))
        {
            throw Reassembly(name, path, $"the tar-split data records a link to '{Shown(header.Linkname)}', the link in the layer directory points to '{DockerIds.Printable(target2)}'", LayerReassemblyKind.LinkTarget);
        }

        if (type == UnixFileType.RegularFile && status.Size != header.Size)
        {
            throw Reassembly(name, path, $"it is {status.Size} bytes on disk, the tar held {header.Size}: it changed since the pull");
        }

        if (!_seen.Add(string.Join('/', parts)))
        {
            throw Reassembly(name, path, "the tar-split data names this file twice, which tar-split refuses");
        }

        if (_metadataIsReal && _onHeaderDivergence is not null && !leaf.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            CompareHeader(header, name, path, status);
        }

        return path;
    }

    /// <summary>
    /// A whiteout outside AUFS: overlay keeps it as a 0/0 character device under the name it hides and the opaque marker as an
    /// attribute of its directory; a whole-tree layer (vfs, overlay's <c>root/</c>) keeps nothing, only the parent must be there.
    /// </summary>
    private string VerifyWhiteout(TarEntryHeader header, string name, string[] parts)
    {
        var parent = parts[..^1];
        if (parent.Length > 0 && Lookup(name, parent) is not { Status.Type: UnixFileType.Directory })
        {
            throw Reassembly(name, Join(parent), "the whiteout's directory is missing from the layer directory");
        }

        if (header.Typeflag is not (TarType.Regular or TarType.RegularA) || header.Size != 0)
        {
            throw Reassembly(name, Join(parts), "a whiteout that is not an empty regular file", LayerReassemblyKind.Type);
        }

        var hidden = parts[^1][WhiteoutPrefix.Length..];
        if (_format == LayerContentFormat.OverlayChanges && parts[^1] != OpaqueMarker)
        {
            string[] device = [.. parent, hidden];
            if (Lookup(name, device) is not { } found || !Drivers.OverlayBranches.IsWhiteout(found.Status))
            {
                throw Reassembly(name, Join(device), "overlay keeps this whiteout as a 0/0 character device, and the layer directory has none there", LayerReassemblyKind.Type);
            }

            if (!_seen.Add(string.Join('/', parts)))
            {
                throw Reassembly(name, found.Path, "the tar-split data names this file twice, which tar-split refuses");
            }
        }

        return Join(parts);
    }

    private void CompareHeader(TarEntryHeader header, string name, string path, UnixFileStatus status)
    {
        if (status.Type != UnixFileType.SymbolicLink && (header.Mode & 0xFFF) != (status.Permissions & 0xFFF))
        {
            // Linux gives a symbolic link no mode of its own; every other mode bit, set-ID and sticky included, is compared.
            _onHeaderDivergence!(new(TarSplitHeaderField.Mode, name, path,
                $"the tar-split data records mode {Octal(header.Mode)}, the layer directory holds {Octal(status.Permissions)}"));
        }

        if (header.Uid != status.Uid || header.Gid != status.Gid)
        {
            _onHeaderDivergence!(new(TarSplitHeaderField.Owner, name, path,
                $"the tar-split data records owner {header.Uid}:{header.Gid}, the layer directory holds {status.Uid}:{status.Gid}"));
        }

        if (status.Type is UnixFileType.CharacterDevice or UnixFileType.BlockDevice &&
            (header.DevMajor != status.DeviceMajor || header.DevMinor != status.DeviceMinor))
        {
            _onHeaderDivergence!(new(TarSplitHeaderField.Device, name, path,
                $"the tar-split data records device {header.DevMajor},{header.DevMinor}, the layer directory holds {status.DeviceMajor},{status.DeviceMinor}"));
        }
    }

    private static string Octal(long mode) => Convert.ToString(mode & 0xFFF, 8).PadLeft(4, '0');

    /// <summary>The name's components: refused when absolute, holding a NUL, or climbing with <c>..</c>.</summary>
    private string[] SafeParts(byte[] raw, string what)
    {
        var name = NativeName.Decode(raw);
        if (raw.Length == 0)
        {
            throw Corrupt($"a {what} has an empty name");
        }

        if (raw[0] == (byte)'/' || raw.AsSpan().Contains((byte)0))
        {
            throw new UnsafePathException(_tarDataPath, Shown(raw), $"a tar-split {what} name must be relative to the layer directory");
        }

        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        if (parts.Contains(".."))
        {
            throw new UnsafePathException(_tarDataPath, Shown(raw), $"a tar-split {what} name with '..' could lead outside the layer directory");
        }

        return parts;
    }

    /// <summary>The entry at <paramref name="parts"/> under the layer directory, never through a symbolic link; <see langword="null"/> when missing.</summary>
    private (string Path, UnixFileStatus Status)? Lookup(string name, string[] parts)
    {
        var directory = _diffPath;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            directory = _fileSystem.Path.Combine(directory, parts[i]);
            if (_verifiedDirectories.Contains(directory))
            {
                continue;
            }

            if (!_metadata.TryGetStatus(directory, out var status))
            {
                return null;
            }

            if (status.Type != UnixFileType.Directory)
            {
                throw Reassembly(name, directory,
                    status.Type == UnixFileType.SymbolicLink
                        ? "its path runs through a symbolic link, which is never followed out of the layer directory"
                        : $"its parent is a {LayerFileOpener.Describe(status.Type)}, not a directory", LayerReassemblyKind.Type);
            }

            _verifiedDirectories.Add(directory);
        }

        var path = parts.Length == 0 ? _diffPath : _fileSystem.Path.Combine(directory, parts[^1]);
        return _metadata.TryGetStatus(path, out var found) ? (path, found) : null;
    }

    private string Join(string[] parts) => parts.Aggregate(_diffPath, _fileSystem.Path.Combine);


    /// <summary>A name as shown in a message: control characters escaped, and no more than 200 characters of it.</summary>
    internal static string Shown(byte[] name) => TarSplitReader.Quote(name);

    private CorruptFileException Corrupt(string problem) => new(_tarDataPath, problem);

    private LayerReassemblyException Reassembly(string name, string path, string problem, LayerReassemblyKind kind = LayerReassemblyKind.Content) =>
        new(_layerId, DockerIds.Printable(TarSplitReader.Shorten(name)), path, problem) { Kind = kind };
}
