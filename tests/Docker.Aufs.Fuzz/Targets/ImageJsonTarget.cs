using Docker.Aufs.Testing;

namespace Docker.Aufs.Fuzz.Targets;

/// <summary><c>graph/&lt;id&gt;/json</c> of busybox's top layer in the sample root.</summary>
internal sealed class ImageJsonTarget : FuzzTarget
{
    private const string Id = SampleRoots.BusyboxId;

    private SampleFixture _sample = null!;

    public override string Name => "image-json";

    public override string Description => "graph/<id>/json: GetLayer, GetHistory, GetImages (its quick check must agree with GetLayer), GetDigests";

    protected override void Setup() => _sample = SampleFixture.Create();

    protected override void Execute(byte[] input)
    {
        _sample.Write($"graph/{Id}/json", input);
        var root = _sample.Open();
        var layer = Step(() => ((Docker.Aufs.Stores.Graph.GraphStore)((DockerRoot)root).ImageStore).ReadLayer(Id));
        if (layer is not null)
        {
            _ = layer.GetJsonValue();
            _ = (layer.Image.Created, layer.Image.Config?.Cmd, layer.Image.ContainerConfig?.Cmd, layer.Image.Size);
        }

        Step(() => root.ResolveImage(Id).History);

        // A listing reads the JSON with a quick check (Graph/ImageJsonCheck) and falls back to the full read: both must agree.
        var images = Step(() => root.GetImages());
        if (layer is not null && images is not null)
        {
            var listed = images.FirstOrDefault(i => i.Id == Id)
                ?? throw new FuzzFindingException("GetLayer reads the tagged layer, but GetImages does not list it");
            if (listed.Created?.Text != layer.Image.Created?.Text || listed.ParentId != layer.Parent || listed.Size != layer.Size)
            {
                throw new FuzzFindingException($"GetImages lists created={listed.Created:o} parent={listed.ParentId} size={listed.Size}, " +
                    $"GetLayer reads created={layer.Image.Created:o} parent={layer.Parent} size={layer.Size}");
            }
        }

        // The v2 config of the migration is made from this JSON (Formats/GoImageConfig).
        Step(() => new Archive.ImageArchiver(root).ComputeDigests(Id));
    }
}
