using System.IO.Abstractions;
using Docker.Aufs.Formats;
using Docker.Aufs.Union;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Docker.Aufs.Archive;

/// <summary>
/// Archive work on a root: one layer's tar (byte-exact from tar-split data, else regenerated), an image's digests as
/// Docker 1.10 computes them, saves that today's Docker, podman, skopeo and umoci load, and <c>docker export</c> of a merged
/// view (docs/archive.md). Works on any <see cref="IDockerRoot"/> through its public members; nothing in the root is written.
/// Each layer's tar is made from that layer's own tar-split data and directory, as Docker's <c>save</c> made it: the
/// chain the driver records for views is not consulted.
/// Every method has an asynchronous twin sharing one core.
/// </summary>
/// <threadsafety static="true" instance="true"/>
public sealed class ImageArchiver
{
    private readonly IDockerRoot _root;
    private readonly ILogger _logger;

    /// <summary>Initializes an archiver over <paramref name="root"/>.</summary>
    /// <param name="root">The root to read.</param>
    /// <param name="loggerFactory">Where warnings go (layers regenerated, tags not exportable), or <see langword="null"/> for none.</param>
    public ImageArchiver(IDockerRoot root, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        _root = root;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Docker.Aufs");
    }

    /// <summary>
    /// Writes one layer's tar to <paramref name="destination"/>: reassembled from its tar-split data (byte-identical to the tar
    /// Docker applied, so its SHA-256 is the registry's DiffID) or regenerated from its directory (<see cref="ArchiveOptions.Source"/>).
    /// With <see cref="LayerSource.Auto"/> a failed reassembly falls back to regeneration when <paramref name="destination"/>
    /// can seek (it is truncated back to where it started); otherwise the failure is thrown.
    /// </summary>
    /// <param name="layer">The layer: a full ID, a unique prefix, or any reference resolving to it (<see cref="IDockerRoot.ResolveLayer"/>).</param>
    /// <param name="destination">Where to write the uncompressed tar.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives progress, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The DiffID, size and source of the tar.</returns>
    /// <exception cref="ImageNotFoundException">Nothing matches <paramref name="layer"/>.</exception>
    /// <exception cref="LayerReassemblyException">The tar cannot be reassembled (a file changed or is missing) and cannot be regenerated instead.</exception>
    /// <exception cref="CorruptFileException">The tar-split data is damaged and regeneration is not allowed, or the layer's JSON is corrupt.</exception>
    /// <exception cref="UnsafePathException">The tar-split data names a path outside the layer and regeneration is not allowed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public LayerDigest WriteLayerTar(string layer, Stream destination, ArchiveOptions? options = null, IProgress<ArchiveProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        IoRun.Sync(WriteLayerTarCoreAsync<SyncIo>(layer, destination, options, progress, cancellationToken));

    /// <summary>Asynchronously writes one layer's tar to a stream (see <see cref="WriteLayerTar"/>).</summary>
    /// <param name="layer">The layer: a full ID, a unique prefix, or any reference resolving to it.</param>
    /// <param name="destination">Where to write the uncompressed tar.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives progress, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The DiffID, size and source of the tar.</returns>
    /// <exception cref="ImageNotFoundException">Nothing matches <paramref name="layer"/>.</exception>
    /// <exception cref="LayerReassemblyException">The tar cannot be reassembled and cannot be regenerated instead.</exception>
    /// <exception cref="CorruptFileException">The tar-split data is damaged and regeneration is not allowed, or the layer's JSON is corrupt.</exception>
    /// <exception cref="UnsafePathException">The tar-split data names a path outside the layer and regeneration is not allowed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<LayerDigest> WriteLayerTarAsync(string layer, Stream destination, ArchiveOptions? options = null, IProgress<ArchiveProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        WriteLayerTarCoreAsync<AsyncIo>(layer, destination, options, progress, cancellationToken).AsTask();

