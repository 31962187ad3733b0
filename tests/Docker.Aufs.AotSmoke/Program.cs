using System.IO.Abstractions;
using Docker.Aufs;
using Docker.Aufs.Testing;

// Exercises the library's JSON, metadata and resolution paths under Native AOT; exits non-zero on any surprise.
var fileSystem = new FileSystem();
var path = Path.Combine(Path.GetTempPath(), "docker-aufs-aot-" + Guid.NewGuid().ToString("N"));
try
{
    SampleRoots.Write(fileSystem, path);
    var root = DockerRoot.Open(fileSystem, path);
    var images = root.GetImages();
    var stack = root.ResolveImage("redis:latest");
    var history = root.ResolveImage("busybox").History;
    var containers = root.GetContainers();
    var state = root.ResolveContainer(SampleRoots.RedisContainerName).State;
    Console.WriteLine($"images={images.Count} redis-layers={stack.Layers.Count} busybox-history={history.Count} containers={containers.Count} created={stack.Created?.Text} exited={state.ExitCode}");
    return images.Count == 2 && stack.Layers.Count == 16 && history.Count == 2 && containers.Count == 1 && stack.Created?.Text == "2017-12-12T07:15:58.901779813Z" && state.Status == ContainerStatus.Exited ? 0 : 1;
}
catch (DockerAufsException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
finally
{
    if (Directory.Exists(path))
    {
        Directory.Delete(path, recursive: true);
    }
}
