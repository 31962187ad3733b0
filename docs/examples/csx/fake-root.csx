#!/usr/bin/env dotnet-script
// A fake legacy root in memory, as a unit test of your own code would build it: two layers with a symlink,
// a hardlink and a whiteout, a tag, and checks of what the library reads back. No disk, no Docker.
// Run:  dotnet script docs/examples/csx/fake-root.csx
#r "nuget: Docker.Aufs, 0.2.0"
#r "nuget: Docker.Aufs.Testing, 0.2.0"

using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs;
using Docker.Aufs.Testing;

var args = Args.ToArray(); // dotnet-script passes the arguments as Args

var builder = new DockerRootBuilder(new MockFileSystem());
var baseLayer = builder.AddLayer(l => l
    .CreatedBy("#(nop) ADD file:rootfs.tar in /")
    .File("bin/busybox", "#!busybox", mode: "0755")
    .Hardlink("bin/sh", "bin/busybox")
    .Symlink("etc/mtab", "/proc/mounts")
    .File("etc/motd", "welcome\n"));
var appLayer = builder.AddLayer(l => l
    .Parent(baseLayer)
    .CreatedBy("rm /etc/motd && echo app > /app")
    .Whiteout("etc/motd")
    .File("app", "app\n"));
builder.Tag("myapp:1.0", appLayer);
IDockerRoot root = builder.Build().Open();

var stack = root.ResolveImage("myapp:1.0");
var view = root.OpenImage("myapp:1.0");
Check(stack.Layers.Count == 2, "two layers");
Check(root.ResolveImage("myapp:1.0").History[0].CreatedBy == "/bin/sh -c rm /etc/motd && echo app > /app", "history");
Check(!view.TryGetEntry("etc/motd", followSymbolicLinks: false, out _), "the whiteout hides /etc/motd");
Check(view.GetEntry("etc/mtab").LinkTarget == "/proc/mounts", "the symlink is an entry, not a detour");
Check(view.GetEntry("bin/sh").IsHardlinkOf(view.GetEntry("bin/busybox")), "the hardlink shares the inode");
Console.WriteLine("The fake root reads back as built.");

static void Check(bool condition, string what)
{
    if (!condition)
    {
        throw new InvalidOperationException("failed: " + what);
    }

    Console.WriteLine("ok: " + what);
}
