using System.IO.Abstractions;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Logging;
using Docker.Aufs.Union;

namespace Docker.Aufs.Drivers.Aufs;

/// <summary>
/// The AUFS driver's directory <c>&lt;root&gt;/aufs</c>: <c>layers/&lt;id&gt;</c> (ancestor lists), <c>diff/&lt;id&gt;</c>
/// (each layer's own files, the AUFS branch) and <c>mnt/&lt;id&gt;</c> (mount points, empty on a stopped host). It knows
/// layers and branches, not images. Every ID is validated before a path is built from it.
/// </summary>
/// <threadsafety static="true" instance="true"/>
internal sealed partial class AufsDriver : LayerDriver
{
    /// <summary>The driver's name, also the name of its directory and the suffix of its tag store.</summary>
    public const string DriverName = "aufs";

    // What view lookups learned about the branch directories, shared by every view of this driver (docs/union.md).
    private readonly BranchFacts _facts = new();

    public AufsDriver(DriverContext context)
        : base(context)
    {
        var fileSystem = context.FileSystem;
        LayersDirectory = fileSystem.Path.Combine(Directory, "layers");
        DiffDirectory = fileSystem.Path.Combine(Directory, "diff");
        MountDirectory = fileSystem.Path.Combine(Directory, "mnt");
    }

