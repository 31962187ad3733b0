using System.Text.Json;

namespace Docker.Aufs.Cli.Commands;

/// <summary>
/// <c>docker inspect</c>'s document for a container, in the shape of the Docker version that wrote the root: the graph era
/// as Docker 1.9 (moby v1.9.1 <c>api/types</c> <c>ContainerJSONBase</c>, with <c>ExecDriver</c>), the content-addressed
/// era as Docker 17.03-23.0 (<c>daemon/inspect.go</c> <c>getInspectData</c>; <c>Platform</c> when the configuration
/// records it). Every value is the one stored in <c>config.json</c>/<c>config.v2.json</c> and <c>hostconfig.json</c>,
/// written as found (times with all their digits); computed are only what Docker computes: <c>State.Status</c>,
/// <c>GraphDriver</c> and <c>Mounts</c>.
/// </summary>
internal static class ContainerInspect
{
    /// <summary>Writes the one-element array <c>docker inspect CONTAINER</c> prints.</summary>
    public static void Write(Utf8JsonWriter writer, IDockerRoot root, Container container)
    {
        using var config = DockerJson.Parse(container.Config, container.Directory);
        using var hostConfig = container.HostConfig is { } raw ? DockerJson.Parse(raw, container.Directory + "/hostconfig.json") : null;
        var stored = config.RootElement;
        var graphEra = root.Store == ImageStoreKind.Graph;

        void Copy(string output, string? name = null, Action? absent = null)
        {
            writer.WritePropertyName(output);
            if (Find(stored, name ?? output) is { } value)
            {
                value.WriteTo(writer);
            }
            else if (absent is not null)
            {
                absent();
            }
            else
            {
                writer.WriteNullValue();
            }
        }

        writer.WriteStartArray();
        writer.WriteStartObject();
        writer.WriteString("Id", container.Id);
        Copy("Created", absent: () => writer.WriteStringValue(container.Created?.Text ?? RecordedTime.ZeroText));
        Copy("Path", absent: () => writer.WriteStringValue(string.Empty));
        Copy("Args", absent: () =>
        {
            writer.WriteStartArray();
            writer.WriteEndArray();
        });
        WriteState(writer, container, Find(stored, "State"));
        Copy("Image", absent: () => writer.WriteStringValue(container.ImageId));
        foreach (var path in new[] { "ResolvConfPath", "HostnamePath", "HostsPath", "LogPath" })
        {
            Copy(path, absent: () => writer.WriteStringValue(string.Empty));
        }

        Copy("Name", absent: () => writer.WriteStringValue(container.Name.Length == 0 ? string.Empty : "/" + container.Name));
        Copy("RestartCount", absent: () => writer.WriteNumberValue(0));
        Copy("Driver", absent: () => writer.WriteStringValue(container.Driver));
        if (graphEra)
        {
            Copy("ExecDriver", absent: () => writer.WriteStringValue(string.Empty));
        }
        else if (Find(stored, "Platform") is not null || Find(stored, "OS") is not null)
        {
            Copy("Platform", Find(stored, "OS") is not null ? "OS" : "Platform");
        }

        foreach (var label in new[] { "MountLabel", "ProcessLabel", "AppArmorProfile" })
        {
            Copy(label, absent: () => writer.WriteStringValue(string.Empty));
        }

        writer.WriteNull("ExecIDs"); // the execs of a running daemon; none in a root at rest
        writer.WritePropertyName("HostConfig");
        if (hostConfig is not null)
        {
            hostConfig.RootElement.WriteTo(writer);
        }
        else
        {
            writer.WriteNullValue();
        }

        WriteGraphDriver(writer, root, container, nameFirst: graphEra);
        writer.WritePropertyName("Mounts");
        ContainerMounts.WriteInspect(writer, container.Mounts, withPropagation: !graphEra);
        Copy("Config");
        Copy("NetworkSettings");
        writer.WriteEndObject();
        writer.WriteEndArray();
    }

