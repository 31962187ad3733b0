using System.IO.Abstractions;
using Docker.Aufs.Archive;
using Docker.Aufs.Containers;
using Docker.Aufs.Drivers.Aufs;
using Docker.Aufs.Graph;
using Docker.Aufs.IO;
using Docker.Aufs.Repositories;
using Docker.Aufs.Union;

namespace Docker.Aufs;

/// <summary>
/// A legacy Docker root (<c>/var/lib/docker</c> of Docker 0.7–1.9) opened for reading. Lazy: resolving one reference reads
/// the tag store and that image's chain only. Nothing in the root is ever written.
/// </summary>
/// <remarks>Instances are safe for concurrent readers; results are immutable.</remarks>
public interface IDockerRoot
{
    /// <summary>Gets the full path of the root.</summary>
    string Path { get; }

    /// <summary>Gets the storage driver whose data is read (<c>aufs</c>, …).</summary>
    string Driver { get; }

    /// <summary>Gets the file system holding the root.</summary>
    IFileSystem FileSystem { get; }

    /// <summary>Gets the source of owner, inode and device facts for files in the root.</summary>
    IUnixMetadataProvider Metadata { get; }

    /// <summary>Gets the AUFS driver's directory, or <see langword="null"/> when the root's driver is not AUFS.</summary>
    AufsDriver? Aufs { get; }

    /// <summary>
    /// Gets the tag store <c>repositories-&lt;driver&gt;</c>. A missing, empty, truncated or corrupt file, or one that is a
    /// symbolic link (never followed), gives an empty index and a logged warning: images stay reachable by ID.
    /// </summary>
    RepositoryIndex Repositories { get; }

    /// <summary>Returns the IDs of every directory under <c>graph/</c> that is named like an ID, sorted.</summary>
    /// <returns>The IDs.</returns>
    IReadOnlyList<string> GetImageIds();

    /// <summary>
    /// Resolves a reference to a full image ID exactly as Docker 1.9's <c>LookupImage</c>: <c>name</c>, <c>name:tag</c>,
    /// <c>name@sha256:…</c>, <c>host:port/name:tag</c>, with <c>docker.io/</c>, <c>index.docker.io/</c> and <c>library/</c>
    /// normalized; then a 12+ character short ID among the repository's images; then any unique prefix of all image IDs.
    /// </summary>
    /// <param name="reference">The reference.</param>
    /// <returns>The full image ID.</returns>
    /// <exception cref="ArgumentException"><paramref name="reference"/> is empty.</exception>
    /// <exception cref="ImageNotFoundException">Nothing matches.</exception>
    /// <exception cref="AmbiguousReferenceException">An ID prefix matches several images.</exception>
    /// <exception cref="DockerDataException">The tag store names something that is not an ID.</exception>
    string ResolveImageId(string reference);

    /// <summary>Resolves a reference (see <see cref="ResolveImageId"/>) to its ordered layer stack, top first.</summary>
    /// <param name="reference">The reference.</param>
    /// <returns>The stack, cross-checked against the driver's own chain.</returns>
    /// <exception cref="ImageNotFoundException">Nothing matches.</exception>
    /// <exception cref="AmbiguousReferenceException">An ID prefix matches several images.</exception>
    /// <exception cref="BrokenLayerChainException">A parent is missing, the chain loops, or (with strict chains) the driver disagrees.</exception>
    /// <exception cref="DockerDataException">A file of the chain is corrupt.</exception>
    ImageStack Resolve(string reference);

    /// <summary>Reads the <c>graph/</c> data of one layer by its full ID.</summary>
    /// <param name="id">The full layer ID.</param>
    /// <returns>The layer.</returns>
    /// <exception cref="ImageNotFoundException">There is no <c>graph/&lt;id&gt;</c>.</exception>
    /// <exception cref="DockerDataException">Its files are corrupt.</exception>
    GraphLayer GetLayer(string id);

    /// <summary>Lists images as <c>docker images</c> does: every tagged image and every untagged head, newest first.</summary>
    /// <remarks>
    /// Each layer is read as Docker 1.9's restore reads it: the image JSON, <c>parent</c> and <c>layersize</c>
    /// (<c>checksum</c> and <c>v1Compatibility</c> are not part of a listing; <see cref="GetLayer"/> reads them). On the real
    /// file system a large root is read by several threads; the result is the same.
    /// </remarks>
    /// <returns>The images; those whose data cannot be read are skipped with a logged warning.</returns>
    IReadOnlyList<ImageSummary> GetImages();

