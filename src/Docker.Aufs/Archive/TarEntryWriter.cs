using System.IO.Abstractions;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Logging;
using Microsoft.Extensions.Logging;

namespace Docker.Aufs.Archive;

/// <summary>Where tar bytes go: a layer sink (hashed, maybe compressed) or a plain stream.</summary>
internal interface ITarOutput
{
    ValueTask WriteAsync<TIo>(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        where TIo : struct, IIoMode;
}

/// <summary>A plain stream as a <see cref="ITarOutput"/>.</summary>
internal sealed class StreamTarOutput(Stream stream) : ITarOutput
{
    public async ValueTask WriteAsync<TIo>(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        await TIo.WriteAsync(stream, data, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// The one writer of file-system tars (regenerated layer tars and exports): each entry's header encoded as Go 1.5's
/// <c>archive/tar</c> wrote it (<see cref="GoTarHeaderEncoder"/>), from an entry's <c>lstat</c> facts, the content streamed
/// from its file with exactly the size the header announces, a regular file with several links written once and then as
/// hardlinks to its first name (by device and inode), sockets left out by the caller. A file that changes size while it
/// is read never gives a broken tar: a file that grew is cut at the header's size with a warning naming it, and one that
/// shrank fails the tar with one error naming it and both sizes (docs/hostile-input.md, "Files that change while they are
/// read"). Docker's <c>pkg/archive</c>
/// <c>TarWithOptions</c> writes both kinds of tar this way (moby v1.9.1, v23.0.0). Content is opened through a
/// <see cref="LayerFileOpener"/>: relative to the layer directory's handle, following no link, and only when it is still
/// the file that was listed (docs/hostile-input.md, "Files swapped between listing and opening"). Dispose the writer to
/// close the layer directories it holds open.
/// </summary>
internal sealed class TarEntryWriter : IDisposable
{
    private readonly ITarOutput _output;
    private readonly ILogger _logger;
    private readonly GoTarHeaderEncoder _encoder;
    private readonly Dictionary<(ulong Device, ulong Inode), byte[]> _seen = [];
    private readonly byte[] _buffer;
    private readonly LayerFileOpener _opener;

    // portable: the tar is bound to no digest (an export, cp's tar), so numbers octal cannot hold go in PAX records rather
    // than Go 1.5's base-256 and the GNU magic that sticks after it (GoTarHeaderEncoder).
    public TarEntryWriter(IFileSystem fileSystem, IUnixMetadataProvider metadata, ITarOutput output, byte[] buffer, ILogger logger, bool portable = false)
    {
        _encoder = new GoTarHeaderEncoder(portable);
        _output = output;
        _logger = logger;
        _buffer = buffer;
        _opener = new LayerFileOpener(fileSystem, metadata);
    }

    /// <summary>Closes the layer directories held open for reading content.</summary>
    public void Dispose() => _opener.Dispose();

    /// <summary>Writes one entry whose content, for a regular file, is the file <paramref name="sourcePath"/> (opened relative to its parent directory).</summary>
    /// <exception cref="IOException">The file cannot be read, or is shorter than <c>lstat</c> said when it was listed.</exception>
    /// <exception cref="CorruptFileException">A symbolic link with an empty target, or device numbers above 2147483647; or the file is no longer the one listed.</exception>
    /// <exception cref="UnsafePathException">A symbolic link is now at the file's place.</exception>
    public ValueTask WriteEntryAsync<TIo>(UnixFileStatus status, string name, string sourcePath, Action<long>? progress, FileOptions options, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        var slash = sourcePath.LastIndexOf('/');
        return slash < 0
            ? WriteEntryAsync<TIo>(status, name, ".", sourcePath, progress, options, cancellationToken)
            : WriteEntryAsync<TIo>(status, name, slash == 0 ? "/" : sourcePath[..slash], sourcePath[(slash + 1)..], progress, options, cancellationToken);
    }

    /// <summary>Writes one entry: its header and, for a regular file seen for the first time, the content of <paramref name="relative"/> in <paramref name="layerDirectory"/>.</summary>
    /// <param name="status">What <c>lstat</c> says about the entry (not a socket).</param>
    /// <param name="name">The entry's name in the tar, relative, without a trailing slash.</param>
    /// <param name="layerDirectory">The layer directory the file lies in (opened once, without following a link there).</param>
    /// <param name="relative">The file's path in <paramref name="layerDirectory"/>, reached without following any link.</param>
    /// <param name="progress">Counts the bytes written.</param>
    /// <param name="options">How to open the file.</param>
    /// <typeparam name="TIo">Synchronous or asynchronous I/O.</typeparam>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="IOException">The file cannot be read, or is shorter than <c>lstat</c> said when it was listed.</exception>
    /// <exception cref="CorruptFileException">A symbolic link with an empty target, or device numbers above 2147483647: no Linux file system holds them; or the file is no longer the one listed.</exception>
    /// <exception cref="UnsafePathException">A symbolic link is now at the file's place or on the way to it.</exception>
    public async ValueTask WriteEntryAsync<TIo>(UnixFileStatus status, string name, string layerDirectory, string relative, Action<long>? progress, FileOptions options, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        var sourcePath = layerDirectory == "/" ? "/" + relative : layerDirectory + "/" + relative;
        if (status.Type == UnixFileType.SymbolicLink && string.IsNullOrEmpty(status.LinkTarget))
        {
            throw new CorruptFileException(sourcePath, "a symbolic link with an empty target (Linux cannot create one)");
        }

        if (status.Type is UnixFileType.CharacterDevice or UnixFileType.BlockDevice && (status.DeviceMajor > int.MaxValue || status.DeviceMinor > int.MaxValue))
        {
            throw new CorruptFileException(sourcePath, $"device numbers {status.DeviceMajor}:{status.DeviceMinor} are beyond any Linux device");
        }

        var header = Header(status, name);
        var regular = status.Type == UnixFileType.RegularFile;
        if (regular && status.LinkCount > 1)
        {
            if (_seen.TryGetValue((status.Device, status.Inode), out var first))
            {
                header.Typeflag = TarType.HardLink;
                header.Linkname = first;
                header.Size = 0;
                regular = false;
            }
            else
            {
                _seen[(status.Device, status.Inode)] = header.Name;
            }
        }

        var blocks = _encoder.Encode(header);
        await _output.WriteAsync<TIo>(blocks, cancellationToken).ConfigureAwait(false);
        progress?.Invoke(blocks.Length);
        if (regular && header.Size > 0)
        {
            await CopyContentAsync<TIo>(layerDirectory, relative, status, name, header.Size, progress, options, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes a header-only regular file whose mode is given as it stands, without type bits: the entries Docker's overlay
    /// whiteout converter makes up (a whiteout <c>.wh.&lt;name&gt;</c> with mode 0600, an opaque marker with the directory's
    /// permission bits; moby v18.09 <c>pkg/archive/archive_linux.go</c> <c>ConvertWrite</c>).
    /// </summary>
    /// <param name="source">The entry whose owner (and, when <paramref name="modifiedTime"/> is not given, time) it takes.</param>
    /// <param name="name">The entry's name in the tar.</param>
    /// <param name="mode">The mode field.</param>
    /// <param name="modifiedTime">The time, or <see langword="null"/> for the source's.</param>
    /// <param name="progress">Told the bytes written.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public async ValueTask WriteEmptyFileAsync<TIo>(UnixFileStatus source, string name, int mode, DateTimeOffset? modifiedTime, Action<long>? progress, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        var header = Header(source with { Type = UnixFileType.RegularFile, Size = 0, SecurityCapability = null, ModifiedTime = modifiedTime ?? source.ModifiedTime }, name);
        header.Mode = mode;
        var blocks = _encoder.Encode(header);
        await _output.WriteAsync<TIo>(blocks, cancellationToken).ConfigureAwait(false);
        progress?.Invoke(blocks.Length);
    }

    /// <summary>Writes the two zero blocks Go's <c>tar.Writer.Close</c> writes.</summary>
    public async ValueTask FinishAsync<TIo>(Action<long>? progress, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        var end = new byte[2 * TarType.BlockSize];
        await _output.WriteAsync<TIo>(end, cancellationToken).ConfigureAwait(false);
        progress?.Invoke(end.Length);
    }

    private static TarEntryHeader Header(UnixFileStatus status, string name)
    {
        var header = new TarEntryHeader
        {
            // The bytes the name stands for (NativeName): a name that is not UTF-8 is written as the disk holds it, as Go does.
            Name = NativeName.GetBytes(status.Type == UnixFileType.Directory ? name + "/" : name),
            Mode = status.Mode,
            Uid = (uint)status.Uid, // uid_t is unsigned: an owner above int.MaxValue is stored as its two's complement
            Gid = (uint)status.Gid,
            ModTimeSeconds = status.ModifiedTime.ToUnixTimeSeconds(),
        };

        switch (status.Type)
        {
            case UnixFileType.RegularFile:
                header.Typeflag = TarType.Regular;
                header.Size = status.Size;
                break;
            case UnixFileType.Directory:
                header.Typeflag = TarType.Directory;
                break;
            case UnixFileType.SymbolicLink:
                header.Typeflag = TarType.Symlink;
                // The bytes on disk, UTF-8 or not (a Go string is bytes: Docker writes them as they are).
                header.Linkname = NativeName.GetBytes(status.LinkTarget ?? string.Empty);
                break;
            case UnixFileType.CharacterDevice:
                header.Typeflag = TarType.CharDevice;
                header.DevMajor = status.DeviceMajor;
                header.DevMinor = status.DeviceMinor;
                break;
            case UnixFileType.BlockDevice:
                header.Typeflag = TarType.BlockDevice;
                header.DevMajor = status.DeviceMajor;
                header.DevMinor = status.DeviceMinor;
                break;
            case UnixFileType.Fifo:
                header.Typeflag = TarType.Fifo;
                break;
        }

        if (status.SecurityCapability is { Length: > 0 } capability)
        {
            header.Xattrs = new SortedDictionary<string, byte[]>(StringComparer.Ordinal) { ["security.capability"] = capability };
        }

        return header;
    }

    private async ValueTask CopyContentAsync<TIo>(string layerDirectory, string relative, UnixFileStatus status, string name, long size, Action<long>? progress, FileOptions options, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        var path = layerDirectory == "/" ? "/" + relative : layerDirectory + "/" + relative;
        var remaining = size;
        var probed = false;
        using (var stream = _opener.Open(layerDirectory, relative, status, name, 1, options))
        {
            while (remaining > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // The last read asks for one byte more than is left: a file that grew shows it without another system call.
                var want = (int)Math.Min(_buffer.Length, remaining + 1);
                probed = want > remaining;
                var read = await TIo.ReadAsync(stream, _buffer.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    // Padding would keep the tar readable, but the size it would pad to is only what lstat said: a recorded
                    // terabyte would be a terabyte of zeros. A shrunk file fails the write instead, with one line.
                    throw new IOException($"{DockerIds.PrintablePath(path)} shrank while it was read: it ended after {size - remaining} of the {size} bytes it had when listed (the directory is changing); the tar was not completed");
                }

                if (read > remaining)
                {
                    Log.FileGrewWhileRead(_logger, DockerIds.PrintablePath(path), size);
                    read = (int)remaining;
                }

                await _output.WriteAsync<TIo>(_buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                progress?.Invoke(read);
                remaining -= read;
            }

            // A size that is a whole number of buffers ends without the extra byte asked for: ask once more.
            if (!probed && remaining == 0
                && await TIo.ReadAsync(stream, _buffer.AsMemory(0, 1), cancellationToken).ConfigureAwait(false) > 0)
            {
                Log.FileGrewWhileRead(_logger, DockerIds.PrintablePath(path), size);
            }
        }

        var padding = TarType.Padding(size);
        if (padding > 0)
        {
            await _output.WriteAsync<TIo>(new byte[padding], cancellationToken).ConfigureAwait(false);
            progress?.Invoke(padding);
        }
    }
}
