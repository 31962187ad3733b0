using System.CommandLine;
using Docker.Aufs.Cli.Output;

namespace Docker.Aufs.Cli.Commands;

/// <summary><c>docker-aufs images</c>: like <c>docker images</c> of the Docker that wrote the root (1.9's VIRTUAL SIZE column, 1.10+'s SIZE).</summary>
internal static class ImagesCommand
{
    /// <summary>The fields of an image row for <c>--format</c>, as docker/cli's <c>ImageContext</c> names them.</summary>
    private static readonly string[] Fields = ["ID", "Repository", "Tag", "Digest", "CreatedSince", "CreatedAt", "Size", "VirtualSize", "SharedSize", "UniqueSize", "Containers"];

    private static readonly Dictionary<string, string> Headers = new(StringComparer.Ordinal)
    {
        ["ID"] = "IMAGE ID", ["Repository"] = "REPOSITORY", ["Tag"] = "TAG", ["Digest"] = "DIGEST", ["CreatedSince"] = "CREATED",
        ["CreatedAt"] = "CREATED AT", ["Size"] = "SIZE", ["VirtualSize"] = "VIRTUAL SIZE", ["SharedSize"] = "SHARED SIZE",
        ["UniqueSize"] = "UNIQUE SIZE", ["Containers"] = "CONTAINERS",
    };

