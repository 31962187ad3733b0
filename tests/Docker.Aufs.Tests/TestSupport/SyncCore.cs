namespace Docker.Aufs.Tests.TestSupport;

/// <summary>Runs the library's shared sync/async cores in <c>SyncIo</c> mode, asserting they completed synchronously.</summary>
internal static class SyncCore
{
    public static T Run<T>(ValueTask<T> task)
    {
        Assert.True(task.IsCompleted, "a synchronous core call did not complete synchronously");
        return task.GetAwaiter().GetResult();
    }

    public static void Run(ValueTask task)
    {
        Assert.True(task.IsCompleted, "a synchronous core call did not complete synchronously");
        task.GetAwaiter().GetResult();
    }
}
