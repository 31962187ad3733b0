namespace Docker.Aufs.Tests.TestSupport;

/// <summary>Paths of the real-data fixtures copied next to the test assembly.</summary>
internal static class Fixtures
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
}
