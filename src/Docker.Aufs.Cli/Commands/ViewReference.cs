using System.CommandLine;
using Docker.Aufs.Union;

namespace Docker.Aufs.Cli.Commands;

/// <summary>The REF of <c>ls</c>, <c>cat</c> and <c>export</c>: a container, else an image; with <c>--layer</c>, an AUFS layer.</summary>
internal static class ViewReference
{
    public static Argument<string> Argument() => new("REF")
    {
        Description = "A container (ID, name or unique ID prefix) or, if none matches, an image (name[:tag], name@digest, ID prefix); with --layer, an AUFS layer ID or unique prefix",
    };

    public static Option<bool> LayerOption() => new("--layer")
    {
        Description = "REF is a layer of the storage driver (an image's, a container's or its -init layer: an aufs/layers/ name, an overlay2 cache-id or mount-id); works on a root that has the driver's directory but no image store",
    };

    /// <summary>
    /// Opens the merged view REF names. Without <c>--layer</c> a container is tried first, then an image, as
    /// <c>docker inspect</c> of Docker 1.9 does.
    /// </summary>
    public static UnionView Open(Session session, string reference, bool layer) => Open(session.OpenRoot(), reference, layer);

    /// <summary>Opens the merged view REF names in <paramref name="root"/> (see <see cref="Open(Session, string, bool)"/>).</summary>
    public static UnionView Open(IDockerRoot root, string reference, bool layer)
    {
        if (layer)
        {
            return root.OpenLayer(reference);
        }

        try
        {
            return root.OpenContainer(reference);
        }
        catch (ContainerNotFoundException)
        {
            try
            {
                return root.OpenImage(reference);
            }
            catch (ImageNotFoundException e) when (e.Message == new ImageNotFoundException(reference).Message)
            {
                throw new ImageNotFoundException(reference, "no container matches it either");
            }
        }
    }
}
