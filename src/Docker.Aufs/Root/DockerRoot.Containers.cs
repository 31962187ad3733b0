using Docker.Aufs.Containers;
using Docker.Aufs.Formats;
using Docker.Aufs.Logging;
using Docker.Aufs.Union;

namespace Docker.Aufs;

public sealed partial class DockerRoot
{
    private ContainerIndex? _containerIndex;

    /// <summary>Gets the full path of <c>containers/</c>.</summary>
    public string ContainersDirectory => FileSystem.Path.Combine(Path, LegacyContainer.DirectoryName);

    /// <inheritdoc/>
    public IReadOnlyList<ContainerSummary> GetContainers()
    {
        var summaries = new List<ContainerSummary>();
        foreach (var container in LoadedContainers.All)
        {
            var imageId = container.ImageId;
            if (!DockerIds.IsId(imageId) || !HasImage(imageId))
            {
                Log.ContainerImageMissing(_logger, container.Id, DockerIds.Printable(imageId));
            }

            summaries.Add(new ContainerSummary
            {
                Id = container.Id,
                Name = container.Name,
                Image = DisplayImage(container),
                ImageId = imageId,
                Command = container.Command,
                Created = container.Created,
                Status = container.Status,
                State = container.Config.State,
                Driver = container.Driver,
            });
        }

        summaries.Sort(static (a, b) =>
        {
            var byCreated = Nullable.Compare(b.Created, a.Created);
            return byCreated != 0 ? byCreated : string.CompareOrdinal(a.Id, b.Id);
        });
        return summaries;
    }

    /// <inheritdoc/>
    public string ResolveContainerId(string reference) => GetContainer(reference).Id;

    /// <inheritdoc/>
    public LegacyContainer GetContainer(string reference)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        var index = LoadedContainers;

        // Docker 1.9 daemon.Get: the exact full ID, then the exact name, then a unique prefix of every container ID.
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
                throw new ContainerNotFoundException(reference, $"it was created with the {container.Driver} storage driver; this root is read as {Driver}");
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

    /// <inheritdoc/>
    public UnionView GetContainerView(string reference)
    {
        var aufs = RequireAufs();
        var container = GetContainer(reference);
        var layerFile = aufs.GetLayerFilePath(container.Id);
        if (!FileSystem.File.Exists(layerFile))
        {
            throw new BrokenLayerChainException(container.Id, layerFile, "the container has no AUFS layer (its layers file is missing)");
        }

        // A container's stack is <id>, <id>-init, then its image's layers (legacy-layout §6).
        var ancestors = aufs.ReadLayerFile(container.Id).Ancestors;
        if (ancestors.Count == 0 || ancestors[0] != container.InitLayerId)
        {
            ChainProblem(container.Id, layerFile, $"the layer below the container should be its init layer {container.InitLayerId}, but is {(ancestors.Count > 0 ? ancestors[0] : "(nothing)")}");
        }
        else if (ancestors.Count < 2 || ancestors[1] != container.ImageId)
        {
            ChainProblem(container.Id, layerFile, $"the layer below the init layer should be the container's image {container.ImageId}, but is {(ancestors.Count > 1 ? ancestors[1] : "(nothing)")}");
        }

        return UnionView.ForAufsLayer(aufs, container.Id, Metadata, _logger);
    }

    /// <inheritdoc/>
    public IReadOnlyList<FileChange> GetContainerChanges(string reference) => GetContainerView(reference).GetChanges();

    private ContainerIndex LoadedContainers => LazyInitializer.EnsureInitialized(ref _containerIndex, ReadContainers);

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
                    Log.ContainerSkipped(_logger, id, e.Message);
                    continue;
                }

                if (container.Driver != Driver)
                {
                    Log.ContainerOfOtherDriver(_logger, id, container.Driver, Driver);
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
