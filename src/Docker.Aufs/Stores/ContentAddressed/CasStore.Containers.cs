using System.Collections.Concurrent;
using Docker.Aufs.Formats;
using Docker.Aufs.Logging;

namespace Docker.Aufs.Stores.ContentAddressed;

/// <summary>
/// Containers of Docker 1.10+: <c>containers/&lt;id&gt;/config.v2.json</c> and the read-write layer record
/// <c>layerdb/mounts/&lt;id&gt;/</c> (docs/format/content-addressed.md §7).
/// </summary>
internal sealed partial class CasStore
{
    private readonly ConcurrentDictionary<string, MountResult> _mounts = new(StringComparer.Ordinal);
    private ContainerIndex? _containerIndex;

    /// <summary>Gets the full path of <c>containers/</c>.</summary>
    public string ContainersDirectory => FileSystem.Path.Combine(Context.Root, ContainerRecord.DirectoryName);

    private ContainerIndex LoadedContainers => LazyInitializer.EnsureInitialized(ref _containerIndex,
        () => ContainerIndex.Read(this, ContainersDirectory, ContainerRecord.ConfigV2FileName));

    /// <summary>The containers the daemon would load (configuration read, this driver), sorted by ID.</summary>
    internal IReadOnlyList<ContainerRecord> LoadContainers() => LoadedContainers.All;

    public override IReadOnlyList<Container> GetContainers()
    {
        var containers = new List<Container>();
        foreach (var container in LoadedContainers.All)
        {
            if (!Digests.IsSha256(container.ImageId) || !HasImage(container.ImageId))
            {
                Log.ContainerImageMissing(Logger, container.Id, DockerIds.Printable(container.ImageId));
            }

            containers.Add(ToContainer(container));
        }

        ContainerIndex.SortNewestFirst(containers);
        return new Listing<Container>(containers, LoadedContainers.Unreadable);
    }

    /// <summary>Docker's <c>GetContainer</c>: the exact full ID, then the exact name (with or without its slash), then a unique ID prefix.</summary>
    public override Container GetContainer(string reference) =>
        ToContainer(LoadedContainers.Find(reference, id =>
        {
            if (!FileSystem.Directory.Exists(FileSystem.Path.Combine(ContainersDirectory, id)))
            {
                return null;
            }

            var container = ContainerRecord.Read(FileSystem, ContainersDirectory, id, ContainerRecord.ConfigV2FileName);
            return $"it was created with the {container.Driver} storage driver; this root is read as {Driver.Name}";
        }));

    /// <summary>
    /// A container's stack: its mount's layer, its init layer, then the image layers below the mount (its <c>parent</c>
    /// ChainID, followed as the layer store does), checked against what the driver records. Without a usable mount (Docker
    /// does not load such a container) the layer named like the container — a migrated container's — and the chain the
    /// driver records for it are used.
    /// </summary>
    public override IReadOnlyList<string> ContainerLayers(Container container)
    {
        var recordPath = Driver.RecordPath(container.LayerId);
        if (!Driver.Exists(container.LayerId))
        {
            throw new BrokenLayerChainException(container.Id, recordPath, $"the container has no {Driver.Name} layer {container.LayerId}");
        }

        var recorded = Driver.RecordsAncestors ? Driver.ReadAncestors(container.LayerId) : null;
        var chain = new List<string> { container.LayerId };
        if (container.InitLayerId is { } init && HasLayer(init, recorded))
        {
            chain.Add(init);
        }

        if (Mount(container.Id).Mount is { } mount)
        {
            List<string>? below = null;
            try
            {
                below = mount.Parent is { } parent ? [.. WalkChain(container.Id, parent).Select(l => l.CacheId)] : [];
            }
            catch (DockerDataException e) when (recorded is not null)
            {
                Log.ContainerChainUnreadable(Logger, container.Id, e.Message, recordPath);
            }

            if (below is not null)
            {
                chain.AddRange(below);
                if (recorded is not null && !recorded.SequenceEqual(chain.Skip(1), StringComparer.Ordinal))
                {
                    // Outside the try above: with strict chains this refusal is the answer, never a reason to use the record.
                    ChainProblem(container.Id, recordPath, $"layerdb/mounts names the layers below the container as {string.Join(", ", chain.Skip(1))}, but {recordPath} lists {(recorded.Count == 0 ? "nothing" : string.Join(", ", recorded))}");
                }

                return chain;
            }
        }

        // No usable mount: the layers the driver records still hold the container's files.
        return recorded is not null ? [container.LayerId, .. recorded] : chain;
    }

    private Container ToContainer(ContainerRecord container)
    {
        var mount = Mount(container.Id);
        if (mount.Mount is { } found)
        {
            return container.ToContainer(DisplayImage(container), found.MountId, found.InitId);
        }

        Log.ContainerMountMissing(Logger, container.Id, mount.Problem!, container.Id);
        return container.ToContainer(DisplayImage(container), container.Id, Driver.Exists(container.LegacyInitLayerId) ? container.LegacyInitLayerId : null);
    }

    /// <summary>The mount of a container, read once.</summary>
    private MountResult Mount(string containerId) => _mounts.GetOrAdd(containerId, id =>
    {
        try
        {
            return new MountResult(CasMount.Read(FileSystem, MountsDirectory, id), null);
        }
        catch (DirectoryNotFoundException)
        {
            return new MountResult(null, $"there is no {FileSystem.Path.Combine(MountsDirectory, id)}");
        }
        catch (DockerDataException e)
        {
            return new MountResult(null, e.Message);
        }
    });

    private string DisplayImage(ContainerRecord container)
    {
        var typed = container.Config.Config?.Image;
        if (!string.IsNullOrEmpty(typed) && typed != container.ImageId)
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

    private sealed record MountResult(CasMount? Mount, string? Problem);
}
