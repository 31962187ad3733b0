using Docker.Aufs.Formats;

using Docker.Aufs.IO;

namespace Docker.Aufs.Stores.ContentAddressed;

/// <summary>The checks of the reference store, the containers, what nothing uses, and the tar-split data.</summary>
internal sealed partial class CasChecker
{
    private void CheckReferences()
    {
        var path = store.References.Path;
        if (TagStoreCheck.Read(sink, path, "reference store", "all tags are lost (Docker refuses to start on such a store); images stay reachable by ID") is not { } index)
        {
            return;
        }

        foreach (var entry in index.Entries)
        {
            if (!NamedReference.TryParse(entry.Reference, out var reference, out var problem))
            {
                Add(FindingCodes.ReferenceInvalid, FindingSeverity.Info, path,
                    $"the key '{DockerIds.Printable(entry.Reference)}' of repository '{DockerIds.Printable(entry.Repository)}' is not a reference ({problem})",
                    "Docker ignores it");
            }
            else if (!Digests.IsSha256(entry.ImageId))
            {
                Add(FindingCodes.TagTargetInvalid, FindingSeverity.Error, path,
                    $"{reference.FamiliarString} points at '{DockerIds.Printable(entry.ImageId)}', which is not an image ID", "the reference cannot be used; remove or fix it");
            }
            else if (!_images.Contains(entry.ImageId))
            {
                Add(FindingCodes.TagTargetMissing, FindingSeverity.Warning, path,
                    $"{reference.FamiliarString} points at {entry.ImageId}, which is not a readable image of this store",
                    "the image was deleted or its config is damaged");
            }
        }
    }

    private void CheckContainers()
    {
        var containers = _fs.Path.Combine(store.Context.Root, ContainerRecord.DirectoryName);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (_fs.Directory.Exists(containers) && !sink.IsUnsafeLink(containers))
        {
            foreach (var entry in _fs.Directory.EnumerateDirectories(containers).Order(StringComparer.Ordinal))
            {
                var id = _fs.Path.GetFileName(entry);
                if (DockerIds.IsId(id))
                {
                    ids.Add(id);
                    CheckContainer(containers, id);
                }
            }
        }

        foreach (var (entry, hex) in StoreEntries(store.MountsDirectory))
        {
            if (!ids.Contains(hex))
            {
                Add(FindingCodes.OrphanMount, FindingSeverity.Warning, entry,
                    "the read-write layer record of a container that is gone", "left by an interrupted removal; its files are readable with --layer");
                try
                {
                    var mount = CasMount.Read(_fs, store.MountsDirectory, hex);
                    UseMount(mount);
                }
                catch (DockerDataException)
                {
                    // Reported with its container, if it comes back; nothing more to say about an orphan.
                }
            }
        }
    }

    private void CheckContainer(string containers, string id)
    {
        ContainerRecord container;
        try
        {
            container = ContainerRecord.Read(_fs, containers, id, ContainerRecord.ConfigV2FileName);
        }
        catch (UnsafePathException e) when (sink.IsLink(e.Path))
        {
            sink.AddUnsafeLink(e.Path, e.UnsafeValue);
            return;
        }
        catch (DockerDataException) when (store.Refusal(_fs.Path.Combine(containers, id, ContainerRecord.ConfigV2FileName)) is { } denied)
        {
            sink.AddUnreadable(denied, $"container {id} was not checked");
            TryUseMount(id);
            return;
        }
        catch (Exception e) when (AccessProblems.IsDenied(e))
        {
            sink.AddUnreadable(AccessProblems.Describe(sink.Metadata, sink.Root, _fs.Path.Combine(containers, id), e), $"container {id} was not checked");
            TryUseMount(id);
            return;
        }
        catch (DockerDataException e)
        {
            Add(FindingCodes.ContainerConfigCorrupt, FindingSeverity.Error, e.Path, ProblemOf(e),
                "Docker skips this container; its read-write layer is still readable with --layer");
            TryUseMount(id);
            return;
        }

        if (container.Driver != _driver.Name)
        {
            return; // another driver's container: Docker skips it, and so does the check
        }

        var configPath = _fs.Path.Combine(container.Directory, ContainerRecord.ConfigV2FileName);
        if (!_images.Contains(container.ImageId))
        {
            Add(FindingCodes.ContainerImageMissing, FindingSeverity.Warning, configPath,
                $"its image '{DockerIds.Printable(container.ImageId)}' is not a readable image of this store",
                "the container's own changes (docker diff) are still readable; its full filesystem too while its layers are there");
        }

        CasMount mount;
        try
        {
            mount = CasMount.Read(_fs, store.MountsDirectory, id);
        }
        catch (DirectoryNotFoundException)
        {
            Add(FindingCodes.ContainerMountMissing, FindingSeverity.Error, _fs.Path.Combine(store.MountsDirectory, id),
                "the container has no read-write layer record, so Docker does not load it",
                "its files may still be in the driver layer named like the container (a migrated container's)");
            return;
        }
        catch (UnsafePathException e) when (sink.IsLink(e.Path))
        {
            sink.AddUnsafeLink(e.Path, e.UnsafeValue);
            return;
        }
        catch (DockerDataException e)
        {
            Add(FindingCodes.ContainerMountMissing, FindingSeverity.Error, e.Path, ProblemOf(e), "Docker does not load this container");
            return;
        }

        UseMount(mount);
        foreach (var (layerId, what) in new[] { (mount.MountId, "read-write"), (mount.InitId, "init") })
        {
            if (layerId is not null && _files.IsMissing(layerId))
            {
                Add(FindingCodes.ContainerLayerMissing, FindingSeverity.Error, _files.PathOf(layerId),
                    $"the container's {what} layer {layerId} is missing from the {_driver.Name} driver", "the container's filesystem cannot be assembled");
            }
        }

        if (mount.Parent is { } parent && !_layers.ContainsKey(parent))
        {
            Add(FindingCodes.ImageLayerMissing, FindingSeverity.Error, _fs.Path.Combine(mount.Directory, CasLayout.ParentFile),
                $"names the image layer {parent}, which is not a loadable layer of layerdb", "Docker does not load this container");
        }
    }

