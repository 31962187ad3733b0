using System.CommandLine;
using Docker.Aufs.Cli.Output;
using Docker.Aufs.Formats;

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
                var id = session.Value(noTrunc) ? image.Id : DockerIds.Shorten(image.Id);
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
                var reference = ImageReference.Parse(tagged);
                yield return (reference.Repository, reference.ExplicitReference, null, image);
            }

            foreach (var digested in image.RepoDigests)
            {
                var reference = ImageReference.Parse(digested);
                yield return (reference.Repository, null, reference.ExplicitReference, image);
            }
        }
    }
}
