#!/usr/bin/env dotnet
// Runs one of docs/examples/csx/*.csx the way dotnet-script does, for CI (dotnet-script itself is not available there):
// Roslyn's C# scripting engine, dotnet-script's default imports, its Args global, and the script's
// #r "nuget: NAME, VERSION" directives served by the assemblies this runner is built with. A directive naming a package
// or a version that is not the one built here is an error, so the scripts cannot drift from the package they name.
// Run from the repository:  dotnet run eng/run-csx.cs -- docs/examples/csx/list-images.csx [script arguments]
#:project ../src/Docker.Aufs/Docker.Aufs.csproj
#:project ../src/Docker.Aufs.Testing/Docker.Aufs.Testing.csproj
#:package Microsoft.CodeAnalysis.CSharp.Scripting
#:package TestableIO.System.IO.Abstractions.TestingHelpers
#:property PublishAot=false
#:property GenerateDocumentationFile=true
#:property NoWarn=$(NoWarn);CS1591

using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Scripting.Hosting;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.CodeAnalysis.Scripting.Hosting;

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: dotnet run eng/run-csx.cs -- SCRIPT.csx [ARGS...]");
    return 2;
}

var path = Path.GetFullPath(args[0]);
if (!File.Exists(path))
{
    Console.Error.WriteLine($"run-csx: {path}: no such script");
    return 2;
}

// The packages a script may name, each served by an assembly this runner references.
var packages = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase)
{
    ["Docker.Aufs"] = typeof(Docker.Aufs.DockerRoot).Assembly,
    ["Docker.Aufs.Testing"] = typeof(Docker.Aufs.Testing.DockerRootBuilder).Assembly,
    ["TestableIO.System.IO.Abstractions.TestingHelpers"] = typeof(System.IO.Abstractions.TestingHelpers.MockFileSystem).Assembly,
};

var lines = File.ReadAllLines(path);
var references = new List<Assembly>
{
    typeof(System.IO.Abstractions.IFileSystem).Assembly,
    typeof(System.IO.Abstractions.FileSystem).Assembly,
    typeof(Microsoft.Extensions.Logging.ILogger).Assembly,
};
for (var i = 0; i < lines.Length; i++)
{
    var directive = NuGetDirective().Match(lines[i]);
    if (!directive.Success)
    {
        continue;
    }

    var (name, version) = (directive.Groups["name"].Value, directive.Groups["version"].Value);
    if (!packages.TryGetValue(name, out var assembly))
    {
        Console.Error.WriteLine($"run-csx: {args[0]}:{i + 1}: package {name} is not one this runner serves ({string.Join(", ", packages.Keys)})");
        return 1;
    }

    var built = PackageVersion(assembly);
    if (version != built)
    {
        Console.Error.WriteLine($"run-csx: {args[0]}:{i + 1}: {name} {version} is named, but this repository builds {built}");
        return 1;
    }

    references.Add(assembly);
    lines[i] = string.Empty; // keeps line numbers in diagnostics
}

// dotnet-script's defaults: ScriptCompiler.ImportedNamespaces.
string[] imports =
[
    "System", "System.IO", "System.Collections.Generic", "System.Console", "System.Diagnostics", "System.Dynamic",
    "System.Linq", "System.Linq.Expressions", "System.Text", "System.Threading.Tasks",
];
var options = ScriptOptions.Default.AddImports(imports).AddReferences(references).WithFilePath(path).WithEmitDebugInformation(true).WithFileEncoding(System.Text.Encoding.UTF8);
var globals = new CommandLineScriptGlobals(Console.Out, CSharpObjectFormatter.Instance);
foreach (var argument in args.Skip(1))
{
    globals.Args.Add(argument);
}

try
{
    var script = CSharpScript.Create(string.Join('\n', lines), options, typeof(CommandLineScriptGlobals));
    var state = await script.RunAsync(globals, catchException: _ => true).ConfigureAwait(false);
    if (state.Exception is { } exception)
    {
        Console.Error.WriteLine($"run-csx: {args[0]}: the script threw {exception.GetType().FullName}: {exception.Message}");
        return 1;
    }

    return state.ReturnValue is int code ? code : 0;
}
catch (CompilationErrorException e)
{
    foreach (var diagnostic in e.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error))
    {
        Console.Error.WriteLine($"run-csx: {diagnostic}");
    }

    return 1;
}

// The package version of an assembly built here: its informational version without the source revision.
static string PackageVersion(Assembly assembly)
{
    var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";
    var plus = informational.IndexOf('+', StringComparison.Ordinal);
    return plus < 0 ? informational : informational[..plus];
}

internal static partial class Program
{
    [GeneratedRegex("""^\s*#r\s+"nuget:\s*(?<name>[^,"\s]+)\s*,\s*(?<version>[^"\s]+)\s*"\s*$""")]
    private static partial Regex NuGetDirective();
}
