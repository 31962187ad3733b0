using System.Text;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Logging;
using Docker.Aufs.Union;

namespace Docker.Aufs.Drivers.Overlay;

/// <summary>
/// The overlay (v1) driver's directory <c>&lt;root&gt;/overlay</c> (Docker 1.4–23.x, docs/format/drivers.md §2; moby
/// v1.9.1 and v17.03.0-ce <c>daemon/graphdriver/overlay/overlay.go</c>). A layer is one of two forms:
/// <list type="bullet">
/// <item><c>&lt;id&gt;/root/</c>, a whole file tree: every image layer. <c>Create</c> makes it for a layer without parent;
/// <c>ApplyDiff</c> makes it for any other image layer by copying the parent's <c>root/</c> with hard links and applying the
/// layer's tar there, so an image layer's unchanged files share their inode with the parent's.</item>
/// <item><c>&lt;id&gt;/upper/</c> with <c>lower-id</c>, <c>work/</c>, <c>merged/</c>: a container's init and read-write
/// layers. <c>upper/</c> holds the changes over the lower layer's <c>root/</c> as the kernel's overlay keeps them (whiteouts
/// 0/0 character devices, opaque directories by extended attribute); <c>lower-id</c> names the layer whose <c>root/</c> is
/// the lower directory. A layer created on a layer without <c>root/</c> (the read-write layer on the init layer) copies
/// the parent's <c>lower-id</c> and its <c>upper/</c>, so the kernel mounts the read-write layer's <c>upper/</c> over the
/// image's <c>root/</c> alone.</item>
/// </list>
/// Views show what Docker's <c>Get</c> mounts: a <c>root/</c> tree alone, or <c>upper/</c> (read with
/// <see cref="OverlayBranches"/>) over the lower <c>root/</c>. Changes are Docker's naive diff (the driver is wrapped in
/// <c>NaiveDiffDriver</c>): a layer's view compared with its parent's. A hard link shared with the parent's tree has the
/// parent's <c>lstat</c> facts, so it is unchanged without reading a byte.
/// </summary>
/// <threadsafety static="true" instance="true"/>
internal sealed class OverlayDriver : LayerDriver
{
    /// <summary>The driver's name, also its directory's.</summary>
    public const string DriverName = "overlay";

    /// <summary>The whole tree of an image layer.</summary>
    public const string RootName = "root";

    /// <summary>The changes of a container layer.</summary>
    public const string UpperName = "upper";

    /// <summary>The file naming the layer whose <c>root/</c> is the lower directory of an <c>upper/</c> layer.</summary>
    public const string LowerIdName = "lower-id";

    private readonly BranchFacts _facts = new();
    private readonly BranchFacts _upperFacts = new();
    private readonly OverlayBranches _branches;
    private int _opaqueWarned;

    public OverlayDriver(DriverContext context)
        : base(context)
    {
        _branches = new OverlayBranches(context.FileSystem, context.Metadata, WarnOpaqueUnknown);
    }

    public override string Name => DriverName;

    public override bool HasViews => true;

    /// <summary>Returns <c>&lt;id&gt;</c>'s directory.</summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not a layer ID.</exception>
    public string GetLayerDirectory(string id) =>
        FileSystem.Path.Combine(Directory, DockerIds.IsLayerId(id) ? id : throw new ArgumentException($"'{id}' is not a layer ID (64 lowercase hex characters, optionally followed by -init).", nameof(id)));

    /// <summary>Returns <c>&lt;id&gt;/root</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not a layer ID.</exception>
    public string GetRootPath(string id) => GetLayerDirectory(id) + "/" + RootName;

    /// <summary>Returns <c>&lt;id&gt;/upper</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not a layer ID.</exception>
    public string GetUpperPath(string id) => GetLayerDirectory(id) + "/" + UpperName;

    /// <summary>Returns <c>&lt;id&gt;/lower-id</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not a layer ID.</exception>
    public string GetLowerIdPath(string id) => GetLayerDirectory(id) + "/" + LowerIdName;

    /// <summary>The layer's directory (for messages): the driver records no ancestors, and a container layer's <c>lower-id</c> is in it.</summary>
    public override string RecordPath(string id) => DockerIds.IsLayerId(id) ? GetLayerDirectory(id) : Directory;

    /// <summary>Docker's <c>Exists</c>: the layer's directory exists.</summary>
    public override bool Exists(string id) => DockerIds.IsLayerId(id) && FileSystem.Directory.Exists(GetLayerDirectory(id));

