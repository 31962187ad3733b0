namespace Docker.Aufs.Archive;

/// <summary>
/// The one core shared by the synchronous and asynchronous entry points: methods take <c>useAsync</c>, and with
/// <see langword="false"/> every awaited operation completes synchronously, so the sync wrappers never block on a task.
/// </summary>
internal static class AsyncIo
{
    /// <summary>Disposes a stream asynchronously or synchronously, matching the mode of the caller.</summary>
    public static ValueTask DisposeAsync(Stream stream, bool useAsync)
    {
        if (useAsync)
        {
            return stream.DisposeAsync();
        }

        stream.Dispose();
        return default;
    }

    /// <summary>Returns the result of a core method run with <c>useAsync: false</c>.</summary>
    /// <exception cref="InvalidOperationException">The core did not complete synchronously (a bug).</exception>
    public static T RunSync<T>(ValueTask<T> task) =>
        task.IsCompleted ? task.GetAwaiter().GetResult() : throw new InvalidOperationException("A synchronous core call did not complete synchronously.");
}
