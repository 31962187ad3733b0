namespace Docker.Aufs.Tests.Fsck;

/// <summary>fsck of a Docker 1.10+ root: the clean sample has no finding, and each fault of <see cref="CasFaults"/> gives its own code.</summary>
public sealed class CasCheckerTests
{
    public static TheoryData<string> FaultNames() => [.. CasFaults.All.Keys];

    [Fact]
    public void Check_TheContentAddressedSample_HasNoFindingWithItsContentVerified()
    {
        var report = new CasSample().Check();
        Assert.True(report.IsClean, string.Join('\n', report.Findings));
        Assert.Equal((CasSample.R, "aufs"), (report.Root, report.Driver));
    }

    [Theory]
    [MemberData(nameof(FaultNames))]
    public void Check_EachFaultOfAContentAddressedRoot_IsReportedWithItsCodeAndNoUnrelatedOne(string fault)
    {
        var sample = new CasSample(CasFaults.All[fault].Driver);
        var (inject, code, severity, path, also) = CasFaults.All[fault];
        inject(sample);

        var findings = sample.Check().Findings;

        var described = string.Join('\n', findings);
        Assert.True(findings.Any(f => f.Code == code && f.Severity == severity && f.Path == path(sample)), $"no {code} ({severity}) at {path(sample)}:\n{described}");
        Assert.True(findings.All(f => f.Code == code || also.Contains(f.Code)), $"codes beyond {code} and {string.Join(", ", also)}:\n{described}");
        Assert.All(also, a => Assert.Contains(findings, f => f.Code == a));
        Assert.All(findings, f => Assert.False(string.IsNullOrWhiteSpace(f.Message) || string.IsNullOrWhiteSpace(f.Hint)));
    }

    [Fact]
    public void Check_ALayerFileChangedOnAContentAddressedRoot_IsNotSeenWithoutContentVerification()
    {
        var sample = new CasSample();
        CasFaults.All["a file of the layer changed, same size"].Inject(sample);
        Assert.Empty(sample.Check(verifyContent: false).Findings);
        Assert.NotEmpty(sample.Check().Findings);
    }

    [Fact]
    public void Check_AContainerWhoseConfigDoesNotRead_StillOwnsItsReadWriteAndInitLayers()
    {
        var sample = new CasSample();
        sample.Fs.File.WriteAllText($"{CasSample.R}/containers/{CasSample.Container}/config.v2.json", "{\"ID\":");

        var findings = sample.Check().Findings;

        Assert.Contains(findings, f => f.Code == FindingCodes.ContainerConfigCorrupt);
        Assert.DoesNotContain(findings, f => f.Code is FindingCodes.OrphanDriverLayer or FindingCodes.OrphanLayer or FindingCodes.OrphanMount);
    }

    [Fact]
    public void Check_ALayerRecordThatDoesNotLoad_StillOwnsTheDriverLayerItsCacheIdNames()
    {
        var sample = new CasSample();
        sample.Fs.File.WriteAllText(CasSample.Layer(sample.BusyboxLayer) + "/size", "12 bytes");

        var findings = sample.Check().Findings;

        Assert.Contains(findings, f => f.Code == FindingCodes.LayerRecordCorrupt && f.Path == CasSample.Layer(sample.BusyboxLayer) + "/size");
        Assert.DoesNotContain(findings, f => f.Code == FindingCodes.OrphanDriverLayer);
    }

    [Fact]
    public void Check_LayersAboveAParentThatDoesNotLoad_AreNotReportedAsCorruptTarSplitData()
    {
        var sample = new CasSample();
        sample.Fs.File.Delete(CasSample.Layer(sample.RedisBase) + "/diff");

        var findings = sample.Check().Findings;

        Assert.Contains(findings, f => f.Code == FindingCodes.MissingParent);
        Assert.DoesNotContain(findings, f => f.Code == FindingCodes.TarSplitCorrupt); // was "is missing" at each tar-split.json.gz above it
    }

    /// <summary>
    /// The codes only a graph-era root can give: <c>graph/</c> JSON and <c>layersize</c> files, the tag store's
    /// <c>.corrupt</c> copy, <c>graph/&lt;id&gt;</c> without driver data, a migration marker read as a migrated graph root,
    /// and a parent loop (in layerdb a ChainID hashes its parent's, so a loop made by editing <c>parent</c> files is a
    /// chainid-mismatch).
    /// </summary>
    public static readonly IReadOnlySet<string> GraphOnlyCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        FindingCodes.MigratedRoot, FindingCodes.UnexpectedGraphEntry, FindingCodes.JsonCorrupt, FindingCodes.JsonIdMismatch, FindingCodes.ChainCycle,
        FindingCodes.GraphWithoutDriverData, FindingCodes.LayerSizeMissing, FindingCodes.LayerSizeMalformed, FindingCodes.RepositoriesCorruptCopy,
    };

    [Fact]
    public void Check_EveryCodeAContentAddressedRootCanGive_HasAFaultInTheCasCorpus()
    {
        var codes = typeof(FindingCodes).GetFields().Select(f => (string)f.GetValue(null)!).ToHashSet();
        codes.ExceptWith(GraphOnlyCodes);
        codes.ExceptWith(CasFaults.All.Values.Select(v => v.Code));
        codes.Remove(FindingCodes.TarSplitDeviceMismatch); // the same check as in a graph-era root (seeded there); the samples hold no device node
        codes.Remove(FindingCodes.Unreadable); // only a real disk refuses a read: Hostile/PartlyReadableRootTests, as uid 65534
        Assert.Empty(codes);
    }
}
