namespace Docker.Aufs.Tests.TestSupport;

/// <summary>The repository's own files, for convention tests and doc examples.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Combine(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Docker.Aufs.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The test assembly does not run inside the repository.");
    }
}
