using System.IO.Abstractions;
using Docker.Aufs.IO;
using Docker.Aufs.Union;
using Microsoft.Extensions.Logging;

namespace Docker.Aufs.Drivers;

/// <summary>What a driver needs to read its directory: the file system, the root, the metadata seam and the logger.</summary>
/// <param name="FileSystem">The file system holding the root.</param>
/// <param name="Root">The full path of the Docker root.</param>
/// <param name="Directory">The full path of the driver's directory (normally <c>&lt;root&gt;/&lt;name&gt;</c>).</param>
/// <param name="Metadata">The source of <c>lstat</c> facts.</param>
/// <param name="Logger">Where warnings about the data go.</param>
/// <param name="StrictChains">Whether a driver record that disagrees with the image store's chain is an error (the default) or, as with <c>--lenient</c>, a warning after which the store's chain is used.</param>
internal sealed record DriverContext(IFileSystem FileSystem, string Root, string Directory, IUnixMetadataProvider Metadata, ILogger Logger, bool StrictChains = true);

/// <summary>
/// A storage driver's directory: how one layer's files lie on disk (docs/format/drivers.md). It knows driver layer IDs
/// (graph IDs, cache IDs, mount IDs), never images. The seam below the image stores: adding a driver is one folder under
/// <c>Drivers/</c> and one line in <see cref="DriverRegistry"/>.
/// </summary>
internal abstract class LayerDriver
{
    protected LayerDriver(DriverContext context)
    {
        Context = context;
    }

    /// <summary>Gets the driver's name (<c>aufs</c>, …), also the name of its directory and the suffix of its stores.</summary>
    public abstract string Name { get; }

    public DriverContext Context { get; }

    public IFileSystem FileSystem => Context.FileSystem;

    public IUnixMetadataProvider Metadata => Context.Metadata;

    /// <summary>
    /// The <c>lstat</c> type of <paramref name="path"/>, or <see langword="null"/> when nothing is there or this process may
    /// not look (a directory on the way it cannot search): where a layer's files are is still known, and what reads them
    /// reports the refusal.
    /// </summary>
    protected UnixFileStatus? StatusOrUnknown(string path)
    {
        try
        {
            return Metadata.TryGetStatus(path, out var status) ? status : null;
        }
        catch (Exception e) when (AccessProblems.IsDenied(e))
        {
            return null;
        }
    }

    /// <summary>Gets the full path of the driver's directory.</summary>
    public string Directory => Context.Directory;

    /// <summary>Gets the directory that lists the driver's layers (for messages).</summary>
    public virtual string LayersListing => Directory;

    /// <summary>Gets the directories every read goes through: a symbolic link at any of them makes the root refused.</summary>
    public virtual IEnumerable<string> GuardedDirectories => [Directory];

    /// <summary>Docker's <c>driver.Exists(id)</c>, which decides whether a graph-era image is restored at all.</summary>
    public abstract bool Exists(string id);

    /// <summary>The IDs of every layer the driver has, from one listing, sorted; <see langword="null"/> when the driver cannot tell (every layer counts).</summary>
    public abstract IReadOnlyList<string>? ListLayerIds();

    /// <summary>Where a layer's files are, for tar-split reassembly and regeneration; a <see langword="null"/> path when the driver keeps none readable.</summary>
    /// <exception cref="UnsafePathException">The layer's directory is a symbolic link the driver does not follow.</exception>
    public abstract LayerContent GetContent(string id);

    /// <summary>Gets whether the driver records each layer's ancestors itself (so a store's chain can be checked against it).</summary>
    public virtual bool RecordsAncestors => false;

    /// <summary>The file where the driver records a layer's ancestors (for messages), or the driver's directory.</summary>
    public virtual string RecordPath(string id) => Directory;

