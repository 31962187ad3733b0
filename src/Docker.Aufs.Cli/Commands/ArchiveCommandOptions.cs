using System.CommandLine;
using Docker.Aufs.Archive;

namespace Docker.Aufs.Cli.Commands;

/// <summary>Options and conventions shared by the archive commands (save, layer-tar, digest, import).</summary>
internal static class ArchiveCommandOptions
{
    public static Option<string> LayerSourceOption() => new Option<string>("--layer-source")
    {
        Description = "How to produce layer tars: auto (tar-split when it matches the files, else regenerate), tar-split, or regenerate",
        HelpName = "HOW",
        DefaultValueFactory = _ => "auto",
    }.OneOf("auto", "tar-split", "regenerate");

    /// <summary><c>--quiet</c> of the long writers: no progress bar (there is none anyway when stderr is not a terminal, or with <c>--json</c>).</summary>
    public static Option<bool> QuietOption() => new("--quiet", "-q") { Description = "Show no progress on stderr (shown only when stderr is a terminal)" };

    public static LayerSource Policy(string? value) => value switch
    {
        "tar-split" => LayerSource.TarSplit,
        "regenerate" => LayerSource.Regenerated,
        _ => LayerSource.Auto,
    };

    public static string Name(LayerSource source) => source == LayerSource.TarSplit ? "tar-split" : "regenerated";

    /// <summary>
    /// Runs a long command body with the token SIGINT and SIGTERM cancel (<see cref="CliEnvironment.Cancellation"/>), linked to
    /// System.CommandLine's; a cancelled run is reported by <see cref="CliApp.Execute"/> (one line, nothing written).
    /// </summary>
    public static int Cancellable(Session session, Func<CancellationToken, int> body, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, session.Environment.Cancellation);
        return body(linked.Token);
    }
}
