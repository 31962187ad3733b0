using System.Globalization;
using System.IO.Abstractions;
using System.Text;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Stores.ContentAddressed;

/// <summary>
/// Writes the content-addressed store's files as Docker 1.10–23.x writes them (docs/format/content-addressed.md §3–§8):
/// <c>image/&lt;driver&gt;/</c> with <c>imagedb</c>, <c>layerdb</c> and the reference store, and <c>containers/</c>. The
/// write side of <see cref="CasStore"/>, used by import and by the Testing package's builder.
/// </summary>
internal static class CasWriter
{
    /// <summary>Creates <c>image/&lt;driver&gt;/</c> with its <c>imagedb</c> and <c>layerdb</c> directories, <c>containers/</c> and the other top-level directories of a 1.10+ root, plus the given ones.</summary>
    /// <returns>The full path of <c>image/&lt;driver&gt;</c>.</returns>
    public static string CreateSkeleton(IFileSystem fs, string root, string driver, IEnumerable<string> driverDirectories)
    {
        var store = fs.Path.Combine(root, CasLayout.StoreDirectory(driver));
        foreach (var directory in new[]
                 {
                     fs.Path.Combine(store, CasLayout.Content), fs.Path.Combine(store, CasLayout.Metadata), fs.Path.Combine(store, CasLayout.Layers),
                     fs.Path.Combine(store, CasLayout.Mounts), fs.Path.Combine(store, CasLayout.Staging), fs.Path.Combine(store, "distribution"),
                     fs.Path.Combine(root, ContainerRecord.DirectoryName), fs.Path.Combine(root, "tmp"), fs.Path.Combine(root, "trust"),
                     fs.Path.Combine(root, "volumes"), fs.Path.Combine(root, "network"),
                 }.Concat(driverDirectories))
        {
            fs.Directory.CreateDirectory(directory);
        }

        return store;
    }

    /// <summary>Writes an image config as given; its name is the hex of its SHA-256, which is returned as the image ID (<c>sha256:…</c>).</summary>
    public static string WriteConfig(IFileSystem fs, string store, ReadOnlySpan<byte> config)
    {
        var id = Digests.Sha256(config);
        fs.File.WriteAllBytes(fs.Path.Combine(store, CasLayout.Content, Digests.Hex(id)), config.ToArray());
        return id;
    }

    /// <summary>Writes <c>imagedb/metadata/sha256/&lt;hex&gt;/parent</c> (what classic builds, commits and loads record).</summary>
    public static void WriteImageParent(IFileSystem fs, string store, string imageId, string parentId) =>
        WriteSmall(fs, fs.Path.Combine(store, CasLayout.Metadata, Digests.Hex(imageId)), CasLayout.ParentFile, parentId);

    /// <summary>
    /// Writes a layer record <c>layerdb/sha256/&lt;hex of ChainID&gt;/</c>: <c>diff</c>, <c>size</c>, <c>cache-id</c>, <c>parent</c>
    /// (unless a base layer) and, when given, the gzip-compressed tar-split data.
    /// </summary>
    /// <returns>The full path of the layer's directory.</returns>
    public static string WriteLayer(IFileSystem fs, string store, string chainId, string diffId, long size, string cacheId, string? parent, ReadOnlySpan<byte> tarSplit, bool writeTarSplit = true)
    {
        var directory = fs.Path.Combine(store, CasLayout.Layers, Digests.Hex(chainId));
        WriteSmall(fs, directory, CasLayout.DiffFile, diffId);
        WriteSmall(fs, directory, CasLayout.SizeFile, size.ToString(CultureInfo.InvariantCulture));
        WriteSmall(fs, directory, CasLayout.CacheIdFile, cacheId);
        if (parent is not null)
        {
            WriteSmall(fs, directory, CasLayout.ParentFile, parent);
        }

        if (writeTarSplit)
        {
            fs.File.WriteAllBytes(fs.Path.Combine(directory, CasLayout.TarSplitFile), tarSplit.ToArray());
        }

        return directory;
    }

    /// <summary>Writes a container's read-write layer record <c>layerdb/mounts/&lt;container id&gt;/</c>.</summary>
    public static void WriteMount(IFileSystem fs, string store, string containerId, string mountId, string? initId, string? parent)
    {
        var directory = fs.Path.Combine(store, CasLayout.Mounts, containerId);
        WriteSmall(fs, directory, CasLayout.MountIdFile, mountId);
        if (initId is not null)
        {
            WriteSmall(fs, directory, CasLayout.InitIdFile, initId);
        }

        if (parent is not null)
        {
            WriteSmall(fs, directory, CasLayout.ParentFile, parent);
        }
    }

    /// <summary>Writes the reference store as given (for damaged fixtures).</summary>
    public static void WriteReferences(IFileSystem fs, string store, ReadOnlySpan<byte> content) =>
        fs.File.WriteAllBytes(fs.Path.Combine(store, CasLayout.Repositories), content.ToArray());

    /// <summary>
    /// Writes the reference store with these references, each stored as Docker's reference store stores it: under its
    /// familiar name, as its familiar string (<c>busybox:latest</c>, <c>busybox@sha256:…</c>), the default tag added.
    /// </summary>
    /// <exception cref="ArgumentException">A reference does not parse.</exception>
    public static void WriteReferences(IFileSystem fs, string store, IEnumerable<(string Reference, string ImageId)> references) =>
        WriteReferences(fs, store, RepositoryIndex.FromEntries(references.Select(r => Entry(r.Reference, r.ImageId))).Serialize());

    /// <summary>The reference store's entry for a reference as a user typed it.</summary>
    /// <exception cref="ArgumentException">The reference does not parse.</exception>
    public static RepositoryEntry Entry(string reference, string imageId)
    {
        if (!NamedReference.TryParse(reference, out var parsed, out var problem))
        {
            throw new ArgumentException($"'{reference}' is not a reference Docker stores ({problem}).", nameof(reference));
        }

        var stored = parsed.ForLookup();
        return new RepositoryEntry(stored.FamiliarName, stored.FamiliarString, imageId);
    }

    private static void WriteSmall(IFileSystem fs, string directory, string name, string content)
    {
        fs.Directory.CreateDirectory(directory);
        fs.File.WriteAllBytes(fs.Path.Combine(directory, name), Encoding.UTF8.GetBytes(content));
    }
}
