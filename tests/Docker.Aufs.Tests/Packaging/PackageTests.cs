using System.Diagnostics;
using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Packaging;

/// <summary>
/// The packages people adopt: the root Docker.Aufs.nuspec mirrors what dotnet pack generates, each package carries what it
/// should, its metadata names no made-up address, its README stands alone on a feed, and the library's framework
/// dependencies stay on the framework's major version.
/// </summary>
public sealed partial class PackageTests
{
    private const int FrameworkMajor = 10;

    private static readonly Lazy<Packed> Packages = new(PackAll);

    private sealed record PackedPackage(XDocument Nuspec, Dictionary<string, byte[]> Entries, bool HasSymbols)
    {
        public XElement Metadata => Nuspec.Root!.Elements().First(e => e.Name.LocalName == "metadata");

        public IEnumerable<XElement> Named(string name) => Metadata.Descendants().Where(e => e.Name.LocalName == name);
    }

    private sealed record Packed(PackedPackage Library, PackedPackage Testing, PackedPackage Tool);

    [Fact]
    public void TheRootNuspec_MirrorsTheGeneratedManifest()
    {
        var generated = Normalize(Packages.Value.Library.Nuspec);
        var mirror = Normalize(XDocument.Load(Repository.Combine("Docker.Aufs.nuspec")));
        Assert.Equal(generated.ToString(), mirror.ToString());
    }

    [Fact]
    public void ThePackage_CarriesReadmeIconLicenseXmlDocsAndSymbols()
    {
        var library = Packages.Value.Library;
        Assert.Contains("README.md", library.Entries.Keys);
        Assert.Contains("icon.png", library.Entries.Keys);
        Assert.Contains("lib/net10.0/Docker.Aufs.dll", library.Entries.Keys);
        Assert.Contains("lib/net10.0/Docker.Aufs.xml", library.Entries.Keys);
        Assert.True(library.HasSymbols, "the symbols package is missing");
        Assert.Equal("MIT", library.Named("license").Single().Value);
        Assert.NotNull(library.Named("repository").Single().Attribute("commit"));
    }

    [Fact]
    public void EveryPackage_HasTagsReleaseNotesAnIconAndTheStandaloneReadme()
    {
        var readme = File.ReadAllBytes(Repository.Combine("docs", "package-readme.md"));
        foreach (var package in All())
        {
            var id = package.Named("id").Single().Value;
            Assert.False(string.IsNullOrWhiteSpace(package.Named("tags").SingleOrDefault()?.Value), $"{id}: no tags");
            Assert.StartsWith("0.2.0", package.Named("releaseNotes").SingleOrDefault()?.Value ?? "", StringComparison.Ordinal);
            Assert.Equal("icon.png", package.Named("icon").Single().Value);
            Assert.Contains("icon.png", package.Entries.Keys);
            Assert.Equal(readme, package.Entries["README.md"]);
        }
    }

    [Fact]
    public void NoPackage_NamesAnAddressItDoesNotHave()
    {
        // A project or repository address is either the repository's real remote or absent; nothing is written by hand.
        var remote = GitRemote();
        foreach (var package in All())
        {
            Assert.Empty(package.Named("projectUrl"));
            var url = package.Named("repository").SingleOrDefault()?.Attribute("url")?.Value;
            Assert.True(url is null || url == remote, $"repository url {url} is not this repository's remote ({remote ?? "none"})");
            var addresses = AddressPattern().Matches(package.Nuspec.ToString()).Select(m => m.Value)
                .Where(a => a != "https://licenses.nuget.org/MIT" && a != remote && !a.StartsWith("http://schemas.microsoft.com/packaging/", StringComparison.Ordinal));
            Assert.Empty(addresses);
        }
    }

