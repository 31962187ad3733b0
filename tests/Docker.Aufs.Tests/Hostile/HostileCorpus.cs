namespace Docker.Aufs.Tests.Hostile;

/// <summary>
/// The seeds and the cases made from them, built once per test run and shared by the test classes of the corpus (xunit
/// asks for theory data before any fixture exists, and the case names need the seeds).
/// </summary>
internal static class HostileCorpus
{
    private static readonly Lazy<IReadOnlyDictionary<string, HostileCase>> InMemory = new(() =>
        HostileMutations.All(HostileSeed.Sample(), HostileSeed.Small()).ToDictionary(c => c.Name, StringComparer.Ordinal));

    private static readonly Lazy<IReadOnlyDictionary<string, HostileCase>> ContentAddressedInMemory = new(() =>
        Unique(HostileMutations.ContentAddressed(HostileSeed.Cas())).ToDictionary(c => c.Name, StringComparer.Ordinal));

    private static readonly Lazy<IReadOnlyDictionary<string, HostileCase>> OverlayInMemory = new(() =>
        HostileMutations.Overlay(HostileSeed.Overlay(ImageStoreKind.ContentAddressed)).Concat(HostileMutations.Overlay(HostileSeed.Overlay(ImageStoreKind.Graph)))
            .ToDictionary(c => c.Name, StringComparer.Ordinal));

    /// <summary>Gets every in-memory case of the graph-era seeds by name.</summary>
    public static IReadOnlyDictionary<string, HostileCase> Cases => InMemory.Value;

    /// <summary>Gets every in-memory case of the Docker 1.10+ seed by name.</summary>
    public static IReadOnlyDictionary<string, HostileCase> ContentAddressedCases => ContentAddressedInMemory.Value;

    /// <summary>Gets every in-memory case of the overlay (v1) seeds, both eras, by name.</summary>
    public static IReadOnlyDictionary<string, HostileCase> OverlayCases => OverlayInMemory.Value;

    /// <summary>The cases with <c>#2</c>, <c>#3</c>… added to names already taken.</summary>
    private static IEnumerable<HostileCase> Unique(IEnumerable<HostileCase> cases)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in cases)
        {
            var name = c.Name;
            for (var n = 2; !seen.Add(name); n++)
            {
                name = $"{c.Name} #{n}";
            }

            yield return c with { Name = name };
        }
    }
}
