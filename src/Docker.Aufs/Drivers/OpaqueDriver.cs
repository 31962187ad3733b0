namespace Docker.Aufs.Drivers;

/// <summary>
/// A driver whose layers this version can count but not show: it knows which layers exist (Docker's <c>Exists</c>) and,
/// where the driver keeps a plain directory tree per layer, where its files are for tar-split reassembly. Merged views
/// are not available. Used for btrfs, zfs and devicemapper (whose data needs their own file system or pool).
/// </summary>
internal sealed class OpaqueDriver : LayerDriver
{
    private readonly OpaqueLayout _layout;

    public OpaqueDriver(DriverContext context, OpaqueLayout layout)
        : base(context)
    {
        _layout = layout;
    }

    public override string Name => _layout.Name;

    public override IEnumerable<string> GuardedDirectories =>
        _layout.LayersDirectory.Length == 0 ? [Directory] : [Directory, FileSystem.Path.Combine(Directory, _layout.LayersDirectory)];

    public override bool Exists(string id)
    {
        if (_layout.LayersDirectory.Length == 0 && !_layout.LayersAreDirectories)
        {
            return true; // the driver keeps no per-layer entry that can be checked (zfs)
        }

        var path = FileSystem.Path.Combine(Directory, _layout.LayersDirectory, id);
        return _layout.LayersAreDirectories ? FileSystem.Directory.Exists(path) : FileSystem.File.Exists(path);
    }

    public override IReadOnlyList<string>? ListLayerIds()
    {
        if (_layout.LayersDirectory.Length == 0 && !_layout.LayersAreDirectories)
        {
            return null;
        }

        var directory = FileSystem.Path.Combine(Directory, _layout.LayersDirectory);
        if (!FileSystem.Directory.Exists(directory))
        {
            return [];
        }

        var ids = FileSystem.Directory.EnumerateFileSystemEntries(directory).Select(p => FileSystem.Path.GetFileName(p)).ToList();
        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    public override LayerContent GetContent(string id) =>
        new(_layout.ContentTemplate is { } template
            ? FileSystem.Path.Combine(Directory, template.Replace("{id}", Formats.DockerIds.RequireLayerId(id, Directory), StringComparison.Ordinal))
            : null, LayerContentFormat.FullTree);
}

/// <summary>Where an <see cref="OpaqueDriver"/> keeps its layers.</summary>
/// <param name="Name">The driver's name and directory.</param>
/// <param name="LayersDirectory">The directory below the driver's that holds one entry per layer ("" for the driver's own directory).</param>
/// <param name="LayersAreDirectories">Whether those entries are directories (else files).</param>
/// <param name="ContentTemplate">Where a layer's whole file tree is, relative to the driver's directory, with <c>{id}</c>; <see langword="null"/> when none is readable.</param>
internal sealed record OpaqueLayout(string Name, string LayersDirectory, bool LayersAreDirectories, string? ContentTemplate);
