using System.IO.Abstractions;
using System.IO.Compression;
using System.Text;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Archive;

/// <summary>
/// A <c>docker save</c> archive opened for import: the tar is listed once (member names, types, offsets, link targets) and
/// members are then read in place, so nothing is extracted to disk. Member names are cleaned as Docker cleans them; a name that
/// is absolute or climbs out with <c>..</c>, a link whose target would leave the archive, and a name listed twice are refused
/// up front. Symbolic links and hardlinks between members (skopeo writes <c>&lt;id&gt;/layer.tar</c> as a link) are followed.
/// </summary>
internal sealed class SaveArchive
{
    private const int MaxLinkHops = 16;

    private readonly IFileSystem _fileSystem;
    private readonly Dictionary<string, Member> _members;

    private SaveArchive(IFileSystem fileSystem, string path, string tarPath, Dictionary<string, Member> members)
    {
        _fileSystem = fileSystem;
        Path = path;
        TarPath = tarPath;
        _members = members;
    }

    /// <summary>Gets the archive's path (for errors).</summary>
    public string Path { get; }

    /// <summary>Gets the path of the uncompressed tar (the archive itself, or its decompressed copy).</summary>
    public string TarPath { get; }

    /// <summary>Gets the cleaned names of all members.</summary>
    public IEnumerable<string> Names => _members.Keys;

    /// <summary>Lists the archive at <paramref name="tarPath"/> (already uncompressed).</summary>
    /// <param name="fileSystem">The file system holding <paramref name="tarPath"/>.</param>
    /// <param name="path">The archive's name in errors.</param>
    /// <param name="tarPath">The uncompressed tar.</param>
    /// <param name="requireEnd">
    /// Whether the tar must end with its end-of-archive marker: for an archive that came through a stream or gzip, where a
    /// tar that stops between two members was cut short (gzip data cut short decompresses to such a tar without an error).
    /// </param>
    /// <exception cref="ArchiveFormatException">It is not a tar, lists a member twice, ends inside a member, or (<paramref name="requireEnd"/>) ends without its end marker.</exception>
    /// <exception cref="UnsafePathException">A member name or link target leads outside the archive.</exception>
    public static SaveArchive Open(IFileSystem fileSystem, string path, string tarPath, bool requireEnd = false)
    {
        var members = new Dictionary<string, Member>(StringComparer.Ordinal);
        using var stream = fileSystem.FileStream.New(tarPath, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.None);
        var reader = new TarStreamReader(stream, collectRaw: false);
        try
        {
            while (IoRun.Sync(reader.NextAsync<SyncIo>(default)) is { } header)
            {
                if (header.Typeflag == TarType.PaxGlobalHeader)
                {
                    continue;
                }

                var raw = Encoding.UTF8.GetString(header.Name);
                var name = Clean(path, raw);
                if (name.Length == 0)
                {
                    continue; // the archive root ("./")
                }

                string? link = null;
                if (header.Typeflag is TarType.Symlink or TarType.HardLink)
                {
                    var target = Encoding.UTF8.GetString(header.Linkname);
                    link = header.Typeflag == TarType.HardLink ? Clean(path, target, name) : ResolveSymlink(path, name, target);
                }

                var member = new Member(name, header.Typeflag, reader.Position, header.Size, link);
                if (member.Offset + member.Size > stream.Length)
                {
                    throw new ArchiveFormatException(path, DockerIds.Printable(name),
                        $"the archive ends inside this member ({member.Size} bytes announced, {Math.Max(0, stream.Length - member.Offset)} present): it was cut short");
                }

                if (!members.TryAdd(name, member) && !(member.IsDirectory && members[name].IsDirectory))
                {
                    throw new ArchiveFormatException(path, DockerIds.Printable(name), "the archive holds this member twice; which one counts is ambiguous");
                }
            }
        }
        catch (TarFormatException e)
        {
            throw new ArchiveFormatException(path, null, $"not a readable tar archive: {e.Message}", e);
        }

        if (requireEnd && !reader.SawEndMarker)
        {
            throw new ArchiveFormatException(path, null, "the archive stops without the end-of-archive blocks every tar writer adds: it was cut short");
        }

        if (members.Count == 0)
        {
            throw new ArchiveFormatException(path, null, "the archive is empty");
        }

        return new SaveArchive(fileSystem, path, tarPath, members);
    }

    /// <summary>Whether the archive has a member of that (cleaned) name, after following links.</summary>
    public bool HasFile(string name) => TryResolve(name, out var member) && member.IsFile;

    /// <summary>Whether the archive lists a member of that (cleaned) name, of any type.</summary>
    public bool Contains(string name) => _members.ContainsKey(name);

    /// <summary>Returns the regular-file member a name leads to, following links.</summary>
    /// <exception cref="ArchiveFormatException">It is missing, a directory, or the links loop.</exception>
    public Member Resolve(string name, string purpose)
    {
        if (!TryResolve(name, out var member, out var problem))
        {
            throw new ArchiveFormatException(Path, DockerIds.Printable(name), $"{purpose} {problem}");
        }

        return member;
    }

    /// <summary>Reads a small member whole.</summary>
    public byte[] ReadAll(string name, string purpose, int limit)
    {
        var member = Resolve(name, purpose);
        if (member.Size > limit)
        {
            throw new ArchiveFormatException(Path, DockerIds.Printable(name), $"{purpose} is {member.Size} bytes, more than the {limit} such a file can plausibly hold");
        }

        using var stream = OpenMember(member);
        var data = new byte[member.Size];
        stream.ReadExactly(data);
        return data;
    }

