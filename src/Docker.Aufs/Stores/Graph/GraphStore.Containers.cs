using Docker.Aufs.Formats;
using Docker.Aufs.Logging;

namespace Docker.Aufs.Stores.Graph;

/// <summary>The containers of the graph era: <c>containers/&lt;id&gt;/config.json</c> (docs/format/graph-era.md §8).</summary>
internal sealed partial class GraphStore
{
    private ContainerIndex? _containerIndex;

    /// <summary>Gets the full path of <c>containers/</c>.</summary>
    public string ContainersDirectory => FileSystem.Path.Combine(Context.Root, ContainerRecord.DirectoryName);

    private ContainerIndex LoadedContainers => LazyInitializer.EnsureInitialized(ref _containerIndex, ReadContainers);

    public override IReadOnlyList<Container> GetContainers()
    {
        var containers = new List<Container>();
        foreach (var container in LoadedContainers.All)
        {
            var imageId = container.ImageId;
            if (!DockerIds.IsId(imageId) || !HasImage(imageId))
            {
                Log.ContainerImageMissing(Logger, container.Id, DockerIds.Printable(imageId));
            }

            containers.Add(ToContainer(container));
        }

        ContainerIndex.SortNewestFirst(containers);
        return new Listing<Container>(containers, LoadedContainers.Unreadable);
    }

    /// <summary>Docker 1.9's <c>daemon.Get</c>: the exact full ID, then the exact name (with or without its leading slash), then a unique prefix of every container ID.</summary>
    public override Container GetContainer(string reference) => ToContainer(FindContainer(reference));

    private Container ToContainer(ContainerRecord container) => container.ToContainer(DisplayImage(container), container.Id, container.LegacyInitLayerId);

    /// <summary>A container's stack is <c>&lt;id&gt;</c>, <c>&lt;id&gt;-init</c>, then its image's layers (docs/format/graph-era.md §6).</summary>
    public override IReadOnlyList<string> ContainerLayers(Container container)
    {
        var recordPath = Driver.RecordPath(container.LayerId);
        if (!Driver.Exists(container.LayerId))
        {
            throw new BrokenLayerChainException(container.Id, recordPath, $"the container has no {Driver.Name} layer");
        }

        var recorded = Driver.RecordsAncestors ? Driver.ReadAncestors(container.LayerId) : null;
        var reported = false;
        if (recorded is not null)
        {
            if (recorded.Count == 0 || recorded[0] != container.InitLayerId)
            {
                ChainProblem(container.Id, recordPath, $"the layer below the container should be its init layer {container.InitLayerId}, but is {(recorded.Count > 0 ? recorded[0] : "(nothing)")}");
                reported = true;
            }
            else if (recorded.Count < 2 || recorded[1] != container.ImageId)
            {
                ChainProblem(container.Id, recordPath, $"the layer below the init layer should be the container's image {container.ImageId}, but is {(recorded.Count > 1 ? recorded[1] : "(nothing)")}");
                reported = true;
            }
        }

        var chain = new List<string> { container.LayerId };
        if (container.InitLayerId is { } init && HasLayer(init, recorded))
        {
            chain.Add(init);
        }

        if (DockerIds.IsId(container.ImageId) && HasImage(container.ImageId))
        {
            List<string>? image = null;
            try
            {
                image = [.. WalkChain(container.ImageId).Select(l => l.Id)];
            }
            catch (DockerDataException e)
            {
                Log.ContainerChainUnreadable(Logger, container.Id, e.Message, recordPath);
            }

            if (image is not null)
            {
                chain.AddRange(image);
                if (!reported && recorded is not null && !recorded.SequenceEqual(chain.Skip(1), StringComparer.Ordinal))
                {
                    // Outside the try above: with strict chains this refusal is the answer, never a reason to use the record.
                    ChainProblem(container.Id, recordPath,
                        $"graph/ chains the layers below the container as {string.Join(", ", chain.Skip(1))}, but {recordPath} lists {(recorded.Count == 0 ? "nothing" : string.Join(", ", recorded))}");
                }

                return chain;
            }
        }

        // The image is gone (or unreadable): the layers the driver records still hold the container's files.
        return recorded is not null ? [container.LayerId, .. recorded] : chain;
    }

    /// <summary>Every container of the root's driver, sorted by ID.</summary>
    internal IReadOnlyList<ContainerRecord> LoadContainers() => LoadedContainers.All;

    private ContainerRecord FindContainer(string reference) =>
        LoadedContainers.Find(reference, id =>
        {
            // A full ID that was not loaded: say why rather than "not found".
            if (!FileSystem.Directory.Exists(FileSystem.Path.Combine(ContainersDirectory, id)))
            {
                return null;
            }

            var container = ContainerRecord.Read(FileSystem, ContainersDirectory, id);
            return $"it was created with the {container.Driver} storage driver; this root is read as {Driver.Name}";
        });

    private string DisplayImage(ContainerRecord container)
    {
        var typed = container.Config.Config?.Image;
        if (!string.IsNullOrEmpty(typed))
        {
            try
            {
                if (ResolveImageId(typed) == container.ImageId)
                {
                    return typed;
                }
            }
            catch (Exception e) when (e is DockerAufsException or ArgumentException)
            {
                // The name no longer resolves: show the ID, as docker ps does.
            }
        }

        return container.ImageId;
    }

    /// <summary>Reads every container once, as Docker's <c>restore</c> does: unreadable ones and those of another driver are skipped.</summary>
    private ContainerIndex ReadContainers() => ContainerIndex.Read(this, ContainersDirectory, ContainerRecord.ConfigFileName);
}
