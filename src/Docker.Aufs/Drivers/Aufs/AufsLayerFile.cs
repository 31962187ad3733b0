using System.IO.Abstractions;
using System.Text;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;

namespace Docker.Aufs.Drivers.Aufs;

/// <summary>
/// <c>aufs/layers/&lt;id&gt;</c>: the IDs of a layer's ancestors, nearest parent first, base last, one per line
/// (docs/format/graph-era.md §6). Read as Docker's <c>getParentIds</c> reads it (a trailing <c>\r</c> dropped, empty lines skipped),
/// and every line is validated as a layer ID before anything uses it as a path.
/// </summary>
/// <threadsafety static="true" instance="true"/>
internal sealed class AufsLayerFile
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="id">The layer the file belongs to.</param>
    /// <param name="ancestors">Its ancestors, nearest first.</param>
    /// <exception cref="ArgumentException">An ID is not a valid layer ID.</exception>
    public AufsLayerFile(string id, IReadOnlyList<string> ancestors)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(ancestors);
        if (!DockerIds.IsLayerId(id))
        {
            throw new ArgumentException($"'{id}' is not a layer ID.", nameof(id));
        }

        foreach (var ancestor in ancestors)
        {
            if (!DockerIds.IsLayerId(ancestor))
            {
                throw new ArgumentException($"'{ancestor}' is not a layer ID.", nameof(ancestors));
            }
        }

        Id = id;
        Ancestors = [.. ancestors];
    }

    /// <summary>Gets the ID of the layer the file belongs to.</summary>
    public string Id { get; }

    /// <summary>Gets the ancestors' IDs, nearest parent first, base last; empty for a base layer.</summary>
    public IReadOnlyList<string> Ancestors { get; }

    /// <summary>Gets the parent's ID (the first ancestor), or <see langword="null"/> for a base layer.</summary>
    public string? Parent => Ancestors.Count > 0 ? Ancestors[0] : null;

    /// <summary>Parses the content of <c>aufs/layers/&lt;id&gt;</c>.</summary>
    /// <param name="id">The layer the file belongs to.</param>
    /// <param name="content">The file's bytes.</param>
    /// <param name="path">The file's path, for errors.</param>
    /// <returns>The parsed file.</returns>
    /// <exception cref="CorruptFileException">A line is not a layer ID.</exception>
    /// <exception cref="UnsafePathException">A line looks like a path (<c>../x</c>, <c>/etc</c>).</exception>
    public static AufsLayerFile Parse(string id, ReadOnlySpan<byte> content, string path)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(path);
        var ancestors = new List<string>();
        var text = Encoding.UTF8.GetString(content);
        foreach (var range in text.AsSpan().Split('\n'))
        {
            var line = text.AsSpan()[range];
            if (line.EndsWith('\r'))
            {
                line = line[..^1];
            }

            if (line.IsEmpty)
            {
                continue;
            }

            ancestors.Add(DockerIds.RequireLayerId(line.ToString(), path));
        }

        return new AufsLayerFile(DockerIds.IsLayerId(id) ? id : throw new ArgumentException($"'{id}' is not a layer ID.", nameof(id)), ancestors);
    }

    /// <summary>Returns the file content Docker writes: one ID per line, each line ending in <c>\n</c>; empty for a base layer.</summary>
    /// <returns>The content.</returns>
    public byte[] Serialize()
    {
        var builder = new StringBuilder(Ancestors.Count * (DockerIds.Length + 6));
        foreach (var ancestor in Ancestors)
        {
            builder.Append(ancestor).Append('\n');
        }

        return Encoding.ASCII.GetBytes(builder.ToString());
    }

    internal static AufsLayerFile Read(IFileSystem fileSystem, string path, string id) =>
        Parse(id, SmallFile.Read(fileSystem, path, SmallFile.JsonLimit), path);
}
