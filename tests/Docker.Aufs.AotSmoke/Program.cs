using System.IO.Abstractions;
using Docker.Aufs;
using Docker.Aufs.Building;

// Exercises the library's JSON, metadata and resolution paths under Native AOT; exits non-zero on any surprise.
var fileSystem = new FileSystem();
var path = Path.Combine(Path.GetTempPath(), "docker-aufs-aot-" + Guid.NewGuid().ToString("N"));
try
{
    SampleRoot.Write(fileSystem, path);
    var root = DockerRoot.Open(fileSystem, path);
    var images = root.GetImages();
    var stack = root.Resolve("redis:latest");
    var history = root.GetHistory("busybox");
    var inspect = root.GetLayer(SampleRoot.RedisId).Image;
    Console.WriteLine($"images={images.Count} redis-layers={stack.Layers.Count} busybox-history={history.Count} cmd={string.Join(' ', inspect.Config?.Cmd ?? [])}");
    return images.Count == 2 && stack.Layers.Count == 16 && history.Count == 2 && inspect.Config?.Cmd is ["redis-server"] ? 0 : 1;
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
