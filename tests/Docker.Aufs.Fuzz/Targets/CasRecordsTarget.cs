using Docker.Aufs.Stores.ContentAddressed;

namespace Docker.Aufs.Fuzz.Targets;

/// <summary>
/// The records of a Docker 1.10+ root: <c>image/aufs/repositories.json</c>, or the files of redis's top layer record in
/// <c>layerdb/sha256/&lt;chain&gt;/</c> (<c>diff</c>, <c>size</c>, <c>cache-id</c>, <c>parent</c>, the input split at NUL
/// bytes; a part that is not given deletes its file). Every read of the root, and fsck, must answer or refuse with the
/// library's own exceptions.
/// </summary>
internal sealed class CasRecordsTarget(bool layerRecord) : FuzzTarget
{
    private const string Store = "image/aufs";

    private static readonly string[] RecordFiles = ["diff", "size", "cache-id", "parent"];

    private static readonly string[] References = ["redis", "busybox:latest", "redis@sha256:" + new string('0', 64), "sha256:59bc11bfb35d"];

    private SampleFixture _sample = null!;

    private string _record = null!;

    public override string Name => layerRecord ? "cas-layer-record" : "cas-repositories";

    public override string Description => layerRecord
        ? "layerdb/sha256/<chain>/{diff,size,cache-id,parent} split at NUL: CasLayer.Read, images, layers, containers, fsck"
        : "image/aufs/repositories.json: RepositoryIndex, reference lookups (must agree with the index), images, fsck";

    protected override void Setup()
    {
        _sample = SampleFixture.CreateContentAddressed();
        _record = $"{Store}/layerdb/sha256/{_sample.LayerIds[^1]["sha256:".Length..]}";
    }

    protected override void Execute(byte[] input)
    {
        if (layerRecord)
        {
            WriteRecord(input);
        }
        else
        {
            _sample.Write($"{Store}/repositories.json", input);
        }

        var root = _sample.Open();
        var images = Step(root.GetImages);
        foreach (var reference in References)
        {
            _ = Step(() => root.ResolveImage(reference).Layers.Count);
        }

        _ = Step(() => root.ResolveLayer(_sample.LayerIds[^1]).Size);
        _ = Step(() => root.GetContainers().Count);
        _ = Step(() => RootChecker.Check(_sample.FileSystem, SampleFixture.RootPath, _sample.Options, verifyContent: false).Findings.Count);

        if (!layerRecord && images is not null)
        {
            // Every tag an image lists resolves back to that image.
            var store = (CasStore)((DockerRoot)root).ImageStore;
            _ = store.References.Index.Entries.Count;
            foreach (var image in images)
            {
                foreach (var tag in image.RepoTags)
                {
                    var resolved = Outcome(() => _sample.Open().ResolveImage(tag).Id);
                    if (resolved != "= " + image.Id)
                    {
                        throw new FuzzFindingException($"the image {image.Id} lists the tag {tag}, which resolves {resolved}");
                    }
                }
            }
        }
    }

    private void WriteRecord(byte[] input)
    {
        var parts = new List<byte[]>();
        var start = 0;
        for (var i = 0; i <= input.Length && parts.Count < RecordFiles.Length; i++)
        {
            if (i == input.Length || input[i] == 0)
            {
                parts.Add(input[start..i]);
                start = i + 1;
            }
        }

        for (var i = 0; i < RecordFiles.Length; i++)
        {
            var path = SampleFixture.PathOf($"{_record}/{RecordFiles[i]}");
            if (i < parts.Count)
            {
                _sample.FileSystem.File.WriteAllBytes(path, parts[i]);
            }
            else if (_sample.FileSystem.File.Exists(path))
            {
                _sample.FileSystem.File.Delete(path);
            }
        }
    }
}