    /// <summary>Returns an image's history as <c>docker history</c> does, top first.</summary>
    /// <param name="reference">The reference (see <see cref="ResolveImageId"/>).</param>
    /// <returns>One entry per layer.</returns>
    /// <exception cref="ImageNotFoundException">Nothing matches.</exception>
    /// <exception cref="BrokenLayerChainException">A parent is missing or the chain loops.</exception>
    /// <exception cref="DockerDataException">A file of the chain is corrupt.</exception>
    IReadOnlyList<ImageHistoryEntry> GetHistory(string reference);

    /// <summary>
    /// Lists the containers of the root's storage driver as <c>docker ps -a</c> does, newest first. As Docker's
    /// <c>restore</c>, containers whose <c>config.json</c> or <c>hostconfig.json</c> cannot be read, or that belong to
    /// another driver, are skipped with a logged warning (debug message for another driver); a container whose image is
    /// missing is listed with its image ID, and a warning.
    /// </summary>
    /// <returns>The containers.</returns>
    /// <exception cref="UnsafePathException"><c>containers/</c> is a symbolic link (never followed).</exception>
    /// <exception cref="IOException"><c>containers/</c> cannot be listed.</exception>
    IReadOnlyList<ContainerSummary> GetContainers();

    /// <summary>
    /// Resolves a container reference as Docker 1.9's <c>daemon.Get</c>: the exact full ID, then the exact name (with or
    /// without its leading slash), then a unique prefix of every container ID. Names come from <c>config.json</c>.
    /// </summary>
    /// <param name="reference">The reference.</param>
    /// <returns>The full container ID.</returns>
    /// <exception cref="ArgumentException"><paramref name="reference"/> is empty.</exception>
    /// <exception cref="ContainerNotFoundException">Nothing matches.</exception>
    /// <exception cref="AmbiguousReferenceException">The prefix (or a name two containers claim) matches several containers.</exception>
    /// <exception cref="CorruptFileException">The reference is the full ID of a container whose configuration cannot be read.</exception>
    /// <exception cref="UnsafePathException"><c>containers/</c>, or the directory of the container the full ID names, is a symbolic link.</exception>
    string ResolveContainerId(string reference);

    /// <summary>Resolves a container reference (see <see cref="ResolveContainerId"/>) and returns its configuration.</summary>
    /// <param name="reference">The reference.</param>
    /// <returns>The container.</returns>
    /// <exception cref="ArgumentException"><paramref name="reference"/> is empty.</exception>
    /// <exception cref="ContainerNotFoundException">Nothing matches.</exception>
    /// <exception cref="AmbiguousReferenceException">The reference matches several containers.</exception>
    /// <exception cref="CorruptFileException">The reference is the full ID of a container whose configuration cannot be read.</exception>
    /// <exception cref="UnsafePathException"><c>containers/</c>, or the directory of the container the full ID names, is a symbolic link.</exception>
    LegacyContainer GetContainer(string reference);

    /// <summary>Returns the merged file system of an image: its AUFS layer on top of those listed in <c>aufs/layers/&lt;id&gt;</c>.</summary>
    /// <param name="reference">The image reference (see <see cref="ResolveImageId"/>).</param>
    /// <returns>The read-only view.</returns>
    /// <exception cref="ImageNotFoundException">Nothing matches.</exception>
    /// <exception cref="AmbiguousReferenceException">An ID prefix matches several images.</exception>
    /// <exception cref="NotALegacyRootException">The root is not read with the AUFS driver.</exception>
    /// <exception cref="DockerDataException">The chain is broken or a branch is missing (see <see cref="Resolve"/>).</exception>
    UnionView GetImageView(string reference);

    /// <summary>Returns the merged file system of a container: <c>&lt;id&gt;</c>, <c>&lt;id&gt;-init</c>, then its image's layers.</summary>
    /// <param name="reference">The container reference (see <see cref="ResolveContainerId"/>).</param>
    /// <returns>The read-only view.</returns>
    /// <exception cref="ContainerNotFoundException">Nothing matches.</exception>
    /// <exception cref="AmbiguousReferenceException">The reference matches several containers.</exception>
    /// <exception cref="NotALegacyRootException">The root is not read with the AUFS driver.</exception>
    /// <exception cref="DockerDataException">The container's layers file is missing or corrupt, a branch is missing, or (with strict chains) the stack is not <c>&lt;id&gt;-init</c> then the image.</exception>
    UnionView GetContainerView(string reference);