    [Fact]
    public void ThePackageReadme_StandsAloneOnAFeed()
    {
        // A feed shows the README without the repository around it: no relative links or images.
        var text = File.ReadAllText(Repository.Combine("docs", "package-readme.md"));
        var relative = MarkdownLinkPattern().Matches(text).Select(m => m.Groups["target"].Value)
            .Where(target => !target.StartsWith("https://", StringComparison.Ordinal));
        Assert.Empty(relative);
        Assert.DoesNotContain("src=\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void TheLibraryAndTestingPackages_DependOnlyOnTheFrameworksMajorForMicrosoftAndSystemPackages()
    {
        foreach (var package in new[] { Packages.Value.Library, Packages.Value.Testing })
        {
            foreach (var dependency in package.Named("dependency"))
            {
                var id = dependency.Attribute("id")!.Value;
                if (id.StartsWith("Microsoft.", StringComparison.Ordinal) || id.StartsWith("System.", StringComparison.Ordinal))
                {
                    var version = dependency.Attribute("version")!.Value.Trim('[', ']', '(', ')').Split(',')[0];
                    Assert.True(Version.Parse(version).Major == FrameworkMajor, $"{package.Named("id").Single().Value} depends on {id} {version}, not {FrameworkMajor}.0.x");
                }
            }
        }
    }

    [Fact]
    public void TheTool_IsNativeOnFourPlatformsWithAFrameworkDependentFallback()
    {
        var tool = Packages.Value.Tool;
        Assert.Contains(tool.Named("packageType"), t => t.Attribute("name")?.Value == "DotnetTool");
        var settings = XDocument.Parse(System.Text.Encoding.UTF8.GetString(tool.Entries["tools/any/any/DotnetToolSettings.xml"]).TrimStart('\uFEFF'));
        var rids = settings.Descendants("RuntimeIdentifierPackage").ToDictionary(e => e.Attribute("RuntimeIdentifier")!.Value, e => e.Attribute("Id")!.Value);
        Assert.Equal(["any", "linux-arm64", "linux-x64", "osx-arm64", "win-x64"], rids.Keys.Order(StringComparer.Ordinal));
        Assert.All(rids, pair => Assert.Equal("Docker.Aufs.Cli." + pair.Key, pair.Value));
        Assert.Equal("docker-aufs", settings.Descendants("Command").Single().Attribute("Name")!.Value);
    }

    // The version, the build's commit and branch, and the file list depend on the build, not on the metadata.
    private static XElement Normalize(XDocument document)
    {
        var metadata = new XElement(document.Root!.Elements().First(e => e.Name.LocalName == "metadata"));
        metadata.Elements().First(e => e.Name.LocalName == "version").Value = "0.0.0";
        var repository = metadata.Elements().FirstOrDefault(e => e.Name.LocalName == "repository");
        repository?.Attribute("commit")?.Remove();
        repository?.Attribute("branch")?.Remove();
        foreach (var element in metadata.DescendantsAndSelf())
        {
            element.Name = element.Name.LocalName;
        }

        return metadata;
    }

    private static IEnumerable<PackedPackage> All() => [Packages.Value.Library, Packages.Value.Testing, Packages.Value.Tool];

    private static string? GitRemote()
    {
        var info = new ProcessStartInfo("git", ["-C", Repository.Root, "remote", "get-url", "origin"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var url = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return process.ExitCode == 0 && url.Length > 0 ? url : null;
    }

    private static Packed PackAll()
    {
        var output = Path.Combine(Path.GetTempPath(), "docker-aufs-pack-" + Guid.NewGuid().ToString("N"));
        try
        {
            return new Packed(Pack("Docker.Aufs", output), Pack("Docker.Aufs.Testing", output), Pack("Docker.Aufs.Cli", output));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static PackedPackage Pack(string project, string output)
    {
        var info = new ProcessStartInfo("dotnet", ["pack", Repository.Combine("src", project, project + ".csproj"), "-c", "Release", "-o", output, "-nologo"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository.Root,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"dotnet pack {project} failed:\n{stdout.Result}\n{stderr.Result}");
        var package = Path.Combine(output, project + ".0.2.0.nupkg");
        using var zip = ZipFile.OpenRead(package);
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in zip.Entries)
        {
            using var stream = entry.Open();
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            entries[entry.FullName] = buffer.ToArray();
        }

        using var nuspec = new MemoryStream(entries[project + ".nuspec"]);
        return new PackedPackage(XDocument.Load(nuspec), entries, File.Exists(Path.ChangeExtension(package, ".snupkg")));
    }

    [GeneratedRegex(@"https?://[^\s""'<>)]+")]
    private static partial Regex AddressPattern();

    [GeneratedRegex(@"!?\[[^\]]*\]\((?<target>[^)\s]+)")]
    private static partial Regex MarkdownLinkPattern();
}
