using System.Globalization;
using System.IO.Abstractions;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Stores.Graph;

/// <summary>
/// Writes the graph era's files as Docker 1.9 wrote them (docs/format/graph-era.md §2–§4): the root's top-level
/// directories, <c>graph/&lt;id&gt;/</c> and the tag store. The write side of <see cref="GraphLayer"/> and
/// <see cref="RepositoryIndex"/>, used by import and by the Testing package's builder.
/// </summary>
internal static class GraphWriter
{
    /// <summary>Creates <c>graph/</c>, <c>graph/_tmp</c>, <c>containers/</c> and the other directories a Docker 1.9 root has, plus the given ones.</summary>
    public static void CreateSkeleton(IFileSystem fs, string root, IEnumerable<string> driverDirectories)
    {
        var graph = fs.Path.Combine(root, LegacyLayout.GraphDirectory);
        foreach (var directory in new[] { graph, fs.Path.Combine(graph, GraphFiles.TempDirectory), fs.Path.Combine(root, LegacyLayout.ContainersDirectory),
                     fs.Path.Combine(root, "tmp"), fs.Path.Combine(root, "trust"), fs.Path.Combine(root, "volumes") }.Concat(driverDirectories))
        {
            fs.Directory.CreateDirectory(directory);
        }
    }

    /// <summary>Creates <c>graph/&lt;id&gt;/</c> and returns its path.</summary>
    public static string CreateLayerDirectory(IFileSystem fs, string root, string id)
    {
        var directory = fs.Path.Combine(root, LegacyLayout.GraphDirectory, DockerIds.RequireId(id, root));
        fs.Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>Writes <c>json</c> and, unless <paramref name="layerSize"/> is <see langword="null"/>, <c>layersize</c> (decimal, no newline).</summary>
    public static void WriteLayer(IFileSystem fs, string layerDirectory, ReadOnlySpan<byte> json, long? layerSize)
    {
        fs.File.WriteAllBytes(fs.Path.Combine(layerDirectory, GraphFiles.Json), json.ToArray());
        if (layerSize is { } size)
        {
            fs.File.WriteAllText(fs.Path.Combine(layerDirectory, GraphFiles.LayerSize), size.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Writes one of the files of <c>graph/&lt;id&gt;/</c> as given (for the optional ones and for damaged fixtures).</summary>
    public static void WriteFile(IFileSystem fs, string layerDirectory, string name, ReadOnlySpan<byte> content) =>
        fs.File.WriteAllBytes(fs.Path.Combine(layerDirectory, name), content.ToArray());

    /// <summary>Creates <c>tar-data.json.gz</c> for writing.</summary>
    public static Stream CreateTarSplit(IFileSystem fs, string layerDirectory) =>
        fs.FileStream.New(fs.Path.Combine(layerDirectory, GraphFiles.TarSplit), FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.None);

    /// <summary>Writes the tag store <c>repositories-&lt;driver&gt;</c> as given (for damaged fixtures).</summary>
    public static void WriteRepositories(IFileSystem fs, string root, string driver, ReadOnlySpan<byte> content) =>
        fs.File.WriteAllBytes(fs.Path.Combine(root, RepositoryIndex.FileName(driver)), content.ToArray());

    /// <summary>Writes the tag store <c>repositories-&lt;driver&gt;</c> with these tags (<c>name</c>, <c>name:tag</c> or <c>name@digest</c>, normalized as Docker stores them).</summary>
    public static void WriteRepositories(IFileSystem fs, string root, string driver, IEnumerable<(string Reference, string ImageId)> tags) =>
        WriteRepositories(fs, root, driver, RepositoryIndex.FromEntries(tags.Select(t => Entry(t.Reference, t.ImageId))).Serialize());

    /// <summary>The tag store's entry for a reference as a user typed it.</summary>
    public static RepositoryEntry Entry(string reference, string imageId)
    {
        var parsed = ImageReference.Parse(reference);
        return new RepositoryEntry(parsed.LocalName, parsed.TagOrDigest, imageId);
    }
}