    /// <summary>
    /// Writes one layer's tar to the file <paramref name="outputPath"/> (see <see cref="WriteLayerTar"/>), atomically: under a
    /// temporary name that replaces the file only when the tar is complete. A failure or cancellation leaves nothing behind.
    /// </summary>
    /// <param name="layer">The layer: a full ID, a unique prefix, or any reference resolving to it.</param>
    /// <param name="outputPath">The file to write.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives progress, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The DiffID, size and source of the tar.</returns>
    /// <exception cref="ImageNotFoundException">Nothing matches <paramref name="layer"/>.</exception>
    /// <exception cref="LayerReassemblyException">The tar can be neither reassembled nor regenerated.</exception>
    /// <exception cref="CorruptFileException">The tar-split data is damaged and regeneration is not allowed, or the layer's JSON is corrupt.</exception>
    /// <exception cref="UnsafePathException">The tar-split data names a path outside the layer and regeneration is not allowed.</exception>
    /// <exception cref="IOException"><paramref name="outputPath"/> is a directory, a symbolic link, a fifo or device (write those as a stream), inside the root, or cannot be written.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public LayerDigest ExportLayerTar(string layer, string outputPath, ArchiveOptions? options = null, IProgress<ArchiveProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        IoRun.Sync(ExportLayerTarCoreAsync<SyncIo>(layer, outputPath, options, progress, cancellationToken));

    /// <summary>Asynchronously writes one layer's tar to a file, atomically (see <see cref="ExportLayerTar"/>).</summary>
    /// <param name="layer">The layer: a full ID, a unique prefix, or any reference resolving to it.</param>
    /// <param name="outputPath">The file to write.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives progress, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The DiffID, size and source of the tar.</returns>
    /// <exception cref="ImageNotFoundException">Nothing matches <paramref name="layer"/>.</exception>
    /// <exception cref="LayerReassemblyException">The tar can be neither reassembled nor regenerated.</exception>
    /// <exception cref="CorruptFileException">The tar-split data is damaged and regeneration is not allowed, or the layer's JSON is corrupt.</exception>
    /// <exception cref="UnsafePathException">The tar-split data names a path outside the layer and regeneration is not allowed.</exception>
    /// <exception cref="IOException"><paramref name="outputPath"/> is a directory, a symbolic link, a fifo or device (write those as a stream), inside the root, or cannot be written.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<LayerDigest> ExportLayerTarAsync(string layer, string outputPath, ArchiveOptions? options = null, IProgress<ArchiveProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        ExportLayerTarCoreAsync<AsyncIo>(layer, outputPath, options, progress, cancellationToken).AsTask();

    /// <summary>
    /// Computes what Docker 1.10's migration makes of an image: each layer's DiffID (from its tar, as <see cref="WriteLayerTar"/>
    /// produces it) and ChainID, the v2 config (docs/format/graph-era.md §9.3) and the image ID (its SHA-256). Nothing is written.
    /// </summary>
    /// <param name="reference">The image (see <see cref="IDockerRoot.ResolveImage"/>).</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives progress, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <returns>The digests, layers base first.</returns>
    /// <exception cref="ImageNotFoundException">Nothing matches.</exception>
    /// <exception cref="AmbiguousReferenceException">An ID prefix matches several images.</exception>
    /// <exception cref="BrokenLayerChainException">A parent is missing or the chain loops.</exception>
    /// <exception cref="LayerReassemblyException">A layer's tar can be neither reassembled nor regenerated.</exception>
    /// <exception cref="DockerDataException">A file of the chain is corrupt.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ImageDigests ComputeDigests(string reference, ArchiveOptions? options = null, IProgress<ArchiveProgress>? progress = null, CancellationToken cancellationToken = default) =>
        IoRun.Sync(ComputeDigestsCoreAsync<SyncIo>(reference, options, progress, cancellationToken));

    /// <summary>Asynchronously computes an image's digests (see <see cref="ComputeDigests"/>).</summary>
    /// <param name="reference">The image (see <see cref="IDockerRoot.ResolveImage"/>).</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives progress, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <returns>The digests, layers base first.</returns>
    /// <exception cref="ImageNotFoundException">Nothing matches.</exception>
    /// <exception cref="AmbiguousReferenceException">An ID prefix matches several images.</exception>
    /// <exception cref="BrokenLayerChainException">A parent is missing or the chain loops.</exception>
    /// <exception cref="LayerReassemblyException">A layer's tar can be neither reassembled nor regenerated.</exception>
    /// <exception cref="DockerDataException">A file of the chain is corrupt.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<ImageDigests> ComputeDigestsAsync(string reference, ArchiveOptions? options = null, IProgress<ArchiveProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        ComputeDigestsCoreAsync<AsyncIo>(reference, options, progress, cancellationToken).AsTask();

