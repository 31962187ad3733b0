using System.IO.Abstractions;
using Docker.Aufs.Drivers.Aufs;
using Docker.Aufs.Graph;
using Docker.Aufs.IO;
using Docker.Aufs.Repositories;

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
    /// Gets the tag store <c>repositories-&lt;driver&gt;</c>. A missing, empty, truncated or corrupt file gives an empty index
    /// and a logged warning: images stay reachable by ID.
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
}
