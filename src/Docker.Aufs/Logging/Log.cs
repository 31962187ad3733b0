using Microsoft.Extensions.Logging;

namespace Docker.Aufs.Logging;

/// <summary>Every log message of the library, with stable event IDs (1xxx: opening a root, 2xxx: images and chains, 3xxx: containers and the merged view, 4xxx: layer tars, exports and imports).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Opened {Root} with storage driver {Driver} ({How})")]
    public static partial void OpenedRoot(ILogger logger, string root, string driver, string how);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "{Path} does not exist: the root has no tags; images stay reachable by ID")]
    public static partial void RepositoriesMissing(ILogger logger, string path);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "{Path} cannot be read ({Problem}); treating it as holding no tags, images stay reachable by ID")]
    public static partial void RepositoriesUnreadable(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "{Root} also holds {Entry}, written by Docker 1.10 or later; only the graph/ layout is read, as asked")]
    public static partial void PostMigrationData(ILogger logger, string root, string entry);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "{Root} also holds graph/ of Docker 1.9 or earlier; it is read as Docker 1.10+ reads it (image/{Driver}); images the migration did not carry over are read with the graph store (DockerRootOptions.Store, --store graph)")]
    public static partial void PreMigrationData(ILogger logger, string root, string driver);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "{Root} holds the data of several storage drivers; reading {Driver} ({Why}); the others ({Others}) are read by naming one (--driver NAME, DockerRootOptions.Driver). Docker itself refuses to start on such a root")]
    public static partial void SeveralDrivers(ILogger logger, string root, string driver, string why, string others);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Skipping image {Id}: {Problem}")]
    public static partial void ImageSkipped(ILogger logger, string id, string problem);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "{Reference} points at {Id}, which is not an image of this root; the tag is skipped")]
    public static partial void TagTargetMissing(ILogger logger, string reference, string id);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Layer {Id}: {Problem}; going on with the image store's chain")]
    public static partial void ChainProblem(ILogger logger, string id, string problem);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Container {Id}: the chain below it cannot be read ({Problem}); using the layers {Record} lists")]
    public static partial void ContainerChainUnreadable(ILogger logger, string id, string problem, string record);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "The size of image {Id} is unknown: {Problem}")]
    public static partial void SizeUnknown(ILogger logger, string id, string problem);

    // 3001 (a name that is not UTF-8 skipped) is retired: such names are carried whole (IO/NativeName).

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "{Path} vanished while its directory was being listed; skipped")]
    public static partial void EntryVanished(ILogger logger, string path);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "The AUFS branch of layer {Id} is a symbolic link left by the Docker 0.7 migration; reading {Target}")]
    public static partial void BranchRelocated(ILogger logger, string id, string target);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Opaque directories of the {Driver} layers cannot be seen ({Reason}): where a layer replaced a whole directory, files of the layers below it show through in merged views of this root")]
    public static partial void OpaqueDirectoriesUnknown(ILogger logger, string driver, string reason);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Layer {Id}: its original tar marks {Directory} opaque (and {More} more directories), but {Path} has no opaque attribute there: this copy of the root lost its extended attributes (copied without them, or unpacked from a tar without them). Views use the layer's tar-split data and show the directories opaque; Docker on this copy would show the files of the layers below them")]
    public static partial void OpaqueMarksLost(ILogger logger, string id, string directory, int more, string path);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug, Message = "Export skips the socket /{Path}, as Docker's tar writer does")]
    public static partial void ExportSkippedSocket(ILogger logger, string path);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "{Path} grew while it was read: the tar holds its first {Expected} bytes, the size it had when listed")]
    public static partial void FileGrewWhileRead(ILogger logger, string path, long expected);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Skipping container {Id}: {Problem}")]
    public static partial void ContainerSkipped(ILogger logger, string id, string problem);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Debug, Message = "Skipping container {Id}: it was created with the {Driver} storage driver, not {Current} (Docker does the same)")]
    public static partial void ContainerOfOtherDriver(ILogger logger, string id, string driver, string current);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Container {Id} points at image {ImageId}, which is not an image of this root")]
    public static partial void ContainerImageMissing(ILogger logger, string id, string imageId);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "Container {Id} has no usable read-write layer record ({Problem}); Docker does not load it; its files are looked for in the driver layer {LayerId}")]
    public static partial void ContainerMountMissing(ILogger logger, string id, string problem, string layerId);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Image {Id}: {Problem}")]
    public static partial void ImageInconsistent(ILogger logger, string id, string problem);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Layer {Id}: {Problem}; regenerating its tar from the layer directory instead (the DiffID will differ from the registry's)")]
    public static partial void ReassemblyFailed(ILogger logger, string id, string problem);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Layer {Id}: {Count} header(s) of its tar-split data differ from the layer directory (first: {First}); the tar keeps the recorded headers, as Docker's reassembly does, so its DiffID is the registry's; fsck lists them")]
    public static partial void RecordedHeadersDiffer(ILogger logger, string id, int count, string first);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "Layer {Id}: {Source} tar of {Size} bytes, {DiffId}")]
    public static partial void LayerTarWritten(ILogger logger, string id, string source, long size, string diffId);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Debug, Message = "Skipping the socket {Path}: sockets cannot be stored in a tar")]
    public static partial void LayerTarSkippedSocket(ILogger logger, string path);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "{Tag} is not a valid reference for current tools ({Reason}); it is left out of the archive's tags")]
    public static partial void TagNotExportable(ILogger logger, string tag, string reason);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "Imported layer {Id} ({Source})")]
    public static partial void LayerImported(ILogger logger, string id, string source);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "Image {Id}: a layer's tar is not the one its config names (it was regenerated), so the archive holds a config with other DiffIDs, and the image's ID there is {NewId}")]
    public static partial void ImageIdChanged(ILogger logger, string id, string newId);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "{Description}; {Consequence}")]
    public static partial void Unreadable(ILogger logger, string description, string consequence);
}
