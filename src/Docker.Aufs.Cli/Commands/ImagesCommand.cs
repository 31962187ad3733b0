using System.CommandLine;
using Docker.Aufs.Cli.Output;

namespace Docker.Aufs.Cli.Commands;

/// <summary><c>docker-aufs images</c>: like <c>docker images</c> of the Docker that wrote the root (1.9's VIRTUAL SIZE column, 1.10+'s SIZE).</summary>
internal static class ImagesCommand
{
    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var digests = new Option<bool>("--digests") { Description = "Show a DIGEST column" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Show full image IDs" };
        var command = new Command("images", "List images: every tagged image and every untagged head, newest first") { digests, noTrunc };
        command.SetAction(parse => CliApp.Execute(parse, options, environment, session =>
        {
            var root = session.OpenRoot();
            var images = root.GetImages();
            var modern = root.Store == ImageStoreKind.ContentAddressed;
            var sizeColumn = modern ? "SIZE" : "VIRTUAL SIZE";
            var rows = (modern ? ModernRows(images, session.Value(digests)) : Rows(images)).ToList();
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
                ? new TableWriter("REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", sizeColumn)
                : new TableWriter("REPOSITORY", "TAG", "IMAGE ID", "CREATED", sizeColumn);
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

    /// <summary>
    /// The rows of the docker CLI of 1.13 and later (docker/cli <c>imageFormatTaggedAndDigest</c>), for roots of Docker
    /// 1.10+: one per tag of a repository — with <c>--digests</c>, one per tag and digest of that repository — then, for a
    /// repository with digests but no tag, one row (one per digest with <c>--digests</c>); one for an untagged image.
    /// </summary>
    private static IEnumerable<(string? Repository, string? Tag, string? Digest, ImageSummary Image)> ModernRows(IReadOnlyList<ImageSummary> images, bool showDigests)
    {
        foreach (var image in images)
        {
            if (image.RepoTags.Count == 0 && image.RepoDigests.Count == 0)
            {
                yield return (null, null, null, image);
                continue;
            }

            var tags = new List<(string Repository, string Tag)>();
            foreach (var tagged in image.RepoTags)
            {
                var colon = tagged.LastIndexOf(':');
                if (colon > tagged.LastIndexOf('/'))
                {
                    tags.Add((tagged[..colon], tagged[(colon + 1)..]));
                }
            }

            var digestsByRepository = image.RepoDigests.Where(d => d.Contains('@', StringComparison.Ordinal))
                .GroupBy(d => d[..d.IndexOf('@', StringComparison.Ordinal)], StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Select(d => d[(d.IndexOf('@', StringComparison.Ordinal) + 1)..]).ToList(), StringComparer.Ordinal);
            foreach (var (repository, tag) in tags)
            {
                var digests = showDigests && digestsByRepository.TryGetValue(repository, out var found) ? found : [];
                if (digests.Count == 0)
                {
                    yield return (repository, tag, null, image);
                }

                foreach (var digest in digests)
                {
                    yield return (repository, tag, digest, image);
                }
            }

            foreach (var (repository, digests) in digestsByRepository.Where(d => !tags.Any(t => t.Repository == d.Key)))
            {
                foreach (var digest in showDigests ? digests.Cast<string?>() : [null])
                {
                    yield return (repository, null, digest, image);
                }
            }
        }
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