    /// <summary>Opens a member's content for reading (the caller disposes it).</summary>
    public Stream OpenMember(Member member)
    {
        var file = _fileSystem.FileStream.New(TarPath, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
        return new MemberStream(file, member.Offset, member.Size);
    }

    /// <summary>Opens a layer member, decompressing it when it is gzip (Docker's <c>DecompressStream</c> also accepted that).</summary>
    /// <exception cref="ArchiveFormatException">The layer is compressed in a way other than gzip.</exception>
    public Stream OpenLayer(Member member)
    {
        var stream = OpenMember(member);
        Span<byte> magic = stackalloc byte[6];
        var read = stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        if (read >= 2 && magic[0] == 0x1F && magic[1] == 0x8B)
        {
            return new GZipStream(stream, CompressionMode.Decompress);
        }

        if ((read >= 3 && magic[..3].SequenceEqual("BZh"u8)) || (read >= 6 && magic.SequenceEqual((ReadOnlySpan<byte>)[0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0])))
        {
            stream.Dispose();
            throw new ArchiveFormatException(Path, member.Name, "the layer is bzip2- or xz-compressed; only uncompressed and gzip layers can be imported");
        }

        return stream;
    }

    private bool TryResolve(string name, out Member member) => TryResolve(name, out member, out _);

    private bool TryResolve(string name, out Member member, out string problem)
    {
        member = null!;
        var current = name;
        for (var hop = 0; hop <= MaxLinkHops; hop++)
        {
            if (!_members.TryGetValue(current, out var found))
            {
                // A link inside the path ("<dir>/layer.tar" where <dir> is a symbolic link to another directory).
                if (ResolveThroughDirectoryLink(current) is { } through)
                {
                    current = through;
                    continue;
                }

                problem = current == name ? "is missing from the archive" : $"is a link to '{DockerIds.Printable(current)}', which is missing from the archive";
                return false;
            }

            if (found.LinkTarget is { } target)
            {
                current = target;
                continue;
            }

            if (!found.IsFile)
            {
                problem = found.IsDirectory ? "is a directory, not a file" : $"is not a regular file (type '{(char)found.Type}')";
                return false;
            }

            member = found;
            problem = string.Empty;
            return true;
        }

        problem = $"leads through more than {MaxLinkHops} links";
        return false;
    }

    private string? ResolveThroughDirectoryLink(string name)
    {
        var slash = name.LastIndexOf('/');
        while (slash > 0)
        {
            var prefix = name[..slash];
            if (_members.TryGetValue(prefix, out var member) && member.LinkTarget is { } target && member.Type == TarType.Symlink)
            {
                return target + name[slash..];
            }

            slash = name.LastIndexOf('/', slash - 1);
        }

        return null;
    }

    /// <summary>Cleans a member name (or a hardlink target) as a path inside the archive; refuses absolute and escaping names.</summary>
    private static string Clean(string archive, string raw, string? linkOf = null)
    {
        var cleaned = GoPath.Clean(raw);
        if (raw.StartsWith('/') || cleaned == ".." || cleaned.StartsWith("../", StringComparison.Ordinal) || raw.Contains('\0', StringComparison.Ordinal))
        {
            throw linkOf is null
                ? new UnsafePathException(archive, DockerIds.Printable(raw), "an archive member name must stay inside the archive")
                : new UnsafePathException(archive, DockerIds.Printable(linkOf), $"it is a hardlink to '{DockerIds.Printable(raw)}', outside the archive");
        }

        return cleaned == "." ? string.Empty : cleaned;
    }

    private static string ResolveSymlink(string archive, string name, string target)
    {
        var directory = name.Contains('/', StringComparison.Ordinal) ? name[..name.LastIndexOf('/')] : string.Empty;
        var joined = GoPath.Clean(directory.Length == 0 ? target : directory + "/" + target);
        if (target.StartsWith('/') || joined == ".." || joined.StartsWith("../", StringComparison.Ordinal))
        {
            throw new UnsafePathException(archive, DockerIds.Printable(name), $"it is a symbolic link to '{DockerIds.Printable(target)}', which leads outside the archive");
        }

        return joined == "." ? string.Empty : joined;
    }


    /// <summary>One member of the archive.</summary>
    internal sealed record Member(string Name, byte Type, long Offset, long Size, string? LinkTarget)
    {
        public bool IsFile => LinkTarget is null && Type is TarType.Regular or TarType.RegularA or TarType.Contiguous;

        public bool IsDirectory => Type == TarType.Directory;
    }

    /// <summary>A read-only window onto one member's bytes in the archive file.</summary>
    private sealed class MemberStream : Stream
    {
        private readonly Stream _inner;
        private readonly long _offset;
        private readonly long _length;
        private long _position;

        public MemberStream(Stream inner, long offset, long length)
        {
            _inner = inner;
            _offset = offset;
            _length = length;
            _inner.Position = offset;
        }

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => _length;

        public override long Position
        {
            get => _position;
            set
            {
                ArgumentOutOfRangeException.ThrowIfNegative(value);
                _position = value;
                _inner.Position = _offset + Math.Min(value, _length);
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var want = (int)Math.Min(buffer.Length, _length - _position);
            if (want <= 0)
            {
                return 0;
            }

            var read = _inner.Read(buffer[..want]);
            _position += read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var want = (int)Math.Min(buffer.Length, _length - _position);
            if (want <= 0)
            {
                return 0;
            }

            var read = await _inner.ReadAsync(buffer[..want], cancellationToken).ConfigureAwait(false);
            _position += read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin)
        {
            Position = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => _position + offset,
                _ => _length + offset,
            };
            return _position;
        }

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
