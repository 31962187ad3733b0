using System.IO.Abstractions;
using Docker.Aufs.IO;
using Docker.Aufs.Union;

namespace Docker.Aufs;

/// <summary>
/// A Docker root (<c>/var/lib/docker</c>) opened for reading: one image store (graph era or content-addressed era) on one
/// storage driver. Lazy: resolving one reference reads the tag store and that image's chain only. Nothing in the root is
/// ever written. Archive work (<c>Docker.Aufs.Archive.ImageArchiver</c>) and the checker (<see cref="RootChecker"/>) are
/// types of their own that take a root.
/// </summary>
/// <remarks>Instances are safe for concurrent readers; results are immutable.</remarks>
public interface IDockerRoot
{
    /// <summary>Gets the full path of the root.</summary>
    string Path { get; }

    /// <summary>Gets the file system holding the root.</summary>
    IFileSystem FileSystem { get; }

    /// <summary>Gets the source of owner, inode and device facts for files in the root.</summary>
    IUnixMetadataProvider Metadata { get; }

    /// <summary>Gets the image store read, or <see langword="null"/> when the root has only a driver directory (layers can be read, images cannot).</summary>
    ImageStoreKind? Store { get; }

    /// <summary>Gets the storage driver whose data is read (<c>aufs</c>, …).</summary>
    string Driver { get; }

    /// <summary>
    /// Resolves a reference as the Docker version that wrote the root did — for the graph era Docker 1.9's
    /// <c>LookupImage</c>: <c>name</c>, <c>name:tag</c>, <c>name@sha256:…</c>, <c>host:port/name:tag</c>, with
    /// <c>docker.io/</c>, <c>index.docker.io/</c> and <c>library/</c> normalized; then a 12+ character short ID among the
    /// repository's images; then any unique prefix of all image IDs — and reads the image.
    /// </summary>
    /// <param name="reference">The reference.</param>
    /// <returns>The image as the store records it (the driver's own record of the chain is checked when its files are merged: <see cref="OpenImage"/>).</returns>
    /// <exception cref="ArgumentException"><paramref name="reference"/> is empty.</exception>
    /// <exception cref="ImageNotFoundException">Nothing matches.</exception>
    /// <exception cref="AmbiguousReferenceException">An ID prefix matches several images.</exception>
    /// <exception cref="BrokenLayerChainException">A parent is missing or the chain loops.</exception>
    /// <exception cref="NotADockerRootException">The root has no image store.</exception>
    /// <exception cref="DockerDataException">A file of the chain is corrupt, or the store names something that is not an ID.</exception>
    Image ResolveImage(string reference);

    /// <summary>Resolves a layer: a full layer ID, a unique prefix, or any image reference naming its top layer (see <see cref="ResolveImage"/>).</summary>
    /// <param name="reference">The reference.</param>
    /// <returns>The layer.</returns>
    /// <exception cref="ArgumentException"><paramref name="reference"/> is empty.</exception>
    /// <exception cref="ImageNotFoundException">Nothing matches.</exception>
    /// <exception cref="AmbiguousReferenceException">A prefix matches several layers.</exception>
    /// <exception cref="NotADockerRootException">The root has no image store.</exception>
    /// <exception cref="DockerDataException">The layer's files are corrupt.</exception>
    ImageLayer ResolveLayer(string reference);

    /// <summary>Lists images as <c>docker images</c> does: every tagged image and every untagged head, newest first.</summary>
    /// <returns>The images; those whose data cannot be read are skipped with a logged warning.</returns>
    /// <exception cref="NotADockerRootException">The root has no image store.</exception>
    IReadOnlyList<ImageSummary> GetImages();

    /// <summary>
    /// Lists the containers of the root's storage driver as <c>docker ps -a</c> does, newest first. As Docker's
    /// <c>restore</c>, containers whose configuration cannot be read, or that belong to another driver, are skipped with a
    /// logged warning; a container whose image is missing is listed with its image ID, and a warning.
    /// </summary>
    /// <returns>The containers.</returns>
    /// <exception cref="NotADockerRootException">The root has no image store.</exception>
    /// <exception cref="UnsafePathException"><c>containers/</c> is a symbolic link (never followed).</exception>
    /// <exception cref="IOException"><c>containers/</c> cannot be listed.</exception>
    IReadOnlyList<Container> GetContainers();

    /// <summary>Resolves a container as Docker's <c>daemon.Get</c>: the exact full ID, then the exact name (with or without its leading slash), then a unique prefix of every container ID.</summary>
    /// <param name="reference">The reference.</param>
    /// <returns>The container.</returns>
    /// <exception cref="ArgumentException"><paramref name="reference"/> is empty.</exception>
    /// <exception cref="ContainerNotFoundException">Nothing matches.</exception>
    /// <exception cref="AmbiguousReferenceException">The reference matches several containers.</exception>
    /// <exception cref="NotADockerRootException">The root has no image store.</exception>
    /// <exception cref="CorruptFileException">The reference is the full ID of a container whose configuration cannot be read.</exception>
    /// <exception cref="UnsafePathException"><c>containers/</c>, or the directory of the container the full ID names, is a symbolic link.</exception>
    Container ResolveContainer(string reference);

    /// <summary>
    /// Returns the merged file system of an image (see <see cref="ResolveImage"/>): its layers as the store chains them, after
    /// checking that the driver records the same chain and has every layer's directory (with strict chains a disagreement
    /// is a <see cref="BrokenLayerChainException"/>; otherwise a logged warning, and the store's chain is merged).
    /// </summary>
    /// <param name="reference">The image reference.</param>
    /// <returns>The read-only view.</returns>
    /// <exception cref="ImageNotFoundException">Nothing matches.</exception>
    /// <exception cref="AmbiguousReferenceException">An ID prefix matches several images.</exception>
    /// <exception cref="NotADockerRootException">The root's driver cannot show merged files, or the root has no image store.</exception>
    /// <exception cref="BrokenLayerChainException">A parent is missing, the chain loops, or (with strict chains) the driver disagrees or a layer's directory is missing.</exception>
    /// <exception cref="DockerDataException">A file of the chain is corrupt.</exception>
    UnionView OpenImage(string reference);

    /// <summary>Returns the merged file system of a container (see <see cref="ResolveContainer"/>): its read-write layer, its init layer, then its image's layers.</summary>
    /// <param name="reference">The container reference.</param>
    /// <returns>The read-only view.</returns>
    /// <exception cref="ContainerNotFoundException">Nothing matches.</exception>
    /// <exception cref="AmbiguousReferenceException">The reference matches several containers.</exception>
    /// <exception cref="NotADockerRootException">The root's driver cannot show merged files, or the root has no image store.</exception>
    /// <exception cref="DockerDataException">The container's layers are missing or corrupt, or (with strict chains) its stack is not its init layer then its image.</exception>
    UnionView OpenContainer(string reference);

    /// <summary>Returns the merged file system of any layer of the storage driver, by full ID or unique prefix (image layers, a container's layers, its <c>-init</c> layer).</summary>
    /// <param name="driverLayerId">The driver layer ID or prefix.</param>
    /// <returns>The read-only view.</returns>
    /// <exception cref="LayerNotFoundException">No layer matches.</exception>
    /// <exception cref="AmbiguousReferenceException">The prefix matches several layers.</exception>
    /// <exception cref="NotADockerRootException">The root's driver cannot show merged files.</exception>
    /// <exception cref="DockerDataException">The driver's record of the layer is corrupt or a branch is missing.</exception>
    UnionView OpenLayer(string driverLayerId);
}
