using Docker.Aufs.Drivers.Aufs;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Logging;
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
            branches.Add(new UnionBranch(id, ResolveBranchDirectory(driver, id, metadata, logger, layerFile)));
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

    /// <summary>
    /// The branch directory of a layer: <c>diff/&lt;id&gt;</c>, or, when that is a symbolic link left by the Docker 0.7
    /// migration (<c>graph/&lt;id&gt;/layer</c> or <c>containers/&lt;id&gt;/rw</c>), its target inside the Docker root. A link
    /// written with the absolute path of a root that has since moved is re-rooted; any other target is refused.
    /// </summary>
    private static string ResolveBranchDirectory(AufsDriver driver, string id, IUnixMetadataProvider metadata, ILogger logger, string layerFile)
    {
        var diff = driver.GetDiffPath(id);
        if (!metadata.TryGetStatus(diff, out var status))
        {
            throw new BrokenLayerChainException(id, diff, $"its AUFS branch directory is missing (the layer is named by {layerFile})");
        }

        if (status.Type != UnixFileType.SymbolicLink)
        {
            return diff; // a directory, or something the view's constructor rejects with the path
        }

        var fs = driver.FileSystem;
        var root = fs.Path.GetDirectoryName(driver.Directory) ?? driver.Directory;
        var target = status.LinkTarget ?? string.Empty;
        string[] allowed = [$"graph/{id}/layer", $"containers/{id}/rw"];
        var relative = RelativeInside(fs, root, target.StartsWith('/') ? target : fs.Path.Combine(driver.DiffDirectory, target));
        relative ??= allowed.FirstOrDefault(suffix => target.TrimEnd('/').EndsWith("/" + suffix, StringComparison.Ordinal));
        if (relative is null || !allowed.Contains(relative, StringComparer.Ordinal))
        {
            throw new UnsafePathException(diff, target);
        }

        // Every component below the root must be a real directory: no further host link is followed.
        var current = root;
        foreach (var part in relative.Split('/'))
        {
            current = current + "/" + part;
            if (!metadata.TryGetStatus(current, out var step) || step.Type != UnixFileType.Directory)
            {
                throw new BrokenLayerChainException(id, current, $"the AUFS branch {diff} is a symbolic link to {target}, which is not a directory in the Docker root");
            }
        }

        Log.BranchRelocated(logger, id, current);
        return current;
    }

    /// <summary>The path of <paramref name="path"/> relative to <paramref name="root"/> after lexical normalization, or <see langword="null"/> when it lies outside.</summary>
    private static string? RelativeInside(System.IO.Abstractions.IFileSystem fs, string root, string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
        }

        var normalized = "/" + string.Join('/', parts);
        var prefix = fs.Path.TrimEndingDirectorySeparator(root) + "/";
        return normalized.StartsWith(prefix, StringComparison.Ordinal) ? normalized[prefix.Length..] : null;
    }
}
