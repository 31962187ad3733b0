using System.IO.Abstractions;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;

namespace Docker.Aufs.Stores.ContentAddressed;

/// <summary>
/// One image config of <c>imagedb/content/sha256/&lt;hex&gt;</c>, read as Docker's image store reads it
/// (docs/format/content-addressed.md §4): the bytes exactly as stored, whose SHA-256 must be the file's name (the image
/// ID); decoded as <c>image.NewFromJSON</c> does, which refuses a config without <c>rootfs</c>.
/// </summary>
/// <param name="Id">The image ID, <c>sha256:</c> and the file's name.</param>
/// <param name="Path">The full path of the config file.</param>
/// <param name="Bytes">The config as stored.</param>
/// <param name="Image">Its legacy fields (<c>created</c>, <c>config</c>, <c>container_config</c>, <c>author</c>, …).</param>
/// <param name="DiffIds">The layers' DiffIDs, base first (<c>rootfs.diff_ids</c>).</param>
/// <param name="History">The <c>history</c> items, oldest first (empty when the config has none).</param>
internal sealed record ImageConfigFile(string Id, string Path, byte[] Bytes, ImageJson Image, IReadOnlyList<string> DiffIds, IReadOnlyList<HistoryJson> History)
{
    /// <summary>Gets the ChainIDs of the layers, base first.</summary>
    public IReadOnlyList<string> ChainIds => field ??= Digests.ChainIds(DiffIds);

    /// <summary>Gets the ChainID of the top layer, or <see langword="null"/> for an image without layers.</summary>
    public string? TopChainId => DiffIds.Count == 0 ? null : ChainIds[^1];

    /// <summary>Reads and verifies the config of image <paramref name="imageId"/> (<c>sha256:</c> and 64 hex).</summary>
    /// <exception cref="FileNotFoundException">There is no such config.</exception>
    /// <exception cref="CorruptFileException">
    /// The bytes do not hash to the image ID (Docker: "failed to verify image"), or they are not a config Docker decodes:
    /// not JSON, a field of the wrong type, no <c>rootfs</c>, a DiffID that is not a digest.
    /// </exception>
    /// <exception cref="UnsafePathException">The file is a symbolic link (never followed).</exception>
    public static ImageConfigFile Read(IFileSystem fileSystem, string contentDirectory, string imageId)
    {
        var path = fileSystem.Path.Combine(contentDirectory, Digests.Hex(imageId));
        return Parse(ReadVerified(fileSystem, path, imageId), imageId, path);
    }

    private static byte[] ReadVerified(IFileSystem fileSystem, string path, string imageId)
    {
        var bytes = SmallFile.TryRead(fileSystem, path, SmallFile.JsonLimit) ?? throw new FileNotFoundException($"There is no image config {path}.", path);
        if (!HashesTo(bytes, imageId))
        {
            throw new CorruptFileException(path, $"its SHA-256 is {Digests.Sha256(bytes)}, not the image ID its name says: the config was changed after Docker wrote it (Docker skips such an image: \"failed to verify image\")");
        }

        return bytes;
    }

    /// <summary>Whether the SHA-256 of <paramref name="bytes"/> is <paramref name="imageId"/> (<c>sha256:</c> and lowercase hex), compared without making a string of it.</summary>
    internal static bool HashesTo(ReadOnlySpan<byte> bytes, string imageId)
    {
        Span<byte> hash = stackalloc byte[32];
        Span<char> hex = stackalloc char[64];
        System.Security.Cryptography.SHA256.HashData(bytes, hash);
        _ = Convert.TryToHexStringLower(hash, hex, out _);
        return imageId.StartsWith(Digests.Sha256Prefix, StringComparison.Ordinal) && imageId.AsSpan(Digests.Sha256Prefix.Length).SequenceEqual(hex);
    }

    /// <summary>Decodes verified config bytes.</summary>
    /// <exception cref="CorruptFileException">The bytes are not a config Docker decodes.</exception>
    public static ImageConfigFile Parse(byte[] bytes, string imageId, string path)
    {
        // One pass decodes both the legacy fields and rootfs and history (CasConfigJson is an ImageJson).
        var config = GoJson.Deserialize(bytes, DockerJsonContext.Default.CasConfigJson, path)
            ?? throw new CorruptFileException(path, "holds JSON null, not an image config");
        if (config.RootFs is not { } rootfs)
        {
            throw new CorruptFileException(path, "has no rootfs, which Docker refuses (\"invalid image JSON, no RootFS key\")");
        }

        var diffIds = new string[rootfs.DiffIds?.Count ?? 0];
        for (var i = 0; i < diffIds.Length; i++)
        {
            var diffId = rootfs.DiffIds![i] ?? string.Empty;
            if (Digests.Problem(diffId) is { } problem)
            {
                throw new CorruptFileException(path, $"rootfs.diff_ids[{i}] is '{DockerIds.Printable(diffId)}', which is not a digest ({problem})");
            }

            diffIds[i] = diffId;
        }

        var history = new HistoryJson[config.History?.Count ?? 0];
        for (var i = 0; i < history.Length; i++)
        {
            history[i] = config.History![i] ?? new HistoryJson();
            if (history[i].Created is { } created && !RecordedTime.TryParse(created, out _))
            {
                throw new CorruptFileException(path, $"history[{i}].created is '{DockerIds.Printable(created)}', which is not an RFC 3339 time");
            }
        }

        return new ImageConfigFile(imageId, path, bytes, config, diffIds, history);
    }
}