    /// <summary>
    /// Saves images as a docker-archive or an OCI image layout (<see cref="ArchiveOptions.Format"/>) that current Docker, podman,
    /// skopeo and umoci load. A bare repository name saves every tag of it, <c>name:tag</c> that tag, an ID or digest the image
    /// without tags. Layers shared by several images are written once. Memory use does not grow with layer sizes; the output
    /// appears under its name only when complete, and a failure or cancellation leaves nothing behind.
    /// </summary>
    /// <param name="references">The images (see <see cref="IDockerRoot.ResolveImage"/>).</param>
    /// <param name="outputPath">The file (docker-archive, OCI archive) or new or empty directory (OCI directory) to write.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives progress, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns>What was written.</returns>
    /// <exception cref="ArgumentException"><paramref name="references"/> is empty or holds an empty reference.</exception>
    /// <exception cref="ImageNotFoundException">A reference matches nothing.</exception>
    /// <exception cref="AmbiguousReferenceException">An ID prefix matches several images.</exception>
    /// <exception cref="BrokenLayerChainException">A chain is broken.</exception>
    /// <exception cref="LayerReassemblyException">A layer's tar can be neither reassembled nor regenerated.</exception>
    /// <exception cref="DockerDataException">A file of a chain is corrupt.</exception>
    /// <exception cref="NotSupportedException">An image has no layers: Docker cannot save or load such an image either ("empty export - not implemented").</exception>
    /// <exception cref="IOException">The output cannot be written: inside the root, a symbolic link, a fifo or device (write those as a stream), or for a directory one that is not empty.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public SaveResult Save(IReadOnlyList<string> references, string outputPath, ArchiveOptions? options = null, IProgress<ArchiveProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        IoRun.Sync(SaveCoreAsync<SyncIo>(references, outputPath, options, progress, cancellationToken));

    /// <summary>Asynchronously saves images (see <see cref="Save"/>).</summary>
    /// <param name="references">The images (see <see cref="IDockerRoot.ResolveImage"/>).</param>
    /// <param name="outputPath">The file or new or empty directory to write.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives progress, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns>What was written.</returns>
    /// <exception cref="ArgumentException"><paramref name="references"/> is empty or holds an empty reference.</exception>
    /// <exception cref="ImageNotFoundException">A reference matches nothing.</exception>
    /// <exception cref="AmbiguousReferenceException">An ID prefix matches several images.</exception>
    /// <exception cref="BrokenLayerChainException">A chain is broken.</exception>
    /// <exception cref="LayerReassemblyException">A layer's tar can be neither reassembled nor regenerated.</exception>
    /// <exception cref="DockerDataException">A file of a chain is corrupt.</exception>
    /// <exception cref="NotSupportedException">An image has no layers: Docker cannot save or load such an image either ("empty export - not implemented").</exception>
    /// <exception cref="IOException">The output cannot be written: inside the root, a symbolic link, a fifo or device (write those as a stream), or for a directory one that is not empty.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<SaveResult> SaveAsync(IReadOnlyList<string> references, string outputPath, ArchiveOptions? options = null, IProgress<ArchiveProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        SaveCoreAsync<AsyncIo>(references, outputPath, options, progress, cancellationToken).AsTask();

    /// <summary>
    /// Writes a merged view as one uncompressed tar, what <c>docker export</c> gives for a container: every entry below the root,
    /// depth first in code point order, with permissions, owners, modification times, symbolic links as stored, device
    /// numbers, extended attributes Docker keeps, and files that share an inode written once and then as hardlinks to the
    /// first name. Sockets are skipped, as Docker's tar writer skips them. Headers are Go's, as in Docker's own export.
    /// </summary>
    /// <param name="view">The view (an image, a container or a layer of this root).</param>
    /// <param name="output">Where to write the tar; left open.</param>
    /// <param name="cancellationToken">Stops the export between entries.</param>
    /// <returns>The number of tar entries written.</returns>
    /// <exception cref="IOException">A branch cannot be read, or <paramref name="output"/> fails. (A file that grows or shrinks while it is read is cut or padded to its header's size, with a warning.)</exception>
    /// <exception cref="OperationCanceledException">The export was cancelled.</exception>
    public long Export(UnionView view, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(output);
        return IoRun.Sync(ViewExporter.ExportAsync<SyncIo>(view, output, _logger, cancellationToken));
    }

