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

    /// <summary>
    /// Gets where to report progress, or <see langword="null"/>: after each layer applied, its number among the archive's
    /// layers and the bytes of layer tars read so far (<see cref="ArchiveProgress.BytesEstimated"/> is not known).
    /// </summary>
    public IProgress<ArchiveProgress>? Progress { get; init; }

    /// <summary>Gets the Docker root the new root must not be written into (the CLI's <c>--root</c>), checked where the root is created; <see langword="null"/>: none.</summary>
    internal (IFileSystem FileSystem, string Path)? ProtectedRoot { get; init; }
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
    /// <summary>The largest JSON member read (a config, a layer's <c>json</c>, <c>manifest.json</c>, <c>repositories</c>).</summary>
    private const int JsonLimit = 64 * 1024 * 1024;

    /// <summary>The imported root's mode: 0711, as Docker 1.10–23.x create <c>/var/lib/docker</c> (others may pass through, not list; everything below is closed).</summary>
    private const UnixFileMode RootMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>The most entries (images) <c>manifest.json</c> may list.</summary>
    private const int MaxManifestEntries = 65_536;
    private const string ManifestName = "manifest.json";
    private const string RepositoriesName = "repositories";

    /// <summary>The storage driver of the roots import writes: the graph era's AUFS, as Docker 1.9 would have loaded the archive.</summary>
    private const string ImportDriver = "aufs";

    /// <summary>Imports the archive at <paramref name="archivePath"/> into a new legacy root at <paramref name="targetDirectory"/>.</summary>
    /// <param name="fileSystem">The file system holding the archive and the target.</param>
    /// <param name="archivePath">
    /// The archive (uncompressed or gzip): a regular file, read in place, or a fifo or other stream (<c>/dev/stdin</c>), opened
    /// once and read once to its end.
    /// </param>
    /// <param name="targetDirectory">The root to create: a new or empty directory.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the import between layers.</param>
    /// <returns>The root written and the images in it.</returns>
    /// <exception cref="ArchiveFormatException">The archive is not a readable save archive: a member missing or listed twice, JSON that does not add up, a layer whose digest differs from its config.</exception>
    /// <exception cref="UnsafePathException">A member name, link or layer entry leads outside the archive or the layer directory.</exception>
    /// <exception cref="CorruptFileException">A JSON member is not JSON.</exception>
    /// <exception cref="IOException">The archive is a directory; the target exists and is not empty, or cannot be written.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static ImportResult Import(IFileSystem fileSystem, string archivePath, string targetDirectory, ImportOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentException.ThrowIfNullOrEmpty(archivePath);
        ArgumentException.ThrowIfNullOrEmpty(targetDirectory);
        var archiveFull = fileSystem.Path.GetFullPath(archivePath);
        if (!fileSystem.File.Exists(archiveFull))
        {
            if (fileSystem.Directory.Exists(archiveFull))
            {
                throw new IOException($"{archiveFull} is a directory, not an archive: give the file docker save wrote (or - for standard input)");
            }

            throw new FileNotFoundException($"{archiveFull} does not exist.", archiveFull);
        }

        if (!IsRegularFile(fileSystem, archiveFull))
        {
            // A fifo, a pipe behind /dev/stdin, a character device: opened once here and read once, to its end.
            using var stream = fileSystem.FileStream.New(archiveFull, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
            return ImportStream(fileSystem, stream, archiveFull, targetDirectory, options, cancellationToken);
        }

        return ImportTar(fileSystem, archiveFull, targetDirectory, options, staging => Decompressed(fileSystem, archiveFull, staging, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Imports the archive read from <paramref name="archive"/> (uncompressed or gzip; a pipe, a socket, any stream, read once
    /// to its end and never seeked) into a new legacy root at <paramref name="targetDirectory"/>. The archive is copied
    /// (decompressed) into the root's staging directory as it is read, since a <c>docker save</c> archive names its layers in
    /// <c>manifest.json</c>, its last member; the copy is removed before the root is committed.
    /// </summary>
    /// <param name="fileSystem">The file system of the target.</param>
    /// <param name="archive">The archive's bytes; left open.</param>
    /// <param name="archiveName">The archive's name in errors (<c>standard input</c>, a path).</param>
    /// <param name="targetDirectory">The root to create: a new or empty directory.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the import between layers and between steps of the copy.</param>
    /// <returns>The root written and the images in it.</returns>
    /// <exception cref="ArchiveFormatException">The archive is not a readable save archive, or the stream ended inside it (cut short).</exception>
    /// <exception cref="UnsafePathException">A member name, link or layer entry leads outside the archive or the layer directory.</exception>
    /// <exception cref="CorruptFileException">A JSON member is not JSON.</exception>
    /// <exception cref="IOException">The target exists and is not empty, or cannot be written.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static ImportResult ImportStream(IFileSystem fileSystem, Stream archive, string archiveName, string targetDirectory, ImportOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentException.ThrowIfNullOrEmpty(archiveName);
        ArgumentException.ThrowIfNullOrEmpty(targetDirectory);
        return ImportTar(fileSystem, archiveName, targetDirectory, options, staging => Spool(fileSystem, archive, archiveName, staging, cancellationToken), cancellationToken);
    }

    /// <summary>The one import: <paramref name="tarFor"/> gives the uncompressed tar (the archive itself or a copy in the staging directory).</summary>
    private static ImportResult ImportTar(IFileSystem fileSystem, string archiveFull, string targetDirectory, ImportOptions? options, Func<string, string> tarFor,
        CancellationToken cancellationToken)
    {
        options ??= ImportOptions.Default;
        using var target = AtomicDirectory.Create(fileSystem, targetDirectory, options.ProtectedRoot?.FileSystem, options.ProtectedRoot?.Path, RootMode);
        var tarPath = tarFor(target.TemporaryPath);
        var archive = SaveArchive.Open(fileSystem, archiveFull, tarPath, requireEnd: tarPath != archiveFull);
        if (archive.HasFile("oci-layout") && !archive.HasFile(ManifestName))
        {
            throw new ArchiveFormatException(archiveFull, null, "this is an OCI image layout; import reads docker save archives (with or without manifest.json)");
        }

        var hasManifest = archive.HasFile(ManifestName);
        var plan = hasManifest ? PlanFromManifest(archive) : PlanLegacy(archive);
        cancellationToken.ThrowIfCancellationRequested();

        var rootPath = fileSystem.Path.Combine(target.TemporaryPath, "root");
        var writer = new EntryWriter(fileSystem, options.SpecialFiles) { Confinement = target.TemporaryPath };
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
        CloseToOthers(fileSystem, target.TemporaryPath, driver.GuardedDirectories.Select(d => fileSystem.Path.Combine(target.TemporaryPath, fileSystem.Path.GetRelativePath(rootPath, d))));
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
        long bytes = 0;
        var number = 0;
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
            bytes += size;
            options.Progress?.Report(new ArchiveProgress { LayerId = layer.Id, LayerNumber = ++number, LayerCount = plan.Layers.Count, BytesDone = bytes });
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

    /// <summary>
    /// Gives the root's own directories the modes Docker gives them, so no other user reaches a layer's set-ID program or
    /// device node through them (moby <c>daemon/graphdriver/aufs</c>: the driver's directory and <c>diff</c>, <c>layers</c>,
    /// <c>mnt</c> 0700; <c>graph/</c>, <c>image/</c>, <c>containers/</c> 0700; the tag store 0600; the root itself
    /// <see cref="RootMode"/>, at commit). The staging directory is 0700 while this runs, so only its owner can have put
    /// anything there.
    /// </summary>
    private static void CloseToOthers(IFileSystem fileSystem, string root, IEnumerable<string> driverDirectories)
    {
        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        foreach (var directory in fileSystem.Directory.EnumerateDirectories(root).Concat(driverDirectories))
        {
            AtomicDirectory.SetMode(fileSystem, directory, OwnerOnly);
        }

        foreach (var file in fileSystem.Directory.EnumerateFiles(root))
        {
            AtomicDirectory.SetMode(fileSystem, file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <summary>Whether <paramref name="path"/> (links followed) is a regular file, which can be read in place and more than once.</summary>
    private static bool IsRegularFile(IFileSystem fileSystem, string path)
    {
        if (OperatingSystem.IsLinux() && fileSystem is FileSystem)
        {
            return LinuxNative.TryStat(path, out var status) && UnixModes.TypeOf(status.Mode) is UnixFileType.RegularFile or null;
        }

        return true;
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

        using var input = fileSystem.FileStream.New(archive, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
        return Spool(fileSystem, input, archive, staging, cancellationToken);
    }

    /// <summary>
    /// Copies the archive read from <paramref name="input"/> (once, from its current position to the tar's end-of-archive
    /// blocks, never beyond: <see cref="TarSpool"/>) into the staging directory, decompressing it when it starts with gzip's
    /// magic; returns the copy's path.
    /// </summary>
    /// <exception cref="ArchiveFormatException">The gzip data is damaged or ends before its trailer.</exception>
    private static string Spool(IFileSystem fileSystem, Stream input, string archive, string staging, CancellationToken cancellationToken)
    {
        var magic = new byte[2];
        var length = input.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        var gzip = length == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
        var copy = fileSystem.Path.Combine(staging, ".archive.tar");
        using var output = fileSystem.FileStream.New(copy, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.None);
        using var replayed = new ReplayStream(magic.AsMemory(0, length), input);
        try
        {
            if (gzip)
            {
                using var decompressed = new System.IO.Compression.GZipStream(replayed, System.IO.Compression.CompressionMode.Decompress, leaveOpen: true);
                TarSpool.Copy(decompressed, output, cancellationToken);
            }
            else
            {
                TarSpool.Copy(replayed, output, cancellationToken);
            }
        }
        catch (InvalidDataException e)
        {
            throw new ArchiveFormatException(archive, null, $"the gzip-compressed archive is damaged ({e.Message})", e);
        }
        catch (EndOfStreamException e)
        {
            throw new ArchiveFormatException(archive, null, "the gzip-compressed archive ends before its end: it was cut short", e);
        }

        return copy;
    }

    /// <summary>A stream's first bytes, already read to look at them, followed by the rest of the stream: nothing is read twice.</summary>
    private sealed class ReplayStream(ReadOnlyMemory<byte> prefix, Stream inner) : ReadOnlyStream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override int Read(Span<byte> buffer)
        {
            if (_prefix.IsEmpty)
            {
                return inner.Read(buffer);
            }

            var count = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..count].CopyTo(buffer);
            _prefix = _prefix[count..];
            return count;
        }
    }
}
