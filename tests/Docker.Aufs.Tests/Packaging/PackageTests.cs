using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Packaging;

/// <summary>The package people adopt: the root Docker.Aufs.nuspec mirrors what dotnet pack generates, and the package carries what it should.</summary>
public sealed class PackageTests
{
    private static readonly Lazy<PackedLibrary> Package = new(PackLibrary);

    private sealed record PackedLibrary(XDocument Nuspec, HashSet<string> Entries, bool HasSymbols);

    [Fact]
    public void TheRootNuspec_MirrorsTheGeneratedManifest()
    {
        var generated = Normalize(Package.Value.Nuspec);
        var mirror = Normalize(XDocument.Load(Repository.Combine("Docker.Aufs.nuspec")));
        Assert.Equal(generated.ToString(), mirror.ToString());
    }

    [Fact]
    public void ThePackage_CarriesReadmeIconLicenseXmlDocsAndSymbols()
    {
        var names = Package.Value.Entries;
        Assert.Contains("README.md", names);
        Assert.Contains("icon.png", names);
        Assert.Contains("lib/net10.0/Docker.Aufs.dll", names);
        Assert.Contains("lib/net10.0/Docker.Aufs.xml", names);
        Assert.True(Package.Value.HasSymbols, "the symbols package is missing");
        var metadata = Package.Value.Nuspec.Root!.Elements().First(e => e.Name.LocalName == "metadata");
        Assert.Equal("MIT", metadata.Elements().Single(e => e.Name.LocalName == "license").Value);
        Assert.Contains(metadata.Elements(), e => e.Name.LocalName == "repository" && e.Attribute("commit") is not null);
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

    private static PackedLibrary PackLibrary()
    {
        var output = Path.Combine(Path.GetTempPath(), "docker-aufs-pack-" + Guid.NewGuid().ToString("N"));
        var info = new ProcessStartInfo("dotnet", ["pack", Repository.Combine("src", "Docker.Aufs", "Docker.Aufs.csproj"), "-c", "Release", "-o", output, "-nologo"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository.Root,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        try
        {
            Assert.True(process.ExitCode == 0, $"dotnet pack failed:\n{stdout.Result}\n{stderr.Result}");
            var package = Directory.EnumerateFiles(output, "Docker.Aufs.*.nupkg").Single(f => !f.EndsWith(".snupkg", StringComparison.Ordinal));
            using var zip = ZipFile.OpenRead(package);
            using var nuspec = zip.GetEntry("Docker.Aufs.nuspec")!.Open();
            return new PackedLibrary(XDocument.Load(nuspec), zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal),
                File.Exists(Path.ChangeExtension(package, ".snupkg")));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
