using System.CommandLine;
using Docker.Aufs.Cli.Output;

namespace Docker.Aufs.Cli.Commands;

/// <summary><c>docker-aufs images</c>: like <c>docker images</c> of Docker 1.9.</summary>
internal static class ImagesCommand
{
    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var digests = new Option<bool>("--digests") { Description = "Show a DIGEST column" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Show full image IDs" };
        var command = new Command("images", "List images: every tagged image and every untagged head, newest first") { digests, noTrunc };
        command.SetAction(parse => CliApp.Execute(parse, options, environment, session =>
        {
            var images = session.OpenRoot().GetImages();
            var rows = Rows(images).ToList();
            if (session.Json)
            {
                JsonOutput.Write(session.Out, w =>
                {
                    w.WriteStartArray();
                    foreach (var (repository, tag, digest, image) in rows)
                    {
                        w.WriteStartObject();
                        w.WriteString("repository", repository);
                        w.WriteString("tag", tag);
                        w.WriteString("digest", digest);
                        w.WriteString("id", image.Id);
                        w.WriteString("created", Humanize.Timestamp(image.Created));
                        w.WriteNullableNumber("size", image.Size);
                        w.WriteNullableNumber("virtualSize", image.VirtualSize);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
                return CliApp.Success;
            }

            var showDigests = session.Value(digests);
            var table = showDigests
                ? new TableWriter("REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "VIRTUAL SIZE")
                : new TableWriter("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "VIRTUAL SIZE");
            foreach (var (repository, tag, digest, image) in rows)
            {
                var id = session.Value(noTrunc) ? image.Id : Ids.Shorten(image.Id);
                var cells = new List<string> { repository ?? "<none>", tag ?? "<none>" };
                if (showDigests)
                {
                    cells.Add(digest ?? "<none>");
                }

                cells.AddRange([id, Humanize.Ago(image.Created, session.Now), Humanize.Size(image.VirtualSize)]);
                table.Add([.. cells]);
            }

            table.WriteTo(session.Out);
            return CliApp.Success;
        }));
        return command;
    }

    /// <summary>One row per tag and per digest (a digest row has no tag), and one for an untagged head, as docker 1.9 prints them.</summary>
    private static IEnumerable<(string? Repository, string? Tag, string? Digest, ImageSummary Image)> Rows(IReadOnlyList<ImageSummary> images)
    {
        foreach (var image in images)
        {
            if (image.RepoTags.Count == 0 && image.RepoDigests.Count == 0)
            {
                yield return (null, null, null, image);
                continue;
            }

            foreach (var tagged in image.RepoTags)
            {
                // The tag follows the last ':' after the last '/' (a registry's port comes before a '/').
                var colon = tagged.LastIndexOf(':');
                yield return colon > tagged.LastIndexOf('/') ? (tagged[..colon], tagged[(colon + 1)..], null, image) : (tagged, null, null, image);
            }

            foreach (var digested in image.RepoDigests)
            {
                var at = digested.IndexOf('@', StringComparison.Ordinal);
                yield return at < 0 ? (digested, null, null, image) : (digested[..at], null, digested[(at + 1)..], image);
            }
        }
    }
}
