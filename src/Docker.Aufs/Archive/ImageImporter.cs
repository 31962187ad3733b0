using System.IO.Abstractions;
using Docker.Aufs.Drivers;
using Docker.Aufs.IO;
using Docker.Aufs.Stores.Graph;

namespace Docker.Aufs.Archive;

/// <summary>Options for <see cref="ImageImporter.Import"/>. Change with <c>with { … }</c>.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed record ImportOptions
{
    /// <summary>Gets the default options: Docker 1.9's tar-split dialect, special files as the file system allows.</summary>
    public static ImportOptions Default { get; } = new();

    /// <summary>Gets how symbolic links, hardlinks, device nodes and owners are written (see <see cref="SpecialFileMode"/>).</summary>
    public SpecialFileMode SpecialFiles { get; init; } = SpecialFileMode.Auto;

    /// <summary>Gets the dialect of the tar-split files written (default: Docker 1.9's, tar-split v0.9.10).</summary>
    public TarSplitDialect TarSplitDialect { get; init; } = TarSplitDialect.Version0910;

    /// <summary>
    /// Gets the kind of root to write: <see cref="ImageStoreKind.Graph"/> (the default: <c>graph/</c>, as Docker 1.9 loaded
    /// archives) or <see cref="ImageStoreKind.ContentAddressed"/> (<c>image/aufs/</c>, as Docker 1.10–23.x load them: image
    /// IDs are the archive's).
    /// </summary>
    public ImageStoreKind Store { get; init; } = ImageStoreKind.Graph;
}

/// <summary>The result of <see cref="ImageImporter.Import"/>.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed record ImportResult
{
    /// <summary>Gets the full path of the root written.</summary>
    public required string Path { get; init; }

    /// <summary>
    /// Gets the facts of what was written that the file system cannot hold itself (owners, device nodes, links on a
    /// <c>MockFileSystem</c>): pass it as <see cref="DockerRootOptions.Metadata"/> to read the root back faithfully. On the
    /// real file system with native special files it answers from the file system.
    /// </summary>
    public required IUnixMetadataProvider Metadata { get; init; }

    /// <summary>Gets the number of layers written.</summary>
    public int LayerCount { get; init; }

    /// <summary>Gets whether the archive had a <c>manifest.json</c> (Docker 1.10+) or was a pre-1.10 save.</summary>
    public bool HadManifest { get; init; }

    /// <summary>Gets the images, in archive order: each one's ID and the tags written for it, <c>repo:tag</c> as the tag store keys them.</summary>
    public IReadOnlyList<ImageSummary> Images { get; init; } = [];
}

/// <summary>
/// Imports a <c>docker save</c> archive — the pre-1.10 kind (<c>&lt;id&gt;/json</c>, <c>&lt;id&gt;/layer.tar</c>, <c>repositories</c>)
/// or the kind with <c>manifest.json</c> (Docker 1.10+, skopeo, podman; gzip-compressed as a whole or per layer too) — into a
/// new legacy root, as Docker 1.9 would have loaded it: each layer extracted into <c>aufs/diff/&lt;id&gt;</c> with its
/// <c>tar-data.json.gz</c>, so exporting it again reproduces the layer tars byte for byte and with them the DiffIDs.
/// </summary>
/// <remarks>
/// <para>Layer IDs and JSON come from the archive's legacy entries when it has them and they form the chain; otherwise
/// (archives written by skopeo, for example) they are derived from the config: each layer's JSON carries its history item
/// (created, author, comment, <c>created_by</c> as its command), the top layer's JSON is the config without <c>rootfs</c>
/// and <c>history</c>, as Docker 1.10's <c>save</c> wrote it. Layers of a manifest are checked against the config's
/// <c>rootfs.diff_ids</c>, as <c>docker load</c> does.</para>
/// <para>The root is built under a temporary name next to the target and renamed into place when complete; bad input
/// leaves nothing behind. Nothing outside the target is written.</para>
/// </remarks>
/// <threadsafety static="true" instance="true"/>
public static partial class ImageImporter
{
    private const int JsonLimit = 64 * 1024 * 1024;
    private const string ManifestName = "manifest.json";
    private const string RepositoriesName = "repositories";

    /// <summary>The storage driver of the roots import writes: the graph era's AUFS, as Docker 1.9 would have loaded the archive.</summary>
    private const string ImportDriver = "aufs";

    /// <summary>Imports the archive at <paramref name="archivePath"/> into a new legacy root at <paramref name="targetDirectory"/>.</summary>
    /// <param name="fileSystem">The file system holding the archive and the target.</param>
    /// <param name="archivePath">The archive (uncompressed or gzip).</param>
    /// <param name="targetDirectory">The root to create: a new or empty directory.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the import between layers.</param>
    /// <returns>The root written and the images in it.</returns>
    /// <exception cref="ArchiveFormatException">The archive is not a readable save archive: a member missing or listed twice, JSON that does not add up, a layer whose digest differs from its config.</exception>
    /// <exception cref="UnsafePathException">A member name, link or layer entry leads outside the archive or the layer directory.</exception>
    /// <exception cref="CorruptFileException">A JSON member is not JSON.</exception>
    /// <exception cref="IOException">The target exists and is not empty, or cannot be written.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static ImportResult Import(IFileSystem fileSystem, string archivePath, string targetDirectory, ImportOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentException.ThrowIfNullOrEmpty(archivePath);
        ArgumentException.ThrowIfNullOrEmpty(targetDirectory);
        options ??= ImportOptions.Default;
        var archiveFull = fileSystem.Path.GetFullPath(archivePath);
        if (!fileSystem.File.Exists(archiveFull))
        {
            throw new FileNotFoundException($"{archiveFull} does not exist.", archiveFull);
        }

