namespace Docker.Aufs.Formats;

/// <summary>
/// The one I/O core shared by the synchronous and asynchronous entry points (the read/write adapter of
/// <c>System.Net.Security.SslStream</c>): a core method is generic over its mode, <see cref="SyncIo"/> or
/// <see cref="AsyncIo"/>, and does its I/O through the mode. With <see cref="SyncIo"/> every operation completes before it
/// returns, so the synchronous wrappers never block on a task; the JIT compiles each mode separately, so no flag is tested
/// at run time.
/// </summary>
internal interface IIoMode
{
    /// <summary>Gets whether the mode is asynchronous (for the few choices that depend on it, such as <see cref="FileOptions.Asynchronous"/>).</summary>
    static abstract bool IsAsync { get; }

    /// <summary>Reads into <paramref name="buffer"/>.</summary>
    static abstract ValueTask<int> ReadAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="data"/>.</summary>
    static abstract ValueTask WriteAsync(Stream stream, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Disposes <paramref name="stream"/>.</summary>
    static abstract ValueTask DisposeAsync(Stream stream);
}

/// <summary>Synchronous I/O: every <see cref="ValueTask"/> it returns has already completed.</summary>
internal readonly struct SyncIo : IIoMode
{
    public static bool IsAsync => false;

    public static ValueTask<int> ReadAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken) => new(stream.Read(buffer.Span));

    public static ValueTask WriteAsync(Stream stream, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        stream.Write(data.Span);
        return default;
    }

    public static ValueTask DisposeAsync(Stream stream)
    {
        stream.Dispose();
        return default;
    }
}

/// <summary>Asynchronous I/O.</summary>
internal readonly struct AsyncIo : IIoMode
{
    public static bool IsAsync => true;

    public static ValueTask<int> ReadAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken) => stream.ReadAsync(buffer, cancellationToken);

    public static ValueTask WriteAsync(Stream stream, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => stream.WriteAsync(data, cancellationToken);

    public static ValueTask DisposeAsync(Stream stream) => stream.DisposeAsync();
}

/// <summary>Runs a core in <see cref="SyncIo"/> mode.</summary>
internal static class IoRun
{
    /// <summary>Returns the result of a core method run with <see cref="SyncIo"/>.</summary>
    /// <exception cref="InvalidOperationException">The core did not complete synchronously (a bug).</exception>
    public static T Sync<T>(ValueTask<T> task) =>
        task.IsCompleted ? task.GetAwaiter().GetResult() : throw new InvalidOperationException("A synchronous core call did not complete synchronously.");

    /// <summary>Completes a core method run with <see cref="SyncIo"/>.</summary>
    /// <exception cref="InvalidOperationException">The core did not complete synchronously (a bug).</exception>
    public static void Sync(ValueTask task)
    {
        if (!task.IsCompleted)
        {
            throw new InvalidOperationException("A synchronous core call did not complete synchronously.");
        }

        task.GetAwaiter().GetResult();
    }
}