    /// <summary>Initializes a driver over <paramref name="directory"/> alone (the write side, and tests), with derived metadata and no logging.</summary>
    public AufsDriver(IFileSystem fileSystem, string directory)
        : this(new DriverContext(fileSystem, fileSystem.Path.GetDirectoryName(directory) ?? directory, directory, MetadataProviders.For(fileSystem),
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
    {
    }

    public override string Name => DriverName;

    public override IEnumerable<string> GuardedDirectories => [Directory, LayersDirectory, DiffDirectory, MountDirectory];

    public override bool HasViews => true;

    public override string LayersListing => LayersDirectory;

    /// <summary>Gets the full path of <c>layers/</c>.</summary>
    public string LayersDirectory { get; }

    /// <summary>Gets the full path of <c>diff/</c>.</summary>
    public string DiffDirectory { get; }

    /// <summary>Gets the full path of <c>mnt/</c>.</summary>
    public string MountDirectory { get; }

    /// <summary>Returns the path of <c>layers/&lt;id&gt;</c>.</summary>
    /// <param name="id">A layer ID.</param>
    /// <returns>The full path.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not a layer ID.</exception>
    public string GetLayerFilePath(string id) => FileSystem.Path.Combine(LayersDirectory, Validate(id));

    /// <summary>Returns the path of <c>diff/&lt;id&gt;</c>, the layer's branch.</summary>
    /// <param name="id">A layer ID.</param>
    /// <returns>The full path.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not a layer ID.</exception>
    public string GetDiffPath(string id) => FileSystem.Path.Combine(DiffDirectory, Validate(id));

    /// <summary>Returns the path of <c>mnt/&lt;id&gt;</c>, the layer's mount point.</summary>
    /// <param name="id">A layer ID.</param>
    /// <returns>The full path.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not a layer ID.</exception>
    public string GetMountPath(string id) => FileSystem.Path.Combine(MountDirectory, Validate(id));

    /// <summary>Returns whether the driver has the layer: Docker's <c>Exists</c> is "<c>layers/&lt;id&gt;</c> exists".</summary>
    /// <param name="id">A layer ID.</param>
    /// <returns>Whether <c>layers/&lt;id&gt;</c> exists.</returns>
    public override bool Exists(string id) => FileSystem.File.Exists(GetLayerFilePath(id));

    /// <summary>Reads <c>layers/&lt;id&gt;</c>.</summary>
    /// <param name="id">A layer ID.</param>
    /// <returns>The ancestors.</returns>
    /// <exception cref="CorruptFileException">A line is not a layer ID.</exception>
    /// <exception cref="UnsafePathException">A line looks like a path.</exception>
    /// <exception cref="FileNotFoundException">The driver does not have the layer.</exception>
    public AufsLayerFile ReadLayerFile(string id) => AufsLayerFile.Read(FileSystem, GetLayerFilePath(id), id);

    /// <summary>Lists the layer IDs in <c>layers/</c> (names that are not layer IDs are skipped), sorted.</summary>
    /// <returns>The IDs; empty when <c>layers/</c> does not exist.</returns>
    public override IReadOnlyList<string> ListLayerIds()
    {
        if (!FileSystem.Directory.Exists(LayersDirectory))
        {
            return [];
        }

        var ids = new List<string>();
        foreach (var path in FileSystem.Directory.EnumerateFiles(LayersDirectory))
        {
            var name = FileSystem.Path.GetFileName(path);
            if (DockerIds.IsLayerId(name))
            {
                ids.Add(name);
            }
        }

        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    public override LayerContent GetContent(string id)
    {
        var branch = ResolveBranch(id);
        return new LayerContent(branch.Path, LayerContentFormat.AufsChanges, branch.Type);
    }

    public override bool RecordsAncestors => true;

    public override string RecordPath(string id) => GetLayerFilePath(id);

    public override IReadOnlyList<string>? ReadRecord(string id) => Exists(id) ? ReadLayerFile(id).Ancestors : null;

    public override UnionView OpenLayerView(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return base.OpenLayerView(id);
    }

    /// <summary>
    /// Opens the merged view of a chain of layers, top first: the branch <c>diff/&lt;id&gt;</c> of each (or its Docker 0.7
    /// migration target), in that order. The chain is the store's (an image's layers) or, for a layer by itself, the lines
    /// of its <c>layers/&lt;id&gt;</c> (<see cref="LayerDriver.OpenLayerView"/>): works for image layers, container layers
    /// (<c>&lt;cid&gt;</c>, <c>&lt;cid&gt;-init</c>) and any layer the driver has, whatever store names it.
    /// </summary>
    /// <exception cref="ArgumentException">An ID is not a layer ID.</exception>
    /// <exception cref="BrokenLayerChainException">A branch is missing or is not a directory.</exception>
    /// <exception cref="UnsafePathException">A branch is a symbolic link that leads outside the Docker root.</exception>
    public override UnionView OpenView(IReadOnlyList<string> chain)
    {
        var branches = new List<UnionBranch>(chain.Count);
        foreach (var branchId in chain)
        {
            var branch = ResolveBranch(branchId);
            if (branch.Type is null)
            {
                throw new BrokenLayerChainException(branchId, branch.Path, $"its AUFS branch directory is missing (the layer is named by {GetLayerFilePath(chain[0])})");
            }

            branches.Add(new UnionBranch(branchId, branch.Path)); // anything but a directory is rejected by the view, with the path
        }

        return new UnionView(FileSystem, Metadata, branches, Context.Logger, _facts);
    }

    /// <summary>
    /// Creates a layer as the driver's <c>Create</c> does: <c>layers/&lt;id&gt;</c> listing the ancestors (the parent, then
    /// the parent's own ancestors), and the empty directories <c>mnt/&lt;id&gt;</c> and <c>diff/&lt;id&gt;</c>, whose path
    /// is returned.
    /// </summary>
    public override string CreateLayer(string id, string? parentId) => CreateLayer(id, AncestorsOnTopOf(parentId));

    /// <summary>Creates a layer with these ancestors, nearest first (see <see cref="CreateLayer(string, string?)"/>).</summary>
    internal string CreateLayer(string id, IReadOnlyList<string> ancestors)
    {
        var layerFile = new AufsLayerFile(id, ancestors);
        FileSystem.Directory.CreateDirectory(LayersDirectory);
        FileSystem.File.WriteAllBytes(GetLayerFilePath(id), layerFile.Serialize());
        FileSystem.Directory.CreateDirectory(GetMountPath(id));
        var diff = GetDiffPath(id);
        FileSystem.Directory.CreateDirectory(diff);
        return diff;
    }

    /// <summary>The ancestors a new layer on <paramref name="parentId"/> gets: the parent, then the parent's own ancestors when the driver has the parent.</summary>
    /// <param name="parentId">The parent, or <see langword="null"/> for a base layer.</param>
    /// <returns>The ancestors, nearest first.</returns>
    internal IReadOnlyList<string> AncestorsOnTopOf(string? parentId)
    {
        if (parentId is null)
        {
            return [];
        }

        return Exists(parentId) ? [parentId, .. ReadLayerFile(parentId).Ancestors] : [parentId];
    }

    /// <summary>
    /// Where a layer's files are: <c>diff/&lt;id&gt;</c> itself, or, when that is a symbolic link left by the Docker 0.7
    /// migration (<c>graph/&lt;id&gt;/layer</c> or <c>containers/&lt;id&gt;/rw</c>), its target inside the Docker root, each
    /// component of which must be a real directory. A link written with the absolute path of a root that has since moved is
    /// re-rooted; any other link is refused. The one place a link in the driver's directories is followed.
    /// </summary>
    /// <returns>The directory to read and what <c>lstat</c> says it is (<see langword="null"/> when <c>diff/&lt;id&gt;</c> does not exist).</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not a layer ID.</exception>
    /// <exception cref="UnsafePathException"><c>diff/&lt;id&gt;</c> is a symbolic link to anywhere else.</exception>
    /// <exception cref="BrokenLayerChainException">The migration link's target is not a real directory in the Docker root.</exception>
    internal ResolvedBranch ResolveBranch(string id)
    {
        var metadata = Metadata;
        var diff = GetDiffPath(id);
        if (StatusOrUnknown(diff) is not { } status)
        {
            return new ResolvedBranch(diff, null);
        }

        if (status.Type != UnixFileType.SymbolicLink)
        {
            return new ResolvedBranch(diff, status.Type);
        }

        var fs = FileSystem;
        var root = Context.Root;
        var target = status.LinkTarget ?? string.Empty;
        string[] allowed = [$"graph/{id}/layer", $"containers/{id}/rw"];
        var relative = GoPath.RelativeInside(root, target.StartsWith('/') ? target : DiffDirectory + "/" + target);
        relative ??= allowed.FirstOrDefault(suffix => target.TrimEnd('/').EndsWith("/" + suffix, StringComparison.Ordinal));
        if (relative is null || !allowed.Contains(relative, StringComparer.Ordinal))
        {
            throw new UnsafePathException(diff, target,
                $"a symbolic link in {DiffDirectory} is followed only to graph/{id}/layer or containers/{id}/rw inside the Docker root (left by Docker 0.7's migration)");
        }

        // Every component below the root must be a real directory: no further host link is followed.
        var current = root;
        foreach (var part in relative.Split('/'))
        {
            current = current + "/" + part;
            if (!metadata.TryGetStatus(current, out var step) || step.Type != UnixFileType.Directory)
            {
                throw new BrokenLayerChainException(id, current, $"the AUFS branch {diff} is a symbolic link to {target}, which is not a directory in the Docker root");
            }
        }

        Log.BranchRelocated(Context.Logger, id, current);
        return new ResolvedBranch(current, UnixFileType.Directory);
    }

    private static string Validate(string id) =>
        DockerIds.IsLayerId(id) ? id : throw new ArgumentException($"'{id}' is not a layer ID (64 lowercase hex characters, optionally followed by -init).", nameof(id));
}

/// <summary>Where a layer's files are, as <see cref="AufsDriver.ResolveBranch"/> found them.</summary>
/// <param name="Path">The directory to read: <c>diff/&lt;id&gt;</c>, or the target of a Docker 0.7 migration link.</param>
/// <param name="Type">What <c>lstat</c> says <paramref name="Path"/> is; <see langword="null"/> when it does not exist.</param>
internal readonly record struct ResolvedBranch(string Path, UnixFileType? Type);
