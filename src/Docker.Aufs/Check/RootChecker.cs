using System.IO.Abstractions;
using Docker.Aufs.Archive;

namespace Docker.Aufs;

/// <summary>
/// <c>fsck</c> for a legacy root: reads everything (never writes) and reports what is missing, orphaned, inconsistent or
/// corrupt, each finding with a stable code, a severity, the path and a hint (docs/format/graph-era.md §11). The image
/// store checks its files and asks the driver about its own; the files of every layer with tar-split data are then
/// verified against it.
/// </summary>
/// <threadsafety static="true" instance="true"/>
public static class RootChecker
{
    /// <summary>Checks the root at <paramref name="path"/>.</summary>
    /// <param name="fileSystem">The file system holding the root.</param>
    /// <param name="path">The root; <see langword="null"/> for <c>/var/lib/docker</c>.</param>
    /// <param name="options">Options (the driver to check, the metadata source); <see langword="null"/> for the defaults.</param>
    /// <param name="verifyContent">
    /// Whether to reassemble every layer that has tar-split data and check each file's CRC-64 and size against it (reads all
    /// layer contents: slow on a big root). <see langword="false"/> checks metadata only.
    /// </param>
    /// <param name="cancellationToken">Cancels the check between files.</param>
    /// <returns>The report; <see cref="FsckReport.IsClean"/> when nothing was found.</returns>
    /// <exception cref="NotADockerRootException">The root does not exist or is not a legacy root at all.</exception>
    /// <exception cref="UnsafePathException"><c>graph/</c> or a directory of the driver is a symbolic link: the root is refused, nothing behind the link is read.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty (it names no root: <see langword="null"/> is the default root).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="PathAccessDeniedException">
    /// This process may not read the root's top level. Anything deeper it may not read is an <see cref="FindingCodes.Unreadable"/>
    /// finding instead, and the rest of the root is still checked.
    /// </exception>
    public static FsckReport Check(IFileSystem fileSystem, string? path = null, DockerRootOptions? options = null, bool verifyContent = true,
        CancellationToken cancellationToken = default) =>
        CheckWithProgress(fileSystem, path, options, verifyContent, null, cancellationToken);

