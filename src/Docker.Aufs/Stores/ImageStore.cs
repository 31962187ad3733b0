using System.IO.Abstractions;
using Docker.Aufs.Drivers;
using Docker.Aufs.IO;
using Microsoft.Extensions.Logging;

namespace Docker.Aufs.Stores;

/// <summary>What a store needs: the root, its file system and metadata seam, the driver it sits on, logging and options.</summary>
/// <param name="FileSystem">The file system holding the root.</param>
/// <param name="Root">The full path of the Docker root.</param>
/// <param name="Driver">The storage driver whose layers the store's images use.</param>
/// <param name="Metadata">The source of <c>lstat</c> facts.</param>
/// <param name="Logger">Where warnings about the data go.</param>
/// <param name="StrictChains">Whether a disagreement between the store's chain and the driver's is an error (else a warning).</param>
internal sealed record StoreContext(IFileSystem FileSystem, string Root, LayerDriver Driver, IUnixMetadataProvider Metadata, ILogger Logger, bool StrictChains);

/// <summary>
/// An image store: which images, tags and containers a root holds, and how each image's layers chain, as driver layer
/// IDs (docs/format/graph-era.md, docs/format/content-addressed.md). The seam above the drivers: adding a store is one
/// folder under <c>Stores/</c> and one line in <see cref="StoreRegistry"/>.
/// </summary>
internal abstract class ImageStore
{
    protected ImageStore(StoreContext context)
    {
        Context = context;
    }

    public StoreContext Context { get; }

    public IFileSystem FileSystem => Context.FileSystem;

    public LayerDriver Driver => Context.Driver;

    public ILogger Logger => Context.Logger;

    /// <summary>Gets which store this is.</summary>
    public abstract ImageStoreKind Kind { get; }

    /// <summary>Resolves a reference to an image ID as the Docker version that wrote the store did.</summary>
    /// <exception cref="ImageNotFoundException">Nothing matches.</exception>
    /// <exception cref="AmbiguousReferenceException">An ID prefix matches several images.</exception>
    /// <exception cref="DockerDataException">The store names something that is not an ID.</exception>
    public abstract string ResolveImageId(string reference);

    /// <summary>Reads an image by its full ID as the store records it: configuration, layers top first, history, tags.</summary>
    /// <exception cref="ImageNotFoundException">The store has no such image.</exception>
    /// <exception cref="BrokenLayerChainException">A parent is missing or the chain loops.</exception>
    /// <exception cref="DockerDataException">A file of the chain is corrupt.</exception>
    public abstract Image GetImage(string imageId);

    /// <summary>Gets how messages name where the store records a chain (<c>graph/</c>, <c>layerdb</c>).</summary>
    protected abstract string ChainSource { get; }

    /// <summary>
    /// Checks, before the image's files are merged, that the driver records the same chain as the store and has every
    /// layer's directory: a warning or, with strict chains, an error. The store's chain is the one used either way.
    /// </summary>
    /// <exception cref="BrokenLayerChainException">(Strict chains) the driver disagrees or a layer's directory is missing.</exception>
    public virtual void VerifyImageLayers(Image image)
    {
        var chain = image.Layers;
        if (!Driver.RecordsAncestors || chain.Count == 0)
        {
            return;
        }

        var top = chain[0];
        var recordPath = Driver.RecordPath(top.DriverLayerId);
        if (Driver.ReadAncestors(top.DriverLayerId) is not { } ancestors)
        {
            if (Refusal(recordPath) is { } denied)
            {
                throw denied; // not missing: this process may not look
            }

            ChainProblem(top.Id, recordPath, $"the {Driver.Name} driver has no layer file for it");
            return;
        }

        for (var i = 1; i < Math.Max(chain.Count, ancestors.Count + 1); i++)
        {
            var fromStore = i < chain.Count ? chain[i].DriverLayerId : null;
            var fromDriver = i - 1 < ancestors.Count ? ancestors[i - 1] : null;
            if (fromStore != fromDriver)
            {
                ChainProblem(chain[Math.Min(i, chain.Count) - 1].Id, recordPath,
                    $"{ChainSource} names its parent {fromStore ?? "(none)"}, but {recordPath} lists {fromDriver ?? "(nothing)"} at position {i}");
                return;
            }
        }

        foreach (var layer in chain)
        {
            if (layer.ContentPath is not { } path || !Context.Metadata.TryGetStatus(path, out var status) || status.Type != IO.UnixFileType.Directory)
            {
                if (layer.ContentPath is { } refusedPath && Refusal(refusedPath) is { } denied)
                {
                    throw denied; // not missing: this process may not look
                }

                ChainProblem(layer.Id, layer.ContentPath ?? Driver.Directory, $"its {Driver.Name} diff directory is missing");
            }
        }
    }

