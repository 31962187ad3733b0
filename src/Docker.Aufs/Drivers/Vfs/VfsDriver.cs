using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Union;

namespace Docker.Aufs.Drivers.Vfs;

/// <summary>
/// The vfs driver's directory <c>&lt;root&gt;/vfs</c> (docs/format/drivers.md §4): <c>dir/&lt;id&gt;</c> holds the whole
/// file tree of the image up to that layer — a new layer starts as a copy of its parent's tree (moby v18.09
/// <c>daemon/graphdriver/vfs/driver.go</c> <c>Create</c>), so there are no whiteouts and a merged view is the top tree
/// itself. The driver records no ancestors; a layer's changes (<c>docker diff</c>) are its tree compared with its
/// parent's, as Docker's naive diff computes them. Tars are reassembled from tar-split data, never regenerated (a naive diff's whiteouts carry the time of the diff, so no regenerated DiffID could match).
/// </summary>
/// <threadsafety static="true" instance="true"/>
internal sealed class VfsDriver : LayerDriver
{
    /// <summary>The driver's name, also its directory's.</summary>
    public const string DriverName = "vfs";

    private readonly BranchFacts _facts = new();

    public VfsDriver(DriverContext context)
        : base(context)
    {
        TreesDirectory = context.FileSystem.Path.Combine(Directory, "dir");
    }

    public override string Name => DriverName;

    public override IEnumerable<string> GuardedDirectories => [Directory, TreesDirectory];

    public override string LayersListing => TreesDirectory;

    public override bool HasViews => true;

    /// <summary>Gets the full path of <c>dir/</c>.</summary>
    public string TreesDirectory { get; }

    /// <summary>Returns <c>dir/&lt;id&gt;</c>, the layer's whole tree.</summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not a layer ID.</exception>
    public string GetTreePath(string id) => FileSystem.Path.Combine(TreesDirectory, DockerIds.RequireLayerId(id, TreesDirectory));

    public override bool Exists(string id) => DockerIds.IsLayerId(id) && FileSystem.Directory.Exists(GetTreePath(id));

    /// <summary>The layer IDs among the names of <c>dir/</c>, sorted.</summary>
    public override IReadOnlyList<string> ListLayerIds()
    {
        if (!FileSystem.Directory.Exists(TreesDirectory))
        {
            return [];
        }

        var ids = DirectoryListing.Read(FileSystem, Metadata, TreesDirectory).Select(e => e.Name).Where(name => DockerIds.IsLayerId(name)).ToList();
        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    public override LayerContent GetContent(string id)
    {
        var tree = GetTreePath(id);
        return new LayerContent(tree, LayerContentFormat.FullTree, StatusOrUnknown(tree)?.Type);
    }

    /// <summary>The view of a chain, top first: the top layer's whole tree; its changes are against the next layer's tree.</summary>
    /// <exception cref="BrokenLayerChainException">The top layer's tree is missing.</exception>
    public override UnionView OpenView(IReadOnlyList<string> chain)
    {
        if (chain.Count == 0)
        {
            return new UnionView(FileSystem, Metadata, [], Context.Logger, _facts);
        }

        var tree = GetTreePath(chain[0]);
        if (!Metadata.TryGetStatus(tree, out _))
        {
            throw new BrokenLayerChainException(chain[0], tree, "its vfs directory is missing");
        }

        var parent = chain.Count > 1 ? GetTreePath(chain[1]) : null;
        return new UnionView(FileSystem, Metadata, [new UnionBranch(chain[0], tree)], Context.Logger, _facts, new WholeTreeParent(parent));
    }

    /// <summary>The view of one layer: its whole tree (vfs records no parent, so its changes list everything as added).</summary>
    /// <exception cref="LayerNotFoundException">The driver does not have the layer.</exception>
    public override UnionView OpenLayerView(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return Exists(id) ? OpenView([id]) : throw new LayerNotFoundException(id, LayersListing);
    }

    /// <summary>Creates <c>dir/&lt;id&gt;</c>, empty (the write side copies the parent's tree into it, as <c>Create</c> does).</summary>
    public override string CreateLayer(string id, string? parentId)
    {
        var tree = GetTreePath(id);
        FileSystem.Directory.CreateDirectory(tree);
        return tree;
    }
}
