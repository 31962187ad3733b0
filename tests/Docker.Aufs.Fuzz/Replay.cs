namespace Docker.Aufs.Fuzz;

/// <summary>Runs a target on files without afl-fuzz: how a crash input is reproduced and how the corpus is checked.</summary>
internal static class Replay
{
    public static int Run(FuzzTarget target, IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                Console.Error.WriteLine($"{path}: no such file or directory");
                return 2;
            }
        }

        GiveInstrumentationABuffer();
        target.Prepare();
        var crashes = 0;
        foreach (var file in files)
        {
            var input = File.ReadAllBytes(file);
            try
            {
                var expected = target.Run(input);
                Console.WriteLine(expected is null ? $"ok        {file}" : $"expected  {file}: {expected.GetType().Name}: {OneLine(expected.Message)}");
            }
#pragma warning disable CA1031 // Anything that escapes a target is what the fuzzer reports as a crash: print it and go on.
            catch (Exception e)
#pragma warning restore CA1031
            {
                crashes++;
                Console.WriteLine($"CRASH     {file}");
                Console.WriteLine(e);
            }
        }

        Console.WriteLine($"{target.Name}: {files.Count} inputs, {crashes} crashes");
        return crashes == 0 ? 0 : 1;
    }

    /// <summary>
    /// An instrumented Docker.Aufs.dll counts branches into SharpFuzz's shared memory, which only afl-fuzz (or Fuzzer.Run)
    /// provides: without afl-fuzz, a buffer of its size that nobody reads.
    /// </summary>
    private static unsafe void GiveInstrumentationABuffer()
    {
        if (SharpFuzz.Common.Trace.SharedMem == null)
        {
            SharpFuzz.Common.Trace.SharedMem = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(MapSize);
        }
    }

    private const int MapSize = 1 << 16; // afl's coverage map, as SharpFuzz's

    private static string OneLine(string message)
    {
        var line = message.ReplaceLineEndings(" ");
        return line.Length <= 160 ? line : line[..160] + "…";
    }
}