    /// <summary>
    /// Marks the mount of a container whose configuration does not read as used, when the mount reads: the container is
    /// still there, so its layers are not orphans.
    /// </summary>
    private void TryUseMount(string id)
    {
        try
        {
            UseMount(CasMount.Read(_fs, store.MountsDirectory, id));
        }
        catch (Exception e) when (e is DockerDataException or DirectoryNotFoundException)
        {
            // No usable mount: the container's driver layers, if any, are reported as what they are.
        }
    }

    /// <summary>Marks a mount's driver layers and the layers below it as used.</summary>
    private void UseMount(CasMount mount)
    {
        _usedDriverLayers.Add(mount.MountId);
        if (mount.InitId is { } init)
        {
            _usedDriverLayers.Add(init);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var chainId = mount.Parent; chainId is not null && seen.Add(chainId) && _layers.TryGetValue(chainId, out var layer); chainId = layer.Parent)
        {
            _usedLayers.Add(chainId);
        }
    }

    /// <summary>Layers no image or container uses, below what they use; driver layers no record names.</summary>
    private void CheckOrphans()
    {
        // Everything below a used layer is used too.
        foreach (var used in _usedLayers.ToList())
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var chainId = used; _layers.TryGetValue(chainId, out var layer) && layer.Parent is { } parent && seen.Add(parent); chainId = parent)
            {
                _usedLayers.Add(parent);
            }
        }

        foreach (var layer in _layers.Values.OrderBy(l => l.ChainId, StringComparer.Ordinal))
        {
            if (!_usedLayers.Contains(layer.ChainId))
            {
                Add(FindingCodes.OrphanLayer, FindingSeverity.Warning, layer.Directory,
                    "a layer no image and no container uses", "left by an interrupted pull or removal; its files are readable with --layer");
            }
        }

        foreach (var id in _driver.ListAllLayerIds())
        {
            if (!_usedDriverLayers.Contains(id))
            {
                Add(FindingCodes.OrphanDriverLayer, FindingSeverity.Warning, _files.PathOf(id),
                    "a driver layer that no layer, container or init layer of layerdb names",
                    "left by an interrupted pull or removal; its files are readable with --layer");
            }
        }
    }

    /// <summary>
    /// Whether every layer below <paramref name="layer"/> loads, without a loop: only such a layer can be reassembled (the
    /// others are reported as a missing parent or through their images, not as damaged tar-split data).
    /// </summary>
    private bool ChainLoads(CasLayer layer)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { layer.ChainId };
        for (var parent = layer.Parent; parent is not null; parent = layer.Parent)
        {
            if (!_layers.TryGetValue(parent, out layer!) || !seen.Add(parent))
            {
                return false;
            }
        }

        return true;
    }

    private void CheckTarSplit()
    {
        foreach (var layer in _layers.Values.OrderBy(l => l.ChainId, StringComparer.Ordinal))
        {
            if (!layer.HasTarSplit)
            {
                Add(FindingCodes.TarSplitMissing, FindingSeverity.Warning, layer.TarSplitPath,
                    "no tar-split data: the original layer tar cannot be reassembled byte for byte (docker save and push fail)",
                    "the layer tar is regenerated from its directory instead; its DiffID, and the image ID, will differ");
            }
            else if (ChainLoads(layer) && !_files.IsMissing(layer.CacheId) && _files.Directory(layer.CacheId) is { } directory)
            {
                _toVerify.Add(store.ToImageLayer(layer) with { ContentPath = directory });
            }
        }
    }
}