    /// <summary>
    /// The ancestors the driver itself records for a layer, nearest first; <see langword="null"/> when it records none or
    /// does not have the layer. A record that names a layer twice (or the layer itself) is refused: the driver hands the
    /// list to the kernel as branches, and neither AUFS (<c>"%s duplicated"</c>, EINVAL) nor overlayfs (<c>"conflicting
    /// lowerdir path"</c>, ELOOP, Linux 5.2+) mounts a branch given twice, so Docker could not mount such a layer either.
    /// </summary>
    /// <exception cref="BrokenLayerChainException">The record names a layer twice.</exception>
    /// <exception cref="DockerDataException">The driver's record is corrupt.</exception>
    public IReadOnlyList<string>? ReadAncestors(string id)
    {
        var ancestors = ReadRecord(id);
        if (ancestors is not null && Duplicate(id, ancestors) is { } duplicate)
        {
            throw new BrokenLayerChainException(id, RecordPath(id), DescribeDuplicate(duplicate));
        }

        return ancestors;
    }

    /// <summary>The ancestors as the driver's record lists them, duplicates included (fsck reports those; <see cref="ReadAncestors"/> refuses them).</summary>
    /// <exception cref="DockerDataException">The driver's record is corrupt.</exception>
    public virtual IReadOnlyList<string>? ReadRecord(string id) => null;

