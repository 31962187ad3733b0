using System.Globalization;
using System.Text.Json;
using Docker.Aufs.Archive;
using Docker.Aufs.Drivers;
using Docker.Aufs.Drivers.Aufs;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Stores.ContentAddressed;
using Microsoft.Extensions.Logging.Abstractions;

namespace Docker.Aufs.Testing;

/// <summary>
/// The content-addressed root of Docker 1.10–23.x on AUFS (docs/format/content-addressed.md): each step written as Docker's
/// classic build writes it — a layer registered as the layer store registers one (§5.3), the image config as the daemon
/// marshals it (§4), the parent recorded in the image's metadata (§4.4).
/// </summary>
public sealed partial class DockerRootBuilder
{
    private static readonly DateTimeOffset ContentAddressedEpoch = new(2017, 7, 3, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The images written, by ID.</summary>
    private readonly Dictionary<string, CasImage> _images = new(StringComparer.Ordinal);

    /// <summary>The image IDs, in the order added.</summary>
    private readonly List<string> _imageIds = [];

    /// <summary>The ChainIDs of the layers written, in the order written.</summary>
    private readonly List<string> _chainIds = [];

    /// <summary>The cache-id of each layer written, by ChainID.</summary>
    private readonly Dictionary<string, string> _cacheIds = new(StringComparer.Ordinal);

    /// <summary>The references given to <see cref="Tag"/>, as typed.</summary>
    private readonly List<(string Reference, string ImageId)> _references = [];

    private LayerDriver? _rootDriver;
    private string? _store;
    private int _driverLayerCount;

    /// <summary>Gets the driver of the root (the write side's <c>Create</c>).</summary>
    private LayerDriver RootDriver => _rootDriver ??= DriverRegistry.Open(Driver, _fileSystem, RootPath, _writer.Metadata);

    /// <summary>Gets the full path of <c>image/&lt;driver&gt;</c>, creating the root's directories the first time.</summary>
    private string CasStoreDirectory => _store ??= CasWriter.CreateSkeleton(_fileSystem, RootPath, Driver, [.. RootDriver.GuardedDirectories]);

    /// <summary>Writes one build step: its layer (unless empty), its config, its parent; returns the image ID.</summary>
    private string WriteStep(LayerBuilder step, int index)
    {
        if (step.GraphOnlyMembers.Count > 0)
        {
            var member = step.GraphOnlyMembers[0];
            throw new InvalidOperationException(
                $"LayerBuilder.{member} applies to graph-era roots only (it writes graph/<id>/); this builder writes a content-addressed root (Docker 1.10+), " +
                "where an image's ID is the SHA-256 of its config and its layers are named by ChainID and cache-id.");
        }

        CasImage? parent = null;
        if (step.ParentId is { } parentId && !_images.TryGetValue(parentId, out parent))
        {
            throw new InvalidOperationException(
                $"The parent image {parentId} was not added to this builder before: a step of a content-addressed root builds on an image added earlier (the new image has its layers and history).");
        }

        var store = CasStoreDirectory;
        var diffIds = parent?.DiffIds ?? [];
        var cacheIds = parent?.CacheIds ?? [];
        if (!step.IsEmptyLayer)
        {
            var (diffId, cacheId) = WriteCasLayer(step, index, parent);
            diffIds = [.. diffIds, diffId];
            cacheIds = [cacheId, .. cacheIds];
        }

        IReadOnlyList<GoHistoryItem> history = [.. parent?.History ?? [], HistoryItem(step)];
        var config = step.RawJsonBytes ?? MakeConfig(step, parent?.Id, history, diffIds, index);
        var imageId = Digests.Sha256(config);
        if (_images.ContainsKey(imageId))
        {
            throw new InvalidOperationException($"Step {index + 1} has the config of image {imageId}, which was already added (same parent, content, time and JSON).");
        }

        CasWriter.WriteConfig(_fileSystem, store, config);
        if (parent is not null)
        {
            CasWriter.WriteImageParent(_fileSystem, store, imageId, parent.Id);
        }

        _images[imageId] = new CasImage(imageId, diffIds, Digests.ChainIds(diffIds), history, cacheIds);
        _imageIds.Add(imageId);
        return imageId;
    }

    /// <summary>
    /// Registers a step's layer as Docker's layer store does: the driver layer on the parent's top cache-id, its files, the tar
    /// AUFS's <c>Diff</c> gives (or the tar given), its DiffID, ChainID and tar-split data, and the record in <c>layerdb</c>. An
    /// existing ChainID is reused and the new driver data dropped.
    /// </summary>
    private (string DiffId, string CacheId) WriteCasLayer(LayerBuilder step, int index, CasImage? parent)
    {
        var fs = _fileSystem;
        var cacheId = GenerateId("cache-id:" + _driverLayerCount++.ToString(CultureInfo.InvariantCulture));
        var diff = CreateLayerOnDriver(cacheId, parent is { CacheIds.Count: > 0 } ? parent.CacheIds[0] : null, image: true);
        byte[] tar;
        long size;
        using var tarSplit = new MemoryStream();
        if (step.TarSource is not null)
        {
            var source = step.TarSourceName ?? $"the layer tar of step {index + 1}";
            using (var input = step.TarSource() ?? throw new InvalidOperationException($"The tar source of step {index + 1} returned no stream."))
            using (var copy = new MemoryStream())
            {
                input.CopyTo(copy);
                tar = copy.ToArray();
            }

            using var applied = new MemoryStream(tar, writable: false);
            size = LayerTarApplier.Apply(_writer, applied, diff, tarSplit, step.TarDialect, source);
            ToDriverForm(cacheId, diff);
        }
        else
        {
            WriteEntries(diff, step);
            tar = DiffTar(diff);
            using var generated = new MemoryStream(tar, writable: false);
            LayerTarApplier.Disassemble(generated, tarSplit, TarSplitDialect.Version0910, $"the layer tar of step {index + 1}");
            size = step.ComputeSize();
            ToDriverForm(cacheId, diff);
        }

        var diffId = Digests.Sha256(tar);
        var chainIds = Digests.ChainIds([.. parent?.DiffIds ?? [], diffId]);
        var chainId = chainIds[^1];
        if (_cacheIds.TryGetValue(chainId, out var existing))
        {
            // Docker's Register: the ChainID exists, so the new driver layer is removed and the existing one reused.
            RemoveDriverLayer(cacheId);
            return (diffId, existing);
        }

        if (!step.WithDriverData)
        {
            RemoveDriverLayer(cacheId);
        }

        var store = CasStoreDirectory;
        var directory = CasWriter.WriteLayer(fs, store, chainId, diffId, step.LayerSizeOverride ?? size, cacheId, chainIds.Length > 1 ? chainIds[^2] : null,
            tarSplit.ToArray(), step.WriteTarSplit);
        var sizeFile = fs.Path.Combine(directory, CasLayout.SizeFile);
        if (step.RawLayerSizeBytes is { } rawSize)
        {
            fs.File.WriteAllBytes(sizeFile, rawSize);
        }
        else if (!step.WriteLayerSize)
        {
            fs.File.Delete(sizeFile);
        }

        _cacheIds[chainId] = cacheId;
        _chainIds.Add(chainId);
        return (diffId, cacheId);
    }

    /// <summary>The tar Docker's AUFS driver gives for a layer directory (its <c>Diff</c>), made from what was written and recorded.</summary>
    private byte[] DiffTar(string diff)
    {
        using var buffer = new MemoryStream();
        using (var sink = new LayerSink(buffer))
        {
            IoRun.Sync(new LayerTarGenerator(_fileSystem, _writer.Metadata, diff, NullLogger.Instance).GenerateAsync<SyncIo>(sink, null, CancellationToken.None));
            sink.Complete();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Creates a driver layer on a parent (the parent's top cache-id or mount ID, or a graph ID) and returns the directory
    /// that receives its files in AUFS form: the layer's own directory, or, for a driver whose layers are whole trees (vfs,
    /// an overlay image layer), a staging directory that <see cref="ToDriverForm"/> applies to the copy of the parent's tree.
    /// An overlay layer created on a layer without <c>root/</c> (a container's read-write layer on its init layer) starts
    /// with a copy of the parent's <c>upper/</c>, as the driver's <c>Create</c> makes it.
    /// </summary>
    private string CreateLayerOnDriver(string id, string? parent, bool image)
    {
        if (RootDriver is AufsDriver aufs)
        {
            return CreateDriverLayer(aufs, id, parent);
        }

        var directory = RootDriver.CreateLayer(id, parent);
        if (RootDriver is Drivers.Overlay.OverlayDriver overlay && !image)
        {
            if (parent is not null && !_fileSystem.Directory.Exists(overlay.GetRootPath(parent)))
            {
                OverlayRootForm.CopyUpper(_writer, overlay.GetUpperPath(parent), directory);
            }

            return directory;
        }

        if (RootDriver is not (Drivers.Vfs.VfsDriver or Drivers.Overlay.OverlayDriver))
        {
            return directory;
        }

        // The layer's changes are written in AUFS form beside its tree, then applied to a copy of the parent's tree.
        var staging = RootDriver is Drivers.Overlay.OverlayDriver layers ? layers.GetLayerDirectory(id) + StagingSuffix : directory + StagingSuffix;
        _stagedParents[id] = parent;
        _fileSystem.Directory.CreateDirectory(staging);
        return staging;
    }

    /// <summary>
    /// A layer's files, written in AUFS form, turned into the form its driver keeps: overlay changes (<see cref="OverlayForm"/>),
    /// a vfs tree (<see cref="VfsForm"/>) or an overlay image layer's <c>root/</c> (<see cref="OverlayRootForm"/>).
    /// </summary>
    private void ToDriverForm(string id, string directory)
    {
        if (_stagedParents.Remove(id, out var parent))
        {
            if (RootDriver is Drivers.Overlay.OverlayDriver overlay)
            {
                OverlayRootForm.Commit(_writer, overlay, id, parent, directory);
            }
            else
            {
                VfsForm.Apply(_writer, directory, RootDriver.GetContent(id).Path!, parent is not null ? RootDriver.GetContent(parent).Path : null);
            }

            return;
        }

        if (RootDriver.GetContent(id).Format == LayerContentFormat.OverlayChanges)
        {
            OverlayForm.Convert(_writer, directory);
        }
    }

    /// <summary>The suffix of a staging directory, beside the layer's tree, removed once applied.</summary>
    private const string StagingSuffix = "-staging";

    /// <summary>The parent of each layer written in a staging directory and not yet applied.</summary>
    private readonly Dictionary<string, string?> _stagedParents = new(StringComparer.Ordinal);

    /// <summary>Writes a container's driver layer: created on its parent, its entries, in its driver's form.</summary>
    private void WriteLayerOnDriver(LayerBuilder layer)
    {
        var directory = CreateLayerOnDriver(layer.LayerId, layer.ParentId, image: false);
        WriteEntries(directory, layer);
        ToDriverForm(layer.LayerId, directory);
    }

    /// <summary>Removes a driver layer written for nothing: its directories and records (aufs: <c>diff/</c>, <c>mnt/</c>, <c>layers/</c>; overlay: <c>&lt;id&gt;/</c>; overlay2: <c>&lt;id&gt;/</c> and its <c>l/</c> link).</summary>
    private void RemoveDriverLayer(string id)
    {
        var fs = _fileSystem;
        if (RootDriver is Drivers.Vfs.VfsDriver vfs)
        {
            var tree = vfs.GetTreePath(id);
            ForgetTree(tree);
            fs.Directory.Delete(tree, recursive: true);
            _writer.Metadata.Forget(tree);
            return;
        }

        if (RootDriver is Drivers.Overlay.OverlayDriver overlay)
        {
            var layerDirectory = overlay.GetLayerDirectory(id);
            ForgetTree(layerDirectory);
            fs.Directory.Delete(layerDirectory, recursive: true);
            _writer.Metadata.Forget(layerDirectory);
            return;
        }

        if (RootDriver is Drivers.Overlay2.Overlay2Driver overlay2)
        {
            var directory = overlay2.GetLayerDirectory(id);
            var link = fs.Path.Combine(overlay2.LinkDirectory, fs.File.ReadAllText(directory + "/link"));
            ForgetTree(directory);
            fs.Directory.Delete(directory, recursive: true);
            fs.File.Delete(link);
            _writer.Metadata.Forget(link);
            return;
        }

        var aufs = (AufsDriver)RootDriver;
        var diff = aufs.GetDiffPath(id);
        if (fs.Directory.Exists(diff))
        {
            ForgetTree(diff);
            fs.Directory.Delete(diff, recursive: true);
        }

        fs.Directory.Delete(aufs.GetMountPath(id), recursive: true);
        fs.File.Delete(aufs.GetLayerFilePath(id));
        _ancestors.Remove(id);
    }

    /// <summary>Forgets what was recorded below a directory, walked by lstat, never through a link (a layer's link may point anywhere on the host).</summary>
    private void ForgetTree(string root)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.TryPop(out var directory))
        {
            foreach (var entry in _fileSystem.Directory.EnumerateFileSystemEntries(directory))
            {
                if (_writer.Metadata.TryGetStatus(entry, out var status) && status.Type == UnixFileType.Directory)
                {
                    pending.Push(entry);
                }

                _writer.Metadata.Forget(entry);
            }
        }
    }

    /// <summary>
    /// The config Docker's build writes for a step: the legacy image JSON (without <c>id</c>, <c>parent</c> and <c>Size</c>;
    /// <c>container_config.Image</c> the parent image) with <c>rootfs</c> and <c>history</c>, keys sorted, then the step's JSON edit.
    /// </summary>
    private static byte[] MakeConfig(LayerBuilder step, string? parentImage, IReadOnlyList<GoHistoryItem> history, IReadOnlyList<string> diffIds, int index)
    {
        var v1 = JsonSerializer.SerializeToUtf8Bytes(ImageModel(step, null, null, parentImage, null), DockerJsonContext.GoWriter.ImageJson);
        var config = GoImageConfig.MakeBuiltConfig(v1, history, diffIds, $"the config of step {index + 1}");
        return step.JsonEdit is { } edit ? EditJson(config, edit) : config;
    }

    /// <summary>The history item of a step as Docker's build records it (<c>created_by</c> is <c>container_config.Cmd</c> joined with spaces).</summary>
    private static GoHistoryItem HistoryItem(LayerBuilder step)
    {
        var created = step.CreatedTime is { } time && GoTimestamp.TryParse(GoTimestamp.Format(time), out var parsed) ? parsed : GoTimestamp.Zero;
        return new GoHistoryItem(created, step.AuthorText ?? string.Empty, step.CreatedByCommand is { } command ? "/bin/sh -c " + command : string.Empty,
            step.CommentText ?? string.Empty, step.IsEmptyLayer);
    }

    /// <summary>The image an ID names, with or without <c>sha256:</c>, or <see langword="null"/> when it was not added.</summary>
    private CasImage? FindImage(string imageId) =>
        _images.TryGetValue(imageId, out var image) || (DockerIds.IsId(imageId) && _images.TryGetValue(Digests.Sha256Prefix + imageId, out image)) ? image : null;

    private BuiltRoot BuildContentAddressed()
    {
        var store = CasStoreDirectory;
        WriteContainers(RootDriver);
        if (_writeRepositories)
        {
            if (_rawRepositories is { } raw)
            {
                CasWriter.WriteReferences(_fileSystem, store, raw);
            }
            else
            {
                CasWriter.WriteReferences(_fileSystem, store, _references);
            }
        }

        return new BuiltRoot(_fileSystem, RootPath, Metadata, [.. _chainIds]) { ImageIds = [.. _imageIds], ContainerIds = [.. _containers.Select(c => c.ContainerId)] };
    }

    /// <summary>An image written by a step.</summary>
    /// <param name="Id">The image ID.</param>
    /// <param name="DiffIds">Its layers' DiffIDs, base first.</param>
    /// <param name="ChainIds">Its layers' ChainIDs, base first.</param>
    /// <param name="History">Its history, oldest first.</param>
    /// <param name="CacheIds">Its layers' cache-ids, top first (the order of <c>aufs/layers</c>).</param>
    private sealed record CasImage(string Id, IReadOnlyList<string> DiffIds, IReadOnlyList<string> ChainIds, IReadOnlyList<GoHistoryItem> History, IReadOnlyList<string> CacheIds);
}
