using System.IO.Abstractions;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.IO;

namespace Docker.Aufs.Tests.Archive;

public sealed class AtomicOutputTests
{
    [Fact]
    public void AtomicFile_AppearsOnlyOnCommit_AndReplacesTheOldFile()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("out.tar");
        File.WriteAllText(path, "old");
        using (var output = AtomicFile.Create(new FileSystem(), path, asynchronous: false))
        {
            output.Stream.Write("new"u8);
            Assert.Equal("old", File.ReadAllText(path));
            Assert.StartsWith(temp.Combine(".out.tar.tmp-"), output.TemporaryPath, StringComparison.Ordinal);
            output.Commit(TestContext.Current.CancellationToken);
        }

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal([path], Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Fact]
    public void AtomicFile_DisposedWithoutCommit_LeavesNothing()
    {
        using var temp = new TempDirectory();
        using (var output = AtomicFile.Create(new FileSystem(), temp.Combine("out.tar"), asynchronous: false))
        {
            output.Stream.Write("partial"u8);
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Fact]
    public void AtomicDirectory_DisposedWithoutCommit_RemovesEvenReadOnlyDirectories()
    {
        // As a non-root user a directory of mode 0555 cannot be emptied until it is made writable again.
        using var temp = new TempDirectory();
        using (var output = AtomicDirectory.Create(new FileSystem(), temp.Combine("root")))
        {
            var locked = Path.Combine(output.TemporaryPath, "aufs", "diff", "proc");
            Directory.CreateDirectory(Path.Combine(locked, "inner"));
            File.WriteAllText(Path.Combine(locked, "inner", "file"), "x");
            File.SetUnixFileMode(Path.Combine(locked, "inner"), (UnixFileMode)0x16D);
            File.SetUnixFileMode(locked, (UnixFileMode)0x16D);
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Fact]
    public void AtomicDirectory_ExistingNonEmptyTarget_IsRefused()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("root"));
        File.WriteAllText(temp.Combine("root", "keep"), "x");
        Assert.Throws<IOException>(() => AtomicDirectory.Create(new FileSystem(), temp.Combine("root")));
        Assert.Throws<IOException>(() => AtomicDirectory.Create(new FileSystem(), temp.Combine("root", "keep")));
        Assert.Throws<DirectoryNotFoundException>(() => AtomicDirectory.Create(new FileSystem(), temp.Combine("no", "parent")));
    }

    [Fact]
    public void AtomicFile_SignalBetweenTheCheckAndTheRename_CommitsAndIsRecordedAsCommitted()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("out.tar");
        using var signal = new CancellationTokenSource();
        var log = new List<string>();
        PendingOutputs.Log.Value = log;
        PendingOutputs.InsideGate.Value = signal.Cancel; // the signal lands after the check, before the rename
        try
        {
            using (var output = AtomicFile.Create(new FileSystem(), path, asynchronous: false))
            {
                output.Stream.Write("whole"u8);
                output.Commit(signal.Token);
            }

            // The decision was "commit": the output is in place, and the stop that follows knows it.
            Assert.Equal("whole", File.ReadAllText(path));
            Assert.Equal([path], PendingOutputs.Committed(log));
            Assert.Equal([path], Directory.EnumerateFileSystemEntries(temp.Path));
        }
        finally
        {
            PendingOutputs.InsideGate.Value = null;
            PendingOutputs.Log.Value = null;
        }
    }

    [Fact]
    public void AtomicFile_SignalBeforeTheCommit_IsRecordedAsNothingCommitted()
    {
        using var temp = new TempDirectory();
        using var signal = new CancellationTokenSource();
        var log = new List<string>();
        PendingOutputs.Log.Value = log;
        using (var output = AtomicFile.Create(new FileSystem(), temp.Combine("out.tar"), asynchronous: false))
        {
            output.Stream.Write("partial"u8);
            signal.Cancel();
            Assert.Throws<OperationCanceledException>(() => output.Commit(signal.Token));
        }

        PendingOutputs.Log.Value = null;
        Assert.Empty(PendingOutputs.Committed(log));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AtomicDirectory_DeadlineRemovalDuringTheCommit_WaitsForItAndTheOutputIsWhole(bool targetExistsEmpty)
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("out");
        if (targetExistsEmpty)
        {
            Directory.CreateDirectory(path);
        }

        using var signal = new CancellationTokenSource();
        var log = new List<string>();
        PendingOutputs.Log.Value = log;
        Thread? deadline = null;
        PendingOutputs.InsideGate.Value = () =>
        {
            // The signal and the process's own removal of pending outputs (the 0.5 s deadline) land inside the commit,
            // between its check and the removal of the empty target and the move: the removal must wait for the move.
            signal.Cancel();
            deadline = new Thread(() => PendingOutputs.DeleteAllUnder(temp.Path));
            deadline.Start();
            deadline.Join(TimeSpan.FromMilliseconds(300));
        };
        try
        {
            using (var output = AtomicDirectory.Create(new FileSystem(), path))
            {
                File.WriteAllText(Path.Combine(output.TemporaryPath, "index.json"), "{}");
                output.Commit(signal.Token);
            }

            Assert.True(deadline!.Join(TimeSpan.FromSeconds(10)));
            Assert.Equal("{}", File.ReadAllText(Path.Combine(path, "index.json")));
            Assert.Equal([path], Directory.EnumerateFileSystemEntries(temp.Path));
            Assert.Equal([path], PendingOutputs.Committed(log));
        }
        finally
        {
            PendingOutputs.InsideGate.Value = null;
            PendingOutputs.Log.Value = null;
        }
    }
}