    /// <summary>The first layer a chain of branches names twice (the layer itself counts as its first branch), or <see langword="null"/>.</summary>
    /// <param name="id">The top layer.</param>
    /// <param name="ancestors">Its ancestors, nearest first.</param>
    /// <returns>The duplicated layer and the 1-based positions in <paramref name="ancestors"/> of its first and second appearance (0: the layer itself).</returns>
    public static (string Id, int First, int Second)? Duplicate(string id, IReadOnlyList<string> ancestors)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal) { [id] = 0 };
        for (var i = 0; i < ancestors.Count; i++)
        {
            if (!seen.TryAdd(ancestors[i], i + 1))
            {
                return (ancestors[i], seen[ancestors[i]], i + 1);
            }
        }

        return null;
    }

    /// <summary>The message for a duplicated branch.</summary>
    public string DescribeDuplicate((string Id, int First, int Second) duplicate) =>
        (duplicate.First == 0 ? $"names the layer itself ({duplicate.Id}) as its ancestor at position {duplicate.Second}" : $"names the layer {duplicate.Id} twice (positions {duplicate.First} and {duplicate.Second})")
        + $": {Name} cannot mount a branch given twice, so Docker could not mount this layer";

    /// <summary>Gets whether the driver can show a layer's merged files (<see cref="OpenView"/>).</summary>
    public virtual bool HasViews => false;

    /// <summary>Opens the merged, read-only view of a chain of driver layers, top first.</summary>
    /// <exception cref="NotADockerRootException">The driver's files cannot be read by this version.</exception>
    /// <exception cref="DockerDataException">A layer's directory is missing or unsafe.</exception>
    public virtual UnionView OpenView(IReadOnlyList<string> chain) => throw NoViews();

    /// <summary>Opens the merged, read-only view of one driver layer: the layer on top of the ancestors the driver records for it.</summary>
    /// <exception cref="LayerNotFoundException">The driver does not have the layer.</exception>
    /// <exception cref="NotADockerRootException">The driver's files cannot be read by this version.</exception>
    /// <exception cref="DockerDataException">The layer's record is corrupt or a branch is missing.</exception>
    public virtual UnionView OpenLayerView(string id)
    {
        if (!HasViews)
        {
            throw NoViews();
        }

        if (!Exists(id) || ReadAncestors(id) is not { } ancestors)
        {
            throw new LayerNotFoundException(id, LayersListing);
        }

        return OpenView([id, .. ancestors]);
    }

    /// <summary>
    /// Creates a layer on top of <paramref name="parentId"/> as the driver's <c>Create</c> does (the write side: import
    /// and the Testing package's builder) and returns the directory that receives its files.
    /// </summary>
    /// <exception cref="NotSupportedException">This driver's layers cannot be written.</exception>
    public virtual string CreateLayer(string id, string? parentId) => throw new NotSupportedException($"Layers of the {Name} storage driver cannot be written.");

    /// <summary>Every layer the driver has any trace of (fsck's search for orphans), sorted; by default <see cref="ListLayerIds"/>.</summary>
    public virtual IEnumerable<string> ListAllLayerIds() => ListLayerIds() ?? [];

    /// <summary>Checks what the driver keeps for one layer besides its files and record (fsck); nothing by default.</summary>
    public virtual void CheckLayer(string id, FindingSink sink)
    {
    }

    /// <summary>
    /// The directories (relative to the layer, <c>""</c> for its top) that the layer's original tar marks opaque and
    /// whose copy in the driver's directory lost the mark the driver keeps outside the file names (an extended attribute
    /// for overlay2): the copy was made without extended attributes. Empty for drivers that keep opaque directories as
    /// names (aufs) or not at all (whole trees), and when the tar-split data cannot be read (fsck reports that itself).
    /// </summary>
    /// <param name="id">The driver layer.</param>
    /// <param name="tarSplitPath">Its tar-split data.</param>
    public virtual IReadOnlyList<string> LostOpaqueMarks(string id, string tarSplitPath) => [];

    /// <summary>
    /// Before a view of image layers is opened: learns from each layer's tar-split data which directories its original
    /// tar marks opaque, so that views show them opaque even where the copy lost the marks, and warns once per layer
    /// whose copy lost them (<see cref="LostOpaqueMarks"/>). Nothing by default.
    /// </summary>
    /// <param name="layers">The image's layers.</param>
    public virtual void LearnOpaqueDirectories(IReadOnlyList<ImageLayer> layers)
    {
    }

    /// <summary>Checks the driver's own bookkeeping: leftovers of interrupted operations (fsck); nothing by default.</summary>
    public virtual void CheckOwnFiles(FindingSink sink)
    {
    }

    /// <summary>Throws the driver's explanation when it cannot show merged files.</summary>
    /// <exception cref="NotADockerRootException">The driver's files cannot be read by this version.</exception>
    public void RequireViews()
    {
        if (!HasViews)
        {
            throw NoViews();
        }
    }

    /// <summary>Resolves a full driver layer ID or a unique prefix of one.</summary>
    /// <exception cref="LayerNotFoundException">No layer matches.</exception>
    /// <exception cref="AmbiguousReferenceException">The prefix matches several layers.</exception>
    public virtual string ResolveLayerId(string reference)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        var ids = ListLayerIds() ?? throw NoViews();
        if (Formats.DockerIds.IsLayerId(reference))
        {
            return ids.Contains(reference, StringComparer.Ordinal) ? reference : throw new LayerNotFoundException(reference, LayersListing);
        }

        var start = BinarySearchStart(ids, reference);
        var matches = new List<string>();
        for (var i = start; i < ids.Count && ids[i].StartsWith(reference, StringComparison.Ordinal); i++)
        {
            matches.Add(ids[i]);
        }

        return matches.Count switch
        {
            0 => throw new LayerNotFoundException(reference, LayersListing),
            1 => matches[0],
            _ => throw new AmbiguousReferenceException(reference, matches),
        };
    }

    private NotADockerRootException NoViews() =>
        new(Context.Root, $"is read with the {Name} storage driver, whose files this version cannot show; merged views need the aufs, overlay, overlay2 or vfs driver");

    private static int BinarySearchStart(IReadOnlyList<string> sorted, string prefix)
    {
        int low = 0, high = sorted.Count;
        while (low < high)
        {
            var middle = low + ((high - low) >> 1);
            if (string.CompareOrdinal(sorted[middle], prefix) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}

/// <summary>Where a layer's files are, as the driver keeps them.</summary>
/// <param name="Path">The directory, or <see langword="null"/> when the driver keeps none readable.</param>
/// <param name="Format">How the files lie there.</param>
/// <param name="Type">What <c>lstat</c> says <paramref name="Path"/> is, when the driver looked; <see langword="null"/> when it does not exist or was not examined.</param>
internal readonly record struct LayerContent(string? Path, LayerContentFormat Format, UnixFileType? Type = null);
