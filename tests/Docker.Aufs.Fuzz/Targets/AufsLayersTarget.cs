using Docker.Aufs.Testing;
using Docker.Aufs.Drivers.Aufs;

namespace Docker.Aufs.Fuzz.Targets;

/// <summary><c>aufs/layers/&lt;id&gt;</c> of busybox's top layer in the sample root.</summary>
internal sealed class AufsLayersTarget : FuzzTarget
{
    private const string Id = SampleRoots.BusyboxId;

    private SampleFixture _sample = null!;

    public override string Name => "aufs-layers";

    public override string Description => "aufs/layers/<id>: AufsLayerFile.Parse (and back from Serialize), ReadLayerFile, Resolve with strict chains, GetLayerView";

    protected override void Setup() => _sample = SampleFixture.Create();

    protected override void Execute(byte[] input)
    {
        var relative = $"aufs/layers/{Id}";
        _sample.Write(relative, input);
        var path = SampleFixture.PathOf(relative);

        var parsed = Step(() => AufsLayerFile.Parse(Id, input, path));
        if (parsed is not null)
        {
            var again = AufsLayerFile.Parse(Id, parsed.Serialize(), path);
            if (!again.Ancestors.SequenceEqual(parsed.Ancestors, StringComparer.Ordinal))
            {
                throw new FuzzFindingException("Parse(Serialize()) gives other ancestors");
            }
        }

        var root = _sample.Open(strictChains: true);
        Step(() => ((Docker.Aufs.Drivers.Aufs.AufsDriver)((DockerRoot)root).LayerDriver).ReadLayerFile(Id));
        Step(() => root.ResolveImage("busybox"));
        var view = Step(() => _sample.Open().OpenLayer(Id));
        if (view is not null)
        {
            Step(() => view.EnumerateRecursive().Count());
        }
    }
}