    /// <summary>The filters of <c>docker images</c> (moby v18.09 <c>daemon/images.go</c> <c>acceptedImageFilterTags</c>).</summary>
    private static readonly Dictionary<string, Func<string, string?>> FilterKeys = new(StringComparer.Ordinal)
    {
        ["dangling"] = ListFilters.OneOf("true", "false"),
        ["label"] = ListFilters.NotEmpty,
        ["before"] = ListFilters.NotEmpty,
        ["since"] = ListFilters.NotEmpty,
        ["reference"] = ListFilters.Glob,
    };

    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var digests = new Option<bool>("--digests") { Description = "Show a DIGEST column" };
        var listing = new ListingOptions(
            "image",
            Fields,
            "{{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}",
            FilterKeys,
            "dangling=true|false, reference=PATTERN, label=KEY[=VALUE], before=IMAGE, since=IMAGE");
        var command = new Command("images", "List images: every tagged image and every untagged head, newest first") { digests };
        listing.AddTo(command, options);
        command.SetAction(parse => CliApp.Execute(parse, options, environment, session =>
        {
            var root = session.OpenRoot();
            var images = Filter(root, root.GetImages(), listing.Filters(session));
            var modern = root.Store == ImageStoreKind.ContentAddressed;
            var sizeColumn = modern ? "SIZE" : "VIRTUAL SIZE";
            var template = session.Value(listing.Quiet) ? null : listing.Template(session);
            var showDigests = session.Value(digests) || (template?.Uses("Digest") ?? false);
            var rows = (modern ? ModernRows(images, showDigests) : Rows(images)).ToList();
            var full = session.Value(listing.NoTrunc);
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

            if (session.Value(listing.Quiet))
            {
                foreach (var (_, _, _, image) in rows)
                {
                    session.Out.WriteLine(TerminalText.Escape(full ? image.Id : Ids.Shorten(image.Id)));
                }

                return CliApp.Success;
            }

            if (template is not null)
            {
                template.Write(session.Out, Fields, field => Headers[field], rows.Select(row => (Func<string, string>)(field => Field(field, row, full, session.Now))));
                return CliApp.Success;
            }

            var table = showDigests
                ? new TableWriter("REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", sizeColumn)
                : new TableWriter("REPOSITORY", "TAG", "IMAGE ID", "CREATED", sizeColumn);
            foreach (var (repository, tag, digest, image) in rows)
            {
                var id = full ? image.Id : Ids.Shorten(image.Id);
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

    /// <summary>One field of a row for <c>--format</c>: what the table shows in that column; the sizes docker computes only on request are N/A.</summary>
    private static string Field(string field, (string? Repository, string? Tag, string? Digest, ImageSummary Image) row, bool full, DateTimeOffset now) => field switch
    {
        "ID" => full ? row.Image.Id : Ids.Shorten(row.Image.Id),
        "Repository" => row.Repository ?? "<none>",
        "Tag" => row.Tag ?? "<none>",
        "Digest" => row.Digest ?? "<none>",
        "CreatedSince" => Humanize.Ago(row.Image.Created, now),
        "CreatedAt" => Humanize.GoTime(row.Image.Created),
        "Size" or "VirtualSize" => Humanize.Size(row.Image.VirtualSize),
        _ => "N/A",
    };

    /// <summary>
    /// The images the filters keep (moby v18.09 <c>daemon/images.go</c> <c>Images</c>): <c>dangling=true</c> keeps images
    /// without a tag, <c>dangling=false</c> those with a reference; <c>reference</c> keeps the images with a tag or digest
    /// matching one of its patterns, and of those references only the matching ones; <c>label</c> the images holding every
    /// label given; <c>before</c> and <c>since</c> the images created strictly before or after the one named (the last
    /// one given counts).
    /// </summary>
    private static List<ImageSummary> Filter(IDockerRoot root, IReadOnlyList<ImageSummary> images, ListFilters filters)
    {
        var danglingOnly = filters.Values("dangling").Contains("true", StringComparer.Ordinal); // ExactMatch("dangling", "true")
        var before = filters.Last("before") is { } b ? root.ResolveImage(b).Created?.Value ?? DateTimeOffset.MinValue : (DateTimeOffset?)null;
        var since = filters.Last("since") is { } s ? root.ResolveImage(s).Created?.Value ?? DateTimeOffset.MinValue : (DateTimeOffset?)null;
        var patterns = filters.Values("reference");
        var kept = new List<ImageSummary>();
        foreach (var image in images)
        {
            var created = image.Created?.Value ?? DateTimeOffset.MinValue;
            if ((before is { } until && created >= until) || (since is { } after && created <= after))
            {
                continue;
            }

            var referenced = image.RepoTags.Count > 0 || image.RepoDigests.Count > 0;
            if (filters.Has("dangling") && (danglingOnly ? image.RepoTags.Count > 0 : !referenced))
            {
                continue;
            }

            var current = image;
            if (patterns.Count > 0)
            {
                bool Matches(string reference) => patterns.Any(p => GoGlob.Match(p, Familiar(reference)) || GoGlob.Match(p, FamiliarName(reference)));
                current = image with { RepoTags = [.. image.RepoTags.Where(Matches)], RepoDigests = [.. image.RepoDigests.Where(Matches)] };
                if (current.RepoTags.Count == 0 && current.RepoDigests.Count == 0)
                {
                    continue;
                }
            }

            if (filters.Has("label") && !filters.MatchLabels(RecordedConfig.ImageLabels(root.ResolveImage(image.Id))))
            {
                continue;
            }

            kept.Add(current);
        }

        return kept;
    }

    /// <summary>A reference as docker shows it (distribution's <c>FamiliarString</c>): without the <c>docker.io/</c> domain, and without <c>library/</c> for an official image.</summary>
    private static string Familiar(string reference)
    {
        foreach (var domain in (string[])["docker.io/", "index.docker.io/"])
        {
            if (reference.StartsWith(domain, StringComparison.Ordinal))
            {
                var rest = reference[domain.Length..];
                return rest.StartsWith("library/", StringComparison.Ordinal) && rest.IndexOf('/', "library/".Length) < 0 ? rest["library/".Length..] : rest;
            }
        }

        return reference;
    }

    /// <summary>The familiar name alone (<c>FamiliarName</c>): the reference without its tag or digest.</summary>
    private static string FamiliarName(string reference)
    {
        var familiar = Familiar(reference);
        var at = familiar.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            return familiar[..at];
        }

        var colon = familiar.LastIndexOf(':');
        return colon > familiar.LastIndexOf('/') ? familiar[..colon] : familiar;
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
