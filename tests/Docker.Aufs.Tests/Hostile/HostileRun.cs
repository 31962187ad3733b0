using System.IO.Abstractions;
using Docker.Aufs.Archive;
using Docker.Aufs.Testing;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Hostile;

/// <summary>What a hostile case asks about besides what the damaged root itself lists: the seed's tags, images, layers and containers.</summary>
internal sealed record HostileTargets(IReadOnlyList<string> Tags, IReadOnlyList<string> ImageIds, IReadOnlyList<string> LayerIds, IReadOnlyList<string> ContainerIds)
{
    /// <summary>The seed's tags, images and containers; of the sample's 18 layers, a top, a middle and a base of each image (every layer costs a dozen operations).</summary>
    public static HostileTargets Of(HostileSeed seed) => new(seed.Tags, seed.ImageIds,
        seed.Name == "sample" ? [SampleRoots.RedisId, SampleRoots.RedisLayers[8], SampleRoots.RedisLayers[^1], SampleRoots.BusyboxId, SampleRoots.BusyboxLayers[^1]] : seed.LayerIds,
        seed.ContainerIds);
}

/// <summary>
/// Runs every public operation of the library (and, on request, commands of the CLI) over one hostile root, each on its
/// own: open, images, resolve by tag, ID and short ID, history, the layer files, image, layer and container views listed
/// and read in full, changes, digests, layer tars from each source, saves in both formats, fsck. Collects every broken
/// promise — an exception outside <see cref="DocumentedExceptions"/>, an operation still running after the bound — as
/// one line naming the operation; an empty result is a pass.
/// </summary>
internal sealed class HostileRun
{
    /// <summary>How many image IDs the damaged root lists that are visited besides the seed's (a 10,000-deep chain lists them all).</summary>
    private const int ListedSample = 12;

    private readonly IFileSystem _fileSystem;
    private readonly string _root;
    private readonly DockerRootOptions _options;
    private readonly IFileSystem _output;
    private readonly string _outputDirectory;
    private readonly HostileTargets _targets;
    private readonly List<string> _problems = [];
    private volatile string _current = "start";
    private CancellationToken _stop;
    private int _outputs;

    public HostileRun(IFileSystem fileSystem, string root, IUnixMetadataProvider? metadata, IFileSystem output, string outputDirectory, HostileTargets targets)
    {
        _fileSystem = fileSystem;
        _root = root;
        _options = new DockerRootOptions { Metadata = metadata };
        _output = output;
        _outputDirectory = outputDirectory;
        _targets = targets;
    }

    /// <summary>Gets or sets a check run after each operation (say, of a watched host directory); what it returns is a broken promise of that operation.</summary>
    public Func<IReadOnlyList<string>>? AfterEach { get; init; }

    /// <summary>
    /// Gets or sets whether a refusal about the root's data must name the file in its message (docs/hostile-input.md,
    /// promise 1): a <see cref="DockerDataException"/> whose message lacks its <see cref="DockerDataException.Path"/> is a broken promise.
    /// </summary>
    public bool RequireFileInMessage { get; init; }

    /// <summary>Gets the number of operations run (each counted once per target it was asked about).</summary>
    public int Operations { get; private set; }

