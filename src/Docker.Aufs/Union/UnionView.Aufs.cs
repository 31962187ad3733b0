using Docker.Aufs.Drivers.Aufs;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Docker.Aufs.Union;

public sealed partial class UnionView
{
    /// <summary>
    /// Opens the merged view of an AUFS layer, at the driver level: the branch <c>aufs/diff/&lt;id&gt;</c> on top of those
    /// listed in <c>aufs/layers/&lt;id&gt;</c>, in that order. Works for image layers, container layers (<c>&lt;cid&gt;</c>,
    /// <c>&lt;cid&gt;-init</c>) and roots without <c>graph/</c>.
    /// </summary>
    /// <param name="driver">The AUFS driver directory.</param>
    /// <param name="layerId">A full layer ID (see <see cref="ResolveAufsLayerId"/> for prefixes).</param>
    /// <param name="metadata">The source of <c>lstat</c> facts for the driver's file system.</param>
    /// <param name="loggerFactory">Where warnings go, or <see langword="null"/> for none.</param>
    /// <returns>The view.</returns>
    /// <exception cref="ArgumentException"><paramref name="layerId"/> is not a layer ID.</exception>
    /// <exception cref="LayerNotFoundException">There is no <c>aufs/layers/&lt;id&gt;</c>.</exception>
    /// <exception cref="BrokenLayerChainException">A branch named by the layers file is missing or is not a directory.</exception>
    /// <exception cref="UnsafePathException">A branch is a symbolic link that leads outside the Docker root.</exception>
    /// <exception cref="DockerDataException">The layers file is corrupt.</exception>
    public static UnionView ForAufsLayer(AufsDriver driver, string layerId, IUnixMetadataProvider metadata, ILoggerFactory? loggerFactory = null) =>
        ForAufsLayer(driver, layerId, metadata, (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Docker.Aufs"));

    internal static UnionView ForAufsLayer(AufsDriver driver, string layerId, IUnixMetadataProvider metadata, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(driver);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentException.ThrowIfNullOrEmpty(layerId);
        var layerFile = driver.GetLayerFilePath(layerId);
        if (!driver.FileSystem.File.Exists(layerFile))
        {
            throw new LayerNotFoundException(layerId, driver.LayersDirectory);
        }

        var ids = new List<string> { layerId };
        ids.AddRange(driver.ReadLayerFile(layerId).Ancestors);
        var branches = new List<UnionBranch>(ids.Count);
        foreach (var id in ids)
        {
            var branch = driver.ResolveBranch(id, metadata, logger);
            if (branch.Type is null)
            {
                throw new BrokenLayerChainException(id, branch.Path, $"its AUFS branch directory is missing (the layer is named by {layerFile})");
            }

            branches.Add(new UnionBranch(id, branch.Path)); // anything but a directory is rejected by the constructor, with the path
        }

        return new UnionView(driver.FileSystem, metadata, branches, logger);
    }

    /// <summary>Resolves a full AUFS layer ID or a unique prefix of one among the files of <c>aufs/layers/</c>.</summary>
    /// <param name="driver">The AUFS driver directory.</param>
    /// <param name="reference">A full layer ID (<c>&lt;id&gt;</c> or <c>&lt;id&gt;-init</c>) or a prefix.</param>
    /// <returns>The full layer ID.</returns>
    /// <exception cref="ArgumentException"><paramref name="reference"/> is empty.</exception>
    /// <exception cref="LayerNotFoundException">No layer matches.</exception>
    /// <exception cref="AmbiguousReferenceException">The prefix matches several layers.</exception>
    public static string ResolveAufsLayerId(AufsDriver driver, string reference)
    {
        ArgumentNullException.ThrowIfNull(driver);
        ArgumentException.ThrowIfNullOrEmpty(reference);
        var ids = driver.GetLayerIds();
        if (DockerIds.IsLayerId(reference))
        {
            return ids.Contains(reference, StringComparer.Ordinal) ? reference : throw new LayerNotFoundException(reference, driver.LayersDirectory);
        }

        var matches = ids.Where(id => id.StartsWith(reference, StringComparison.Ordinal)).ToList();
        return matches.Count switch
        {
            0 => throw new LayerNotFoundException(reference, driver.LayersDirectory),
            1 => matches[0],
            _ => throw new AmbiguousReferenceException(reference, matches),
        };
    }
}