    /// <summary>Asynchronously writes a merged view as one tar (see <see cref="Export"/>).</summary>
    /// <param name="view">The view.</param>
    /// <param name="output">Where to write the tar; left open.</param>
    /// <param name="cancellationToken">Stops the export.</param>
    /// <returns>The number of tar entries written.</returns>
    /// <exception cref="IOException">A branch cannot be read, or <paramref name="output"/> fails. (A file that grows or shrinks while it is read is cut or padded to its header's size, with a warning.)</exception>
    /// <exception cref="OperationCanceledException">The export was cancelled.</exception>
    public Task<long> ExportAsync(UnionView view, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(output);
        return ViewExporter.ExportAsync<AsyncIo>(view, output, _logger, cancellationToken).AsTask();
    }

    /// <summary>
    /// Writes chosen entries of views of this root as one uncompressed tar, each under the name given (relative, without a
    /// trailing slash), in the order given, through the writer of <see cref="Export"/>:
    /// what <c>docker cp CONTAINER:PATH -</c> writes for a file or a directory. Files that share an inode are written once,
    /// then as hardlinks to the first name; sockets are skipped.
    /// </summary>
    /// <param name="members">The entries and their names in the tar (the entries of any view of this root).</param>
    /// <param name="output">Where to write the tar; left open.</param>
    /// <param name="cancellationToken">Stops the export between entries.</param>
    /// <returns>The number of tar entries written.</returns>
    /// <exception cref="IOException">A branch cannot be read, or <paramref name="output"/> fails.</exception>
    /// <exception cref="OperationCanceledException">The export was cancelled.</exception>
    public long ExportMembers(IEnumerable<ArchiveMember> members, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(output);
        return IoRun.Sync(ViewExporter.ExportMembersAsync<SyncIo>(_root.FileSystem, _root.Metadata, members, output, _logger, cancellationToken));
    }

    /// <summary>
    /// Copies chosen entries of views of this root into a directory, as <c>docker cp CONTAINER:PATH DEST</c> extracts them:
    /// each entry at its name under <paramref name="directory"/>, in the order given (a directory before its content);
    /// regular files written beside their path and renamed into place when complete, and a new directory copied whole under
    /// a hidden name beside its place and renamed there when complete (removed on failure or cancellation); file content
    /// opened without following a link and checked against its listing; symbolic links as links (never
    /// followed); files sharing an inode linked again where the file system allows; permission bits and modification times
    /// kept (directories' set last). Owners are kept only with <paramref name="keepOwners"/> and only where the process may
    /// set them (root); otherwise each file the caller asked to own is listed in <see cref="CopyResult.OwnersNotKept"/>.
    /// Sockets, and devices when not root, are not copied and are listed. Nothing is written inside this root (checked by
    /// file identity for each file and directory).
    /// </summary>
    /// <param name="members">The entries and their names under <paramref name="directory"/> (empty: the directory itself).</param>
    /// <param name="fileSystem">The file system to write to.</param>
    /// <param name="directory">The directory to copy into; it must exist.</param>
    /// <param name="keepOwners">Whether to set each entry's recorded owner (docker cp's <c>-a</c>).</param>
    /// <param name="cancellationToken">Stops the copy between entries and files.</param>
    /// <returns>What was copied and what was not.</returns>
    /// <exception cref="IOException">A target is inside the root, a directory would replace a non-directory or the reverse, or writing fails.</exception>
    /// <exception cref="OperationCanceledException">The copy was cancelled; a file being written is removed.</exception>
    public CopyResult CopyTo(IEnumerable<ArchiveMember> members, IFileSystem fileSystem, string directory, bool keepOwners, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var copier = new ViewCopier(fileSystem, _root.FileSystem, _root.Path, keepOwners);

        // Each file's content relative to its directory's handle, following no link, checked against its listing (as
        // ExportMembers opens it): a file swapped after it was listed is refused, never read through a link (R6).
        using var opener = new Docker.Aufs.IO.LayerFileOpener(_root.FileSystem, _root.Metadata);
        return copier.Copy(entry =>
        {
            var (parent, name) = UnionView.SplitByParent(entry.SourcePath);
            return opener.Open(parent, name, entry.Status, ImagePath.Display(entry.Path), 4096, FileOptions.SequentialScan);
        }, members, directory, cancellationToken);
    }