    /// <summary>Lists images as <c>docker images</c> does; images that cannot be read are skipped with a warning.</summary>
    public abstract IReadOnlyList<ImageSummary> GetImages();

    /// <summary>Resolves a layer reference (a layer ID, a unique prefix, or any image reference naming its top layer) to the layer.</summary>
    /// <exception cref="ImageNotFoundException">Nothing matches.</exception>
    /// <exception cref="AmbiguousReferenceException">A prefix matches several layers.</exception>
    /// <exception cref="DockerDataException">The layer's files are corrupt.</exception>
    public abstract ImageLayer GetLayer(string reference);

    /// <summary>Lists the containers of the root's driver as <c>docker ps -a</c> does, newest first.</summary>
    public abstract IReadOnlyList<Container> GetContainers();

    /// <summary>Resolves a container reference (full ID, name, unique ID prefix) as Docker did.</summary>
    /// <exception cref="ContainerNotFoundException">Nothing matches.</exception>
    /// <exception cref="AmbiguousReferenceException">The reference matches several containers.</exception>
    public abstract Container GetContainer(string reference);

    /// <summary>
    /// The driver layers of a container's merged view, top first: its read-write layer, its init layer, then its image's
    /// layers as the store chains them, checked against what the driver records (a warning or, with strict chains, an
    /// error). When the store no longer has the image, the chain the driver records is used.
    /// </summary>
    /// <exception cref="BrokenLayerChainException">The driver does not have the container's layer, or (strict) its chain is not what the store says.</exception>
    public abstract IReadOnlyList<string> ContainerLayers(Container container);

    /// <summary>
    /// Checks the store's files and, through the driver seam, the driver's record of every layer (fsck): findings go to
    /// <paramref name="sink"/>. Reads everything, writes nothing.
    /// </summary>
    /// <returns>The layers that have tar-split data and a directory of files, to verify one against the other.</returns>
    public abstract IReadOnlyList<ImageLayer> Check(FindingSink sink);

    /// <summary>
    /// Whether a container's init layer belongs in its view: the driver has it, the driver's record of the container names
    /// it, or its files are there. Only the container's own record matters to the mount (Docker's <c>Get</c> reads the
    /// layers below the container from it), so an init layer that lost its own record is still merged, never dropped
    /// silently from the chain every command uses.
    /// </summary>
    /// <exception cref="UnsafePathException">The init layer's directory is a link the driver does not follow.</exception>
    protected bool HasLayer(string id, IReadOnlyList<string>? recorded) =>
        Driver.Exists(id) || (recorded is { Count: > 0 } && recorded[0] == id) || Driver.GetContent(id).Type == IO.UnixFileType.Directory;

    /// <summary>What a listing loses when the tag store cannot be read.</summary>
    protected const string TagStoreUnreadable = "no tags are shown; images stay reachable by ID";

    /// <summary>
    /// A part of the root this process may not read, met while listing: described (the first refused directory or file on
    /// the way, its mode and owner, what access would fix it), logged as one warning line with what the listing lost, and
    /// added to <paramref name="into"/>, the listing's <see cref="Listing{T}.Unreadable"/>.
    /// </summary>
    internal PathAccessDeniedException ReportUnreadable(string path, Exception e, string consequence, ICollection<FsckFinding>? into)
    {
        var denied = Describe(path, e);
        Logging.Log.Unreadable(Logger, denied.Message, consequence);
        into?.Add(FindingSink.Unreadable(denied, consequence));
        return denied;
    }

    /// <summary>Describes a refusal met reading <paramref name="path"/>: the first refused directory or file on the way, its mode and owner.</summary>
    internal PathAccessDeniedException Describe(string path, Exception e) => AccessProblems.Describe(Context.Metadata, Context.Root, path, e);

    /// <summary>
    /// On the real file system, the refusal that makes <paramref name="path"/> look missing (a directory on the way that
    /// cannot be searched, or the file itself unreadable), described; <see langword="null"/> when nothing refuses.
    /// </summary>
    internal PathAccessDeniedException? Refusal(string path) => AccessProblems.Refusal(Context.Metadata, Context.Root, path);

    /// <summary>A disagreement between the store and the driver: an error with strict chains, else a logged warning.</summary>
    protected void ChainProblem(string layerId, string path, string problem)
    {
        if (Context.StrictChains)
        {
            throw new BrokenLayerChainException(layerId, path, problem);
        }

        Logging.Log.ChainProblem(Logger, layerId, $"{problem} ({path})");
    }
}
