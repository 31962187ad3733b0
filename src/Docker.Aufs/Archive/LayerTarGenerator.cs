using System.Buffers;
using System.IO.Abstractions;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Logging;
using Microsoft.Extensions.Logging;

namespace Docker.Aufs.Archive;

/// <summary>
/// Regenerates a layer's tar from its AUFS directory as Docker's AUFS driver <c>Diff</c> does (moby v1.9.1
/// <c>pkg/archive</c> <c>TarWithOptions</c> with the exclusions <c>.wh..wh.*</c> and <c>!.wh..wh..opq</c>; docs/format/graph-era.md §6):
/// entries in <c>filepath.Walk</c> order (a directory, then its entries sorted by the bytes of their names), the root itself
/// left out, names relative without <c>./</c>, directories with a trailing <c>/</c>; top-level AUFS bookkeeping
/// (<c>.wh..wh.aufs</c>, <c>.wh..wh.plnk/</c>, <c>.wh..wh.orph/</c>) excluded with everything below it, while whiteouts
/// <c>.wh.&lt;name&gt;</c> and opaque markers <c>.wh..wh..opq</c> below the top level are kept; a regular file with several
/// links becomes a hardlink entry to the first of its names in the tar (by device and inode); sockets are skipped; owner,
/// mode, time and device numbers come from the metadata seam; entries written by <see cref="TarEntryWriter"/>.
/// Symbolic links are stored, never followed.
/// </summary>
internal sealed class LayerTarGenerator
{
    private const string MetaPrefix = ".wh..wh.";
    private const string OpaqueMarker = ".wh..wh..opq";
    private const string WhiteoutPrefix = ".wh.";
    private const int WhiteoutMode = 0x180; // 0600

    private readonly IFileSystem _fileSystem;
    private readonly IUnixMetadataProvider _metadata;
    private readonly string _diffPath;
    private readonly ILogger _logger;

    private readonly Drivers.OverlayBranches? _overlay;

    /// <summary>Initializes a generator of an AUFS layer's tar, or of an overlay2 layer's with <paramref name="overlay"/>.</summary>
    /// <param name="fileSystem">The file system.</param>
    /// <param name="metadata">The layer directory's real <c>lstat</c> facts.</param>
    /// <param name="diffPath">The layer's directory of changes.</param>
    /// <param name="logger">Where warnings go.</param>
    /// <param name="overlay">
    /// For an overlay2 layer: its whiteouts and opaque marks, converted as Docker's overlay2 <c>Diff</c> converts them
    /// (<c>overlayWhiteoutConverter.ConvertWrite</c>): a 0/0 character device <c>x</c> becomes, in its place in the walk,
    /// a regular file <c>.wh.x</c> of mode 0600 and size 0 with the device's owner and time; an opaque directory is
    /// followed at once by <c>.wh..wh..opq</c>, a regular file with the directory's permission bits and owner and the zero
    /// time (Go's tar writer stores an unset time as 0); no AUFS bookkeeping is excluded.
    /// </param>
    public LayerTarGenerator(IFileSystem fileSystem, IUnixMetadataProvider metadata, string diffPath, ILogger logger, Drivers.OverlayBranches? overlay = null)
    {
        _fileSystem = fileSystem;
        _metadata = metadata;
        _diffPath = diffPath;
        _logger = logger;
        _overlay = overlay;
    }

    /// <summary>Writes the regenerated tar, ending with the two zero blocks Go's <c>tar.Writer.Close</c> writes.</summary>
    /// <exception cref="DirectoryNotFoundException">The layer directory does not exist.</exception>
    /// <exception cref="IOException">A file changed size while it was read.</exception>
    public async ValueTask GenerateAsync<TIo>(LayerSink sink, Action<long>? progress, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        if (!_fileSystem.Directory.Exists(_diffPath))
        {
            throw new DirectoryNotFoundException($"The layer directory {_diffPath} does not exist.");
        }

        var buffer = ArrayPool<byte>.Shared.Rent(TarSplitAssembler.BufferSize);
        try
        {
            var options = TIo.IsAsync ? FileOptions.Asynchronous | FileOptions.SequentialScan : FileOptions.SequentialScan;
            using var writer = new TarEntryWriter(_fileSystem, _metadata, sink, buffer, _logger);

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

                if (_overlay is not null && Drivers.OverlayBranches.IsWhiteout(status))
                {
                    var slash = relative.LastIndexOf('/');
                    var whiteout = relative[..(slash + 1)] + WhiteoutPrefix + relative[(slash + 1)..];
                    await writer.WriteEmptyFileAsync<TIo>(status, whiteout, WhiteoutMode, null, progress, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                await writer.WriteEntryAsync<TIo>(status, relative, _diffPath, relative, progress, options, cancellationToken).ConfigureAwait(false);
                if (status.Type == UnixFileType.Directory)
                {
                    if (_overlay is not null && _overlay.IsOpaque(path))
                    {
                        await writer.WriteEmptyFileAsync<TIo>(status, relative + "/" + OpaqueMarker, status.Permissions & 0x1FF, DateTimeOffset.UnixEpoch, progress, cancellationToken).ConfigureAwait(false);
                    }

                    PushChildren(pending, path, relative);
                }
            }

            await writer.FinishAsync<TIo>(progress, cancellationToken).ConfigureAwait(false);
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
            if (_overlay is null && relative.Length == 0 && name.StartsWith(MetaPrefix, StringComparison.Ordinal) && name != OpaqueMarker)
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
}
