using System.Text;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.Tests.Union;

namespace Docker.Aufs.Tests.Docs;

/// <summary>
/// Every <c>$ docker-aufs …</c> transcript of the README and the docs is what the CLI prints, byte for byte: each command
/// is run (at the fixed time of <see cref="CliRunner.Now"/>) and its standard output and error, as the docs show them,
/// compared. <c>/srv/rescue/var/lib/docker</c> in a transcript is the balena fixture's root (a Docker 18.09 AUFS host) and
/// <c>/srv/overlay2-host/var/lib/docker</c> the docker-explorer fixture's (a Docker 17.x overlay2 host), extracted for the test; a file a command writes goes to a temporary directory under the name the transcript gives.
/// Lines starting with <c>$ </c> that run other programs are shown in the docs, not run here.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TranscriptTests : IDisposable
{
    /// <summary>The root path transcripts use for the balena fixture.</summary>
    public const string RescueRoot = "/srv/rescue/var/lib/docker";

    /// <summary>The root path transcripts use for the overlay2 fixture.</summary>
    public const string Overlay2Root = "/srv/overlay2-host/var/lib/docker";

    private static readonly string[] Documents = ["README.md", "docs/cookbook.md", "docs/reading.md", "docs/union.md", "docs/archive.md", "docs/fsck.md"];

    private readonly BalenaFixtureTests.ExtractedRoot _balena;
    private readonly Drivers.Overlay2.Overlay2FixtureTests.ExtractedRoot _overlay2;
    private readonly TempDirectory _temp = new();

    public TranscriptTests(BalenaFixtureTests.ExtractedRoot balena, Drivers.Overlay2.Overlay2FixtureTests.ExtractedRoot overlay2)
    {
        _balena = balena;
        _overlay2 = overlay2;
    }

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, int> Transcripts()
    {
        var data = new TheoryData<string, int>();
        foreach (var document in Documents)
        {
            for (var i = 0; i < Parse(document).Count; i++)
            {
                data.Add(document, i);
            }
        }

        return data;
    }

    [Fact]
    public void Documents_HoldTranscripts()
    {
        Assert.NotEmpty(Parse("README.md"));
        Assert.Contains(Parse("docs/cookbook.md"), t => t.Command.Contains(RescueRoot, StringComparison.Ordinal));
        Assert.Contains(Parse("docs/cookbook.md"), t => t.Command.Contains(Overlay2Root, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Transcripts))]
    public void Transcript_IsWhatTheCommandPrints(string document, int index)
    {
        var transcript = Parse(document)[index];
        var arguments = Words(transcript.Command).Skip(1).Select(Substitute).ToArray();

        var (_, output, error) = CliRunner.Run(arguments);

        Assert.Equal(transcript.Output, Unsubstitute(output + error).TrimEnd('\n'));
    }

    private string Substitute(string argument) =>
        argument.Replace(RescueRoot, _balena.Path, StringComparison.Ordinal).Replace(Overlay2Root, _overlay2.Path, StringComparison.Ordinal) is var mapped && mapped != argument ? mapped
        : argument.EndsWith(".tar", StringComparison.Ordinal) || argument.EndsWith("-oci", StringComparison.Ordinal) ? _temp.Combine(argument.Replace('/', '_')) + (argument.EndsWith('/') ? "/" : string.Empty)
        : argument;

    private string Unsubstitute(string text) =>
        text.Replace(_balena.Path, RescueRoot, StringComparison.Ordinal).Replace(_overlay2.Path, Overlay2Root, StringComparison.Ordinal).Replace(_temp.Path + "/", string.Empty, StringComparison.Ordinal);

    /// <summary>The transcripts of a document: in fenced blocks, each <c>$ docker-aufs</c> line and the lines up to the next <c>$ </c> line or the fence.</summary>
    private static List<(string Command, string Output)> Parse(string document)
    {
        var lines = File.ReadAllLines(Path.Combine(Repository.Root, document));
        var transcripts = new List<(string, string)>();
        var inFence = false;
        string? command = null;
        var output = new StringBuilder();
        void Flush()
        {
            if (command is not null)
            {
                transcripts.Add((command, output.ToString().TrimEnd('\n')));
            }

            command = null;
            output.Clear();
        }

        foreach (var line in lines)
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                Flush();
                inFence = !inFence;
                continue;
            }

            if (!inFence)
            {
                continue;
            }

            if (line.StartsWith("$ ", StringComparison.Ordinal))
            {
                Flush();
                command = line.StartsWith("$ docker-aufs ", StringComparison.Ordinal) ? line[2..] : null;
            }
            else if (command is not null)
            {
                output.Append(line).Append('\n');
            }
        }

        Flush();
        return transcripts;
    }

    /// <summary>Splits a command line as a shell does for the quoting the docs use: single and double quotes, no expansion.</summary>
    private static List<string> Words(string line)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        char? quote = null;
        var any = false;
        foreach (var c in line)
        {
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                any = true;
            }
            else if (c == ' ')
            {
                if (any || current.Length > 0)
                {
                    words.Add(current.ToString());
                }

                current.Clear();
                any = false;
            }
            else
            {
                current.Append(c);
            }
        }

        if (any || current.Length > 0)
        {
            words.Add(current.ToString());
        }

        return words;
    }
}