    /// <summary>Returns the merged file system of any AUFS layer, by full ID or unique prefix among <c>aufs/layers/</c>.</summary>
    /// <param name="layerId">The layer ID or prefix (image layers, <c>&lt;cid&gt;</c>, <c>&lt;cid&gt;-init</c>).</param>
    /// <returns>The read-only view.</returns>
    /// <exception cref="LayerNotFoundException">No layer matches.</exception>
    /// <exception cref="AmbiguousReferenceException">The prefix matches several layers.</exception>
    /// <exception cref="NotALegacyRootException">The root is not read with the AUFS driver.</exception>
    /// <exception cref="DockerDataException">The layers file is corrupt or a branch is missing.</exception>
    UnionView GetLayerView(string layerId);

    /// <summary>Returns what <c>docker diff</c> shows for a container: its read-write layer against its init layer and image (see <see cref="UnionView.GetChanges"/>).</summary>
    /// <param name="reference">The container reference.</param>
    /// <returns>The changes.</returns>
    /// <exception cref="ContainerNotFoundException">Nothing matches.</exception>
    /// <exception cref="AmbiguousReferenceException">The reference matches several containers.</exception>
    /// <exception cref="DockerDataException">The container's layers cannot be read.</exception>
    IReadOnlyList<FileChange> GetContainerChanges(string reference);

