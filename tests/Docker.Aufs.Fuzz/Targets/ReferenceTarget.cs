using System.Text;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Fuzz.Targets;

/// <summary>An image, container or layer reference (UTF-8 input) resolved against the sample root.</summary>
internal sealed class ReferenceTarget : FuzzTarget
{
    private SampleFixture _sample = null!;

    public override string Name => "reference";

    public override string Description => "a reference: ImageReference.Parse, Resolve, ResolveContainer, OpenLayer on the sample root";

    protected override void Setup() => _sample = SampleFixture.Create();

    protected override void Execute(byte[] input)
    {
        var reference = Encoding.UTF8.GetString(input);
        if (reference.Length == 0)
        {
            return; // an empty reference is a caller's mistake (ArgumentException), not data
        }

        var parsed = ImageReference.Parse(reference);
        _ = (parsed.LocalName, parsed.TagOrDigest, parsed.IsDigest, ImageReference.Format(parsed.LocalName, parsed.TagOrDigest));

        var root = _sample.Open();
        Step(() => root.ResolveImage(reference));
        Step(() => root.ResolveContainer(reference));
        Step(() => root.OpenLayer(reference));
    }
}
