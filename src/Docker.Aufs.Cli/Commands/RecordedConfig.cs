using Docker.Aufs.Formats;

namespace Docker.Aufs.Cli.Commands;

/// <summary>
/// What listings read from the configurations an image or container keeps as stored bytes (<see cref="Image.Config"/>,
/// <see cref="Container.Config"/>): labels, decoded (a container's mounts are the library's: <see cref="Container.Mounts"/>) as Docker decodes them (the library's Go
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

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    private static ContainerJson? Decode(Container container) =>
        container.Config.IsEmpty ? null : GoJson.Deserialize(container.Config, DockerJsonContext.Default.ContainerJson, container.Directory);
}
