using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Archive;

namespace Docker.Aufs.Fuzz.Targets;

/// <summary>A <c>docker save</c> archive (tar or gzip) imported into a new root, which is then read back.</summary>
internal sealed class SaveArchiveTarget : FuzzTarget
{
    private const string ArchivePath = "/in/archive.tar";
    private const string TargetPath = "/out";

    private static readonly ArchiveOptions TarSplitOnly = new() { Source = LayerSource.TarSplit };

    public override string Name => "save-archive";

    public override string Description => "a docker save archive: ImageImporter.Import, then the imported root's images, chains and layer tars";

    protected override void Setup()
    {
    }

    // Import names IOException for a target it cannot write; the target is always new here, but its own type is let through.
    protected override bool IsExpected(Exception exception) => base.IsExpected(exception) || exception.GetType() == typeof(IOException);

    protected override void Execute(byte[] input)
    {
        var fileSystem = new MockFileSystem();
        fileSystem.AddFile(ArchivePath, new MockFileData(input));
        var imported = Step(() => ImageImporter.Import(fileSystem, ArchivePath, TargetPath));
        if (imported is null)
        {
            return;
        }

        var root = DockerRoot.Open(fileSystem, imported.Path, new DockerRootOptions { Metadata = imported.Metadata });
        Step(() => root.GetImages());
        foreach (var image in imported.Images)
        {
            var stack = Step(() => root.ResolveImage(image.Id));
            foreach (var layer in stack?.Layers ?? [])
            {
                Step(() => new Archive.ImageArchiver(root).WriteLayerTar(layer.Id, Stream.Null, TarSplitOnly));
            }
        }
    }
}
