using Docker.Aufs.Formats;
using Docker.Aufs.Logging;

namespace Docker.Aufs.Stores.Graph;

/// <summary>The containers of the graph era: <c>containers/&lt;id&gt;/config.json</c> (docs/format/graph-era.md §8).</summary>
internal sealed partial class GraphStore
{
    private ContainerIndex? _containerIndex;

    /// <summary>Gets the full path of <c>containers/</c>.</summary>
    public string ContainersDirectory => FileSystem.Path.Combine(Context.Root, LegacyContainer.DirectoryName);

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

        containers.Sort(static (a, b) =>
        {
            var byCreated = Nullable.Compare(b.Created?.Value, a.Created?.Value);
            return byCreated != 0 ? byCreated : string.CompareOrdinal(a.Id, b.Id);
        });
        return containers;
    }

    /// <summary>Docker 1.9's <c>daemon.Get</c>: the exact full ID, then the exact name (with or without its leading slash), then a unique prefix of every container ID.</summary>
    public override Container GetContainer(string reference) => ToContainer(FindContainer(reference));

    private Container ToContainer(LegacyContainer container) => container.ToContainer(DisplayImage(container));

    /// <summary>A container's stack is <c>&lt;id&gt;</c>, <c>&lt;id&gt;-init</c>, then its image's layers (docs/format/graph-era.md §6).</summary>
    public override IReadOnlyList<string> ContainerLayers(Container container)
    {
        var recordPath = Driver.RecordPath(container.LayerId);
        if (!Driver.Exists(container.LayerId))
        {
            throw new BrokenLayerChainException(container.Id, recordPath, $"the container has no {Driver.Name} layer (its layers file is missing)");
        }

        var recorded = Driver.RecordsAncestors ? Driver.ReadAncestors(container.LayerId) : null;
        if (recorded is not null)
        {
            if (recorded.Count == 0 || recorded[0] != container.InitLayerId)
            {
                ChainProblem(container.Id, recordPath, $"the layer below the container should be its init layer {container.InitLayerId}, but is {(recorded.Count > 0 ? recorded[0] : "(nothing)")}");
            }
            else if (recorded.Count < 2 || recorded[1] != container.ImageId)
            {
                ChainProblem(container.Id, recordPath, $"the layer below the init layer should be the container's image {container.ImageId}, but is {(recorded.Count > 1 ? recorded[1] : "(nothing)")}");
            }
        }

        var chain = new List<string> { container.LayerId };
        if (container.InitLayerId is { } init && Driver.Exists(init))
        {
            chain.Add(init);
        }

        if (DockerIds.IsId(container.ImageId) && HasImage(container.ImageId))
        {
            try
            {
                chain.AddRange(WalkChain(container.ImageId).Select(l => l.Id));
                return chain;
            }
            catch (DockerDataException e)
            {
                Log.ChainProblem(Logger, container.Id, $"the chain of its image cannot be read ({e.Message}); using the layers {recordPath} lists");
            }
        }

        // The image is gone (or unreadable): the layers the driver records still hold the container's files.
        return recorded is not null ? [container.LayerId, .. recorded] : chain;
    }

    /// <summary>Every container of the root's driver, sorted by ID.</summary>
    internal IReadOnlyList<LegacyContainer> LoadContainers() => LoadedContainers.All;

    private LegacyContainer FindContainer(string reference)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        var index = LoadedContainers;

        if (index.ById.TryGetValue(reference, out var byId))
        {
            return byId;
        }

        var name = reference.StartsWith('/') ? reference[1..] : reference;
        if (index.ByName.TryGetValue(name, out var named))
        {
            return named.Count == 1 ? named[0] : throw new AmbiguousReferenceException(reference, [.. named.Select(c => c.Id).Order(StringComparer.Ordinal)]);
        }

        if (DockerIds.IsId(reference))
        {
            // A full ID that was not loaded: say why rather than "not found".
            var directory = FileSystem.Path.Combine(ContainersDirectory, reference);
            if (FileSystem.Directory.Exists(directory))
            {
                var container = LegacyContainer.Read(FileSystem, ContainersDirectory, reference);
                throw new ContainerNotFoundException(reference, $"it was created with the {container.Driver} storage driver; this root is read as {Driver.Name}");
            }
        }

        var matches = new List<string>();
        if (!reference.Contains(' ', StringComparison.Ordinal))
        {
            var ids = index.SortedIds;
            var start = Array.BinarySearch(ids, reference, StringComparer.Ordinal);
            for (var i = start < 0 ? ~start : start; i < ids.Length && ids[i].StartsWith(reference, StringComparison.Ordinal); i++)
            {
                matches.Add(ids[i]);
            }
        }

        return matches.Count switch
        {
            0 => throw new ContainerNotFoundException(reference),
            1 => index.ById[matches[0]],
            _ => throw new AmbiguousReferenceException(reference, matches),
        };
    }

    /// <summary>The image as <c>docker ps</c> shows it: the name as typed while it still points at the container's image, else the ID.</summary>
    private string DisplayImage(LegacyContainer container)
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
    private ContainerIndex ReadContainers()
    {
        var directory = ContainersDirectory;
        var all = new List<LegacyContainer>();
        IO.NoFollow.RequireNotLink(FileSystem, directory);
        if (FileSystem.Directory.Exists(directory))
        {
            foreach (var path in FileSystem.Directory.EnumerateDirectories(directory))
            {
                var id = FileSystem.Path.GetFileName(path);
                if (!DockerIds.IsId(id))
                {
                    continue;
                }

                LegacyContainer container;
                try
                {
                    container = LegacyContainer.Read(FileSystem, directory, id);
                }
                catch (DockerDataException e)
                {
                    Log.ContainerSkipped(Logger, id, e.Message);
                    continue;
                }

                if (container.Driver != Driver.Name)
                {
                    Log.ContainerOfOtherDriver(Logger, id, container.Driver, Driver.Name);
                    continue;
                }

                all.Add(container);
            }
        }

        all.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return new ContainerIndex(all);
    }

    private sealed class ContainerIndex
    {
        public ContainerIndex(List<LegacyContainer> all)
        {
            All = all;
            ById = all.ToDictionary(c => c.Id, StringComparer.Ordinal);
            ByName = all.Where(c => c.Name.Length > 0).GroupBy(c => c.Name, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (IReadOnlyList<LegacyContainer>)[.. g], StringComparer.Ordinal);
            SortedIds = [.. all.Select(c => c.Id)];
        }

        public IReadOnlyList<LegacyContainer> All { get; }

        public Dictionary<string, LegacyContainer> ById { get; }

        public Dictionary<string, IReadOnlyList<LegacyContainer>> ByName { get; }

        public string[] SortedIds { get; }
    }
}
