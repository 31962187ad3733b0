using System.Buffers;
using System.Text.Json;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Testing;

/// <summary>
/// <c>containers/&lt;id&gt;/config.v2.json</c> as Docker 1.13–17.x's <c>container.ToDisk</c> writes it: Go type
/// <c>container.Container</c> (moby v17.03.0-ce <c>container/container.go</c>, <c>container_unix.go</c>,
/// <c>container/state.go</c>) through <c>json.Encoder</c> — fields in struct order (the embedded <c>State</c> first),
/// compact, HTML-escaped, a trailing newline (docs/format/content-addressed.md §3, §7.3).
/// </summary>
internal static class ContainerConfigV2
{
    /// <summary>The file's bytes for a container stored in <paramref name="directory"/>.</summary>
    public static byte[] Serialize(ContainerBuilder container, string directory)
    {
        var id = container.ContainerId;
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = GoJsonEncoder.Instance }))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("State");
            WriteState(writer, container.StateValue);
            writer.WriteString("ID", id);
            writer.WriteString("Created", RecordedTime.FromValue(container.CreatedTime).ToString());
            writer.WriteBoolean("Managed", false);
            writer.WriteString("Path", container.PathText);
            writer.WritePropertyName("Args");
            WriteStrings(writer, container.ArgsList);
            writer.WritePropertyName("Config");
            WriteConfig(writer, container, id);
            writer.WriteString("Image", container.ImageId);
            writer.WritePropertyName("NetworkSettings");
            WriteNetworkSettings(writer);
            writer.WriteString("LogPath", directory + "/" + id + "-json.log");
            writer.WriteString("Name", "/" + container.NameText);
            writer.WriteString("Driver", container.DriverText);
            writer.WriteString("MountLabel", string.Empty);
            writer.WriteString("ProcessLabel", string.Empty);
            writer.WriteNumber("RestartCount", 0);
            writer.WriteBoolean("HasBeenStartedBefore", !container.StateValue.StartedAt.IsZero);
            writer.WriteBoolean("HasBeenManuallyStopped", false);
            writer.WriteStartObject("MountPoints");
            foreach (var mount in container.MountSpecs)
            {
                writer.WriteStartObject(mount.Destination);
                writer.WriteString("Source", DockerRootBuilder.HostPathOf(mount, DockerRootBuilder.DockerHostRoot));
                writer.WriteString("Destination", mount.Destination);
                writer.WriteBoolean("RW", mount.ReadWrite);
                writer.WriteString("Name", mount.Name);
                writer.WriteString("Driver", mount.Form == MountForm.Bind ? string.Empty : "local");
                writer.WriteString("Type", mount.Form == MountForm.Bind ? "bind" : "volume");
                writer.WriteString("Relabel", string.Empty);
                writer.WriteString("Propagation", mount.Form == MountForm.Bind ? "rprivate" : string.Empty);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteString("AppArmorProfile", string.Empty);
            writer.WriteString("HostnamePath", directory + "/hostname");
            writer.WriteString("HostsPath", directory + "/hosts");
            writer.WriteString("ShmPath", directory + "/shm");
            writer.WriteString("ResolvConfPath", directory + "/resolv.conf");
            writer.WriteString("SeccompProfile", string.Empty);
            writer.WriteBoolean("NoNewPrivileges", false);
            writer.WriteEndObject();
        }

        return [.. buffer.WrittenSpan, (byte)'\n'];
    }

    /// <summary><c>container.State</c> of Docker 1.12+ (with <c>RemovalInProgress</c> and <c>Health</c>).</summary>
    private static void WriteState(Utf8JsonWriter writer, ContainerState state)
    {
        writer.WriteStartObject();
        writer.WriteBoolean("Running", state.Running);
        writer.WriteBoolean("Paused", state.Paused);
        writer.WriteBoolean("Restarting", state.Restarting);
        writer.WriteBoolean("OOMKilled", state.OomKilled);
        writer.WriteBoolean("RemovalInProgress", state.RemovalInProgress);
        writer.WriteBoolean("Dead", state.Dead);
        writer.WriteNumber("Pid", state.Pid);
        writer.WriteNumber("ExitCode", state.ExitCode);
        writer.WriteString("Error", state.Error);
        writer.WriteString("StartedAt", state.StartedAt.ToString());
        writer.WriteString("FinishedAt", state.FinishedAt.ToString());
        if (state.Health is { } health)
        {
            writer.WriteStartObject("Health");
            writer.WriteString("Status", health);
            writer.WriteNumber("FailingStreak", 0);
            writer.WriteNull("Log");
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("Health");
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// <c>Config</c>: the engine API's <c>container.Config</c> in struct order, <c>omitempty</c> fields left out when empty;
    /// <c>Image</c> is the reference as the user typed it.
    /// </summary>
    private static void WriteConfig(Utf8JsonWriter writer, ContainerBuilder container, string id)
    {
        var config = container.RunConfig ?? new ContainerConfig { Cmd = [container.PathText, .. container.ArgsList] };
        writer.WriteStartObject();
        writer.WriteString("Hostname", config.Hostname ?? id[..DockerIds.ShortLength]);
        writer.WriteString("Domainname", config.Domainname ?? string.Empty);
        writer.WriteString("User", config.User ?? string.Empty);
        writer.WriteBoolean("AttachStdin", config.AttachStdin);
        writer.WriteBoolean("AttachStdout", config.AttachStdout);
        writer.WriteBoolean("AttachStderr", config.AttachStderr);
        if (config.ExposedPorts is { Count: > 0 } ports)
        {
            writer.WritePropertyName("ExposedPorts");
            WriteSet(writer, ports);
        }

        writer.WriteBoolean("Tty", config.Tty);
        writer.WriteBoolean("OpenStdin", config.OpenStdin);
        writer.WriteBoolean("StdinOnce", config.StdinOnce);
        writer.WritePropertyName("Env");
        WriteStrings(writer, config.Env);
        writer.WritePropertyName("Cmd");
        WriteStrings(writer, config.Cmd);
        writer.WriteString("Image", config.Image ?? container.TypedImage ?? container.ImageId);
        writer.WritePropertyName("Volumes");
        if (config.Volumes is { } volumes)
        {
            WriteSet(writer, volumes);
        }
        else
        {
            writer.WriteNullValue();
        }

        writer.WriteString("WorkingDir", config.WorkingDir ?? string.Empty);
        writer.WritePropertyName("Entrypoint");
        WriteStrings(writer, config.Entrypoint);
        if (config.NetworkDisabled)
        {
            writer.WriteBoolean("NetworkDisabled", true);
        }

        if (!string.IsNullOrEmpty(config.MacAddress))
        {
            writer.WriteString("MacAddress", config.MacAddress);
        }

        writer.WritePropertyName("OnBuild");
        WriteStrings(writer, config.OnBuild);
        writer.WritePropertyName("Labels");
        if (config.Labels is { } labels)
        {
            writer.WriteStartObject();
            foreach (var (key, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNullValue();
        }

        if (!string.IsNullOrEmpty(config.StopSignal))
        {
            writer.WriteString("StopSignal", config.StopSignal);
        }

        writer.WriteEndObject();
    }

    /// <summary><c>NetworkSettings</c> of a stopped container on the default bridge (its endpoint released).</summary>
    private static void WriteNetworkSettings(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("Bridge", string.Empty);
        writer.WriteString("SandboxID", string.Empty);
        writer.WriteBoolean("HairpinMode", false);
        writer.WriteString("LinkLocalIPv6Address", string.Empty);
        writer.WriteNumber("LinkLocalIPv6PrefixLen", 0);
        writer.WriteStartObject("Networks");
        writer.WriteStartObject("bridge");
        writer.WriteNull("IPAMConfig");
        writer.WriteNull("Links");
        writer.WriteNull("Aliases");
        foreach (var name in new[] { "NetworkID", "EndpointID", "Gateway", "IPAddress" })
        {
            writer.WriteString(name, string.Empty);
        }

        writer.WriteNumber("IPPrefixLen", 0);
        writer.WriteString("IPv6Gateway", string.Empty);
        writer.WriteString("GlobalIPv6Address", string.Empty);
        writer.WriteNumber("GlobalIPv6PrefixLen", 0);
        writer.WriteString("MacAddress", string.Empty);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteNull("Service");
        writer.WriteNull("Ports");
        writer.WriteString("SandboxKey", string.Empty);
        writer.WriteNull("SecondaryIPAddresses");
        writer.WriteNull("SecondaryIPv6Addresses");
        writer.WriteBoolean("IsAnonymousEndpoint", false);
        writer.WriteBoolean("HasSwarmEndpoint", false);
        writer.WriteEndObject();
    }

    /// <summary>A Go <c>[]string</c>: <c>null</c> when nil.</summary>
    private static void WriteStrings(Utf8JsonWriter writer, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartArray();
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    /// <summary>A Go <c>map[string]struct{}</c>: keys sorted, each with <c>{}</c>.</summary>
    private static void WriteSet(Utf8JsonWriter writer, IReadOnlyList<string> keys)
    {
        writer.WriteStartObject();
        foreach (var key in keys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            writer.WriteStartObject(key);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }
}
