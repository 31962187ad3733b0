using Docker.Aufs.Drivers;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Stores.Graph;

/// <summary>The checks of the parent chains and of what the driver records of each layer.</summary>
internal sealed partial class GraphChecker
{
    /// <summary>
    /// Walks every parent chain once (iteratively, each layer visited once whatever the depth): reports missing parents
    /// and every layer of a cycle, and records the depth of each chain that ends at a base layer (what the aufs/layers
    /// comparison needs).
    /// </summary>
    private void CheckChains()
    {
        const int Broken = -1;
        var path = new List<GraphLayer>();
        var onPath = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var layer in _layers.Values.OrderBy(l => l.Id, StringComparer.Ordinal))
        {
            if (layer.Parent is { } parent && !_layers.ContainsKey(parent) && !_fs.Directory.Exists(Combine(LegacyLayout.GraphDirectory, parent)))
            {
                Add(FindingCodes.MissingParent, FindingSeverity.Error, layer.Directory,
                    $"its parent {parent} is missing", "the image cannot be assembled; its own layer's files are still readable with --layer");
            }

            if (_chainDepth.ContainsKey(layer.Id))
            {
                continue;
            }

            // Walk up until a layer whose chain is known, a base, a missing parent or a layer already on this walk.
            path.Clear();
            onPath.Clear();
            var depth = Broken;
            for (var current = layer; ;)
            {
                onPath[current.Id] = path.Count;
                path.Add(current);
                if (current.Parent is not { } up)
                {
                    depth = 0;
                    break;
                }

                if (_chainDepth.TryGetValue(up, out var known))
                {
                    depth = known == Broken ? Broken : known + 1;
                    break;
                }

                if (onPath.TryGetValue(up, out var start))
                {
                    // A loop: every layer on it is met twice, whichever one a walk starts from.
                    foreach (var member in path.Skip(start).OrderBy(l => l.Id, StringComparer.Ordinal))
                    {
                        Add(FindingCodes.ChainCycle, FindingSeverity.Error, member.Directory,
                            $"the parent chain loops back to {member.Id}", "a chain cannot loop in data Docker wrote; the parent or parent_id of a layer was altered");
                    }

                    break;
                }

                if (!_layers.TryGetValue(up, out var next))
                {
                    break; // a missing parent
                }

                current = next;
            }

            for (var i = path.Count - 1; i >= 0; i--)
            {
                _chainDepth[path[i].Id] = depth;
                depth = depth == Broken ? Broken : depth + 1;
            }
        }
    }

    /// <summary>
    /// The driver's side of every graph layer: its record of the chain (a driver that keeps one), its directory, and its
    /// layers nobody names (a driver whose files can be read: aufs, overlay, overlay2, vfs).
    /// </summary>
    private void CheckDriver()
    {
        if (!_driver.RecordsAncestors && !_driver.HasViews)
        {
            return; // btrfs, zfs, devicemapper: nothing of a layer's files can be checked here
        }

        foreach (var layer in _layers.Values.OrderBy(l => l.Id, StringComparer.Ordinal))
        {
            // One layer's files refused to this process is a finding; the other layers are still checked.
            sink.Guard(_files.PathOf(layer.Id), $"the {_driver.Name} files of layer {layer.Id} were not checked", () => CheckDriverLayer(layer));
        }

        foreach (var id in _driver.ListAllLayerIds())
        {
            var owner = id.EndsWith(DockerIds.InitSuffix, StringComparison.Ordinal) ? id[..DockerIds.Length] : id;
            if (_layers.ContainsKey(id) || _containerIds.Contains(owner) || _fs.Directory.Exists(Combine(LegacyLayout.GraphDirectory, id)))
            {
                if (_containerIds.Contains(owner))
                {
                    _driver.CheckLayer(id, sink);
                }

                continue;
            }

            Add(FindingCodes.OrphanDriverLayer, FindingSeverity.Warning, _files.PathOf(id),
                "a driver layer that is neither an image nor a container's layer",
                "left by an interrupted pull or removal; its files are readable with --layer");
        }
    }

    /// <summary>What the driver records of one layer of <c>graph/</c>: its chain, its files, the driver's own checks.</summary>
    private void CheckDriverLayer(GraphLayer layer)
    {
        var layerFile = _driver.RecordPath(layer.Id);
        if (!_driver.Exists(layer.Id))
        {
            if (store.Refusal(layerFile) is { } denied)
            {
                throw denied; // not missing: this process may not look (reported as unreadable by the caller)
            }

            Add(FindingCodes.GraphWithoutDriverData, FindingSeverity.Warning, layer.Directory,
                $"the {_driver.Name} driver has no layer for it ({layerFile})", "Docker ignores this image; it may belong to another storage driver");
            return;
        }

        try
        {
            var ancestors = (_driver.RecordsAncestors ? _driver.ReadRecord(layer.Id) : null) ?? [];
            if (LayerDriver.Duplicate(layer.Id, ancestors) is { } duplicate)
            {
                Add(FindingCodes.DuplicateBranch, FindingSeverity.Error, layerFile, _driver.DescribeDuplicate(duplicate),
                    "neither AUFS nor Docker uses such a chain: views of this layer are refused; the graph/ chain is intact if no other finding says otherwise");
            }
            else if (_driver.RecordsAncestors && _chainDepth.GetValueOrDefault(layer.Id, -1) is var expected and >= 0 && !MatchesGraphChain(layer, ancestors))
            {
                Add(FindingCodes.ChainMismatch, FindingSeverity.Error, layerFile,
                    $"lists {ancestors.Count} ancestors that differ from the graph/ chain of {expected}",
                    "the mounted image would not be the one graph/ describes; read it with --lenient to follow graph/");
            }
        }
        catch (UnsafePathException e) when (IsLink(e.Path))
        {
            AddUnsafeLink(e.Path, e.UnsafeValue);
        }
        catch (DockerDataException e)
        {
            Add(FindingCodes.LayersFileCorrupt, FindingSeverity.Error, e.Path, ProblemOf(e), $"the {_driver.Name} chain of this layer cannot be trusted");
        }

        if (_files.Directory(layer.Id) is null && !_files.IsUnsafe(layer.Id))
        {
            Add(FindingCodes.DiffMissing, FindingSeverity.Error, _files.PathOf(layer.Id),
                "the layer's files are missing", "the image cannot be assembled; restore the directory from a backup");
        }

        _driver.CheckLayer(layer.Id, sink);
    }

    /// <summary>
    /// Whether <paramref name="ancestors"/> is the graph/ chain of a layer whose chain ends at a base; costs at most one
    /// step more than the list is long, so reading every layer of a deep chain stays linear in what was read.
    /// </summary>
    private bool MatchesGraphChain(GraphLayer layer, IReadOnlyList<string> ancestors)
    {
        var parent = layer.Parent;
        foreach (var ancestor in ancestors)
        {
            if (parent is null || !string.Equals(parent, ancestor, StringComparison.Ordinal))
            {
                return false;
            }

            parent = _layers[parent].Parent;
        }

        return parent is null;
    }
}
