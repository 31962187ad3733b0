using System.IO.Abstractions;
using Docker.Aufs.Drivers;
using Docker.Aufs.Drivers.Aufs;
using Docker.Aufs.Drivers.Overlay;
using Docker.Aufs.Drivers.Overlay2;
using Docker.Aufs.Drivers.Vfs;
using Docker.Aufs.Formats;
using Docker.Aufs.Stores;
using Docker.Aufs.Stores.ContentAddressed;
using Docker.Aufs.Stores.Graph;

namespace Docker.Aufs;

// The one place where image stores and storage drivers are registered (docs/architecture.md): a root is one of each,
// chosen here. Adding a store or a driver is a folder under Stores/ or Drivers/ and one line below.

/// <summary>
/// The registered drivers. Each entry names a driver and how to open its directory; the order is
/// Docker's order of preference when it finds the state of several prior drivers (moby v17.03
/// <c>daemon/graphdriver/driver_linux.go</c> <c>priority</c>: aufs, btrfs, zfs, overlay2, overlay, devicemapper; v1.9.1
/// had no overlay2 and put devicemapper before overlay; vfs is never a "prior" driver). See docs/format/drivers.md §5.
/// </summary>
internal static class DriverRegistry
{
    /// <summary>The drivers, in Docker's order of preference, vfs last.</summary>
    public static IReadOnlyList<DriverRegistration> All { get; } =
    [
        new(AufsDriver.DriverName, context => new AufsDriver(context)),
        Opaque(new OpaqueLayout("btrfs", "subvolumes", LayersAreDirectories: true, ContentTemplate: null)),
        Opaque(new OpaqueLayout("zfs", string.Empty, LayersAreDirectories: false, ContentTemplate: null)),
        new(Overlay2Driver.DriverName, context => new Overlay2Driver(context)),
        new(OverlayDriver.DriverName, context => new OverlayDriver(context)),
        Opaque(new OpaqueLayout("devicemapper", "metadata", LayersAreDirectories: false, ContentTemplate: null)),
        new(VfsDriver.DriverName, context => new VfsDriver(context), CountsAsPrior: false),
    ];

    /// <summary>Returns the registration of a driver by name, or <see langword="null"/>.</summary>
    public static DriverRegistration? Find(string name) => All.FirstOrDefault(d => d.Name == name);

    /// <summary>Opens the directory of a registered driver, <c>&lt;root&gt;/&lt;name&gt;</c>, without logging (the write side).</summary>
    /// <exception cref="ArgumentException">No driver of that name is registered.</exception>
    public static LayerDriver Open(string name, IFileSystem fileSystem, string root, IO.IUnixMetadataProvider metadata) =>
        (Find(name) ?? throw new ArgumentException($"'{name}' is not a registered storage driver.", nameof(name)))
        .Create(new DriverContext(fileSystem, root, fileSystem.Path.Combine(root, name), metadata, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));

    private static DriverRegistration Opaque(OpaqueLayout layout) => new(layout.Name, context => new OpaqueDriver(context, layout));
}

/// <summary>One registered driver.</summary>
/// <param name="Name">Its name, which is also its directory's.</param>
/// <param name="Create">Opens its directory.</param>
/// <param name="CountsAsPrior">Whether Docker counts its directory as the state of a prior driver (vfs does not).</param>
internal sealed record DriverRegistration(string Name, Func<DriverContext, LayerDriver> Create, bool CountsAsPrior = true);

/// <summary>
/// The registered image stores, in the order Docker looks for them: a store is chosen when its files are in the root.
/// Docker 1.10 and later read <c>image/&lt;driver&gt;/</c> (and migrated <c>graph/</c> into it, until 18.09), so the
/// content-addressed store comes first; the graph era (<c>graph/</c>, Docker 0.7–1.9) after it.
/// </summary>
internal static class StoreRegistry
{
    /// <summary>The stores, in the order they are tried.</summary>
    public static IReadOnlyList<StoreRegistration> All { get; } =
    [
        new(ImageStoreKind.ContentAddressed, CasLayout.StoreDirectory, context => new CasStore(context), PerDriver: true),
        new(ImageStoreKind.Graph, _ => LegacyLayout.GraphDirectory, context => new GraphStore(context)),
    ];

    /// <summary>Returns the registration of a store kind.</summary>
    public static StoreRegistration Find(ImageStoreKind kind) => All.First(s => s.Kind == kind);

    /// <summary>The directory of a driver's content-addressed store that holds one file per image (its configs), relative to the root.</summary>
    public static string ImageConfigsDirectory(string driver) => CasLayout.StoreDirectory(driver) + "/" + CasLayout.Content;
}

/// <summary>One registered image store.</summary>
/// <param name="Kind">Which store it is.</param>
/// <param name="Directory">Its directory relative to the root, for a driver name: the root holds the store when it exists, and it must not be a symbolic link.</param>
/// <param name="Create">Opens it.</param>
/// <param name="PerDriver">Whether each driver has its own directory of the store (so the driver must be known to find it).</param>
internal sealed record StoreRegistration(ImageStoreKind Kind, Func<string, string> Directory, Func<StoreContext, ImageStore> Create, bool PerDriver = false)
{
    /// <summary>For a store kept per driver, the registered drivers whose directory of it the root holds, in Docker's order of preference.</summary>
    public IReadOnlyList<string> PresentDrivers(IFileSystem fileSystem, IO.IUnixMetadataProvider metadata, string root) =>
        PerDriver ? [.. DriverRegistry.All.Select(d => d.Name).Where(name => IsPresent(fileSystem, metadata, root, name))] : [];

    /// <summary>Whether the root holds this store: its directory is there (a symbolic link counts, to be refused when the store is opened).</summary>
    public bool IsPresent(IFileSystem fileSystem, IO.IUnixMetadataProvider metadata, string root, string driver) =>
        metadata.TryGetStatus(fileSystem.Path.Combine(root, Directory(driver)), out var status) && status.Type is IO.UnixFileType.Directory or IO.UnixFileType.SymbolicLink;
}
