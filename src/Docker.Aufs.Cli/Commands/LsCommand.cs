using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Docker.Aufs.Cli.Output;
using Docker.Aufs.IO;
using Docker.Aufs.Union;

namespace Docker.Aufs.Cli.Commands;

/// <summary><c>docker-aufs ls REF [PATH] [-R]</c>: the merged view of an image, container or layer, like <c>ls -l</c>.</summary>
internal static class LsCommand
{
    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var reference = ViewReference.Argument();
        var path = new Argument<string>("PATH") { Description = "A path inside the image (default /); a directory is listed, anything else shown itself", DefaultValueFactory = _ => "/" };
        var recursive = new Option<bool>("--recursive", "-R") { Description = "List everything below PATH, depth first" };
        var layer = ViewReference.LayerOption();
        var volumes = ViewSource.VolumesOption();
        var longFormat = new Option<bool>("--long", "-l") { Description = "Show modification times to the nanosecond, as the layer's file system stores them, and full layer IDs (--json always carries both)" };
        var command = new Command("ls", "List files of an image, container or driver layer as they appear merged, without mounting anything: mode, owner, size, modification time, the layer each entry comes from, link targets") { reference, path, recursive, layer, longFormat, volumes };
        command.SetAction(parse => CliApp.Execute(parse, options, environment, session =>
        {
            var source = ViewSource.Open(session, session.OpenRoot(), session.Value(reference)!, session.Value(layer), session.Value(volumes));
            var entries = Select(source, session.Value(path)!, session.Value(recursive));
            if (session.Json)
            {
                WriteJson(session.Out, entries);
                return CliApp.Success;
            }

            var full = session.Value(longFormat);
            var table = new TableWriter("MODE", "OWNER", "SIZE", "MODIFIED", "LAYER", "PATH");
            foreach (var (entry, shown) in entries)
            {
                table.Add(
                    FileModes.Symbolic(entry.Type, entry.Permissions),
                    $"{(uint)entry.Uid}:{(uint)entry.Gid}",
                    FileModes.Size(entry),
                    full ? FileModes.ExactTime(entry.ModifiedTime, entry.ModifiedTimeNanosecond) : FileModes.Time(entry.ModifiedTime),
                    full ? entry.LayerId : ShortLayer(entry.LayerId),
                    "/" + shown + (entry.LinkTarget is { } target ? " -> " + target : string.Empty));
            }

            table.WriteTo(session.Out);
            return CliApp.Success;
        }));
        return command;
    }

    /// <summary>A layer ID shortened as Docker shortens IDs, keeping the <c>-init</c> of a container's init layer.</summary>
    private static string ShortLayer(string id) =>
        id.StartsWith(VolumePrefix, StringComparison.Ordinal) ? VolumePrefix + Ids.Shorten(id[VolumePrefix.Length..]) : Ids.Shorten(id);

    /// <summary>The layer of an entry read from a volume (<c>volume:&lt;name&gt;</c>).</summary>
    private const string VolumePrefix = "volume:";

    /// <summary>What <c>ls</c> shows for a path: a directory's entries (all below it with -R), or the entry itself (a link is shown, not followed, unless the path ends in '/'); each with its path in the image or container.</summary>
    private static IEnumerable<(UnionEntry Entry, string Path)> Select(ViewSource source, string path, bool recursive)
    {
        var at = source.Locate(path);
        var entry = at.View.GetEntry(at.Path, followSymbolicLinks: path.EndsWith('/'));
        if (!entry.IsDirectory)
        {
            return [(entry, at.InContainer(entry))];
        }

        return recursive ? source.EnumerateRecursive(at, entry) : at.View.ListDirectory(entry.Path).Select(e => (e, at.InContainer(e)));
    }

    /// <summary>The <c>--json</c> contract, streamed entry by entry so a recursive listing is never held whole.</summary>
    private static void WriteJson(TextWriter output, IEnumerable<(UnionEntry Entry, string Path)> entries)
    {
        var buffer = new MemoryStream();
        using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        void Drain()
        {
            writer.Flush();
            output.Write(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
            buffer.SetLength(0);
        }

        writer.WriteStartArray();
        foreach (var (entry, shown) in entries)
        {
            writer.WriteStartObject();
            writer.WriteString("path", shown);
            writer.WriteString("type", FileModes.TypeName(entry.Type));
            writer.WriteString("mode", FileModes.Octal(entry.Permissions));
            writer.WriteNumber("size", entry.Size);
            writer.WriteString("linkTarget", entry.LinkTarget);
            writer.WriteNumber("uid", (uint)entry.Uid);
            writer.WriteNumber("gid", (uint)entry.Gid);
            writer.WriteString("modified", FileModes.ExactTime(entry.ModifiedTime, entry.ModifiedTimeNanosecond));
            writer.WriteString("layer", entry.LayerId);
            // "path" and "linkTarget" hold U+FFFD for a byte that is not UTF-8, as Docker's encoding/json writes them; the
            // exact bytes follow in base64, only for such a name (docs/hostile-input.md, "Names that are not UTF-8").
            if (NativeName.HasEscapedBytes(shown))
            {
                writer.WriteBase64String("pathBytes", NativeName.GetBytes(shown));
            }

            if (entry.LinkTarget is { } target && NativeName.HasEscapedBytes(target))
            {
                writer.WriteBase64String("linkTargetBytes", NativeName.GetBytes(target));
            }

            writer.WriteEndObject();
            if (buffer.Length > 64 * 1024)
            {
                Drain();
            }
        }

        writer.WriteEndArray();
        Drain();
        output.WriteLine();
    }
}
