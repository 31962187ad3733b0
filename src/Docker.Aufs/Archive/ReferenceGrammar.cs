namespace Docker.Aufs.Archive;

/// <summary>
/// The reference grammar of current tools (distribution's <c>reference</c> package, as Docker ≥ 1.10, containerd, skopeo and
/// podman parse <c>RepoTags</c> and <c>org.opencontainers.image.ref.name</c>): legacy tag stores can hold names it rejects —
/// upper case, tags of pre-1.3 Docker, 64-hex repositories — which must not be written into an archive.
/// </summary>
internal static class ReferenceGrammar
{
    /// <summary>Returns why <c>repository:tag</c> is not a valid tagged reference, or <see langword="null"/> when it is.</summary>
    public static string? Problem(string repository, string tag)
    {
        if (!Formats.NamedReference.IsTag(tag))
        {
            return "the tag must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
        }

        if (repository.Length is 0 or > 255)
        {
            return "a repository name has 1 to 255 characters";
        }

        var components = repository.Split('/');
        var start = 0;
        if (components.Length > 1 && IsDomain(components[0]))
        {
            if (!Formats.NamedReference.IsDomain(components[0]))
            {
                return $"'{components[0]}' is not a registry host";
            }

            start = 1;
        }

        for (var i = start; i < components.Length; i++)
        {
            if (!Formats.NamedReference.IsPathComponent(components[i]))
            {
                return $"'{components[i]}' is not a valid name component (lower case letters, digits and separators)";
            }
        }

        if (start == 0 && components.Length == 1 && components[0].Length == 64 && Formats.DockerIds.IsId(components[0]))
        {
            return "a repository cannot be named like a 64-character image ID";
        }

        return null;
    }

    /// <summary>The fully qualified form containerd uses: <c>docker.io/library/busybox:latest</c>.</summary>
    public static string FullyQualified(string repository, string tag)
    {
        var components = repository.Split('/');
        if (components.Length > 1 && IsDomain(components[0]))
        {
            return repository + ":" + tag;
        }

        return (components.Length == 1 ? "docker.io/library/" : "docker.io/") + repository + ":" + tag;
    }

    private static bool IsDomain(string component) =>
        component.Contains('.', StringComparison.Ordinal) || component.Contains(':', StringComparison.Ordinal) || component == "localhost" ||
        component.Any(char.IsAsciiLetterUpper);
}
