namespace Docker.Aufs.Tests.Hostile;

/// <summary>
/// The seeds and the cases made from them, built once per test run and shared by the test classes of the corpus (xunit
/// asks for theory data before any fixture exists, and the case names need the seeds).
/// </summary>
internal static class HostileCorpus
{
    private static readonly Lazy<IReadOnlyDictionary<string, HostileCase>> InMemory = new(() =>
        HostileMutations.All(HostileSeed.Sample(), HostileSeed.Small()).ToDictionary(c => c.Name, StringComparer.Ordinal));

    /// <summary>Gets every in-memory case by name.</summary>
    public static IReadOnlyDictionary<string, HostileCase> Cases => InMemory.Value;
}
