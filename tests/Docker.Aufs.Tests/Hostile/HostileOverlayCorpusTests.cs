namespace Docker.Aufs.Tests.Hostile;

/// <summary>
/// The hostile-input corpus of overlay (v1) roots of both eras (<see cref="HostileSeed.Overlay"/>, <see cref="HostileMutations.Overlay"/>):
/// every case keeps the promises of <see cref="HostileCorpusTests"/>, and a refusal about the root's data names the file.
/// </summary>
public sealed class HostileOverlayCorpusTests
{
    public static IEnumerable<TheoryDataRow<string>> Cases => HostileCorpus.OverlayCases.Keys.Select(k => new TheoryDataRow<string>(k));

    [Fact]
    public void TheOverlayCorpus_EachMutationChangesItsSeed() =>
        HostileCorpusTests.AssertEachMutationChangesItsSeed(HostileCorpus.OverlayCases.Values);

    [Fact]
    public void TheSeeds_OpenAsOverlayRootsWithTheirTagsAndContainer()
    {
        foreach (var seed in new[] { HostileSeed.Overlay(ImageStoreKind.ContentAddressed), HostileSeed.Overlay(ImageStoreKind.Graph) })
        {
            var editor = new RootEditor(seed);
            var root = DockerRoot.Open(editor.FileSystem, RootEditor.Root, new DockerRootOptions { Metadata = editor.Metadata });

            Assert.Equal("overlay", root.Driver);
            Assert.Equal(seed.ImageIds, seed.Tags.Select(t => root.ResolveImage(t).Id));
            Assert.Equal(seed.ContainerIds, root.GetContainers().Select(c => c.Id));
            Assert.NotEmpty(root.OpenContainer(seed.ContainerIds[0]).GetChanges());
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryOperation_OnAMalformedOverlayRoot_SucceedsOrRefusesNamingTheFileWithinTheBoundAndReadsOnlyTheRoot(string name) =>
        HostileCorpusTests.Run(HostileCorpus.OverlayCases[name], requireFileInMessage: true);
}
