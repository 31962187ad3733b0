using Docker.Aufs.Fuzz;
using SharpFuzz;

// The SharpFuzz harness (docs/fuzzing.md). One argument: a target, fed by afl-fuzz through stdin (run once on stdin without
// afl-fuzz). More arguments: replay files or directories against the target without afl-fuzz, as a crash is reproduced.
if (args is ["list"])
{
    foreach (var known in FuzzTarget.All)
    {
        Console.WriteLine(known.Name);
    }

    return 0;
}

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: Docker.Aufs.Fuzz TARGET            fuzz TARGET under afl-fuzz (input on stdin)");
    Console.WriteLine("       Docker.Aufs.Fuzz TARGET PATH...    run TARGET on each file (directories: each file in them), report crashes");
    Console.WriteLine("       Docker.Aufs.Fuzz list              print the targets' names");
    Console.WriteLine();
    Console.WriteLine("targets:");
    foreach (var known in FuzzTarget.All)
    {
        Console.WriteLine($"  {known.Name,-17} {known.Description}");
    }

    return args.Length == 0 ? 2 : 0;
}

if (FuzzTarget.Find(args[0]) is not { } target)
{
    Console.Error.WriteLine($"unknown target '{args[0]}'; run with --help for the list");
    return 2;
}

if (args.Length == 1)
{
    // Not prepared here: the instrumented library has nowhere to count branches until Fuzzer.Run attaches afl's shared memory.
    // The first input's run builds the fixture; SharpFuzz runs that input twice and keeps only the second run's coverage.
    Fuzzer.Run(stream => target.Run(FuzzTarget.ReadAll(stream)));
    return 0;
}

return Replay.Run(target, args[1..]);
