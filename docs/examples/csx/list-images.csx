#!/usr/bin/env dotnet-script
// List the images of a legacy Docker root and the layer stack of one of them.
// Run:  dotnet script docs/examples/csx/list-images.csx [ROOT] [IMAGE]
// Without ROOT, it writes the built-in sample root to a temporary directory and reads that.
#r "nuget: Docker.Aufs, 0.2.0"
#r "nuget: Docker.Aufs.Testing, 0.2.0"

using System.IO.Abstractions;
using Docker.Aufs;
using Docker.Aufs.Testing;

var args = Args.ToArray(); // dotnet-script passes the arguments as Args

var fileSystem = new FileSystem();
var path = args.Length > 0 ? args[0] : SampleRoots.Write(fileSystem, Path.Combine(Path.GetTempPath(), "docker-aufs-example-" + Guid.NewGuid().ToString("N"))).Path;
var reference = args.Length > 1 ? args[1] : "redis:latest";

IDockerRoot root = DockerRoot.Open(fileSystem, path);
Console.WriteLine($"{root.Path} ({root.Driver})");
foreach (var image in root.GetImages())
{
    var name = image.RepoTags.Count > 0 ? image.RepoTags[0] : "<none>:<none>";
    Console.WriteLine($"  {name,-30} {image.Id[..12]}  {image.VirtualSize,10} bytes  created {image.Created?.Value:yyyy-MM-dd}");
}

var stack = root.ResolveImage(reference);
Console.WriteLine($"{reference}: {stack.Layers.Count} layers, top first");
foreach (var layer in stack.Layers)
{
    Console.WriteLine($"  {layer.Id[..12]}  {layer.Size,8}  {layer.ContentPath}");
}

if (args.Length == 0)
{
    Directory.Delete(path, recursive: true);
}
