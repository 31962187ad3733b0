namespace Docker.Aufs.Tests.Hostile;

/// <summary>One malformed root: a seed, and the damage done to a copy of it; the name says what was done, where.</summary>
internal sealed record HostileCase(string Name, HostileSeed Seed, Action<RootEditor> Mutate)
{
    public override string ToString() => Name;
}
