#!/usr/bin/env dotnet-script
// A read-only report of an offline Docker host: a timeline of images and containers, what each container changed,
// one file read from inside an image, and the integrity check. Nothing in the root is written.
// Run:  dotnet script docs/examples/csx/forensic-report.csx [ROOT]
// Without ROOT, it writes the built-in sample root to a temporary directory and reports on that.
#r "nuget: Docker.Aufs, 0.2.0"
#r "nuget: Docker.Aufs.Testing, 0.2.0"

using System.IO.Abstractions;
using Docker.Aufs;
using Docker.Aufs.Testing;

var args = Args.ToArray(); // dotnet-script passes the arguments as Args

var fileSystem = new FileSystem();
var scratch = Path.Combine(Path.GetTempPath(), "docker-aufs-forensics-" + Guid.NewGuid().ToString("N"));
var rootPath = args.Length > 0 ? args[0] : SampleRoots.Write(fileSystem, scratch).Path;
IDockerRoot root = DockerRoot.Open(fileSystem, rootPath);

Console.WriteLine($"Timeline of {root.Path}");
var events = root.GetImages().Select(i => (Created: i.Created?.Value, What: $"image     {i.Id[..12]} {string.Join(", ", i.RepoTags)}"))
    .Concat(root.GetContainers().Select(c => (Created: c.Created?.Value, What: $"container {c.Id[..12]} {c.Name} ({c.Image}, {c.State.Status})")))
    .OrderBy(e => e.Created);
foreach (var (created, what) in events)
{
    Console.WriteLine($"  {created:yyyy-MM-dd HH:mm:ss}  {what}");
}

foreach (var container in root.GetContainers())
{
    Console.WriteLine($"Changes of {container.Name}:");
    foreach (var change in root.OpenContainer(container.Id).GetChanges())
    {
        Console.WriteLine($"  {change.Letter} {change.Path}");
    }
}

var image = root.GetImages()[0];
var view = root.OpenImage(image.Id);
using (var reader = new StreamReader(view.OpenRead("etc/passwd")))
{
    Console.WriteLine($"/etc/passwd of {(image.RepoTags.Count > 0 ? image.RepoTags[0] : image.Id[..12])}:");
    Console.Write(reader.ReadToEnd());
}

var report = RootChecker.Check(fileSystem, root.Path);
Console.WriteLine(report.IsClean ? "fsck: no findings" : $"fsck: {report.Findings.Count} findings");
foreach (var finding in report.Findings)
{
    Console.WriteLine($"  {finding.Severity} {finding.Code} {finding.Path}: {finding.Message}");
}

if (args.Length == 0)
{
    Directory.Delete(scratch, recursive: true);
}
