using System.Buffers;
using System.IO.Abstractions;
using System.IO.Compression;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;

namespace Docker.Aufs.Archive;

/// <summary>
/// Reassembles a layer's tar from its tar-split data and its directory, as tar-split's <c>asm.NewOutputTarStream</c> does for
/// Docker (docs/format/graph-era.md §9.4): segments are written verbatim, each file entry's content is streamed from the layer directory
/// and checked against the stored CRC-64/ISO. Stricter than tar-split, which trusts the data: the segments are parsed as the
/// tar they make and every member is checked against the directory before its header is written (<see cref="TarSplitVerifier"/>):
/// names that are absolute or climb with <c>..</c>, paths through symbolic links, members the directory does not hold as
/// recorded, and content that does not come from the directory are refused.
/// </summary>
internal sealed class TarSplitAssembler
{
    public const int BufferSize = 1024 * 1024;

    private readonly IFileSystem _fileSystem;
    private readonly IUnixMetadataProvider _metadata;
    private readonly string _layerId;
    private readonly string _tarDataPath;
    private readonly string _diffPath;
    private readonly LayerContentFormat _format;
    private readonly Action<TarSplitHeaderDivergence>? _onHeaderDivergence;

    public TarSplitAssembler(IFileSystem fileSystem, IUnixMetadataProvider metadata, string layerId, string tarDataPath, string diffPath,
        LayerContentFormat format = LayerContentFormat.AufsChanges, Action<TarSplitHeaderDivergence>? onHeaderDivergence = null)
    {
        _format = format;
        _onHeaderDivergence = onHeaderDivergence;
        _fileSystem = fileSystem;
        _metadata = metadata;
        _layerId = layerId;
        _tarDataPath = tarDataPath;
        _diffPath = diffPath;
    }

    /// <summary>Writes the reassembled tar to <paramref name="sink"/>.</summary>
    /// <exception cref="CorruptFileException">The tar-split data is not gzip, truncated, or not tar-split JSON.</exception>
    /// <exception cref="UnsafePathException">An entry names a path outside the layer directory, or the tar-split file is a symbolic link.</exception>
    /// <exception cref="LayerReassemblyException">A file is missing, not a regular file, of another size or content, or named twice.</exception>
    public async ValueTask AssembleAsync<TIo>(LayerSink sink, Action<long>? progress, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        var options = TIo.IsAsync ? FileOptions.Asynchronous | FileOptions.SequentialScan : FileOptions.SequentialScan;
        // Streams that are only read are disposed synchronously in both modes: there is nothing to flush.
        using var file = RootFile.OpenRead(_fileSystem, _tarDataPath, 64 * 1024, options);
        await CheckGzipMagicAsync<TIo>(file, cancellationToken).ConfigureAwait(false);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var opener = new LayerFileOpener(_fileSystem, _metadata);
        var reader = new TarSplitReader(gzip, _tarDataPath);
        var verifier = new TarSplitVerifier(_fileSystem, _metadata, _layerId, _tarDataPath, _diffPath, _format, _onHeaderDivergence);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var any = false;
            while (await reader.NextAsync<TIo>(cancellationToken).ConfigureAwait(false) is { } entry)
            {
                any = true;
                cancellationToken.ThrowIfCancellationRequested();
                if (entry.Type == TarSplitEntryType.Segment)
                {
                    // Parsed as the tar it makes: a header reaches the sink only once its member is checked against the directory.
                    await verifier.SegmentAsync<TIo>(entry.Payload ?? ReadOnlyMemory<byte>.Empty, sink, progress, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (verifier.File(entry) is not { } path)
                {
                    continue;
                }

                if (entry.Payload is not { Length: 8 } crc)
                {
                    throw new CorruptFileException(_tarDataPath, $"the entry for '{TarSplitReader.Quote(entry.Name)}' has no 8-byte CRC-64 payload");
                }

                var name = NativeName.Decode(entry.Name);
                await CopyFileAsync<TIo>(opener, entry, name, path, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(crc), sink, buffer, progress, options, cancellationToken).ConfigureAwait(false);
            }

            if (!any)
            {
                throw new CorruptFileException(_tarDataPath, "the tar-split data holds no entries (a complete one ends with the archive's end segments)");
            }

            verifier.Finish();
        }
        catch (InvalidDataException e)
        {
            throw new CorruptFileException(_tarDataPath, $"the tar-split data is not a valid gzip stream ({e.Message})", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async ValueTask CheckGzipMagicAsync<TIo>(Stream file, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        var magic = new byte[2];
        var read = 0;
        while (read < 2)
        {
            var n = await TIo.ReadAsync(file, magic.AsMemory(read), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        if (read < 2 || magic[0] != 0x1F || magic[1] != 0x8B)
        {
            throw new CorruptFileException(_tarDataPath, read == 0 ? "the tar-split data is empty" : "the tar-split data is not gzip-compressed");
        }

        file.Position = 0;
    }

    private async ValueTask CopyFileAsync<TIo>(LayerFileOpener opener, TarSplitEntry entry, string name, string path, ulong expectedCrc, LayerSink sink, byte[] buffer, Action<long>? progress,
        FileOptions options, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        if (!_metadata.TryGetStatus(path, out var status))
        {
            throw new LayerReassemblyException(_layerId, Printable(name), path, "the file is missing from the layer directory");
        }

        if (status.Type != UnixFileType.RegularFile)
        {
            throw new LayerReassemblyException(_layerId, Printable(name), path, $"it is a {Describe(status.Type)} on disk, not a regular file");
        }

        if (status.Size != entry.Size)
        {
            throw new LayerReassemblyException(_layerId, Printable(name), path, $"it is {status.Size} bytes on disk, the tar held {entry.Size}: it changed since the pull");
        }

        var crc = 0UL;
        var remaining = entry.Size;
        FileSystemStream stream;
        try
        {
            // Relative to the layer directory's handle, through no link, and only if it is still the file just examined.
            stream = opener.Open(_diffPath, path[(_diffPath.TrimEnd('/').Length + 1)..], status, name, 1, options);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new LayerReassemblyException(_layerId, Printable(name), path, "the file is missing from the layer directory");
        }
        catch (CorruptFileException e)
        {
            throw new LayerReassemblyException(_layerId, Printable(name), path, e.Problem);
        }
        catch (UnsafePathException)
        {
            throw new LayerReassemblyException(_layerId, Printable(name), path,
                "a symbolic link is now at its place or on the way to it (the layer changed after it was examined); a file's content is never read through a link");
        }

        using (stream)
        {
            while (remaining > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var want = (int)Math.Min(buffer.Length, remaining);
                var read = await TIo.ReadAsync(stream, buffer.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new LayerReassemblyException(_layerId, Printable(name), path, $"the file ended {remaining} bytes early while it was read");
                }

                crc = Crc64Iso.Update(crc, buffer.AsSpan(0, read));
                await sink.WriteAsync<TIo>(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                progress?.Invoke(read);
                remaining -= read;
            }
        }

        if (crc != expectedCrc)
        {
            throw new LayerReassemblyException(_layerId, Printable(name), path,
                $"its content changed since the pull: CRC-64 {crc:x16}, the tar-split data records {expectedCrc:x16}");
        }
    }

    private static string Describe(UnixFileType type) => LayerFileOpener.Describe(type);

    private static string Printable(string name) => DockerIds.Printable(TarSplitReader.Shorten(name));
}
