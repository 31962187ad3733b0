namespace Docker.Aufs.Stores;

/// <summary>What both stores' checks (fsck) do first with their tag store: report it missing, empty or corrupt, else read it.</summary>
internal static class TagStoreCheck
{
    /// <summary>Reads the tag store at <paramref name="path"/> for a check, or reports why it cannot be read.</summary>
    /// <param name="sink">Where findings go.</param>
    /// <param name="path">The tag store's file.</param>
    /// <param name="name">What the store is called in messages ("tag store", "reference store").</param>
    /// <param name="lostHint">The hint when its content is lost.</param>
    /// <returns>The index, or <see langword="null"/> when there is nothing more to check.</returns>
    public static RepositoryIndex? Read(FindingSink sink, string path, string name, string lostHint)
    {
        var fs = sink.FileSystem;
        if (sink.IsUnsafeLink(path))
        {
            return null;
        }

        if (!fs.File.Exists(path))
        {
            sink.Add(FindingCodes.RepositoriesMissing, FindingSeverity.Info, path, $"there is no {name}: no image has a name", "images stay reachable by ID");
            return null;
        }

        try
        {
            return RepositoryIndex.Read(fs, path);
        }
        catch (CorruptFileException e)
        {
            var empty = fs.FileInfo.New(path).Length == 0;
            sink.Add(empty ? FindingCodes.RepositoriesEmpty : FindingCodes.RepositoriesCorrupt, FindingSeverity.Warning, path,
                empty ? $"the {name} is empty (written while the disk was full)" : e.Problem, lostHint);
            return null;
        }
    }
}
