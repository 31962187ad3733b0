using Docker.Aufs.Drivers.Aufs;
using Docker.Aufs.Union;

namespace Docker.Aufs;

public sealed partial class DockerRoot
{
    /// <inheritdoc/>
    public UnionView GetImageView(string reference)
    {
        var aufs = RequireAufs();
        var stack = Resolve(reference);
        return UnionView.ForAufsLayer(aufs, stack.ImageId, Metadata, _logger);
    }

    /// <inheritdoc/>
    public UnionView GetLayerView(string layerId)
    {
        var aufs = RequireAufs();
        return UnionView.ForAufsLayer(aufs, UnionView.ResolveAufsLayerId(aufs, layerId), Metadata, _logger);
    }

    private AufsDriver RequireAufs() =>
        Aufs ?? throw new NotALegacyRootException(Path, $"is read with the {Driver} storage driver; merged views are built from AUFS branches only");
}