    /// <summary>Checks the root at <paramref name="path"/>, reporting the content verification's progress (see <see cref="Check"/>).</summary>
    /// <param name="fileSystem">The file system holding the root.</param>
    /// <param name="path">The root; <see langword="null"/> for <c>/var/lib/docker</c>.</param>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    /// <param name="verifyContent">Whether to reassemble every layer that has tar-split data.</param>
    /// <param name="progress">
    /// Told, while layers are verified, the layer being reassembled, its number among the layers to verify and the bytes of
    /// its tar so far; <see langword="null"/> for none. Nothing is reported for the metadata checks, which are quick.
    /// </param>
    /// <param name="cancellationToken">Cancels the check between files.</param>
    /// <returns>The report.</returns>
    /// <exception cref="NotADockerRootException">The root does not exist or is not a legacy root at all.</exception>
    /// <exception cref="UnsafePathException"><c>graph/</c> or a directory of the driver is a symbolic link.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static FsckReport CheckWithProgress(IFileSystem fileSystem, string? path, DockerRootOptions? options, bool verifyContent, IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        fileSystem = IO.MetadataProviders.Quiet(fileSystem); // no read changes an access time (docs/hostile-input.md)
        options ??= DockerRootOptions.Default;
        var rootPath = fileSystem.Path.GetFullPath(DockerRoot.RootPath(path));
        try
        {
            return CheckCore(fileSystem, rootPath, options, verifyContent, progress, cancellationToken);
        }
        catch (Exception e) when (IO.AccessProblems.IsDenied(e))
        {
            // Only what stops the check as a whole arrives here (the root's top level); the rest are unreadable findings.
            throw IO.AccessProblems.Describe(options.Metadata ?? IO.MetadataProviders.For(fileSystem), rootPath, rootPath, e);
        }
    }

    private static FsckReport CheckCore(IFileSystem fileSystem, string rootPath, DockerRootOptions options, bool verifyContent, IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
    {
        var findings = new List<FsckFinding>();

        // Every driver directory counts here, empty or not, as Docker 1.9 – 17.11 counted them: such a Docker refuses the root.
        var prior = fileSystem.Directory.Exists(rootPath) ? DockerRoot.PriorDrivers(fileSystem, rootPath, dropEmpty: false) : [];
        if (options.Driver is null && prior.Count > 1)
        {
            // The driver every other command reads (DockerRoot.ChooseAmongPrior), named so that opening does not warn again.
            var holding = DockerRoot.PriorDrivers(fileSystem, rootPath);
            var (chosen, why) = (holding[0], "the only one with data");
            if (holding.Count > 1)
            {
                var choice = DockerRoot.ChooseAmongPrior(fileSystem, rootPath, options.Metadata ?? IO.MetadataProviders.For(fileSystem), holding, options.Store);
                (chosen, why) = (choice.Driver, choice.Why);
            }

            findings.Add(new(FindingCodes.SeveralDrivers, FindingSeverity.Warning, rootPath,
                $"the root holds the directories of several storage drivers ({string.Join(", ", prior)}); {chosen} was checked ({why})",
                "check each of the others with --driver NAME; Docker refuses to start on such a root (from 17.12 on, only when more than one holds data)"));
            options = options with { Driver = chosen };
        }

        var root = (DockerRoot)DockerRoot.Open(fileSystem, rootPath, options);
        var sink = new FindingSink(root.FileSystem, root.Metadata, root.Path);
        IReadOnlyList<ImageLayer> toVerify = [];
        if (root.NoStoreProblem is { } problem)
        {
            sink.Add(FindingCodes.NoImageStore, FindingSeverity.Error, root.Path, problem,
                "only the storage driver's layers can be read (--layer); name the root that holds graph/ or image/");
            root.LayerDriver.CheckOwnFiles(sink);
        }
        else
        {
            toVerify = root.ImageStore.Check(sink);
        }
        if (verifyContent)
        {
            var producer = new LayerTarProducer(root.FileSystem, root.Metadata, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            for (var i = 0; i < toVerify.Count; i++)
            {
                var (layer, number, count) = (toVerify[i], i + 1, toVerify.Count);
                progress?.Report(new ArchiveProgress { LayerId = layer.Id, LayerNumber = number, LayerCount = count });
                Action<long>? bytes = progress is null ? null
                    : done => progress.Report(new ArchiveProgress { LayerId = layer.Id, LayerNumber = number, LayerCount = count, BytesDone = done });
                VerifyContent(producer, layer, sink, bytes, cancellationToken);
            }
        }

        findings.AddRange(sink.Findings);
        findings.Sort(static (a, b) =>
        {
            var byPath = string.CompareOrdinal(a.Path, b.Path);
            return byPath != 0 ? byPath : string.CompareOrdinal(a.Code, b.Code);
        });
        return new FsckReport(root.Path, root.Driver, findings);
    }

    /// <summary>
    /// Reassembles a layer tar from its tar-split data into nowhere: every member is checked against the layer directory on the
    /// way (name, type, link target, size, CRC-64; mode, owner and device numbers reported without stopping).
    /// </summary>
    private static void VerifyContent(LayerTarProducer producer, ImageLayer layer, FindingSink sink, Action<long>? progress, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        const string changed = "the layer directory changed after Docker applied the layer (or was copied without keeping owners and modes); the tar keeps what was recorded";

        // One finding per kind per layer, at its first member: a copy that lost every owner is one fault, not thousands.
        var first = new Dictionary<TarSplitHeaderField, (TarSplitHeaderDivergence First, int Count)>();
        void OnHeader(TarSplitHeaderDivergence d) => first[d.Field] = first.TryGetValue(d.Field, out var seen) ? (seen.First, seen.Count + 1) : (d, 1);
        void Report()
        {
            foreach (var (field, (d, count)) in first)
            {
                var more = count > 1 ? $" ({count - 1} more member(s) of the layer differ the same way)" : string.Empty;
                sink.Add(field switch
                {
                    TarSplitHeaderField.Mode => FindingCodes.TarSplitModeMismatch,
                    TarSplitHeaderField.Owner => FindingCodes.TarSplitOwnerMismatch,
                    _ => FindingCodes.TarSplitDeviceMismatch,
                }, FindingSeverity.Error, d.Path, $"{d.EntryName}: {d.Problem}{more}", changed);
            }

            first.Clear();
        }

        try
        {
            using var nowhere = new LayerSink(Stream.Null);
            Formats.IoRun.Sync(producer.ProduceAsync<Formats.SyncIo>(layer, nowhere, LayerSource.TarSplit, progress, cancellationToken, OnHeader));
        }
        catch (LayerReassemblyException e) when (e.IsDiffIdMismatch)
        {
            sink.Add(FindingCodes.DiffIdMismatch, FindingSeverity.Error, layer.TarSplitPath ?? layer.Directory, e.Problem,
                "the original layer tar cannot be reassembled; a save regenerates it, and the saved image gets another ID");
        }
        catch (LayerReassemblyException e)
        {
            sink.Add(e.Kind switch
                {
                    LayerReassemblyKind.Type => FindingCodes.TarSplitTypeMismatch,
                    LayerReassemblyKind.LinkTarget => FindingCodes.TarSplitLinkMismatch,
                    _ => FindingCodes.TarSplitMismatch,
                }, FindingSeverity.Error, e.Path,
                $"{e.EntryName}: {e.Problem}",
                "the file changed after the layer was pulled; the original layer tar cannot be reassembled (it is regenerated instead)");
        }
        catch (UnsafePathException e)
        {
            sink.Add(FindingCodes.TarSplitUnsafeName, FindingSeverity.Error, layer.TarSplitPath ?? layer.Directory, FindingSink.ProblemOf(e),
                "the tar-split data was crafted or altered (Docker never records such a name); no tar is ever written with it: a save regenerates the layer from its directory");
        }
        catch (Exception e) when (IO.AccessProblems.IsDenied(e))
        {
            sink.AddUnreadable(IO.AccessProblems.Describe(sink.Metadata, sink.Root, layer.Directory, e), $"the files of layer {layer.Id} were not verified against its tar-split data");
        }
        catch (DockerDataException e)
        {
            sink.Add(FindingCodes.TarSplitCorrupt, FindingSeverity.Error, layer.TarSplitPath ?? layer.Directory, FindingSink.ProblemOf(e),
                "the original layer tar cannot be reassembled; it is regenerated from the diff directory instead");
        }
        finally
        {
            Report();
        }
    }
}