    /// <summary>The layer IDs among the driver directory's entries, sorted.</summary>
    public override IReadOnlyList<string> ListLayerIds()
    {
        if (!FileSystem.Directory.Exists(Directory))
        {
            return [];
        }

        var ids = new List<string>();
        foreach (var entry in DirectoryListing.Read(FileSystem, Metadata, Directory))
        {
            if (entry.IsDirectory != false && DockerIds.IsLayerId(entry.Name))
            {
                ids.Add(entry.Name);
            }
        }

        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    /// <summary>
    /// Where the layer's files are, as Docker's <c>Get</c> finds them for tar-split reassembly: <c>root/</c> (a whole tree)
    /// or, for a container layer, <c>upper/</c> (its changes in overlay's form). A layer with neither reads as a missing
    /// <c>root/</c>.
    /// </summary>
    /// <exception cref="BrokenLayerChainException">The layer has both <c>root/</c> and <c>upper/</c>.</exception>
    public override LayerContent GetContent(string id)
    {
        var root = GetRootPath(DockerIds.RequireLayerId(id, Directory));
        var form = Classify(id, requirePresent: false);
        return form.IsUpper
            ? new LayerContent(form.Path, LayerContentFormat.OverlayChanges, form.Type)
            : new LayerContent(root, LayerContentFormat.FullTree, form.Type);
    }

    /// <summary>
    /// The view of a chain of layers, top first, as Docker mounts its top: a <c>root/</c> layer is its whole tree; an
    /// <c>upper/</c> layer is <c>upper/</c> over the <c>root/</c> its <c>lower-id</c> names, which must be the image's top
    /// layer in the chain. Its changes are the view compared with the view of the rest of the chain (Docker's naive
    /// <c>Changes(id, parent)</c>).
    /// </summary>
    /// <exception cref="BrokenLayerChainException">A layer has neither or both of <c>root/</c> and <c>upper/</c>, or its <c>lower-id</c> is missing, names a layer without <c>root/</c>, or disagrees with the chain.</exception>
    /// <exception cref="CorruptFileException"><c>lower-id</c> is not a layer ID.</exception>
    /// <exception cref="UnsafePathException"><c>lower-id</c> is a symbolic link or names a path.</exception>
    public override UnionView OpenView(IReadOnlyList<string> chain)
    {
        if (chain.Count == 0)
        {
            return new UnionView(FileSystem, Metadata, [], Context.Logger, _facts);
        }

        var top = chain[0];
        var form = Classify(top, requirePresent: true);
        if (!form.IsUpper)
        {
            if (chain.Count == 1)
            {
                return new UnionView(FileSystem, Metadata, [new UnionBranch(top, form.Path)], Context.Logger, _facts, new WholeTreeParent(null));
            }

            var below = Classify(chain[1], requirePresent: true);
            return below.IsUpper
                ? new UnionView(FileSystem, Metadata, [new UnionBranch(top, form.Path)], Context.Logger, _facts, naiveParent: OpenView(chain.Skip(1).ToList()))
                : new UnionView(FileSystem, Metadata, [new UnionBranch(top, form.Path)], Context.Logger, _facts, new WholeTreeParent(below.Path));
        }

        var lowerId = ReadLowerId(top);
        var imageTop = chain.Skip(1).FirstOrDefault(id => !Classify(id, requirePresent: true).IsUpper);
        if (imageTop is not null && imageTop != lowerId)
        {
            var problem = $"names the lower layer {lowerId}, but the image below this layer is {imageTop}: the kernel would mount {lowerId}'s tree, not the image's";
            if (Context.StrictChains)
            {
                throw new BrokenLayerChainException(top, GetLowerIdPath(top), problem);
            }

            // --lenient: the image store's chain is the one every command follows (docs/hostile-input.md, "One chain").
            Log.ChainProblem(Context.Logger, top, $"{GetLowerIdPath(top)} {problem}");
            lowerId = imageTop;
        }

        var view = new UnionView(FileSystem, _branches, [new UnionBranch(top, form.Path), new UnionBranch(lowerId, GetRootPath(lowerId))], Context.Logger, _upperFacts,
            naiveParent: chain.Count > 1 ? OpenView(chain.Skip(1).ToList()) : OpenView([lowerId]));
        return view;
    }

    /// <summary>
    /// The view of one layer: a <c>root/</c> layer's whole tree (the driver records no parent for it, so its changes list
    /// everything as added), or an <c>upper/</c> layer over the <c>root/</c> its <c>lower-id</c> names.
    /// </summary>
    /// <exception cref="LayerNotFoundException">The driver does not have the layer.</exception>
    /// <exception cref="DockerDataException">The layer's files are not in a form the driver leaves.</exception>
    public override UnionView OpenLayerView(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        if (!Exists(id))
        {
            throw new LayerNotFoundException(id, LayersListing);
        }

        return Classify(id, requirePresent: true).IsUpper ? OpenView([id, ReadLowerId(id)]) : OpenView([id]);
    }

    /// <summary>
    /// Reads <c>lower-id</c>: the ID of the layer whose <c>root/</c> is the lower directory, exactly as the driver writes it
    /// (no newline). It must name a layer of this driver that has <c>root/</c>; a layer without one cannot be a lower
    /// directory, which also ends any cycle of <c>lower-id</c> files at its first step.
    /// </summary>
    /// <exception cref="BrokenLayerChainException">The file is missing, or names a layer the driver does not have or one without <c>root/</c>.</exception>
    /// <exception cref="CorruptFileException">The file is not a layer ID or is too large.</exception>
    /// <exception cref="UnsafePathException">The file is a symbolic link, or its content is a path.</exception>
    public string ReadLowerId(string id)
    {
        var path = GetLowerIdPath(id);
        if (!NoFollow.IsPresentRegularFile(FileSystem, path))
        {
            throw new BrokenLayerChainException(id, path, "is missing: a layer with upper/ names there the layer whose root/ lies below it");
        }

        var text = Encoding.UTF8.GetString(SmallFile.Read(FileSystem, path, SmallFile.LineLimit));
        var lowerId = DockerIds.RequireLayerId(text, path);
        if (lowerId == id)
        {
            throw new BrokenLayerChainException(id, path, "names the layer itself as its lower layer");
        }

        if (!Exists(lowerId))
        {
            throw new BrokenLayerChainException(id, path, $"names the lower layer {lowerId}, which the overlay driver does not have ({GetLayerDirectory(lowerId)} is missing)");
        }

        var lower = Classify(lowerId, requirePresent: false);
        if (lower.IsUpper || lower.Type is null)
        {
            throw new BrokenLayerChainException(id, path,
                $"names the lower layer {lowerId}, which has no root/ (only an image layer's whole tree can lie below a layer: Docker could not mount this one)");
        }

        return lowerId;
    }

    /// <summary>
    /// Creates a layer as the driver's <c>Create</c> does: without a parent, <c>root/</c>; on a parent with <c>root/</c>,
    /// <c>upper/</c> (with the mode of the parent's <c>root/</c>), <c>work/</c>, <c>merged/</c> and <c>lower-id</c> naming the
    /// parent; on a parent without <c>root/</c>, the same with the parent's <c>lower-id</c> copied. Returns the directory
    /// that receives the layer's files (<c>root/</c> or <c>upper/</c>). Docker's <c>Create</c> on a parent without
    /// <c>root/</c> also copies the parent's <c>upper/</c> into the new one: that copy is the caller's, which writes entries
    /// with their recorded facts.
    /// </summary>
    public override string CreateLayer(string id, string? parentId)
    {
        var directory = GetLayerDirectory(id);
        var fs = FileSystem;
        if (parentId is null)
        {
            fs.Directory.CreateDirectory(directory + "/" + RootName);
            RecordDirectory(directory + "/" + RootName);
            return directory + "/" + RootName;
        }

        var parentRoot = GetRootPath(parentId);
        var lowerId = fs.Directory.Exists(parentRoot) ? parentId : fs.File.ReadAllText(GetLowerIdPath(parentId));
        foreach (var name in (ReadOnlySpan<string>)[UpperName, "work", "merged"])
        {
            fs.Directory.CreateDirectory(directory + "/" + name);
        }

        RecordDirectory(directory + "/" + UpperName);
        fs.File.WriteAllText(directory + "/" + LowerIdName, lowerId);
        return directory + "/" + UpperName;
    }

    /// <summary>On an in-memory file system, records a new directory as a plain one (not marked opaque): what is recorded of an entry is all there is.</summary>
    private void RecordDirectory(string path)
    {
        if (Metadata is RecordedMetadataProvider recorded && FileSystem is not System.IO.Abstractions.FileSystem)
        {
            recorded.Record(path, new UnixFileStatus { Type = UnixFileType.Directory, Permissions = 0x1ED });
        }
    }

    /// <summary>
    /// Which form a layer is in: <c>root/</c> or <c>upper/</c>, by <c>lstat</c> (a link at either is found here and refused
    /// by the view, which takes only real directories).
    /// </summary>
    /// <param name="id">The layer.</param>
    /// <param name="requirePresent">Whether a layer with neither is an error (else it reads as a missing <c>root/</c>).</param>
    /// <exception cref="BrokenLayerChainException">Both are present, or (with <paramref name="requirePresent"/>) neither.</exception>
    private LayerForm Classify(string id, bool requirePresent)
    {
        var root = GetRootPath(id);
        var upper = GetUpperPath(id);
        var hasRoot = Metadata.TryGetStatus(root, out var rootStatus);
        var hasUpper = Metadata.TryGetStatus(upper, out var upperStatus);
        if (hasRoot && hasUpper)
        {
            throw new BrokenLayerChainException(id, GetLayerDirectory(id),
                "has both root/ (an image layer's whole tree) and upper/ (a container layer's changes); Docker's ApplyDiff removes upper/ when it makes root/, so which one holds the layer cannot be told");
        }

        if (!hasRoot && !hasUpper && requirePresent)
        {
            throw new BrokenLayerChainException(id, GetLayerDirectory(id),
                Exists(id) ? "has neither root/ (an image layer's whole tree) nor upper/ (a container layer's changes)" : "its overlay directory is missing");
        }

        return hasUpper ? new LayerForm(true, upper, upperStatus!.Type) : new LayerForm(false, root, rootStatus?.Type);
    }

    private void WarnOpaqueUnknown(string reason)
    {
        if (Interlocked.Exchange(ref _opaqueWarned, 1) == 0)
        {
            Log.OpaqueDirectoriesUnknown(Context.Logger, Name, reason);
        }
    }

    /// <summary>A layer's form: <c>upper/</c> or <c>root/</c>, its path, and what <c>lstat</c> says it is (<see langword="null"/>: missing).</summary>
    private readonly record struct LayerForm(bool IsUpper, string Path, UnixFileType? Type);
}
