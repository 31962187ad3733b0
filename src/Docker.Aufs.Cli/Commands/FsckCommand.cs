using System.CommandLine;
using Docker.Aufs.Cli.Output;

namespace Docker.Aufs.Cli.Commands;

/// <summary><c>docker-aufs fsck</c>: an integrity report over the whole root. Exit 0 clean, 1 findings, 2 the root cannot be read.</summary>
internal static class FsckCommand
{
    public const int RootUnreadable = 2;

    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var quick = new Option<bool>("--quick") { Description = "Check metadata only: skip reassembling layers to verify their files against the tar-split CRCs" };
        var quiet = ArchiveCommandOptions.QuietOption();
        var command = new Command("fsck", "Check the whole root: missing, orphan, inconsistent or corrupt data (exit 0 clean, 1 findings, 2 unreadable)") { quick, quiet };
        command.SetAction(parse => CliApp.Execute(parse, options, environment, session =>
        {
            FsckReport report;
            try
            {
                using var bar = ProgressBar.Create(session, "Verifying", quiet); // the layers' content, the long part; cleared before the report
                report = session.Value(options.Sample)
                    ? RootChecker.CheckWithProgress(session.SampleFileSystem(), LegacyRootDefaults.Path, session.RootOptions(), !session.Value(quick), bar, session.Environment.Cancellation)
                    : RootChecker.CheckWithProgress(session.Environment.FileSystem, session.Value(options.Root), session.RootOptions(), !session.Value(quick), bar, session.Environment.Cancellation);
            }
            catch (Exception e) when (e is NotADockerRootException or UnsafePathException or IOException or UnauthorizedAccessException)
            {
                // What fsck throws at all means the root itself cannot be read: not a legacy root, a link at graph/ or
                // the driver's directories (refused, not followed), or the operating system refusing to list it.
                environment.Error.WriteEscapedLine($"docker-aufs: {e.Message}");
                return RootUnreadable;
            }

            if (session.Json)
            {
                JsonOutput.Write(session.Out, w =>
                {
                    w.WriteStartArray();
                    foreach (var finding in report.Findings)
                    {
                        w.WriteStartObject();
                        w.WriteString("code", finding.Code);
                        w.WriteString("severity", Severity(finding.Severity));
                        w.WriteString("path", finding.Path);
                        w.WriteString("message", finding.Message);
                        w.WriteString("hint", finding.Hint);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
            }
            else
            {
                foreach (var finding in report.Findings)
                {
                    session.Out.WriteEscapedLine($"{Severity(finding.Severity),-8}{finding.Code}  {finding.Path}");
                    session.Out.WriteEscapedLine($"        {finding.Message}");
                    session.Out.WriteEscapedLine($"        hint: {finding.Hint}");
                }

                if (report.IsClean)
                {
                    session.Out.WriteEscapedLine($"{report.Root}: no findings");
                }
                else
                {
                    session.Out.WriteEscapedLine($"{report.Root}: {report.Findings.Count} findings ({Count(report, FindingSeverity.Error)} errors, {Count(report, FindingSeverity.Warning)} warnings, {Count(report, FindingSeverity.Info)} info)");
                }
            }

            return report.IsClean ? CliApp.Success : CliApp.Failure;
        }));
        return command;
    }

    private static string Severity(FindingSeverity severity) => severity switch
    {
        FindingSeverity.Error => "error",
        FindingSeverity.Warning => "warning",
        _ => "info",
    };

    private static int Count(FsckReport report, FindingSeverity severity) => report.Findings.Count(f => f.Severity == severity);
}