    /// <summary>The stored property, matched as Go decodes it (exact name first, then case-insensitively).</summary>
    internal static JsonElement? Find(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (element.TryGetProperty(name, out var exact))
        {
            return exact;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    /// <summary><c>State</c>: Docker's computed <c>Status</c> first, then the stored fields of <c>types.ContainerState</c>.</summary>
    private static void WriteState(Utf8JsonWriter writer, Container container, JsonElement? stored)
    {
        writer.WriteStartObject("State");
        writer.WriteString("Status", StatusText(container.State.Status));
        foreach (var (name, kind) in new (string, JsonValueKind)[]
        {
            ("Running", JsonValueKind.False), ("Paused", JsonValueKind.False), ("Restarting", JsonValueKind.False), ("OOMKilled", JsonValueKind.False),
            ("Dead", JsonValueKind.False), ("Pid", JsonValueKind.Number), ("ExitCode", JsonValueKind.Number), ("Error", JsonValueKind.String),
            ("StartedAt", JsonValueKind.Undefined), ("FinishedAt", JsonValueKind.Undefined),
        })
        {
            writer.WritePropertyName(name);
            if (stored is { } state && Find(state, name) is { } value)
            {
                value.WriteTo(writer);
            }
            else if (kind == JsonValueKind.False)
            {
                writer.WriteBooleanValue(false);
            }
            else if (kind == JsonValueKind.Number)
            {
                writer.WriteNumberValue(0);
            }
            else if (kind == JsonValueKind.String)
            {
                writer.WriteStringValue(string.Empty);
            }
            else
            {
                writer.WriteStringValue(RecordedTime.ZeroText);
            }
        }

        if (stored is { } withHealth && Find(withHealth, "Health") is { ValueKind: JsonValueKind.Object } health)
        {
            writer.WritePropertyName("Health");
            health.WriteTo(writer);
        }

        writer.WriteEndObject();
    }

    /// <summary>The status as <c>docker inspect</c> names it (<c>State.StateString</c>).</summary>
    internal static string StatusText(ContainerStatus status) => status switch
    {
        ContainerStatus.RemovalInProgress => "removing",
        _ => status.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// <c>GraphDriver</c>: the driver's name and what its <c>GetMetadata</c> reports — nothing for aufs and vfs (Docker
    /// writes <c>null</c>), the four directories for overlay2, built from the container's layers as the driver chains them.
    /// </summary>
    /// <remarks>Docker 1.9's <c>GraphDriverData</c> has <c>Name</c> first; from 1.13 the generated type has <c>Data</c> first.</remarks>
    private static void WriteGraphDriver(Utf8JsonWriter writer, IDockerRoot root, Container container, bool nameFirst)
    {
        var name = container.Driver.Length == 0 ? root.Driver : container.Driver;
        writer.WriteStartObject("GraphDriver");
        if (nameFirst)
        {
            writer.WriteString("Name", name);
        }

        writer.WritePropertyName("Data");
        IReadOnlyList<string>? layers = null;
        if (container.Driver == "overlay2" && root.Driver == "overlay2")
        {
            try
            {
                layers = root.OpenContainer(container.Id).LayerIds;
            }
            catch (DockerAufsException)
            {
                layers = null; // its layers are gone: Docker could not have said more
            }
        }

        if (layers is { Count: > 0 })
        {
            var fs = root.FileSystem;
            string Dir(string id, string part) => fs.Path.Combine(root.Path, "overlay2", id, part);
            writer.WriteStartObject();
            if (layers.Count > 1)
            {
                writer.WriteString("LowerDir", string.Join(':', layers.Skip(1).Select(id => Dir(id, "diff"))));
            }

            writer.WriteString("MergedDir", Dir(layers[0], "merged"));
            writer.WriteString("UpperDir", Dir(layers[0], "diff"));
            writer.WriteString("WorkDir", Dir(layers[0], "work"));
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNullValue();
        }

        if (!nameFirst)
        {
            writer.WriteString("Name", name);
        }

        writer.WriteEndObject();
    }
}
