using System.Text.Json;

namespace Docker.Aufs.Cli.Commands;

/// <summary>
/// The mounts of a container as <c>docker inspect</c> writes them (<c>daemon/inspect.go</c> <c>addMountPoints</c>), from the
/// library's one reader of a container's configuration (<see cref="Container.Mounts"/>).
/// </summary>
internal static class ContainerMounts
{
    /// <summary>The name of a mount's kind in JSON and tables: <c>volume</c>, <c>bind</c> or <c>other</c>.</summary>
    public static string KindName(ContainerMountKind kind) => kind switch
    {
        ContainerMountKind.Volume => "volume",
        ContainerMountKind.Bind => "bind",
        _ => "other",
    };

    /// <summary>Writes <c>Mounts</c> as <c>types.MountPoint</c>: <c>Type</c>, <c>Name</c> and <c>Driver</c> only when set, <c>Propagation</c> from Docker 1.10.</summary>
    public static void WriteInspect(Utf8JsonWriter writer, IReadOnlyList<ContainerMount> mounts, bool withPropagation)
    {
        writer.WriteStartArray();
        foreach (var mount in mounts)
        {
            writer.WriteStartObject();
            if (mount.Type.Length > 0)
            {
                writer.WriteString("Type", mount.Type);
            }

            if (mount.Name.Length > 0)
            {
                writer.WriteString("Name", mount.Name);
            }

            writer.WriteString("Source", mount.Source);
            writer.WriteString("Destination", mount.Destination);
            if (mount.Driver.Length > 0)
            {
                writer.WriteString("Driver", mount.Driver);
            }

            writer.WriteString("Mode", mount.Mode);
            writer.WriteBoolean("RW", mount.ReadWrite);
            if (withPropagation)
            {
                writer.WriteString("Propagation", mount.Propagation);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
