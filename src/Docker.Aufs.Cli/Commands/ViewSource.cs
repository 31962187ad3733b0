using System.CommandLine;
using Docker.Aufs.Union;
using Docker.Aufs.Volumes;

namespace Docker.Aufs.Cli.Commands;

/// <summary>
/// What <c>ls</c>, <c>cat</c> and <c>cp</c> read: the merged view REF names (<see cref="ViewReference"/>) or, with
/// <c>--volumes</c>, a container's files with its local volumes where its configuration mounts them
/// (<see cref="ContainerFiles"/>). Every path shown is the path in the container.
/// </summary>
internal sealed class ViewSource
{
    private readonly UnionView? _view;
    private readonly ContainerFiles? _files;

    private ViewSource(UnionView? view, ContainerFiles? files)
    {
        _view = view;
        _files = files;
    }

    public static Option<bool> VolumesOption() => new("--volumes")
    {
        Description = "REF is a container: show its local volumes where its configuration mounts them (volumes/<name>/_data, or vfs/dir/<id> before Docker 1.7); a bind mount's host path is never read",
    };

    /// <summary>Opens REF: with <paramref name="volumes"/>, a container with its volumes (no image, no --layer).</summary>
    public static ViewSource Open(Session session, IDockerRoot root, string reference, bool layer, bool volumes)
    {
        if (!volumes)
        {
            return new ViewSource(ViewReference.Open(root, reference, layer), null);
        }

        if (layer)
        {
            throw new NotSupportedException("--volumes shows a container's volumes; it cannot be combined with --layer");
        }

        try
        {
            return new ViewSource(null, new ContainerVolumes(root, session.LoggerFactory).Open(reference));
        }
        catch (ContainerNotFoundException e) when (e.Message == new ContainerNotFoundException(reference).Message)
        {
            throw new ContainerNotFoundException(reference, "--volumes shows a container's volumes; an image has none");
        }
    }

    /// <summary>Where <paramref name="path"/> is read from.</summary>
    public ContainerPath Locate(string path) =>
        _files?.Locate(path) ?? new ContainerPath(_view!, path, string.Empty, null);

    /// <summary>Everything below the directory <paramref name="entry"/> of <paramref name="at"/>, depth first; a volume's content replaces what the container's layers hold under its mount point.</summary>
    public IEnumerable<(UnionEntry Entry, string Path)> EnumerateRecursive(ContainerPath at, UnionEntry entry)
    {
        var mounts = _files is null ? [] : _files.Mounts.Where(m => m.Kind == ContainerMountKind.Volume).Select(m => Formats.GoPath.Clean("/" + m.Destination).TrimStart('/')).ToHashSet(StringComparer.Ordinal);
        string? skipping = null;
        foreach (var child in at.View.EnumerateRecursive(entry.Path))
        {
            var path = at.InContainer(child);
            if (skipping is not null && path.StartsWith(skipping + "/", StringComparison.Ordinal))
            {
                continue;
            }

            skipping = null;
            if (at.Mount is null && child.IsDirectory && mounts.Contains(path))
            {
                var volume = _files!.Locate(path);
                yield return (volume.View.Root, path);
                foreach (var inner in EnumerateRecursive(volume, volume.View.Root))
                {
                    yield return inner;
                }

                skipping = path;
                continue;
            }

            yield return (child, path);
        }
    }
}
