using System.IO.Abstractions;
using Docker.Aufs.Drivers;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Logging;
using Docker.Aufs.Stores;
using Docker.Aufs.Union;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Docker.Aufs;

/// <summary>Opens Docker roots: the entry point of the library. A root is one image store on one storage driver, both detected as Docker detects them, or named.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed class DockerRoot : IDockerRoot
{
    /// <summary>Docker's default root, <c>/var/lib/docker</c>.</summary>
    public const string DefaultPath = LegacyLayout.DefaultRoot;

    private static readonly System.Buffers.SearchValues<char> DriverNameCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789_");

    private readonly ImageStore? _store;
    private readonly string _noStoreProblem;

    private DockerRoot(IFileSystem fileSystem, string path, IUnixMetadataProvider metadata, ILogger logger, LayerDriver driver, ImageStore? store, string noStoreProblem)
    {
        FileSystem = fileSystem;
        Path = path;
        Metadata = metadata;
        Logger = logger;
        LayerDriver = driver;
        _store = store;
        _noStoreProblem = noStoreProblem;
    }

    /// <inheritdoc/>
    public string Path { get; }

    /// <inheritdoc/>
    public IFileSystem FileSystem { get; }

    /// <inheritdoc/>
    public IUnixMetadataProvider Metadata { get; }

    /// <inheritdoc/>
    public ImageStoreKind? Store => _store?.Kind;

    /// <inheritdoc/>
    public string Driver => LayerDriver.Name;

    /// <summary>
    /// Gets the names of the storage drivers this version knows, in Docker's order of preference (vfs last): the values
    /// <see cref="DockerRootOptions.Driver"/> accepts. Names are compared as Docker compares them, case-sensitively.
    /// </summary>
    public static IReadOnlyList<string> StorageDrivers { get; } = [.. DriverRegistry.All.Select(d => d.Name)];

    /// <summary>The root a caller named: <paramref name="path"/>, or <see cref="DefaultPath"/> for <see langword="null"/>; an empty path names none.</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    internal static string RootPath(string? path) => path switch
    {
        null => DefaultPath,
        { Length: 0 } => throw new ArgumentException("An empty path names no Docker root; pass null to read " + DefaultPath + ".", nameof(path)),
        _ => path,
    };

    /// <summary>Gets the storage driver's directory reader.</summary>
    internal LayerDriver LayerDriver { get; }

    /// <summary>Gets the image store.</summary>
    /// <exception cref="NotADockerRootException">The root has no image store.</exception>
    internal ImageStore ImageStore => _store ?? throw new NotADockerRootException(Path, _noStoreProblem);

    /// <summary>Gets where warnings about the data go.</summary>
    internal ILogger Logger { get; }

    /// <summary>Gets why the root has no image store, or <see langword="null"/> when it has one.</summary>
    internal string? NoStoreProblem => _store is null ? _noStoreProblem : null;

    /// <summary>
    /// Describes the operating system's refusal to read a part of a root (<see cref="UnauthorizedAccessException"/>, or an
    /// <see cref="IOException"/> for <c>EACCES</c>) as one line: the first directory on the way that this process may not
    /// search, or the file or directory it may not read, with its mode and owner and the access that would fix it. For
    /// callers that meet such an error from any operation and want to say which part of the root was refused.
    /// </summary>
    /// <param name="fileSystem">The file system holding the root.</param>
    /// <param name="path">The root; <see langword="null"/> for <c>/var/lib/docker</c>.</param>
    /// <param name="error">The error met.</param>
    /// <returns>The description (<paramref name="error"/> itself when it is one), or <see langword="null"/> when <paramref name="error"/> is not a refusal, or is one of a path it names outside the root (an output's directory, an archive), which its own message describes.</returns>
    public static PathAccessDeniedException? DescribeAccessDenied(IFileSystem fileSystem, string? path, Exception error)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(error);
        if (!AccessProblems.IsDenied(error))
        {
            return null;
        }

        var root = fileSystem.Path.GetFullPath(string.IsNullOrEmpty(path) ? DefaultPath : path);
        if (AccessProblems.NamesOnlyPathsOutside(error.Message, root))
        {
            return null; // a refusal of something else (an output's directory, an archive): its own message names it
        }

        return AccessProblems.Describe(MetadataProviders.For(fileSystem), root, root, error);
    }

    /// <summary>Opens the Docker root at <paramref name="path"/> on <paramref name="fileSystem"/>.</summary>
    /// <param name="fileSystem">The file system holding the root (a <c>MockFileSystem</c> in tests).</param>
    /// <param name="path">The root; <see langword="null"/> for <c>/var/lib/docker</c>. A storage driver's own directory (such as <c>…/aufs</c>) opens as a root with no image store.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The opened root. Nothing but the root's top level has been read yet.</returns>
    /// <exception cref="NotADockerRootException">The directory does not exist, holds no image store or driver data this version knows, or holds several drivers' data and none was named.</exception>
    /// <exception cref="UnsafePathException">The store's directory or one of the driver's is a symbolic link (never followed: docs/hostile-input.md).</exception>
    /// <exception cref="PathAccessDeniedException">This process may not read the root's own top-level directories (a root-owned copy read by another user): the message names the first refused one and the access that would fix it.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty (it names no root: <see langword="null"/> is the default root), or <see cref="DockerRootOptions.Driver"/> is not a storage driver name.</exception>
    public static IDockerRoot Open(IFileSystem fileSystem, string? path = null, DockerRootOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        fileSystem = MetadataProviders.Quiet(fileSystem); // no read changes an access time (docs/hostile-input.md)
        options ??= DockerRootOptions.Default;
        var root = fileSystem.Path.GetFullPath(RootPath(path));
        var metadata = options.Metadata ?? MetadataProviders.For(fileSystem);
        if (!fileSystem.Directory.Exists(root))
        {
            // A directory on the way that this process may not search makes the root look absent: say which.
            throw AccessProblems.Refusal(metadata, root, root) as Exception
                ?? new NotADockerRootException(root, fileSystem.File.Exists(root) ? "is a file, not a Docker root directory" : "does not exist");
        }

        try
        {
            return OpenCore(fileSystem, root, options, metadata);
        }
        catch (Exception e) when (AccessProblems.IsDenied(e))
        {
            // The root's own directories refused to this process: one line naming the first refused one and the access that fixes it.
            throw AccessProblems.Describe(metadata, root, root, e);
        }
    }

    private static DockerRoot OpenCore(IFileSystem fileSystem, string root, DockerRootOptions options, IUnixMetadataProvider metadata)
    {
        var logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Docker.Aufs");
        var named = options.Driver;
        if (named is not null && (named.Length == 0 || named.AsSpan().ContainsAnyExcept(DriverNameCharacters)))
        {
            throw new ArgumentException($"'{named}' is not a storage driver name.", nameof(options));
        }

        var (store, driverName, how, choice) = ChooseStore(fileSystem, root, named, options.Store, metadata);
        if (choice is not null)
        {
            Log.SeveralDrivers(logger, root, choice.Driver, choice.Why, string.Join(", ", choice.Others));
        }

        if (store is null)
        {
            return OpenWithoutStore(fileSystem, root, named ?? choice?.Driver, metadata, logger);
        }

        var driver = CreateDriver(fileSystem, root, fileSystem.Path.Combine(root, driverName), driverName, metadata, logger, options.StrictChains);
        if (store.PerDriver)
        {
            NoFollow.RequireNotLink(fileSystem, fileSystem.Path.Combine(root, fileSystem.Path.GetDirectoryName(store.Directory(driverName))!));
        }

        NoFollow.RequireNotLink(fileSystem, fileSystem.Path.Combine(root, store.Directory(driverName)));
        RefuseLinkedDirectories(fileSystem, driver);
        if (store.Kind == ImageStoreKind.Graph)
        {
            foreach (var entry in new[] { "image", ".migration-v1-images.json" })
            {
                if (fileSystem.Directory.Exists(fileSystem.Path.Combine(root, entry)) || fileSystem.File.Exists(fileSystem.Path.Combine(root, entry)))
                {
                    Log.PostMigrationData(logger, root, entry);
                }
            }
        }
        else if (fileSystem.Directory.Exists(fileSystem.Path.Combine(root, LegacyLayout.GraphDirectory)))
        {
            Log.PreMigrationData(logger, root, driverName);
        }

        Log.OpenedRoot(logger, root, driverName, how);
        var context = new StoreContext(fileSystem, root, driver, metadata, logger, options.StrictChains);
        return new DockerRoot(fileSystem, root, metadata, logger, driver, store.Create(context), string.Empty);
    }

    /// <inheritdoc/>
    public Image ResolveImage(string reference)
    {
        var store = ImageStore;
        return store.GetImage(store.ResolveImageId(reference));
    }

    /// <inheritdoc/>
    public ImageLayer ResolveLayer(string reference) => ImageStore.GetLayer(reference);

    /// <inheritdoc/>
    public IReadOnlyList<ImageSummary> GetImages() => ImageStore.GetImages();

    /// <inheritdoc/>
    public IReadOnlyList<Container> GetContainers() => ImageStore.GetContainers();

    /// <inheritdoc/>
    public Container ResolveContainer(string reference) => ImageStore.GetContainer(reference);

    /// <inheritdoc/>
    public UnionView OpenImage(string reference)
    {
        LayerDriver.RequireViews();
        var image = ResolveImage(reference);
        ImageStore.VerifyImageLayers(image);
        LayerDriver.LearnOpaqueDirectories(image.Layers);
        return LayerDriver.OpenView([.. image.Layers.Select(l => l.DriverLayerId)]);
    }

    /// <inheritdoc/>
    public UnionView OpenContainer(string reference)
    {
        LayerDriver.RequireViews();
        var container = ResolveContainer(reference);
        var layers = ImageStore.ContainerLayers(container);
        if (ImageLayersOf(container) is { } imageLayers)
        {
            LayerDriver.LearnOpaqueDirectories(imageLayers);
        }

        return LayerDriver.OpenView(layers);
    }

    /// <summary>The layers of a container's image, or <see langword="null"/> when its image cannot be read (the view still opens, from the container's record).</summary>
    private IReadOnlyList<ImageLayer>? ImageLayersOf(Container container)
    {
        // An Image that is no image ID at all is never looked up (no path is built from it: docs/hostile-input.md).
        var id = container.ImageId;
        if (!DockerIds.IsId(id.StartsWith(Digests.Sha256Prefix, StringComparison.Ordinal) ? id.AsSpan(Digests.Sha256Prefix.Length) : id))
        {
            return null;
        }

        try
        {
            return ImageStore.GetImage(id).Layers;
        }
        catch (DockerAufsException)
        {
            return null; // an Image that names no readable image: the view opens from the container's record
        }
    }

    /// <inheritdoc/>
    public UnionView OpenLayer(string driverLayerId)
    {
        LayerDriver.RequireViews();
        return LayerDriver.OpenLayerView(LayerDriver.ResolveLayerId(driverLayerId));
    }

    /// <summary>
    /// The store to read and its driver: the first registered store the root holds (Docker 1.10+'s <c>image/&lt;driver&gt;/</c>
    /// before <c>graph/</c>), or the one named. A store kept per driver needs the driver: the named one, the one whose
    /// directory the root holds (of several, the one <see cref="ChooseAmongPrior"/> picks), or — with no driver directory —
    /// the one driver the store has a directory for.
    /// </summary>
    /// <returns>The store (null when the root holds none), the driver's name, how it was chosen, and the other drivers with data when there were several.</returns>
    private static (StoreRegistration? Store, string Driver, string How, DriverChoice? Choice) ChooseStore(IFileSystem fileSystem, string root, string? named, ImageStoreKind? kind, IUnixMetadataProvider metadata)
    {
        var prior = PriorDrivers(fileSystem, root);
        var choice = named is null && prior.Count > 1 ? ChooseAmongPrior(fileSystem, root, metadata, prior, kind) : null;
        var detected = named ?? choice?.Driver ?? (prior.Count == 1 ? prior[0] : null);
        foreach (var store in StoreRegistry.All.Where(s => kind is null || s.Kind == kind))
        {
            if (store.PerDriver && detected is null)
            {
                if (store.PresentDrivers(fileSystem, metadata, root) is not { Count: > 0 } present)
                {
                    continue;
                }

                if (present.Count > 1)
                {
                    throw new NotADockerRootException(root,
                        $"holds the image stores of several storage drivers ({string.Join(", ", present.Select(store.Directory))}) and none of their driver directories; name the one to read (DockerRootOptions.Driver, or --driver)");
                }

                detected = present[0];
            }

            if (store.IsPresent(fileSystem, metadata, root, detected ?? string.Empty))
            {
                return detected is null ? (store, DetectDriver(fileSystem, root), "detected", null) : (store, detected, named is null ? "detected" : "named", choice);
            }
        }

        if (kind is { } wanted)
        {
            var registration = StoreRegistry.Find(wanted);
            throw new NotADockerRootException(root, $"has no {registration.Directory(detected ?? "<driver>")}/ directory: it holds no {Describe(wanted)} store");
        }

        return (null, string.Empty, string.Empty, choice);
    }

    /// <summary>
    /// Of several drivers with data, the one to read. Docker refuses such a root (docs/format/drivers.md §5); a reader
    /// rescuing it reads one and says how to read the others: the one driver whose image store holds images
    /// (<c>image/&lt;driver&gt;/imagedb/content/sha256/</c> with an entry, or <c>repositories-&lt;driver&gt;</c> with a tag
    /// beside <c>graph/</c>); of several such, or none, the first in Docker's order of preference.
    /// </summary>
    /// <param name="fileSystem">The file system.</param>
    /// <param name="root">The root.</param>
    /// <param name="metadata">The metadata seam.</param>
    /// <param name="prior">The drivers with data, in Docker's order of preference (at least two).</param>
    /// <param name="kind">The store named, if any: only its kind of image store counts.</param>
    internal static DriverChoice ChooseAmongPrior(IFileSystem fileSystem, string root, IUnixMetadataProvider metadata, IReadOnlyList<string> prior, ImageStoreKind? kind)
    {
        List<string> withImages = [.. prior.Where(driver => HasImages(fileSystem, root, metadata, driver, kind))];
        var (chosen, why) = withImages.Count switch
        {
            1 => (withImages[0], "the only one whose image store holds images"),
            0 => (prior[0], "none has an image store with images; the first in Docker's order of preference"),
            _ => (withImages[0], $"the first in Docker's order of preference of those whose image stores hold images ({string.Join(", ", withImages)})"),
        };
        return new DriverChoice(chosen, [.. prior.Where(d => d != chosen)], why);
    }

    /// <summary>Whether a driver's image store holds images: an image config in <c>image/&lt;driver&gt;/</c>, or a tag in <c>repositories-&lt;driver&gt;</c> beside <c>graph/</c>.</summary>
    private static bool HasImages(IFileSystem fileSystem, string root, IUnixMetadataProvider metadata, string driver, ImageStoreKind? kind)
    {
        if (kind is null or ImageStoreKind.ContentAddressed)
        {
            var configs = fileSystem.Path.Combine(root, StoreRegistry.ImageConfigsDirectory(driver));
            if (metadata.TryGetStatus(configs, out var status) && status.Type == UnixFileType.Directory && fileSystem.Directory.EnumerateFileSystemEntries(configs).Any())
            {
                return true;
            }
        }

        if (kind is null or ImageStoreKind.Graph)
        {
            var tags = fileSystem.Path.Combine(root, RepositoryIndex.FileName(driver));
            if (fileSystem.Directory.Exists(fileSystem.Path.Combine(root, LegacyLayout.GraphDirectory))
                && metadata.TryGetStatus(tags, out var status) && status.Type == UnixFileType.RegularFile)
            {
                try
                {
                    return RepositoryIndex.Read(fileSystem, tags).Entries.Count > 0;
                }
                catch (DockerDataException)
                {
                    return false; // a damaged tag store is fsck's to report; it names no image here
                }
            }
        }

        return false;
    }

    private static string Describe(ImageStoreKind kind) => kind == ImageStoreKind.Graph ? "graph-era (Docker 0.7–1.9)" : "content-addressed (Docker 1.10+)";

    /// <summary>
    /// The drivers whose state Docker would find in the root, in its order of preference (vfs never counts): every driver
    /// whose directory exists, as Docker 1.9 counted them; when that finds several, the empty ones are dropped, as the
    /// 17.12-era code does (moby v18.09.0 <c>daemon/graphdriver/driver.go</c> <c>scanPriorDrivers</c>, <c>isEmptyDir</c>;
    /// docs/format/drivers.md §5).
    /// </summary>
    /// <param name="fileSystem">The file system.</param>
    /// <param name="root">The root.</param>
    /// <param name="dropEmpty">Whether empty directories are dropped when several are found (false: as Docker 1.9 – 17.11 counted).</param>
    internal static List<string> PriorDrivers(IFileSystem fileSystem, string root, bool dropEmpty = true)
    {
        List<string> present = [.. DriverRegistry.All.Where(d => d.CountsAsPrior && fileSystem.Directory.Exists(fileSystem.Path.Combine(root, d.Name))).Select(d => d.Name)];
        if (present.Count > 1 && dropEmpty)
        {
            List<string> holding = [.. present.Where(name => fileSystem.Directory.EnumerateFileSystemEntries(fileSystem.Path.Combine(root, name)).Any())];
            if (holding.Count > 0)
            {
                return holding;
            }
        }

        return present;
    }

    /// <summary>
    /// A root without an image store: a driver directory given as the root itself (<c>…/aufs</c>), or a root holding only a
    /// driver's data. Its layers can be read; every image or container question answers why not.
    /// </summary>
    private static DockerRoot OpenWithoutStore(IFileSystem fileSystem, string root, string? named, IUnixMetadataProvider metadata, ILogger logger)
    {
        var stores = StoreRegistry.All.Where(s => s.PerDriver).SelectMany(s => s.PresentDrivers(fileSystem, metadata, root).Select(s.Directory)).ToList();
        var problem = stores.Count > 0
            ? $"has no image store for the {named ?? PriorDrivers(fileSystem, root).FirstOrDefault() ?? "detected"} storage driver, only {string.Join(", ", stores)}; name that driver (DockerRootOptions.Driver, or --driver)"
            : "has neither graph/ (Docker 0.7–1.9) nor image/<driver>/ (Docker 1.10+): it is not a Docker root";
        var itself = DriverRegistry.All.FirstOrDefault(d => (named is null || d.Name == named) && d.Name == fileSystem.Path.GetFileName(root)
            && CreateDriver(fileSystem, fileSystem.Path.GetDirectoryName(root) ?? root, root, d.Name, metadata, logger) is { HasViews: true } candidate
            && candidate.GuardedDirectories.Skip(1).All(fileSystem.Directory.Exists));
        string driverName;
        string directory;
        if (itself is not null)
        {
            (driverName, directory) = (itself.Name, root);
            problem = "is the directory of the " + itself.Name + " storage driver, not a Docker root: only its layers can be read";
        }
        else
        {
            var prior = named is null ? PriorDrivers(fileSystem, root) : [named];
            if (prior.Count != 1 || !fileSystem.Directory.Exists(fileSystem.Path.Combine(root, prior[0])))
            {
                throw new NotADockerRootException(root, problem);
            }

            (driverName, directory) = (prior[0], fileSystem.Path.Combine(root, prior[0]));
        }

        var owner = directory == root ? fileSystem.Path.GetDirectoryName(root) ?? root : root;
        var driver = CreateDriver(fileSystem, owner, directory, driverName, metadata, logger);
        RefuseLinkedDirectories(fileSystem, driver);
        Log.OpenedRoot(logger, root, driverName, "driver only");
        return new DockerRoot(fileSystem, root, metadata, logger, driver, null, problem);
    }

    private static LayerDriver CreateDriver(IFileSystem fileSystem, string root, string directory, string name, IUnixMetadataProvider metadata, ILogger logger, bool strictChains = true)
    {
        var registration = DriverRegistry.Find(name)
            ?? throw new NotADockerRootException(root, $"is read with the {name} storage driver, which this version does not know (known: {string.Join(", ", DriverRegistry.All.Select(d => d.Name))})");
        return registration.Create(new DriverContext(fileSystem, root, directory, metadata, logger, strictChains));
    }

    private static string DetectDriver(IFileSystem fileSystem, string root)
    {
        var prior = PriorDrivers(fileSystem, root);
        if (prior.Count == 1)
        {
            return prior[0];
        }

        if (fileSystem.Directory.Exists(fileSystem.Path.Combine(root, "vfs", "dir")))
        {
            return "vfs";
        }

        throw new NotADockerRootException(root, "has graph/ but no storage driver directory (aufs/, overlay/, …); name the driver to read only graph/");
    }

    /// <summary>Of several drivers with data, the one read, the others, and why.</summary>
    /// <param name="Driver">The driver read.</param>
    /// <param name="Others">The other drivers with data, in Docker's order of preference.</param>
    /// <param name="Why">Why this one.</param>
    internal sealed record DriverChoice(string Driver, IReadOnlyList<string> Others, string Why);

    /// <summary>The directories every read goes through must be real ones: a symbolic link there is refused, wherever it points.</summary>
    private static void RefuseLinkedDirectories(IFileSystem fileSystem, LayerDriver driver)
    {
        foreach (var directory in driver.GuardedDirectories)
        {
            try
            {
                NoFollow.RequireNotLink(fileSystem, directory);
            }
            catch (Exception e) when (AccessProblems.IsDenied(e))
            {
                // A directory this process may not even look at cannot be followed either: what needs it reports it
                // as unreadable, and the rest of the root (the image store) is still read.
            }
        }
    }
}
