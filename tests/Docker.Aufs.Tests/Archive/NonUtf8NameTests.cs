using System.Diagnostics;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using Docker.Aufs.Cli;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Archive;

/// <summary>
/// Names that are not UTF-8 (issue 15, class 12; docs/hostile-input.md, "Names that are not UTF-8"): Linux keeps a name
/// as bytes and Docker's Go code writes those bytes into a tar as they are, in a PAX <c>path</c> record when they are not
/// ASCII. On a sample root on disk, busybox's layer is given five such names — an invalid byte (<c>66 FF 6F</c>), an
/// invalid two-byte sequence (<c>C3 28</c>), an overlong encoding (<c>C0 AF</c>), a lone continuation byte (<c>80</c>) and
/// a truncated sequence (<c>E2 82</c>); before, each was left out of every listing and tar (event 3001), so a regenerated
/// layer had another DiffID. Tars are checked on their raw bytes, never through a reader that would decode the names.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class NonUtf8NameTests
{
    /// <summary>The names (in busybox's <c>etc</c>), the form <c>ls</c> shows and the content of each file.</summary>
    public static readonly TheoryData<string> Names = ["f\\xffo", "c\\xc3(", "o\\xc0\\xaf", "l\\x80", "t\\xe2\\x82"];

    private static readonly (byte[] Name, string Shown)[] Files =
    [
        ([0x66, 0xFF, 0x6F], "f\\xffo"),
        ([0x63, 0xC3, 0x28], "c\\xc3("),
        ([0x6F, 0xC0, 0xAF], "o\\xc0\\xaf"),
        ([0x6C, 0x80], "l\\x80"),
        ([0x74, 0xE2, 0x82], "t\\xe2\\x82"),
    ];

    [Theory]
    [InlineData("layer-tar")]
    [InlineData("export")]
    public void ANameThatIsNotUtf8_IsWrittenWithTheNamesBytesInTheHeaderGoWrites(string command)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "names as bytes on a Linux file system");
        using var temp = new TempDirectory();
        var (root, layer, names) = RootWithOddNames(temp);
        using var unlink = names;

        var output = temp.Combine("out.tar");
        string[] args = command == "layer-tar"
            ? ["--root", root, "layer-tar", Path.GetFileName(layer), "--layer-source", "regenerate", "-o", output]
            : ["--root", root, "export", "busybox", "-o", output];
        var (exit, _, error) = CliRunner.Run(args);
        Assert.True(exit == 0, error);

        var members = Members(File.ReadAllBytes(output));
        for (var i = 0; i < Files.Length; i++)
        {
            var name = "etc/"u8.ToArray().Concat(Files[i].Name).ToArray();
            var member = Assert.Single(members, m => m.Name.AsSpan().SequenceEqual(name));
            Assert.Equal((byte)'0', member.Type);
            Assert.Equal(Content(i), member.Content);
            // Go's writer: a name that is not ASCII goes whole into a PAX "path" record (its bytes as they are), the
            // header's own name field is left empty, and the PAX header is named dir/PaxHeaders.<n>/file without the
            // bytes that are not ASCII.
            Assert.True(member.PaxHeader is not null, $"no PAX header before {Files[i].Shown}");
            Assert.Equal(Record("path", name), member.PaxRecords);
            Assert.Equal([.. "etc/PaxHeaders.0/"u8, .. Files[i].Name.Where(b => b < 0x80)], member.PaxHeader);
            Assert.Empty(member.HeaderName);
        }
    }

    [Fact]
    public void TheDigestOfALayerWithSuchNames_IsTheSha256OfTheTarWritten()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "names as bytes on a Linux file system");
        using var temp = new TempDirectory();
        var (root, layer, names) = RootWithOddNames(temp);
        using var unlink = names;
        var output = temp.Combine("layer.tar");
        var (exit, _, error) = CliRunner.Run("--root", root, "layer-tar", Path.GetFileName(layer), "--layer-source", "regenerate", "-o", output);
        Assert.True(exit == 0, error);

        var (_, digest, _) = CliRunner.Run("--root", root, "digest", "busybox");

        var sha = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(output)));
        Assert.Contains(sha, digest, StringComparison.Ordinal);
        Assert.Equal(Files.Length, Members(File.ReadAllBytes(output)).Count(m => m.PaxHeader is not null));
    }

    [Fact]
    public void LsRecursive_NamesThatAreNotUtf8_AreListedInTheirShellQuotedForm()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "names as bytes on a Linux file system");
        using var temp = new TempDirectory();
        var (root, _, names) = RootWithOddNames(temp);
        using var unlink = names;

        var (exit, output, error) = CliRunner.Run("--root", root, "ls", "-R", "busybox", "/etc");

        Assert.True(exit == 0, error);
        Assert.Empty(error);
        foreach (var (_, shown) in Files)
        {
            Assert.Contains($"$'/etc/{shown}'", output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("\uFFFD", output, StringComparison.Ordinal);
    }

    [Fact]
    public void LsJson_ANameThatIsNotUtf8_CarriesUFFFDAsDockersEncodingJsonDoesAndItsBytesBeside()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "names as bytes on a Linux file system");
        using var temp = new TempDirectory();
        var (root, _, names) = RootWithOddNames(temp);
        using var unlink = names;

        var entries = CliRunner.Json("--root", root, "ls", "busybox", "/etc", "--json").EnumerateArray().ToList();

        var odd = Assert.Single(entries, e => e.GetProperty("path").GetString() == "etc/f\uFFFDo");
        Assert.Equal([.. "etc/"u8, .. Files[0].Name], odd.GetProperty("pathBytes").GetBytesFromBase64());
        Assert.Single(entries, e => e.GetProperty("path").GetString() == "etc/o\uFFFD\uFFFD");
        var passwd = Assert.Single(entries, e => e.GetProperty("path").GetString() == "etc/passwd");
        Assert.False(passwd.TryGetProperty("pathBytes", out _)); // only where the bytes are not UTF-8
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Cat_TheShownFormPastedIntoBash_ReadsTheFile(string shown)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() && File.Exists("/bin/bash"), "bash passes the name's bytes as an argument");
        using var temp = new TempDirectory();
        var (root, _, names) = RootWithOddNames(temp);
        using var unlink = names;
        var cli = Path.Combine(Path.GetDirectoryName(typeof(CliApp).Assembly.Location)!, "docker-aufs.dll");
        // What ls shows, pasted into the shell: bash turns $'…\xff…' into the byte, and the process gets it in argv.
        var start = new ProcessStartInfo("/bin/bash", ["-c", $"exec dotnet \"$0\" --root \"$1\" cat busybox $'/etc/{shown}'", cli, root])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, await error);
        var index = Array.FindIndex(Files, f => f.Shown == shown);
        Assert.Equal(Encoding.ASCII.GetString(Content(index)), await output);
    }

    [Fact]
    public void SaveThenImport_ANameAndALinkTargetThatAreNotUtf8_KeepTheirBytesAndFsckFindsNothing()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "names as bytes on a Linux file system");
        using var temp = new TempDirectory();
        var root = temp.Combine("root");
        var (exit, _, error) = CliRunner.Run("sample", root);
        Assert.True(exit == 0, error);
        var passwd = DockerRoot.Open(new System.IO.Abstractions.FileSystem(), root).OpenImage("busybox").GetEntry("/etc/passwd").SourcePath;
        var layer = Path.GetDirectoryName(Path.GetDirectoryName(passwd))!;
        // One such name only: tar-split 0.9.10 and later (Docker 1.10+) keep every name that is not UTF-8 under the key
        // "." and refuse a second one as a duplicate path, so Docker itself cannot pull a layer holding two.
        using var file = TarExtraction.WriteFileWithRawName(Path.Combine(layer, "etc"), Files[0].Name, Content(0));
        using var link = TarExtraction.CreateSymlinkWithRawTarget([.. "../f"u8, 0xFF, (byte)'o'], Path.Combine(layer, "etc", "link"));
        var archive = temp.Combine("busybox.tar");
        (exit, _, error) = CliRunner.Run("--root", root, "save", "busybox", "-o", archive);
        Assert.True(exit == 0, error);
        var (_, expected, _) = CliRunner.Run("--root", root, "digest", "busybox");

        var imported = temp.Combine("imported");
        (exit, _, error) = CliRunner.Run("import", archive, "--into", imported);
        Assert.True(exit == 0, error);
        using var unlink = new Unlink([TarExtraction.RawNameToUnlink(Directory.GetDirectories(Path.Combine(imported, "aufs", "diff")).Select(d => Path.Combine(d, "etc")).First(Directory.Exists), Files[0].Name)]);

        var (fsckExit, fsck, fsckError) = CliRunner.Run("--root", imported, "fsck");
        Assert.True(fsckExit == 0, fsck + fsckError);
        var (_, listing, _) = CliRunner.Run("--root", imported, "ls", "busybox", "/etc");
        Assert.Contains("$'/etc/f\\xffo'", listing, StringComparison.Ordinal);
        Assert.Contains("$'/etc/link -> ../f\\xffo'", listing, StringComparison.Ordinal);
        // The imported layers are reassembled from the tar-split import wrote, and give the DiffIDs of the original.
        var (_, digest, _) = CliRunner.Run("--root", imported, "digest", "busybox");
        Assert.Contains("tar-split", digest, StringComparison.Ordinal);
        Assert.Equal(DiffIds(expected), DiffIds(digest));
    }

    private static List<string> DiffIds(string digest) =>
        [.. System.Text.RegularExpressions.Regex.Matches(digest, "sha256:[0-9a-f]{64}").Select(m => m.Value)];

    private static byte[] Content(int index) => Encoding.ASCII.GetBytes($"content {index}\n");

    /// <summary>The sample root with the five names added to busybox's layer that holds <c>/etc/passwd</c>.</summary>
    private static (string Root, string Layer, Unlink Names) RootWithOddNames(TempDirectory temp)
    {
        var root = temp.Combine("root");
        var (exit, _, error) = CliRunner.Run("sample", root);
        Assert.True(exit == 0, error);
        var passwd = DockerRoot.Open(new System.IO.Abstractions.FileSystem(), root).OpenImage("busybox").GetEntry("/etc/passwd").SourcePath;
        var layer = Path.GetDirectoryName(Path.GetDirectoryName(passwd))!;
        var names = new Unlink([.. Files.Select((f, i) => TarExtraction.WriteFileWithRawName(Path.Combine(layer, "etc"), f.Name, Content(i)))]);
        return (root, layer, names);
    }

    /// <summary>Unlinks the files .NET could not delete with the temporary directory.</summary>
    private sealed class Unlink(IDisposable[] files) : IDisposable
    {
        public void Dispose()
        {
            foreach (var file in files)
            {
                file.Dispose();
            }
        }
    }

    /// <summary>A PAX record as Go writes it: <c>"%d %s=%s\n"</c>, the length counting its own digits.</summary>
    private static byte[] Record(string key, byte[] value)
    {
        var body = key.Length + value.Length + 3; // ' ', '=', '\n'
        var length = body + body.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        length = body + length.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        return [.. Encoding.ASCII.GetBytes($"{length} {key}="), .. value, (byte)'\n'];
    }

    /// <summary>One member as its bytes say: the name from the PAX record when there is one, else from the header.</summary>
    private sealed record Member(byte[] Name, byte Type, byte[] HeaderName, byte[]? PaxHeader, byte[]? PaxRecords, byte[] Content);

    /// <summary>The members of a tar, walking the headers by their sizes, without decoding a name.</summary>
    private static List<Member> Members(byte[] tar)
    {
        var members = new List<Member>();
        byte[]? paxHeader = null;
        byte[]? records = null;
        for (var offset = 0; offset + 512 <= tar.Length;)
        {
            var header = tar.AsSpan(offset, 512);
            if (header.IndexOfAnyExcept((byte)0) < 0)
            {
                break;
            }

            var size = Convert.ToInt64(Encoding.ASCII.GetString(TarExtraction.CString(header.Slice(124, 12))).Trim(), 8);
            var data = tar.AsSpan(offset + 512, (int)size).ToArray();
            var name = TarExtraction.CString(header[..100]);
            var prefix = TarExtraction.CString(header.Slice(345, 155));
            if (header[156] == (byte)'x')
            {
                paxHeader = name;
                records = data;
            }
            else
            {
                var path = records is null ? null : TarExtraction.PaxValue(records, "path");
                var full = path ?? (prefix.Length > 0 ? [.. prefix, (byte)'/', .. name] : name);
                members.Add(new Member(full, header[156], name, paxHeader, records, data));
                paxHeader = null;
                records = null;
            }

            offset += 512 + (int)((size + 511) / 512 * 512);
        }

        return members;
    }
}
