using Docker.Aufs.Formats;
using Docker.Aufs.Logging;

namespace Docker.Aufs.Stores;

/// <summary>
/// The containers of a root that its daemon would load: every <c>containers/&lt;id&gt;/</c> whose configuration reads
/// and names the root's storage driver, indexed by ID, name and sorted ID for Docker's lookups. Both eras.
/// </summary>
internal sealed class ContainerIndex
{
    private ContainerIndex(List<ContainerRecord> all, IReadOnlyList<FsckFinding> unreadable)
    {
        All = all;
        Unreadable = unreadable;
        ById = all.ToDictionary(c => c.Id, StringComparer.Ordinal);
        ByName = all.Where(c => c.Name.Length > 0).GroupBy(c => c.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<ContainerRecord>)[.. g], StringComparer.Ordinal);
        SortedIds = [.. all.Select(c => c.Id)];
    }

    /// <summary>Gets the containers, sorted by ID.</summary>
    public IReadOnlyList<ContainerRecord> All { get; }

    /// <summary>Gets the containers by full ID.</summary>
    public Dictionary<string, ContainerRecord> ById { get; }

    /// <summary>Gets the containers by name (without its leading slash).</summary>
    public Dictionary<string, IReadOnlyList<ContainerRecord>> ByName { get; }

    /// <summary>Gets the container directories (or configuration files) this process was not allowed to read, skipped with a warning.</summary>
    public IReadOnlyList<FsckFinding> Unreadable { get; }

    /// <summary>Gets the IDs, sorted.</summary>
    public string[] SortedIds { get; }

    /// <summary>
    /// Reads every container directory of <paramref name="containersDirectory"/> as the daemon's restore does: names that
    /// are not IDs are ignored; a container whose configuration cannot be read, or that another storage driver wrote, is
    /// skipped with a logged warning; one this process may not read is skipped with a warning too, and kept in
    /// <see cref="Unreadable"/>.
    /// </summary>
    /// <exception cref="UnsafePathException">The containers directory is a symbolic link (never followed).</exception>
    /// <exception cref="PathAccessDeniedException">The containers directory cannot be listed by this process.</exception>
    public static ContainerIndex Read(ImageStore store, string containersDirectory, string configFileName)
    {
        var (fileSystem, driver, logger) = (store.FileSystem, store.Driver.Name, store.Logger);
        var all = new List<ContainerRecord>();
        var unreadable = new List<FsckFinding>();
        IO.NoFollow.RequireNotLink(fileSystem, containersDirectory);
        if (fileSystem.Directory.Exists(containersDirectory))
        {
            List<string> directories;
            try
            {
                directories = [.. fileSystem.Directory.EnumerateDirectories(containersDirectory)];
            }
            catch (Exception e) when (IO.AccessProblems.IsDenied(e))
            {
                throw store.Describe(containersDirectory, e);
            }

            foreach (var path in directories)
            {
                var id = fileSystem.Path.GetFileName(path);
                if (!DockerIds.IsId(id))
                {
                    continue;
                }

                ContainerRecord container;
                try
                {
                    container = ContainerRecord.Read(fileSystem, containersDirectory, id, configFileName);
                }
                catch (DockerDataException) when (store.Refusal(fileSystem.Path.Combine(path, configFileName)) is { } denied)
                {
                    // Its configuration looks missing only because this process may not look: say so, not "missing".
                    store.ReportUnreadable(denied.Path, denied, $"container {id} is not listed", unreadable);
                    continue;
                }
                catch (DockerDataException e)
                {
                    Log.ContainerSkipped(logger, id, e.Message);
                    continue;
                }
                catch (Exception e) when (IO.AccessProblems.IsDenied(e))
                {
                    store.ReportUnreadable(path, e, $"container {id} is not listed", unreadable);
                    continue;
                }

                if (container.Driver != driver)
                {
                    Log.ContainerOfOtherDriver(logger, id, container.Driver, driver);
                    continue;
                }

                all.Add(container);
            }
        }

        all.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return new ContainerIndex(all, unreadable);
    }

    /// <summary>
    /// Finds a container as Docker's <c>GetContainer</c> does: full ID, then name (with or without its slash), then a
    /// unique ID prefix.
    /// </summary>
    /// <param name="reference">The reference.</param>
    /// <param name="whyNotLoaded">For a full ID whose directory exists but was not loaded, why (so the error says it), or <see langword="null"/>.</param>
    /// <exception cref="ContainerNotFoundException">Nothing matches.</exception>
    /// <exception cref="AmbiguousReferenceException">The reference matches several containers.</exception>
    public ContainerRecord Find(string reference, Func<string, string?> whyNotLoaded)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        if (ById.TryGetValue(reference, out var byId))
        {
            return byId;
        }

        var name = reference.StartsWith('/') ? reference[1..] : reference;
        if (ByName.TryGetValue(name, out var named))
        {
            return named.Count == 1 ? named[0] : throw new AmbiguousReferenceException(reference, [.. named.Select(c => c.Id).Order(StringComparer.Ordinal)]);
        }

        if (DockerIds.IsId(reference) && whyNotLoaded(reference) is { } why)
        {
            throw new ContainerNotFoundException(reference, why);
        }

        var matches = new List<string>();
        if (!reference.Contains(' ', StringComparison.Ordinal))
        {
            var start = Array.BinarySearch(SortedIds, reference, StringComparer.Ordinal);
            for (var i = start < 0 ? ~start : start; i < SortedIds.Length && SortedIds[i].StartsWith(reference, StringComparison.Ordinal); i++)
            {
                matches.Add(SortedIds[i]);
            }
        }

        return matches.Count switch
        {
            0 => throw new ContainerNotFoundException(reference),
            1 => ById[matches[0]],
            _ => throw new AmbiguousReferenceException(reference, matches),
        };
    }

    /// <summary>Sorts containers as <c>docker ps -a</c> lists them: newest first, then by ID.</summary>
    public static void SortNewestFirst(List<Container> containers) =>
        containers.Sort(static (a, b) =>
        {
            var byCreated = Nullable.Compare(b.Created?.Value, a.Created?.Value);
            return byCreated != 0 ? byCreated : string.CompareOrdinal(a.Id, b.Id);
        });
}
