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

    public static LayerSource Policy(string? value) => value switch
    {
        "tar-split" => LayerSource.TarSplit,
        "regenerate" => LayerSource.Regenerated,
        _ => LayerSource.Auto,
    };

    public static string Name(LayerSource source) => source == LayerSource.TarSplit ? "tar-split" : "regenerated";

    /// <summary>Runs a long command body with a cancellation token that Ctrl+C triggers; a cancelled run reports one line and exits 1.</summary>
    public static int Cancellable(Session session, Func<CancellationToken, int> body, CancellationToken cancellationToken)
    {
        try
        {
            return body(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            session.Environment.Error.WriteLine("docker-aufs: cancelled; nothing was written");
            return CliApp.Failure;
        }
    }
}
