namespace Docker.Aufs.Tests.Hostile;

/// <summary>
/// Broken promises the corpus found in code this branch may not change (<c>src/Docker.Aufs/Union/</c> is being reworked on
/// another branch), reported to its owner. A case whose only problems are these is skipped with the reason — visible in
/// every run, never a pass — after all its other checks have passed. Remove an entry once its fix lands: the cases then
/// pass or fail on their own.
/// </summary>
internal static class KnownIssues
{
    private static readonly (string Signature, string Frame, string Issue)[] Issues =
    [
        ("System.ArgumentException: The value cannot be an empty string. (Parameter 'value')", "UnionView.ToTarEntry",
            "UnionView.WriteTar throws ArgumentException for a symbolic link with an empty target (TarEntry.LinkName); should be CorruptFileException"),
        ("System.ArgumentOutOfRangeException", "UnionView.ToTarEntry",
            "UnionView.WriteTar throws ArgumentOutOfRangeException for device numbers above int.MaxValue (PosixTarEntry.DeviceMajor); should be CorruptFileException"),
    ];

    /// <summary>The known issue a problem line is an instance of, or <see langword="null"/>.</summary>
    public static string? Match(string problem) =>
        Issues.FirstOrDefault(i => problem.Contains(i.Signature, StringComparison.Ordinal) && problem.Contains(i.Frame, StringComparison.Ordinal)).Issue;
}
