#!/usr/bin/env dotnet-script
// Rescue every tagged image of a legacy root into archives today's tools load:
// a docker-archive for `docker load` / `podman load`, and an OCI layout for skopeo, umoci, containerd.
// Run:  dotnet script docs/examples/csx/rescue-images.csx [ROOT] [OUTPUT-DIR]
// Without ROOT, it writes the built-in sample root to a temporary directory and rescues that.
#r "nuget: Docker.Aufs, 0.2.0"
#r "nuget: Docker.Aufs.Testing, 0.2.0"

using System.IO.Abstractions;
using Docker.Aufs;
using Docker.Aufs.Archive;
using Docker.Aufs.Testing;

var args = Args.ToArray(); // dotnet-script passes the arguments as Args

var fileSystem = new FileSystem();
var scratch = Path.Combine(Path.GetTempPath(), "docker-aufs-rescue-" + Guid.NewGuid().ToString("N"));
var rootPath = args.Length > 0 ? args[0] : SampleRoots.Write(fileSystem, Path.Combine(scratch, "root")).Path;
var output = args.Length > 1 ? args[1] : Path.Combine(scratch, "rescued");
Directory.CreateDirectory(output);

IDockerRoot root = DockerRoot.Open(fileSystem, rootPath);
var tags = root.GetImages().SelectMany(i => i.RepoTags).ToList();
Console.WriteLine($"Rescuing {tags.Count} tagged images from {root.Path}");

var archiver = new ImageArchiver(root);
var archive = archiver.Save(tags, Path.Combine(output, "images.tar"));
var oci = archiver.Save(tags, Path.Combine(output, "oci"), new ArchiveOptions { Format = ArchiveFormat.OciDirectory });
foreach (var image in archive.Images)
{
    Console.WriteLine($"{string.Join(", ", image.RepoTags)}  image {image.ImageId[..19]}…  {image.Layers.Count} layers");
    foreach (var layer in image.Layers)
    {
        Console.WriteLine($"  {layer.Id[..12]}  {layer.DiffId}");
    }
}

Console.WriteLine($"docker-archive: {archive.Path} ({archive.LayerCount} layers), OCI layout: {oci.Path}");
if (args.Length == 0)
{
    Directory.Delete(scratch, recursive: true);
}
