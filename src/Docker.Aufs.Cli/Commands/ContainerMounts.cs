using System.Text.Json;

namespace Docker.Aufs.Cli.Commands;

/// <summary>One mount of a container as its configuration records it: a volume (named or anonymous) or a bind mount of a host path.</summary>
/// <param name="Type">The stored <c>Type</c> (<c>volume</c>, <c>bind</c>; Docker 17.06+), else empty.</param>
/// <param name="Name">The volume's name; empty for a bind mount.</param>
/// <param name="Source">Where the data lives on the host as Docker reports it: a bind's host path, a local volume's <c>_data</c> directory.</param>
/// <param name="Destination">The path inside the container.</param>
/// <param name="Driver">The volume driver (<c>local</c>); empty for a bind mount.</param>
/// <param name="Mode">The stored mode (<c>Relabel</c>: <c>z</c>, <c>Z</c>, or empty).</param>
/// <param name="ReadWrite">Whether it was mounted read-write.</param>
/// <param name="Propagation">The stored bind propagation (Docker 1.10+), else empty.</param>
internal sealed record ContainerMount(string Type, string Name, string Source, string Destination, string Driver, string Mode, bool ReadWrite, string Propagation);

/// <summary>
/// The mounts of a container as <c>docker inspect</c> lists them (<c>daemon/inspect.go</c> <c>addMountPoints</c>), from its
/// stored configuration: <c>MountPoints</c> (Docker 1.8+), else <c>Volumes</c> and <c>VolumesRW</c> (Docker ≤ 1.7, whose
/// volumes lived in <c>vfs/dir/&lt;id&gt;</c>). A bind mount's source is a host path, reported and never followed. Sorted
/// by destination (Docker walks a Go map, in no set order).
/// </summary>
internal static class ContainerMounts
{
    /// <summary>Reads the mounts of the stored configuration <paramref name="config"/>.</summary>
    public static IReadOnlyList<ContainerMount> Read(IDockerRoot root, JsonElement config)
    {
        var mounts = new List<ContainerMount>();
        static string Text(JsonElement e, string name) => ContainerInspect.Find(e, name) is { ValueKind: JsonValueKind.String } v ? v.GetString()! : string.Empty;
        if (ContainerInspect.Find(config, "MountPoints") is { ValueKind: JsonValueKind.Object } points)
        {
            foreach (var point in points.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Object))
            {
                var m = point.Value;
                var name = Text(m, "Name");
                var driver = Text(m, "Driver");
                var source = Text(m, "Source");
                if (source.Length == 0 && name.Length > 0 && driver == "local")
                {
                    source = root.FileSystem.Path.Combine(root.Path, "volumes", name, "_data"); // the local driver's Path()
                }

                var destination = Text(m, "Destination");
                mounts.Add(new ContainerMount(Text(m, "Type"), name, source, destination.Length > 0 ? destination : point.Name, driver, Text(m, "Relabel"),
                    ContainerInspect.Find(m, "RW") is { ValueKind: JsonValueKind.True }, Text(m, "Propagation")));
            }
        }

        if (mounts.Count == 0 && ContainerInspect.Find(config, "Volumes") is { ValueKind: JsonValueKind.Object } volumes)
        {
            var writable = ContainerInspect.Find(config, "VolumesRW");
            foreach (var volume in volumes.EnumerateObject().Where(v => v.Value.ValueKind == JsonValueKind.String))
            {
                var source = volume.Value.GetString()!;
                var marker = source.LastIndexOf("/vfs/dir/", StringComparison.Ordinal);
                var id = marker >= 0 ? source[(marker + "/vfs/dir/".Length)..].TrimEnd('/') : string.Empty;
                var isVolume = id.Length > 0 && !id.Contains('/', StringComparison.Ordinal);
                var rw = writable is { ValueKind: JsonValueKind.Object } map && ContainerInspect.Find(map, volume.Name) is { } flag ? flag.ValueKind == JsonValueKind.True : true;
                mounts.Add(new ContainerMount(string.Empty, isVolume ? id : string.Empty, source, volume.Name, isVolume ? "local" : string.Empty, string.Empty, rw, string.Empty));
            }
        }

        return [.. mounts.OrderBy(m => m.Destination, StringComparer.Ordinal)];
    }

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
