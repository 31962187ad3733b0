using System.CommandLine;
using Docker.Aufs.Cli.Output;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Docker.Aufs.Cli.Commands;

/// <summary>
/// <c>docker-aufs inspect REF</c>: a graph-era image's stored JSON, with Docker's own key names and order; a 1.10+ image as
/// <c>docker inspect</c> shows it — its stored config's fields under Docker's names, with the computed ones (ID, tags,
/// digests, parent, sizes, graph driver, layers).
/// </summary>
internal static class InspectCommand
{
    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var reference = new Argument<string>("REF") { Description = "A container (ID, name or unique ID prefix) or an image (name[:tag], name@digest, ID or unique ID prefix); a container first, as docker inspect looks" };
        var type = new Option<string?>("--type")
        {
            Description = "Look only for a container or only for an image",
            HelpName = "container|image",
        };
        type.AcceptOnlyFromAmong("container", "image");
        var command = new Command("inspect", "Show a container or image as docker inspect does: a container's stored configuration in docker inspect's shape; an image's graph/<id>/json as stored, or for a 1.10+ image what docker inspect shows (with --json: the stored bytes of the configuration, verbatim)") { reference, type };
        command.SetAction(parse => CliApp.Execute(parse, options, environment, session =>
        {
            var root = session.OpenRoot();
            var wanted = session.Value(type);
            if (wanted != "image" && FindContainer(root, session.Value(reference)!, required: wanted == "container") is { } container)
            {
                if (session.Json)
                {
                    JsonOutput.WriteStored(session.Out, container.Config.Span);
                    return CliApp.Success;
                }

                using var containerBuffer = new MemoryStream();
                using (var writer = new Utf8JsonWriter(containerBuffer, new JsonWriterOptions { Indented = true, IndentSize = 4, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                {
                    ContainerInspect.Write(writer, root, container);
                }

                session.Out.WriteLine(System.Text.Encoding.UTF8.GetString(containerBuffer.ToArray()));
                return CliApp.Success;
            }

            var image = root.ResolveImage(session.Value(reference)!);
            var value = image.Config;
            if (session.Json)
            {
                JsonOutput.WriteStored(session.Out, value.Span);
                return CliApp.Success;
            }

            using var document = DockerJson.Parse(value, $"the config of image {image.Id}");
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, IndentSize = root.Store == ImageStoreKind.ContentAddressed ? 4 : 2, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                if (root.Store == ImageStoreKind.ContentAddressed)
                {
                    WriteDockerInspect(writer, image, document.RootElement, root.Driver);
                }
                else
                {
                    document.WriteTo(writer);
                }
            }

            session.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            return CliApp.Success;
        }));
        return command;
    }

    /// <summary>
    /// The container <paramref name="reference"/> names, looked for first as docker inspect does (docker/cli
    /// <c>inspect.inspectAll</c>: container, then image); <see langword="null"/> when none matches and an image may.
    /// </summary>
    private static Container? FindContainer(IDockerRoot root, string reference, bool required)
    {
        try
        {
            return root.ResolveContainer(reference);
        }
        catch (ContainerNotFoundException) when (!required)
        {
            return null;
        }
        catch (NotADockerRootException) when (!required)
        {
            return null;
        }
    }

    /// <summary>
    /// Docker 1.10+'s <c>ImageInspect</c> document (moby v17.03.0-ce <c>api/types</c> <c>ImageInspect</c>, built by
    /// <c>daemon/inspect.go</c> <c>LookupImage</c>): one image in an array, the config's fields under Docker's names.
    /// </summary>
    private static void WriteDockerInspect(Utf8JsonWriter writer, Image image, JsonElement config, string driver)
    {
        string Text(string name) => config.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
        void Raw(string output, string name)
        {
            writer.WritePropertyName(output);
            if (config.TryGetProperty(name, out var value))
            {
                value.WriteTo(writer);
            }
            else
            {
                writer.WriteNullValue();
            }
        }

        writer.WriteStartArray();
        writer.WriteStartObject();
        writer.WriteString("Id", image.Id);
        writer.WriteStartArray("RepoTags");
        image.RepoTags.ToList().ForEach(writer.WriteStringValue);
        writer.WriteEndArray();
        writer.WriteStartArray("RepoDigests");
        image.RepoDigests.ToList().ForEach(writer.WriteStringValue);
        writer.WriteEndArray();
        writer.WriteString("Parent", image.ParentId ?? string.Empty);
        writer.WriteString("Comment", Text("comment"));
        writer.WriteString("Created", image.Created?.Text ?? Text("created"));
        writer.WriteString("Container", Text("container"));
        Raw("ContainerConfig", "container_config");
        writer.WriteString("DockerVersion", Text("docker_version"));
        writer.WriteString("Author", Text("author"));
        Raw("Config", "config");
        writer.WriteString("Architecture", Text("architecture"));
        writer.WriteString("Os", Text("os"));
        writer.WriteNumber("Size", image.VirtualSize ?? 0);
        writer.WriteNumber("VirtualSize", image.VirtualSize ?? 0);
        writer.WriteStartObject("GraphDriver");
        writer.WriteString("Name", driver);
        writer.WriteNull("Data");
        writer.WriteEndObject();
        writer.WriteStartObject("RootFS");
        writer.WriteString("Type", "layers");
        writer.WriteStartArray("Layers");
        for (var i = image.Layers.Count - 1; i >= 0; i--)
        {
            writer.WriteStringValue(image.Layers[i].DiffId);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndArray();
    }
}
