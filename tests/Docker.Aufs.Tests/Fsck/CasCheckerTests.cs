namespace Docker.Aufs.Tests.Fsck;

/// <summary>fsck of a Docker 1.10+ root: the clean sample has no finding, and damage is reported as what it is.</summary>
public sealed class CasCheckerTests
{
    [Fact]
    public void Check_TheContentAddressedSample_HasNoFindingWithItsContentVerified()
    {
        var report = new CasSample().Check();
        Assert.True(report.IsClean, string.Join('\n', report.Findings));
        Assert.Equal((CasSample.R, "aufs"), (report.Root, report.Driver));
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
}
