using Docker.Aufs.Formats;

namespace Docker.Aufs.Cli.Commands;

/// <summary>
/// What listings read from the configurations an image or container keeps as stored bytes (<see cref="Image.Config"/>,
/// <see cref="Container.Config"/>): labels and a container's mounts, decoded as Docker decodes them (the library's Go
/// decoding: keys case-insensitive, the first JSON value only).
/// </summary>
internal static class RecordedConfig
{
    /// <summary>An image's labels (<c>config.Labels</c>); empty when it has none.</summary>
    /// <exception cref="CorruptFileException">The stored configuration is not JSON of the right shape.</exception>
    public static IReadOnlyDictionary<string, string> ImageLabels(Image image) =>
        image.Config.IsEmpty ? Empty : GoJson.Deserialize(image.Config, DockerJsonContext.Default.ImageJson, image.Id)?.Config?.Labels ?? Empty;

    /// <summary>A container's labels (<c>Config.Labels</c>); empty when it has none.</summary>
    /// <exception cref="CorruptFileException">The stored configuration is not JSON of the right shape.</exception>
    public static IReadOnlyDictionary<string, string> ContainerLabels(Container container) => Decode(container)?.Config?.Labels ?? Empty;

    /// <summary>
    /// A container's mounts as its configuration records them, ordered by destination: <c>MountPoints</c> (Docker 1.7+), else
    /// <c>Volumes</c> and <c>VolumesRW</c> (before; a destination missing from <c>VolumesRW</c> is read-only, as Go's map lookup reads it). Host paths are listed, never followed.
    /// </summary>
    /// <exception cref="CorruptFileException">The stored configuration is not JSON of the right shape.</exception>
    public static IReadOnlyList<RecordedMount> Mounts(Container container)
    {
        var config = Decode(container);
        if (config?.MountPoints is { Count: > 0 } points)
        {
            return [.. points.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => new RecordedMount(p.Value.Destination ?? p.Key, p.Value.Source ?? string.Empty, p.Value.Name ?? string.Empty, p.Value.RW))];
        }

        if (config?.Volumes is { Count: > 0 } volumes)
        {
            return [.. volumes.OrderBy(v => v.Key, StringComparer.Ordinal)
                .Select(v => new RecordedMount(v.Key, v.Value, string.Empty, config.VolumesRW is not null && config.VolumesRW.TryGetValue(v.Key, out var rw) && rw))];
        }

        return [];
    }

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    private static ContainerJson? Decode(Container container) =>
        container.Config.IsEmpty ? null : GoJson.Deserialize(container.Config, DockerJsonContext.Default.ContainerJson, container.Directory);
}

/// <summary>One mount of a container as recorded: where it appears inside, its host path, its volume name (empty for a bind mount), and whether it was writable.</summary>
internal sealed record RecordedMount(string Destination, string Source, string Name, bool Writable);
