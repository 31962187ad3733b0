using System.Collections;
using System.Collections.Concurrent;
using System.IO.Abstractions;
using System.Reflection;
using System.Runtime.ExceptionServices;

namespace Docker.Aufs.Tests.TestSupport;

/// <summary>
/// An <see cref="IFileSystem"/> decorator that records every call made through it, and through every file-system object it
/// hands out (IFile, IFileInfo, IDirectoryInfo, streams …), so a test can prove that an operation never tried to change
/// anything: no create, write, append, delete, move, copy, replace, attribute or time change, no writable open.
/// </summary>
internal static class SpyFileSystem
{
    public static (IFileSystem FileSystem, SpyLog Log) Wrap(IFileSystem inner)
    {
        var log = new SpyLog();
        return ((IFileSystem)SpyProxy.Create(typeof(IFileSystem), inner, log), log);
    }

    /// <summary>Wraps <paramref name="inner"/> so that any call naming a path <paramref name="deny"/> accepts fails as the operating system refuses a read (<see cref="UnauthorizedAccessException"/>).</summary>
    public static IFileSystem Denying(IFileSystem inner, Func<string, bool> deny) =>
        (IFileSystem)SpyProxy.Create(typeof(IFileSystem), inner, new SpyLog { Deny = deny });
}

internal sealed class SpyLog
{
    private static readonly string[] MutatingPrefixes =
        ["Create", "Write", "Append", "Delete", "Move", "Copy", "Replace", "Set", "set_", "Encrypt", "Decrypt", "Truncate"];

    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Gets the paths whose every use but <c>Exists</c> fails with <see cref="UnauthorizedAccessException"/>, as the kernel refuses a user without access.</summary>
    public Func<string, bool>? Deny { get; init; }

    public ConcurrentQueue<string> Mutations { get; } = new();

    /// <summary>Gets every path handed to the file system (arguments named like a path), as given.</summary>
    public ConcurrentQueue<string> Paths { get; } = new();

    public void Record(string type, MethodInfo method, object?[]? args)
    {
        var call = $"{type}.{method.Name}({string.Join(", ", (args ?? []).Select(Describe))})";
        Calls.Enqueue(call);
        var parameters = method.GetParameters();
        for (var i = 0; i < parameters.Length && i < (args?.Length ?? 0); i++)
        {
            if (args![i] is string path && IsPathParameter(parameters[i].Name))
            {
                Paths.Enqueue(path);
                if (Deny?.Invoke(path) == true && method.Name != "Exists") // a file that cannot be read still exists
                {
                    throw new UnauthorizedAccessException($"Access to the path '{path}' is denied.");
                }
            }
        }

        if (IsMutating(method.Name, args ?? []))
        {
            Mutations.Enqueue(call);
        }
    }

    /// <summary>
    /// The paths touched outside <paramref name="allowed"/> directories (each path made absolute against "/" with <c>..</c>
    /// resolved first, so <c>/root/graph/../../etc</c> counts as <c>/etc</c>).
    /// </summary>
    public IReadOnlyList<string> PathsOutside(params string[] allowed) =>
        [.. Paths.Distinct(StringComparer.Ordinal).Where(p =>
        {
            var full = System.IO.Path.GetFullPath(p, "/");
            return !allowed.Any(a => full == a || full.StartsWith(a.TrimEnd('/') + "/", StringComparison.Ordinal));
        })];

    public void RecordStreamWrite(string path) => Mutations.Enqueue($"stream write to {path}");

