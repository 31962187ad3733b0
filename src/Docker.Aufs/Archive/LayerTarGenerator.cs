using System.Buffers;
using System.IO.Abstractions;
using System.Text;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Logging;
using Microsoft.Extensions.Logging;

namespace Docker.Aufs.Archive;

/// <summary>
/// Regenerates a layer's tar from its AUFS directory as Docker's AUFS driver <c>Diff</c> does (moby v1.9.1
/// <c>pkg/archive</c> <c>TarWithOptions</c> with the exclusions <c>.wh..wh.*</c> and <c>!.wh..wh..opq</c>; legacy-layout §6):
/// entries in <c>filepath.Walk</c> order (a directory, then its entries sorted by the bytes of their names), the root itself
/// left out, names relative without <c>./</c>, directories with a trailing <c>/</c>; top-level AUFS bookkeeping
/// (<c>.wh..wh.aufs</c>, <c>.wh..wh.plnk/</c>, <c>.wh..wh.orph/</c>) excluded with everything below it, while whiteouts
/// <c>.wh.&lt;name&gt;</c> and opaque markers <c>.wh..wh..opq</c> below the top level are kept; a regular file with several
/// links becomes a hardlink entry to the first of its names in the tar (by device and inode); sockets are skipped; owner,
/// mode, time and device numbers come from the metadata seam; headers are Go 1.5's (<see cref="GoTarHeaderEncoder"/>).
/// Symbolic links are stored, never followed.
/// </summary>
internal sealed class LayerTarGenerator
{
    private const string MetaPrefix = ".wh..wh.";
    private const string OpaqueMarker = ".wh..wh..opq";

    private readonly IFileSystem _fileSystem;
    private readonly IUnixMetadataProvider _metadata;
    private readonly string _diffPath;
    private readonly ILogger _logger;
    private readonly GoTarHeaderEncoder _encoder = new();
    private readonly Dictionary<(ulong Device, ulong Inode), byte[]> _seen = [];

    public LayerTarGenerator(IFileSystem fileSystem, IUnixMetadataProvider metadata, string diffPath, ILogger logger)
    {
        _fileSystem = fileSystem;
        _metadata = metadata;
        _diffPath = diffPath;
        _logger = logger;
    }

    /// <summary>Writes the regenerated tar, ending with the two zero blocks Go's <c>tar.Writer.Close</c> writes.</summary>
    /// <exception cref="DirectoryNotFoundException">The layer directory does not exist.</exception>
    /// <exception cref="IOException">A file changed size while it was read.</exception>
    public async ValueTask GenerateAsync(LayerSink sink, Action<long>? progress, bool useAsync, CancellationToken cancellationToken)
    {
        if (!_fileSystem.Directory.Exists(_diffPath))
        {
            throw new DirectoryNotFoundException($"The layer directory {_diffPath} does not exist.");
        }

        var buffer = ArrayPool<byte>.Shared.Rent(TarSplitAssembler.BufferSize);
        try
        {
            var options = useAsync ? FileOptions.Asynchronous | FileOptions.SequentialScan : FileOptions.SequentialScan;

            // An explicit stack keeps deep trees off the call stack; entries are pushed in reverse to pop in order.
            var pending = new Stack<(string Path, string Relative)>();
            PushChildren(pending, _diffPath, string.Empty);
            while (pending.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (path, relative) = pending.Pop();
                if (!_metadata.TryGetStatus(path, out var status))
                {
                    continue; // vanished since the directory was listed: Docker logs and goes on
                }

                if (status.Type == UnixFileType.Socket)
                {
                    Log.LayerTarSkippedSocket(_logger, path);
                    continue;
                }

                var header = Header(status, relative);
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
                await sink.WriteAsync(blocks, useAsync, cancellationToken).ConfigureAwait(false);
                progress?.Invoke(blocks.Length);
                if (regular && header.Size > 0)
                {
                    await CopyContentAsync(path, header.Size, sink, buffer, progress, options, useAsync, cancellationToken).ConfigureAwait(false);
                }

                if (status.Type == UnixFileType.Directory)
                {
                    PushChildren(pending, path, relative);
                }
            }

            var end = new byte[2 * TarType.BlockSize];
            await sink.WriteAsync(end, useAsync, cancellationToken).ConfigureAwait(false);
            progress?.Invoke(end.Length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void PushChildren(Stack<(string Path, string Relative)> pending, string directory, string relative)
    {
        var names = new List<string>();
        foreach (var entry in _fileSystem.Directory.EnumerateFileSystemEntries(directory))
        {
            var name = _fileSystem.Path.GetFileName(entry);
            if (relative.Length == 0 && name.StartsWith(MetaPrefix, StringComparison.Ordinal) && name != OpaqueMarker)
            {
                continue; // top-level AUFS bookkeeping and everything below it
            }

            names.Add(name);
        }

        names.Sort(Utf8Ordinal.Instance);
        for (var i = names.Count - 1; i >= 0; i--)
        {
            pending.Push((_fileSystem.Path.Combine(directory, names[i]), relative.Length == 0 ? names[i] : relative + "/" + names[i]));
        }
    }

    private static TarEntryHeader Header(UnixFileStatus status, string relative)
    {
        var header = new TarEntryHeader
        {
            Name = Encoding.UTF8.GetBytes(status.Type == UnixFileType.Directory ? relative + "/" : relative),
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
                header.Linkname = Encoding.UTF8.GetBytes(status.LinkTarget ?? string.Empty);
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

    private async ValueTask CopyContentAsync(string path, long size, LayerSink sink, byte[] buffer, Action<long>? progress, FileOptions options,
        bool useAsync, CancellationToken cancellationToken)
    {
        var remaining = size;
        using var stream = _fileSystem.FileStream.New(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, options);
        {
            while (remaining > 0)
            {
                var want = (int)Math.Min(buffer.Length, remaining);
                var read = useAsync
                    ? await stream.ReadAsync(buffer.AsMemory(0, want), cancellationToken).ConfigureAwait(false)
                    : stream.Read(buffer, 0, want);
                if (read == 0)
                {
                    throw new IOException($"{path} became {size - remaining} bytes long while it was read (it was {size}): the layer directory is changing");
                }

                await sink.WriteAsync(buffer.AsMemory(0, read), useAsync, cancellationToken).ConfigureAwait(false);
                progress?.Invoke(read);
                remaining -= read;
            }
        }

        var padding = TarType.Padding(size);
        if (padding > 0)
        {
            await sink.WriteAsync(new byte[padding], useAsync, cancellationToken).ConfigureAwait(false);
            progress?.Invoke(padding);
        }
    }
}
