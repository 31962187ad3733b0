using System.IO.Abstractions;
using System.Security.Cryptography;
using System.Text;
using Docker.Aufs.Drivers;
using Docker.Aufs.IO;
using Docker.Aufs.Formats;
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

    /// <summary>Gets the dialect of the <c>tar-data.json.gz</c> files written (default: Docker 1.9's, tar-split v0.9.10).</summary>
    public TarSplitDialect TarSplitDialect { get; init; } = TarSplitDialect.Version0910;
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
public static class ImageImporter
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
        target.Commit();
        var metadata = writer.Metadata.Rebase(rootPath, target.Path);
        return new ImportResult
        {
            Path = target.Path,
            Metadata = metadata,
            LayerCount = plan.Layers.Count,
            HadManifest = hasManifest,
            Images = plan.Images,
        };
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
            var buffer = new byte[1024 * 1024];
            int read;
            while ((read = gzip.Read(buffer, 0, buffer.Length)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                output.Write(buffer, 0, read);
            }
        }
        catch (InvalidDataException e)
        {
            throw new ArchiveFormatException(archive, null, $"the gzip-compressed archive is damaged ({e.Message})", e);
        }

        return copy;
    }

    /// <summary>A pre-1.10 save: every top-level directory is a layer with <c>json</c> and <c>layer.tar</c>; tags from <c>repositories</c>.</summary>
    private static Plan PlanLegacy(SaveArchive archive)
    {
        var directories = archive.Names.Where(n => n.Contains('/', StringComparison.Ordinal)).Select(n => n[..n.IndexOf('/', StringComparison.Ordinal)])
            .Concat(archive.Names.Where(n => !n.Contains('/', StringComparison.Ordinal) && !archive.HasFile(n) && archive.Contains(n)))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var byId = new Dictionary<string, PlannedLayer>(StringComparer.Ordinal);
        foreach (var directory in directories)
        {
            var json = archive.ReadAll(directory + "/json", "the layer's JSON", JsonLimit);
            var member = archive.Resolve(directory + "/layer.tar", "the layer's tar");
            var image = ParseImageJson(archive, directory + "/json", json);
            var id = string.IsNullOrEmpty(image.Id) ? directory : image.Id;
            if (!DockerIds.IsId(id))
            {
                throw new ArchiveFormatException(archive.Path, directory + "/json", $"'{DockerIds.Printable(id)}' is not an image ID (64 lowercase hex characters)");
            }

            var parent = image.ParentFromJson();
            if (parent is not null && !DockerIds.IsId(parent))
            {
                throw new ArchiveFormatException(archive.Path, directory + "/json", $"its parent '{DockerIds.Printable(parent)}' is not an image ID");
            }

            if (!byId.TryAdd(id, new PlannedLayer(id, parent, json, member, null)))
            {
                throw new ArchiveFormatException(archive.Path, directory + "/json", $"the image ID {id} is used by two directories of the archive");
            }
        }

        if (byId.Count == 0)
        {
            throw new ArchiveFormatException(archive.Path, null, "neither manifest.json nor any <id>/json: this is not a docker save archive");
        }

        var tags = new List<(string, string)>();
        if (archive.HasFile(RepositoriesName))
        {
            var repositories = archive.ReadAll(RepositoriesName, "the tag list", JsonLimit);
            foreach (var (repository, tag, id) in ParseRepositories(archive, repositories))
            {
                if (!byId.ContainsKey(id))
                {
                    throw new ArchiveFormatException(archive.Path, RepositoriesName, $"{repository}:{tag} names {DockerIds.Printable(id)}, which is not an image of the archive (invalid target ID)");
                }

                if (!ImageReference.IsDigestReference(tag))
                {
                    tags.Add(($"{repository}:{tag}", id));
                }
            }
        }

        var ordered = Order(archive, byId);
        var parents = new HashSet<string>(ordered.Where(l => l.Parent is not null).Select(l => l.Parent!), StringComparer.Ordinal);
        var tagged = tags.Select(t => t.Item2).ToHashSet(StringComparer.Ordinal);
        var images = ordered.Where(l => tagged.Contains(l.Id) || !parents.Contains(l.Id))
            .Select(l => new ImageSummary { Id = l.Id, RepoTags = [.. tags.Where(t => t.Item2 == l.Id).Select(t => Normalize(t.Item1))] })
            .ToList();
        return new Plan(ordered, tags, images);
    }

    /// <summary>A save with <c>manifest.json</c>: layers from its <c>Layers</c>, checked against each config's <c>rootfs.diff_ids</c>.</summary>
    private static Plan PlanFromManifest(SaveArchive archive)
    {
        var manifest = archive.ReadAll(ManifestName, "the manifest", JsonLimit);
        var items = ParseManifest(archive, manifest);
        var layers = new Dictionary<string, PlannedLayer>(StringComparer.Ordinal);
        var ordered = new List<PlannedLayer>();
        var tags = new List<(string, string)>();
        var images = new List<ImageSummary>();
        foreach (var item in items)
        {
            var configBytes = archive.ReadAll(item.Config, "the image config named by manifest.json", JsonLimit);
            var config = ParseConfig(archive, item.Config, configBytes);
            if (config.DiffIds.Count != item.Layers.Count)
            {
                throw new ArchiveFormatException(archive.Path, ManifestName,
                    $"it names {item.Layers.Count} layers for {item.Config}, whose rootfs.diff_ids lists {config.DiffIds.Count}");
            }

            var chainIds = ImageConfigFactory.ChainIds(config.DiffIds);
            var configDigest = ImageConfigFactory.Digest(configBytes);
            var legacy = LegacyChain(archive, item.Layers);
            string? parent = null;
            for (var i = 0; i < item.Layers.Count; i++)
            {
                var member = archive.Resolve(item.Layers[i], "a layer named by manifest.json");
                var top = i == item.Layers.Count - 1;
                string id;
                byte[] json;
                if (legacy is not null)
                {
                    (id, json) = legacy[i];
                }
                else
                {
                    id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(top ? configDigest + " " + chainIds[i] : chainIds[i])));
                    json = top
                        ? GoImageConfig.MakeV1FromConfig(configBytes, id, parent, archive.Path + ":" + item.Config)
                        : GoImageConfig.MakeV1ForLayer(id, parent, config.HistoryFor(i));
                }

                if (!layers.ContainsKey(id))
                {
                    var planned = new PlannedLayer(id, parent, json, member, config.DiffIds[i]);
                    layers[id] = planned;
                    ordered.Add(planned);
                }

                parent = id;
            }

            var repoTags = new List<string>();
            foreach (var repoTag in item.RepoTags)
            {
                var reference = ImageReference.Parse(repoTag);
                if (reference.ExplicitReference is null || reference.IsDigest)
                {
                    throw new ArchiveFormatException(archive.Path, ManifestName, $"RepoTags holds '{DockerIds.Printable(repoTag)}', which is not name:tag");
                }

                tags.Add((repoTag, parent!));
                repoTags.Add(Normalize(repoTag));
            }

            images.Add(new ImageSummary { Id = parent!, RepoTags = repoTags });
        }

        if (ordered.Count == 0)
        {
            throw new ArchiveFormatException(archive.Path, ManifestName, "it names no image with layers");
        }

        return new Plan(ordered, tags, images);
    }

    /// <summary>The archive's own legacy entries for a manifest's layers, when every layer has a <c>json</c> naming the chain; else <see langword="null"/>.</summary>
    private static List<(string Id, byte[] Json)>? LegacyChain(SaveArchive archive, IReadOnlyList<string> layerPaths)
    {
        var chain = new List<(string, byte[])>();
        string? parent = null;
        foreach (var path in layerPaths)
        {
            var slash = path.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || path[(slash + 1)..] != "layer.tar")
            {
                return null;
            }

            var directory = path[..slash];
            if (!DockerIds.IsId(directory) || !archive.HasFile(directory + "/json"))
            {
                return null;
            }

            var json = archive.ReadAll(directory + "/json", "the layer's JSON", JsonLimit);
            var image = ParseImageJson(archive, directory + "/json", json);
            var jsonParent = image.ParentFromJson();
            if ((!string.IsNullOrEmpty(image.Id) && image.Id != directory) || jsonParent != parent)
            {
                return null;
            }

            chain.Add((directory, json));
            parent = directory;
        }

        return chain;
    }

    /// <summary>Parents first; every parent must be in the archive.</summary>
    private static List<PlannedLayer> Order(SaveArchive archive, Dictionary<string, PlannedLayer> byId)
    {
        var ordered = new List<PlannedLayer>();
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: visiting, true: done
        foreach (var id in byId.Keys.Order(StringComparer.Ordinal))
        {
            var path = new Stack<string>();
            var current = id;
            while (current is not null && !state.ContainsKey(current))
            {
                state[current] = false;
                path.Push(current);
                var parent = byId[current].Parent;
                if (parent is not null && !byId.ContainsKey(parent))
                {
                    throw new ArchiveFormatException(archive.Path, current + "/json", $"its parent {parent} is not in the archive");
                }

                current = parent;
            }

            if (current is not null && !state[current])
            {
                throw new ArchiveFormatException(archive.Path, current + "/json", "the parent chain loops");
            }

            while (path.Count > 0)
            {
                var done = path.Pop();
                state[done] = true;
                ordered.Add(byId[done]);
            }
        }

        return ordered;
    }

    private static ImageJson ParseImageJson(SaveArchive archive, string member, byte[] json) =>
        GoJson.Deserialize(json, DockerJsonContext.Default.ImageJson, archive.Path + ":" + member) ?? new ImageJson();

    private static List<(string Repository, string Tag, string Id)> ParseRepositories(SaveArchive archive, byte[] json)
    {
        // The legacy save's bare map {"repo":{"tag":"id"}} (Docker 1.9 graph/export.go), decoded as Go decodes a map.
        var repositories = GoJson.Deserialize(json, DockerJsonContext.Default.DictionaryStringDictionaryStringString, archive.Path + ":" + RepositoriesName) ?? [];
        var entries = new List<(string Repository, string Tag, string Id)>();
        foreach (var (repository, tags) in repositories)
        {
            foreach (var (tag, id) in tags ?? [])
            {
                entries.Add((repository, tag, id ?? string.Empty));
            }
        }

        return entries;
    }

    private static List<ManifestItem> ParseManifest(SaveArchive archive, byte[] json)
    {
        var entries = GoJson.Deserialize(json, ArchiveJsonContext.Default.ListSaveManifestEntry, archive.Path + ":" + ManifestName)
            ?? throw BadManifest(archive, "it is null, not a list of images");
        var items = new List<ManifestItem>();
        foreach (var entry in entries)
        {
            if (entry is null || string.IsNullOrEmpty(entry.Config))
            {
                throw BadManifest(archive, "an entry names no Config");
            }

            items.Add(new ManifestItem(
                CleanReference(archive, entry.Config),
                [.. (entry.RepoTags ?? []).Select(t => t ?? throw BadManifest(archive, "RepoTags holds null"))],
                [.. (entry.Layers ?? []).Select(l => CleanReference(archive, l ?? throw BadManifest(archive, "Layers holds null")))]));
        }

        return items;
    }

    private static string CleanReference(SaveArchive archive, string name)
    {
        var cleaned = GoPath.Clean(name);
        if (name.StartsWith('/') || cleaned == ".." || cleaned.StartsWith("../", StringComparison.Ordinal))
        {
            throw new UnsafePathException(archive.Path, DockerIds.Printable(name), "manifest.json names a file outside the archive");
        }

        return cleaned;
    }

    private static ArchiveFormatException BadManifest(SaveArchive archive, string problem) => new(archive.Path, ManifestName, problem);

    private static ConfigInfo ParseConfig(SaveArchive archive, string member, byte[] json)
    {
        var config = GoJson.Deserialize(json, ArchiveJsonContext.Default.ImageConfigDocument, archive.Path + ":" + member);
        if (config?.RootFs is not { } rootfs)
        {
            throw new ArchiveFormatException(archive.Path, member, "the config has no rootfs object");
        }

        var diffIds = new List<string>();
        foreach (var id in rootfs.DiffIds ?? [])
        {
            if (id is null || !id.StartsWith("sha256:", StringComparison.Ordinal) || !DockerIds.IsId(id.AsSpan(7)))
            {
                throw new ArchiveFormatException(archive.Path, member, $"rootfs.diff_ids holds '{DockerIds.Printable(id ?? "null")}', which is not a sha256 digest");
            }

            diffIds.Add(id);
        }

        var created = Time(config.Created, GoTimestamp.Zero);
        var history = (config.History ?? [])
            .Where(h => h is not null && h.EmptyLayer != true)
            .Select(h => new GoHistoryItem(Time(h!.Created, created), h.Author ?? string.Empty, h.CreatedBy ?? string.Empty, h.Comment ?? string.Empty))
            .ToList();
        return new ConfigInfo(diffIds, history.Count == diffIds.Count ? history : null, created);

        static GoTimestamp Time(string? text, GoTimestamp fallback) => text is not null && GoTimestamp.TryParse(text, out var time) ? time : fallback;
    }

    private static string Normalize(string reference)
    {
        var parsed = ImageReference.Parse(reference);
        return ImageReference.Format(parsed.LocalName, parsed.TagOrDigest);
    }

    private sealed record PlannedLayer(string Id, string? Parent, byte[] Json, SaveArchive.Member Member, string? ExpectedDiffId);

    private sealed record Plan(List<PlannedLayer> Layers, List<(string Reference, string Id)> Tags, List<ImageSummary> Images);

    private sealed record ManifestItem(string Config, List<string> RepoTags, List<string> Layers);

    private sealed record ConfigInfo(List<string> DiffIds, List<GoHistoryItem>? History, GoTimestamp Created)
    {
        public GoHistoryItem HistoryFor(int index) => History is { } h ? h[index] : new GoHistoryItem(Created, string.Empty, string.Empty, string.Empty);
    }
}

/// <summary>A read-only pass-through stream that hashes what is read (to check a layer against its DiffID while it is imported).</summary>
internal sealed class HashingReadStream : Stream
{
    private readonly Stream _inner;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private string? _digest;

    public HashingReadStream(Stream inner)
    {
        _inner = inner;
    }

    /// <summary>Gets the digest of everything read, once the stream was read to its end.</summary>
    public string? Digest => _digest;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = _inner.Read(buffer);
        Account(buffer[..read]);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Account(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Account(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            _digest ??= "sha256:" + Convert.ToHexStringLower(_hash.GetHashAndReset());
            return;
        }

        _hash.AppendData(data);
    }
}