    private static bool IsMutating(string name, object?[] args)
    {
        if (name == "OpenWrite" || MutatingPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)))
        {
            return true;
        }

        if (name is not ("Open" or "New" or "OpenHandle"))
        {
            return false;
        }

        if (args.OfType<FileStreamOptions>().FirstOrDefault() is { } options)
        {
            return options.Mode != FileMode.Open || options.Access != FileAccess.Read;
        }

        var mode = args.OfType<FileMode>().Cast<FileMode?>().FirstOrDefault();
        var access = args.OfType<FileAccess>().Cast<FileAccess?>().FirstOrDefault();
        // No mode: FileInfo.New(path) and the like. A mode without an access opens read-write.
        return mode is not null && (mode != FileMode.Open || access != FileAccess.Read);
    }

    private static bool IsPathParameter(string? name) =>
        name is not null && (name.Contains("path", StringComparison.OrdinalIgnoreCase) || name.Contains("fileName", StringComparison.OrdinalIgnoreCase) ||
            name.Contains("dirName", StringComparison.OrdinalIgnoreCase) || name.Contains("directoryName", StringComparison.OrdinalIgnoreCase)) &&
        !name.Contains("Target", StringComparison.Ordinal);

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string s => '"' + s + '"',
        Enum e => e.ToString(),
        byte[] b => $"byte[{b.Length}]",
        _ => value.GetType().Name,
    };
}

/// <summary>The recording proxy; wraps every System.IO.Abstractions interface and stream it returns.</summary>
public class SpyProxy : DispatchProxy
{
    private object _inner = null!;
    private SpyLog _log = null!;
    private string _type = null!;

    internal static object Create(Type interfaceType, object inner, SpyLog log)
    {
        var proxy = (SpyProxy)DispatchProxy.Create(interfaceType, typeof(SpyProxy));
        proxy._inner = inner;
        proxy._log = log;
        proxy._type = interfaceType.Name;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        _log.Record(_type, targetMethod, args);
        object? result;
        try
        {
            result = targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }

        return Wrap(result, targetMethod.ReturnType, _log);
    }

    private static object? Wrap(object? result, Type declared, SpyLog log)
    {
        if (result is null)
        {
            return null;
        }

        // IPath only manipulates strings (never the disk), and has ReadOnlySpan overloads a proxy cannot forward.
        if (declared == typeof(IPath))
        {
            return result;
        }

        if (declared.IsInterface && IsAbstraction(declared))
        {
            return Create(declared, result, log);
        }

        if (declared == typeof(FileSystemStream) && result is FileSystemStream stream)
        {
            return new SpyStream(stream, log);
        }

        if (declared.IsArray && declared.GetElementType() is { IsInterface: true } element && IsAbstraction(element))
        {
            var source = (Array)result;
            var copy = Array.CreateInstance(element, source.Length);
            for (var i = 0; i < source.Length; i++)
            {
                copy.SetValue(Create(element, source.GetValue(i)!, log), i);
            }

            return copy;
        }

        if (declared.IsGenericType && declared.GetGenericTypeDefinition() == typeof(IEnumerable<>) &&
            declared.GetGenericArguments()[0] is { IsInterface: true } item && IsAbstraction(item))
        {
            var wrap = typeof(SpyProxy).GetMethod(nameof(WrapEach), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(item);
            return wrap.Invoke(null, [result, log]);
        }

        return result;
    }

    private static IEnumerable<T> WrapEach<T>(IEnumerable source, SpyLog log)
    {
        foreach (var item in source)
        {
            yield return (T)Create(typeof(T), item, log);
        }
    }

    private static bool IsAbstraction(Type type) => type.Namespace == "System.IO.Abstractions";

    private sealed class SpyStream(FileSystemStream inner, SpyLog log) : FileSystemStream(inner, inner.Name, inner.IsAsync)
    {
        public override void Write(byte[] buffer, int offset, int count)
        {
            log.RecordStreamWrite(inner.Name);
            base.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            log.RecordStreamWrite(inner.Name);
            base.Write(buffer);
        }

        public override void WriteByte(byte value)
        {
            log.RecordStreamWrite(inner.Name);
            base.WriteByte(value);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            log.RecordStreamWrite(inner.Name);
            return base.WriteAsync(buffer, offset, count, cancellationToken);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            log.RecordStreamWrite(inner.Name);
            return base.WriteAsync(buffer, cancellationToken);
        }

        public override void SetLength(long value)
        {
            log.RecordStreamWrite(inner.Name);
            base.SetLength(value);
        }
    }
}