        using var target = AtomicDirectory.Create(fileSystem, targetDirectory);
        var tarPath = Decompressed(fileSystem, archiveFull, target.TemporaryPath, cancellationToken);
        var archive = SaveArchive.Open(fileSystem, archiveFull, tarPath);
        if (archive.HasFile("oci-layout") && !archive.HasFile(ManifestName))
        {
            throw new ArchiveFormatException(archiveFull, null, "this is an OCI image layout; import reads docker save archives (with or without manifest.json)");
        }

        var hasManifest = archive.HasFile(ManifestName);
        var plan = hasManifest ? PlanFromManifest(archive) : PlanLegacy(archive);
        cancellationToken.ThrowIfCancellationRequested();

        var rootPath = fileSystem.Path.Combine(target.TemporaryPath, "root");
        var writer = new EntryWriter(fileSystem, options.SpecialFiles);
        var driver = DriverRegistry.Open(ImportDriver, fileSystem, rootPath, writer.Metadata);
        var (images, layerCount) = options.Store == ImageStoreKind.ContentAddressed
            ? WriteContentAddressed(fileSystem, archive, plan, writer, driver, rootPath, options, cancellationToken)
            : (WriteGraph(fileSystem, archive, archiveFull, plan, writer, driver, rootPath, options, cancellationToken), plan.Layers.Count);

        if (tarPath != archiveFull)
        {
            fileSystem.File.Delete(tarPath);
        }

        // The root is the temporary directory's "root"; move it up so the target is the root itself.
        var staged = fileSystem.Path.Combine(target.TemporaryPath, ".staged");
        fileSystem.Directory.Move(rootPath, staged);
        foreach (var entry in fileSystem.Directory.EnumerateFileSystemEntries(staged))
        {
            var destination = fileSystem.Path.Combine(target.TemporaryPath, fileSystem.Path.GetFileName(entry));
            if (fileSystem.Directory.Exists(entry))
            {
                fileSystem.Directory.Move(entry, destination);
            }
            else
            {
                fileSystem.File.Move(entry, destination);
            }
        }

        fileSystem.Directory.Delete(staged);
        cancellationToken.ThrowIfCancellationRequested();
        target.Commit(cancellationToken);
        var metadata = writer.Metadata.Rebase(rootPath, target.Path);
        return new ImportResult
        {
            Path = target.Path,
            Metadata = metadata,
            LayerCount = layerCount,
            HadManifest = hasManifest,
            Images = images,
        };
    }

    /// <summary>Writes the plan as Docker 1.9's load did: <c>graph/&lt;id&gt;/</c> and <c>aufs/diff/&lt;id&gt;</c> with <c>tar-data.json.gz</c> per layer.</summary>
    /// <returns>The images written.</returns>
    private static List<ImageSummary> WriteGraph(IFileSystem fileSystem, SaveArchive archive, string archiveFull, Plan plan, EntryWriter writer, LayerDriver driver, string rootPath,
        ImportOptions options, CancellationToken cancellationToken)
    {
        GraphWriter.CreateSkeleton(fileSystem, rootPath, driver.GuardedDirectories);
        var digests = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var layer in plan.Layers)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var graphDirectory = GraphWriter.CreateLayerDirectory(fileSystem, rootPath, layer.Id);
            var diff = driver.CreateLayer(layer.Id, layer.Parent);

            // Problems inside a layer tar name the archive and the member ("archive.tar:<id>/layer.tar") as their path.
            long size;
            using (var tar = new HashingReadStream(archive.OpenLayer(layer.Member)))
            {
                using (var tarSplit = GraphWriter.CreateTarSplit(fileSystem, graphDirectory))
                {
                    size = LayerTarApplier.Apply(writer, tar, diff, tarSplit, options.TarSplitDialect, archiveFull + ":" + layer.Member.Name);
                }

                digests[layer.Id] = tar.Digest;
            }

            GraphWriter.WriteLayer(fileSystem, graphDirectory, layer.Json, size);
        }

        GraphWriter.WriteRepositories(fileSystem, rootPath, ImportDriver, plan.Tags);

        foreach (var layer in plan.Layers)
        {
            if (layer.ExpectedDiffId is { } expected && digests.TryGetValue(layer.Id, out var digest) && digest != expected)
            {
                throw new ArchiveFormatException(archiveFull, layer.Member.Name, $"invalid diffID for layer: the config names {expected}, the layer is {digest}");
            }
        }

        return plan.Images;
    }

    /// <summary>The archive as an uncompressed tar: itself, or (gzip) a decompressed copy in the staging directory.</summary>
    private static string Decompressed(IFileSystem fileSystem, string archive, string staging, CancellationToken cancellationToken)
    {
        using (var probe = fileSystem.FileStream.New(archive, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.None))
        {
            Span<byte> magic = stackalloc byte[2];
            if (probe.ReadAtLeast(magic, 2, throwOnEndOfStream: false) < 2 || magic[0] != 0x1F || magic[1] != 0x8B)
            {
                return archive;
            }
        }

        var copy = fileSystem.Path.Combine(staging, ".archive.tar");
        using var input = fileSystem.FileStream.New(archive, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
        using var gzip = new System.IO.Compression.GZipStream(input, System.IO.Compression.CompressionMode.Decompress);
        using var output = fileSystem.FileStream.New(copy, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.None);
        try
        {
            StepCopy.Copy(gzip, output, cancellationToken);
        }
        catch (InvalidDataException e)
        {
            throw new ArchiveFormatException(archive, null, $"the gzip-compressed archive is damaged ({e.Message})", e);
        }

        return copy;
    }
}
