using Docker.Aufs.Drivers;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;

namespace Docker.Aufs.Stores.Graph;

/// <summary>The checks of the tag store, the tar-split data and the containers.</summary>
internal sealed partial class GraphChecker
{
    private void CheckRepositories()
    {
        var path = Combine(RepositoryIndex.FileName(_driver.Name));
        if (TagStoreCheck.Read(sink, path, "tag store", "all tags are lost; images stay reachable by ID, and the tags may be rebuilt from the images' history") is not { } index)
        {
            return;
        }

        foreach (var entry in index.Entries)
        {
            if (!DockerIds.IsId(entry.ImageId))
            {
                Add(FindingCodes.TagTargetInvalid, FindingSeverity.Error, path,
                    $"{entry.DisplayName} points at '{DockerIds.Printable(entry.ImageId)}', which is not an image ID", "the tag cannot be used; remove or fix it");
            }
            else if (!_layers.ContainsKey(entry.ImageId))
            {
                Add(FindingCodes.TagTargetMissing, FindingSeverity.Warning, path,
                    $"{entry.DisplayName} points at {entry.ImageId}, which is not a readable image of this root",
                    "the image was deleted or its graph/ directory is damaged");
            }
        }
    }

    private void CheckTarSplit()
    {
        // Docker 1.8+ writes tar-split data for every layer it registers; its absence is only telling beside layers that have it.
        if (!_layers.Values.Any(l => l.HasTarSplit))
        {
            return;
        }

        foreach (var layer in _layers.Values.OrderBy(l => l.Id, StringComparer.Ordinal))
        {
            var tarData = _fs.Path.Combine(layer.Directory, GraphFiles.TarSplit);
            if (!layer.HasTarSplit)
            {
                Add(FindingCodes.TarSplitMissing, FindingSeverity.Info, tarData,
                    "no tar-split data while other layers have it: the original layer tar cannot be reassembled byte for byte",
                    "the layer tar is regenerated from the diff directory instead; its DiffID will differ from the registry's");
            }
            else if (_driver.Exists(layer.Id) && _files.Directory(layer.Id) is { } diff)
            {
                _toVerify.Add(GraphStore.ToImageLayer(_fs, layer, new LayerContent(diff, _driver.GetContent(layer.Id).Format, UnixFileType.Directory)));
            }
        }
    }

    private void CheckContainers()
    {
        var containers = Combine(LegacyLayout.ContainersDirectory);
        foreach (var id in _containerIds.Order(StringComparer.Ordinal))
        {
            ContainerRecord container;
            try
            {
                container = ContainerRecord.Read(_fs, containers, id);
            }
            catch (UnsafePathException e) when (IsLink(e.Path))
            {
                AddUnsafeLink(e.Path, e.UnsafeValue);
                continue;
            }
            catch (DockerDataException) when (store.Refusal(_fs.Path.Combine(containers, id, ContainerRecord.ConfigFileName)) is { } denied)
            {
                sink.AddUnreadable(denied, $"container {id} was not checked");
                continue;
            }
            catch (Exception e) when (IO.AccessProblems.IsDenied(e))
            {
                sink.AddUnreadable(IO.AccessProblems.Describe(sink.Metadata, store.Context.Root, _fs.Path.Combine(containers, id), e), $"container {id} was not checked");
                continue;
            }
            catch (DockerDataException e)
            {
                Add(FindingCodes.ContainerConfigCorrupt, FindingSeverity.Error, e.Path, ProblemOf(e),
                    "Docker skips this container; its read-write layer is still readable with --layer");
                continue;
            }

            if (container.Driver != _driver.Name)
            {
                continue; // another driver's container: Docker skips it, and so does the check
            }

            if (!DockerIds.IsId(container.ImageId) || !_layers.ContainsKey(container.ImageId))
            {
                Add(FindingCodes.ContainerImageMissing, FindingSeverity.Warning, _fs.Path.Combine(container.Directory, ContainerRecord.ConfigFileName),
                    $"its image '{DockerIds.Printable(container.ImageId)}' is not a readable image of this root",
                    "the container's own changes (docker diff) are still readable; its full filesystem is not");
            }

            if (_driver.RecordsAncestors || _driver.HasViews)
            {
                foreach (var layerId in new[] { container.LegacyInitLayerId, container.Id })
                {
                    if (!_driver.Exists(layerId) || (_files.Directory(layerId) is null && !_files.IsUnsafe(layerId)))
                    {
                        if ((store.Refusal(_driver.RecordPath(layerId)) ?? store.Refusal(_files.PathOf(layerId))) is { } denied)
                        {
                            sink.AddUnreadable(denied, $"the layers of container {container.Id} were not checked");
                            continue;
                        }

                        Add(FindingCodes.ContainerLayerMissing, FindingSeverity.Error, _files.PathOf(layerId),
                            $"the container's {(layerId == container.Id ? "read-write" : "init")} layer is missing from the {_driver.Name} driver",
                            "the container's filesystem cannot be assembled");
                    }
                }
            }
        }
    }
}
