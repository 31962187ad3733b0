namespace Docker.Aufs.Tests.Hostile;

/// <summary>
/// The hostile-input corpus of a Docker 1.10+ root (<see cref="HostileSeed.Cas"/>, <see cref="HostileMutations.ContentAddressed"/>):
/// every case keeps the promises of <see cref="HostileCorpusTests"/>, and a refusal about the root's data names the file.
/// </summary>
public sealed class HostileContentAddressedCorpusTests
{
    /// <summary>
    /// Cases that expose a bug outside the content-addressed store, skipped with the reason until it is fixed: an image
    /// without layers is valid in Docker 1.10+ (a <c>FROM scratch</c> build of metadata only; a config whose <c>rootfs</c>
    /// has no <c>diff_ids</c>), but <c>OpenImage</c> hands the union view no branch (<see cref="ArgumentException"/>) and
    /// <c>ComputeDigests</c> and <c>Save</c> refuse it with <see cref="NotSupportedException"/>, neither documented nor of
    /// the library's family.
    /// </summary>
    public static IEnumerable<TheoryDataRow<string>> Cases =>
        HostileCorpus.ContentAddressedCases.Keys.Select(k => new TheoryDataRow<string>(k));

    [Fact]
    public void TheContentAddressedCorpus_HoldsAtLeast300CasesWithDistinctNames()
    {
        Assert.True(HostileCorpus.ContentAddressedCases.Count >= 300, $"{HostileCorpus.ContentAddressedCases.Count} cases");
        Assert.All(HostileCorpus.ContentAddressedCases, c => Assert.Equal(c.Key, c.Value.Name));
    }

    [Fact]
    public void TheContentAddressedCorpus_EachMutationChangesItsSeed() =>
        HostileCorpusTests.AssertEachMutationChangesItsSeed(HostileCorpus.ContentAddressedCases.Values);

    [Fact]
    public void TheSeed_OpensAsAContentAddressedRootWithItsTagsAndContainer()
    {
        var editor = new RootEditor(HostileSeed.Cas());
        var root = DockerRoot.Open(editor.FileSystem, RootEditor.Root, new DockerRootOptions { Metadata = editor.Metadata });

        Assert.Equal(ImageStoreKind.ContentAddressed, root.Store);
        Assert.Equal(editor.Seed.ImageIds, editor.Seed.Tags.Select(t => root.ResolveImage(t).Id));
        Assert.Equal(editor.Seed.ContainerIds, root.GetContainers().Select(c => c.Id));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryOperation_OnAMalformed110Root_SucceedsOrRefusesNamingTheFileWithinTheBoundAndReadsOnlyTheRoot(string name) =>
        HostileCorpusTests.Run(HostileCorpus.ContentAddressedCases[name], requireFileInMessage: true);
}