    /// <summary>Runs every library operation within <paramref name="bound"/>; returns the broken promises.</summary>
    public IReadOnlyList<string> Library(TimeSpan bound)
    {
        // On a timeout the operations still running are cancelled and the rest skipped, so a hang found here does not keep
        // a core busy for the cases after it (the source is then left to the collector: the task may still hold its token).
        var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        _stop = stop.Token;
        var run = Task.Factory.StartNew(LibraryBody, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (!run.Wait(bound, TestContext.Current.CancellationToken))
        {
            stop.Cancel();
            return [$"{_current}: still running after {bound.TotalSeconds:0} s (the work is not bounded)"];
        }

        stop.Dispose();

        lock (_problems)
        {
            return [.. _problems];
        }
    }

    /// <summary>Runs one CLI command (with <c>--root</c>) within <paramref name="bound"/>; returns the broken promises.</summary>
    public static IReadOnlyList<string> Cli(IFileSystem fileSystem, string root, TimeSpan bound, params string[] args)
    {
        var name = "docker-aufs " + string.Join(' ', args);
        var run = Task.Factory.StartNew(() => CliRunner.Run(fileSystem, ["--root", root, .. args]), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (!run.Wait(bound, TestContext.Current.CancellationToken))
        {
            return [$"{name}: still running after {bound.TotalSeconds:0} s"];
        }

        var (exit, _, error) = run.Result;
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var problems = new List<string>();
        if (exit is not (0 or 1 or 2))
        {
            problems.Add($"{name}: exit code {exit}");
        }

        // fsck reports its findings on standard output and exits 1 (docs/fsck.md): that is not an error.
        if (exit != 0 && !(exit == 1 && args[0] == "fsck") && !lines.Any(l => l.StartsWith("docker-aufs: ", StringComparison.Ordinal)))
        {
            problems.Add($"{name}: exit {exit} without a docker-aufs: line: {error}");
        }

        if (lines.Any(l => !l.StartsWith("docker-aufs:", StringComparison.Ordinal) || l.Contains("internal error", StringComparison.Ordinal)) ||
            error.Contains("   at ", StringComparison.Ordinal))
        {
            problems.Add($"{name}: exit {exit}, an internal error or a stack trace:\n{error}");
        }

        return problems;
    }

    private void LibraryBody()
    {
        var token = _stop;
        Try("fsck", () => RootChecker.Check(_fileSystem, _root, _options, cancellationToken: token));
        Try("fsck --quick", () => RootChecker.Check(_fileSystem, _root, _options, verifyContent: false, cancellationToken: token));

        IDockerRoot? root = null;
        Try("open", () => root = DockerRoot.Open(_fileSystem, _root, _options));
        if (root is null)
        {
            return;
        }

        var graph = root.Store == ImageStoreKind.Graph;
        Try("repositories", () => graph ? root.Graph().Repositories.Entries.Count : root.Cas().References.Index.Entries.Count);
        IReadOnlyList<ImageSummary> images = [];
        Try("images", () => images = root.GetImages());
        IReadOnlyList<string> listed = [];
        Try("image ids", () => listed = graph ? root.Graph().GetImageIds() : [.. root.Cas().ImageHexes.Select(h => "sha256:" + h)]);

        var references = _targets.Tags
            .Concat(_targets.ImageIds).Concat(_targets.ImageIds.Select(i => i[..12]))
            .Concat(images.Take(ListedSample).SelectMany(i => i.RepoTags.Take(1).Append(i.Id)))
            .Append("no-such-image")
            .Distinct(StringComparer.Ordinal);
        foreach (var reference in references)
        {
            Try($"resolve {reference}", () => root.ResolveImage(reference).Layers.Count);
            Try($"history {reference}", () => root.ResolveImage(reference).History.Count);
            Try($"ls+cat {reference}", () => EveryRead.View(root.OpenImage(reference)));
            Try($"digest {reference}", () => new ImageArchiver(root).ComputeDigests(reference, cancellationToken: token).ImageId);
        }

        foreach (var id in _targets.LayerIds.Concat(listed.Take(ListedSample)).Distinct(StringComparer.Ordinal))
        {
            Try($"layer {id[..12]}", () => graph ? root.Graph().ReadLayer(id).GetJsonValue().Length : root.ResolveLayer(id).Size);
            Try($"aufs layers {id[..12]}", () => root.AufsDriver()?.ReadLayerFile(graph ? id : root.ResolveLayer(id).DriverLayerId).Ancestors.Count);
            Try($"layer diff {id[..12]}", () => root.OpenLayer(id).GetChanges().Count);
            foreach (var source in new[] { LayerSource.Auto, LayerSource.TarSplit, LayerSource.Regenerated })
            {
                Try($"layer tar {id[..12]} {source}", () => new ImageArchiver(root).WriteLayerTar(id, Stream.Null, new ArchiveOptions { Source = source }, cancellationToken: token).DiffId);
            }
        }

        IReadOnlyList<Container> containers = [];
        Try("containers", () => containers = root.GetContainers());
        foreach (var container in _targets.ContainerIds.Concat(containers.Take(ListedSample).SelectMany(c => new[] { c.Id, c.Name })).Where(c => c.Length > 0).Distinct(StringComparer.Ordinal))
        {
            Try($"container {container}", () => root.ResolveContainer(container).Id);
            Try($"container ls+cat {container}", () => EveryRead.View(root.OpenContainer(container)));
            Try($"container diff {container}", () => root.OpenContainer(container).GetChanges().Count);
        }

        _output.Directory.CreateDirectory(_outputDirectory);
        var heads = _targets.ImageIds.Concat(images.Take(ListedSample).Select(i => i.Id)).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var (format, gzip) in new[] { (ArchiveFormat.DockerArchive, false), (ArchiveFormat.Oci, true) })
        {
            Try($"save {format}", () => new ImageArchiver(root).Save(heads, NextOutput(), new ArchiveOptions { Format = format, Gzip = gzip, OutputFileSystem = _output }, cancellationToken: token).LayerCount);
        }

        foreach (var id in _targets.LayerIds.Take(2))
        {
            Try($"export layer {id[..12]}", () => new ImageArchiver(root).ExportLayerTar(id, NextOutput(), new ArchiveOptions { OutputFileSystem = _output }, cancellationToken: token).Size);
        }
    }

    private string NextOutput() => _output.Path.Combine(_outputDirectory, $"out-{_outputs++}");

    /// <summary>Whether opening the root fails too (with a documented exception): the only case in which fsck may refuse it.</summary>
    private bool OpenRefuses()
    {
        try
        {
            DockerRoot.Open(_fileSystem, _root, _options);
            return false;
        }
        catch (Exception e) when (DocumentedExceptions.IsDocumented(e))
        {
            return true;
        }
    }

    private void Try<T>(string operation, Func<T> body)
    {
        if (_stop.IsCancellationRequested)
        {
            return; // the case already failed on its time bound
        }

        _current = operation;
        Operations++;
        try
        {
            _ = body();
        }
        catch (Exception e)
        {
            // A documented refusal keeps the promise; anything else is a bug. fsck reports damage as findings: it may only
            // refuse a root it cannot open at all.
            // Save documents one more refusal: an image without layers, which Docker does not save either ("empty export").
            var documented = DocumentedExceptions.IsDocumented(e) || (operation.StartsWith("save", StringComparison.Ordinal) && e is NotSupportedException);
            if (operation.StartsWith("fsck", StringComparison.Ordinal) ? !(DocumentedExceptions.IsDocumentedForFsck(e) && OpenRefuses()) : !documented)
            {
                lock (_problems)
                {
                    _problems.Add($"{operation}: {DocumentedExceptions.Describe(e)}");
                }
            }
            else if (RequireFileInMessage && e is DockerDataException data && !data.Message.Contains(data.Path, StringComparison.Ordinal))
            {
                lock (_problems)
                {
                    _problems.Add($"{operation}: the message does not name {data.Path}: {DocumentedExceptions.Describe(e)}");
                }
            }
        }

        if (AfterEach?.Invoke() is { Count: > 0 } broken)
        {
            lock (_problems)
            {
                _problems.AddRange(broken.Select(b => $"{operation}: {b}"));
            }
        }
    }
}
