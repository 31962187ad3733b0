using System.IO.Abstractions;
using Docker.Aufs.Drivers;
using Docker.Aufs.Stores.Graph;

namespace Docker.Aufs.Tests.TestSupport;

/// <summary>Layers as the archive services see them, made from a graph layer read directly.</summary>
internal static class TestLayers
{
    /// <summary>A graph layer whose files are in <paramref name="diffPath"/> (AUFS changes unless <paramref name="regenerable"/> is false).</summary>
    public static ImageLayer ExportLayer(IFileSystem fs, GraphLayer layer, string? diffPath, bool regenerable = true) =>
        GraphStore.ToImageLayer(fs, layer, new LayerContent(diffPath, regenerable ? LayerContentFormat.AufsChanges : LayerContentFormat.FullTree));
}