    /// <summary>
    /// Writes one layer's tar to <paramref name="destination"/>: reassembled from its tar-split data (byte-identical to the tar
    /// Docker applied, so its SHA-256 is the registry's DiffID) or regenerated from its directory (<see cref="LayerTarOptions.Source"/>).
    /// With <see cref="LayerSourcePolicy.Auto"/> a failed reassembly falls back to regeneration when <paramref name="destination"/>
    /// can seek (it is truncated back to where it started); otherwise the failure is thrown.
    /// </summary>
    /// <param name="layerId">The layer: a full ID, a unique prefix, or any reference resolving to it (see <see cref="ResolveImageId"/>).</param>
    /// <param name="destination">Where to write the uncompressed tar.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives progress, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The DiffID, size and source of the tar.</returns>
    /// <exception cref="ImageNotFoundException">Nothing matches <paramref name="layerId"/>.</exception>
    /// <exception cref="LayerReassemblyException">The tar cannot be reassembled (a file changed or is missing) and cannot be regenerated instead.</exception>
    /// <exception cref="CorruptFileException">The tar-split data is damaged and regeneration is not allowed, or the layer's JSON is corrupt.</exception>
    /// <exception cref="UnsafePathException">The tar-split data names a path outside the layer and regeneration is not allowed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    LayerTarResult WriteLayerTar(string layerId, Stream destination, LayerTarOptions? options = null, IProgress<ArchiveProgress>? progress = null,
        CancellationToken cancellationToken = default);

    /// <summary>Asynchronously writes one layer's tar to a stream (see <see cref="WriteLayerTar"/>).</summary>
    /// <param name="layerId">The layer: a full ID, a unique prefix, or any reference resolving to it.</param>
    /// <param name="destination">Where to write the uncompressed tar.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives progress, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The DiffID, size and source of the tar.</returns>
    /// <exception cref="ImageNotFoundException">Nothing matches <paramref name="layerId"/>.</exception>
    /// <exception cref="LayerReassemblyException">The tar cannot be reassembled and cannot be regenerated instead.</exception>
    /// <exception cref="CorruptFileException">The tar-split data is damaged and regeneration is not allowed, or the layer's JSON is corrupt.</exception>
    /// <exception cref="UnsafePathException">The tar-split data names a path outside the layer and regeneration is not allowed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<LayerTarResult> WriteLayerTarAsync(string layerId, Stream destination, LayerTarOptions? options = null, IProgress<ArchiveProgress>? progress = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes one layer's tar to the file <paramref name="outputPath"/> (see <see cref="WriteLayerTar"/>), atomically: under a
    /// temporary name that replaces the file only when the tar is complete. A failure or cancellation leaves nothing behind.
    /// </summary>
    /// <param name="layerId">The layer: a full ID, a unique prefix, or any reference resolving to it.</param>
    /// <param name="outputPath">The file to write.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives progress, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The DiffID, size and source of the tar.</returns>
    /// <exception cref="ImageNotFoundException">Nothing matches <paramref name="layerId"/>.</exception>
    /// <exception cref="LayerReassemblyException">The tar can be neither reassembled nor regenerated.</exception>
    /// <exception cref="CorruptFileException">The tar-split data is damaged and regeneration is not allowed, or the layer's JSON is corrupt.</exception>
    /// <exception cref="UnsafePathException">The tar-split data names a path outside the layer and regeneration is not allowed.</exception>
    /// <exception cref="IOException"><paramref name="outputPath"/> is a directory or cannot be written.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    LayerTarResult ExportLayerTar(string layerId, string outputPath, LayerTarOptions? options = null, IProgress<ArchiveProgress>? progress = null,
        CancellationToken cancellationToken = default);

    /// <summary>Asynchronously writes one layer's tar to a file, atomically (see <see cref="ExportLayerTar"/>).</summary>
    /// <param name="layerId">The layer: a full ID, a unique prefix, or any reference resolving to it.</param>
    /// <param name="outputPath">The file to write.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives progress, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The DiffID, size and source of the tar.</returns>
    /// <exception cref="ImageNotFoundException">Nothing matches <paramref name="layerId"/>.</exception>
    /// <exception cref="LayerReassemblyException">The tar can be neither reassembled nor regenerated.</exception>
    /// <exception cref="CorruptFileException">The tar-split data is damaged and regeneration is not allowed, or the layer's JSON is corrupt.</exception>
    /// <exception cref="UnsafePathException">The tar-split data names a path outside the layer and regeneration is not allowed.</exception>
    /// <exception cref="IOException"><paramref name="outputPath"/> is a directory or cannot be written.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<LayerTarResult> ExportLayerTarAsync(string layerId, string outputPath, LayerTarOptions? options = null, IProgress<ArchiveProgress>? progress = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Computes what Docker 1.10's migration makes of an image: each layer's DiffID (from its tar, as <see cref="WriteLayerTar"/>
    /// produces it) and ChainID, the v2 config (legacy-layout §9.3) and the image ID (its SHA-256). Nothing is written.
    /// </summary>
    /// <param name="reference">The image (see <see cref="ResolveImageId"/>).</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives progress, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <returns>The digests, layers base first.</returns>
    /// <exception cref="ImageNotFoundException">Nothing matches.</exception>
    /// <exception cref="AmbiguousReferenceException">An ID prefix matches several images.</exception>
    /// <exception cref="BrokenLayerChainException">A parent is missing, the chain loops, or (with strict chains) the driver disagrees.</exception>
    /// <exception cref="LayerReassemblyException">A layer's tar can be neither reassembled nor regenerated.</exception>
    /// <exception cref="DockerDataException">A file of the chain is corrupt.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ImageDigests GetDigests(string reference, LayerTarOptions? options = null, IProgress<ArchiveProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Asynchronously computes an image's digests (see <see cref="GetDigests"/>).</summary>
    /// <param name="reference">The image (see <see cref="ResolveImageId"/>).</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives progress, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <returns>The digests, layers base first.</returns>
    /// <exception cref="ImageNotFoundException">Nothing matches.</exception>
    /// <exception cref="AmbiguousReferenceException">An ID prefix matches several images.</exception>
    /// <exception cref="BrokenLayerChainException">A parent is missing, the chain loops, or (with strict chains) the driver disagrees.</exception>
    /// <exception cref="LayerReassemblyException">A layer's tar can be neither reassembled nor regenerated.</exception>
    /// <exception cref="DockerDataException">A file of the chain is corrupt.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<ImageDigests> GetDigestsAsync(string reference, LayerTarOptions? options = null, IProgress<ArchiveProgress>? progress = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves images as a docker-archive or an OCI image layout (<see cref="SaveOptions.Format"/>) that current Docker, podman,
    /// skopeo and umoci load. A bare repository name saves every tag of it, <c>name:tag</c> that tag, an ID or digest the image
    /// without tags. Layers shared by several images are written once. Memory use does not grow with layer sizes; the output
    /// appears under its name only when complete, and a failure or cancellation leaves nothing behind.
    /// </summary>
    /// <param name="references">The images (see <see cref="ResolveImageId"/>).</param>
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
    /// <exception cref="IOException">The output cannot be written (for a directory: it exists and is not empty).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    SaveResult Save(IReadOnlyList<string> references, string outputPath, SaveOptions? options = null, IProgress<ArchiveProgress>? progress = null,
        CancellationToken cancellationToken = default);

    /// <summary>Asynchronously saves images (see <see cref="Save"/>).</summary>
    /// <param name="references">The images (see <see cref="ResolveImageId"/>).</param>
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
    /// <exception cref="IOException">The output cannot be written (for a directory: it exists and is not empty).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<SaveResult> SaveAsync(IReadOnlyList<string> references, string outputPath, SaveOptions? options = null, IProgress<ArchiveProgress>? progress = null,
        CancellationToken cancellationToken = default);
}
