namespace Docker.Aufs.IO;

/// <summary>
/// Copies a stream in 1 MiB steps, looking at a cancellation token between steps, so a signal stops a long copy mid-file
/// (docs/hostile-input.md, "Stopping on SIGINT and SIGTERM"), and a failed write (a reader who left) stops it at once.
/// </summary>
internal static class StepCopy
{
    /// <summary>The size of one step.</summary>
    public const int StepSize = 1024 * 1024;

    /// <summary>Copies <paramref name="input"/> to its end into <paramref name="output"/>, then flushes it.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled between two steps.</exception>
    public static void Copy(Stream input, Stream output, CancellationToken cancellationToken)
    {
        var buffer = new byte[StepSize];
        int read;
        while ((read = input.Read(buffer)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            output.Write(buffer.AsSpan(0, read));
        }

        output.Flush();
    }
}