    private ImageExporter Exporter => new(_root.FileSystem, _root.Path, _root.Metadata, _logger);

    private async ValueTask<LayerDigest> WriteLayerTarCoreAsync<TIo>(string layer, Stream destination, ArchiveOptions? options, IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        ArgumentNullException.ThrowIfNull(destination);
        var resolved = _root.ResolveLayer(layer);
        return await Exporter.WriteLayerTarAsync<TIo>(resolved, destination, (options ?? ArchiveOptions.Default).Source, progress, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<LayerDigest> ExportLayerTarCoreAsync<TIo>(string layer, string outputPath, ArchiveOptions? options, IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        var resolved = _root.ResolveLayer(layer);
        return await Exporter.ExportLayerTarAsync<TIo>(resolved, outputPath, options ?? ArchiveOptions.Default, progress, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<ImageDigests> ComputeDigestsCoreAsync<TIo>(string reference, ArchiveOptions? options, IProgress<ArchiveProgress>? progress, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        var image = _root.ResolveImage(reference);
        return await Exporter.DigestAsync<TIo>(image, BaseFirst(image), (options ?? ArchiveOptions.Default).Source, progress, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<SaveResult> SaveCoreAsync<TIo>(IReadOnlyList<string> references, string outputPath, ArchiveOptions? options, IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        ArgumentNullException.ThrowIfNull(references);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        if (references.Count == 0)
        {
            throw new ArgumentException("Name at least one image to save.", nameof(references));
        }

        // Docker's save: a bare repository name saves every tag of it; name:tag that tag; an ID or digest the image, untagged.
        var order = new List<string>();
        var images = new Dictionary<string, (Image Image, List<(string, string)> Tags)>(StringComparer.Ordinal);
        IReadOnlyList<ImageSummary>? listing = null;
        void Add(Image image, (string Repository, string Tag)? tag)
        {
            if (!images.TryGetValue(image.Id, out var entry))
            {
                images[image.Id] = entry = (image, []);
                order.Add(image.Id);
            }

            if (tag is { } t && !entry.Tags.Contains(t))
            {
                entry.Tags.Add(t);
            }
        }

        foreach (var reference in references)
        {
            ArgumentException.ThrowIfNullOrEmpty(reference, nameof(references));
            var parsed = ImageReference.Parse(reference);
            if (parsed.ExplicitReference is null)
            {
                listing ??= _root.GetImages();
                var tagged = listing
                    .SelectMany(i => i.RepoTags.Select(t => (Image: i, Tag: ImageReference.Parse(t))))
                    .Where(t => t.Tag.LocalName == parsed.LocalName && !t.Tag.IsDigest)
                    .OrderBy(t => t.Tag.TagOrDigest, StringComparer.Ordinal)
                    .ToList();
                if (tagged.Count > 0)
                {
                    foreach (var (summary, tag) in tagged)
                    {
                        Add(_root.ResolveImage(summary.Id), (parsed.LocalName, tag.TagOrDigest));
                    }

                    continue;
                }
            }

            var image = _root.ResolveImage(reference);
            var byTag = !parsed.IsDigest && image.RepoTags.Contains(ImageReference.Format(parsed.LocalName, parsed.TagOrDigest), StringComparer.Ordinal);
            Add(image, byTag ? (parsed.LocalName, parsed.TagOrDigest) : null);
        }

        var exports = order.Select(id => new ExportImage(images[id].Image, BaseFirst(images[id].Image), images[id].Tags)).ToList();
        return await Exporter.SaveAsync<TIo>(exports, outputPath, options ?? ArchiveOptions.Default, progress, cancellationToken).ConfigureAwait(false);
    }

    private static List<ImageLayer> BaseFirst(Image image)
    {
        var chain = new List<ImageLayer>(image.Layers.Count);
        for (var i = image.Layers.Count - 1; i >= 0; i--)
        {
            chain.Add(image.Layers[i]);
        }

        return chain;
    }
}
