using Docker.Aufs.Stores;

namespace Docker.Aufs.Fuzz.Targets;

/// <summary>The tag store <c>repositories-aufs</c> of the sample root.</summary>
internal sealed class RepositoriesTarget : FuzzTarget
{
    private const string FileName = "repositories-aufs";

    private static readonly string[] References = ["busybox", "docker.io/library/redis:3.0", "busybox@sha256:0000"];

    private SampleFixture _sample = null!;

    public override string Name => "repositories";

    public override string Description => "repositories-<driver>: RepositoryIndex.Parse, the one-repository scan of ResolveImageId (must agree with the full read), Serialize";

    protected override void Setup() => _sample = SampleFixture.Create();

    protected override void Execute(byte[] input)
    {
        _sample.Write(FileName, input);
        var path = SampleFixture.PathOf(FileName);

        // A fresh root scans the file for one repository; once the index is read, the lookup uses it. Same answers.
        foreach (var reference in References)
        {
            var scanned = Outcome(() => _sample.Open().ResolveImage(reference).Id);
            var indexed = _sample.Open();
            _ = Graph(indexed).Repositories;
            var read = Outcome(() => indexed.ResolveImage(reference).Id);
            if (scanned != read)
            {
                throw new FuzzFindingException($"ResolveImageId(\"{reference}\"): the scan gives {scanned}, the full index {read}");
            }
        }

        var root = _sample.Open();
        var index = Graph(root).Repositories;
        foreach (var entry in index.Entries)
        {
            _ = (entry.DisplayName, entry.IsDigest, index.ReferencesTo(entry.ImageId).Count);
        }

        _ = index.RepositoryNames.Count();

        var parsed = Step(() => RepositoryIndex.Parse(input, path));
        if (parsed is not null)
        {
            // What Serialize writes parses back to the same file.
            var written = parsed.Serialize();
            var again = RepositoryIndex.Parse(written, path).Serialize();
            if (!written.AsSpan().SequenceEqual(again))
            {
                throw new FuzzFindingException("Serialize, Parse, Serialize does not give the same bytes again");
            }
        }
    }

    private static Docker.Aufs.Stores.Graph.GraphStore Graph(IDockerRoot root) => (Docker.Aufs.Stores.Graph.GraphStore)((DockerRoot)root).ImageStore;
}
