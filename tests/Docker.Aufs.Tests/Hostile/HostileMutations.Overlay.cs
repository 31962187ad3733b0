namespace Docker.Aufs.Tests.Hostile;

/// <summary>
/// Damage to what the overlay (v1) driver keeps (docs/format/drivers.md §2): a container layer's <c>lower-id</c> naming a
/// missing layer, a path, itself, a layer without <c>root/</c> (the first step of any cycle) or another image than the
/// chain's; <c>lower-id</c> as a link, a directory, huge or not hex; an image layer with both <c>root/</c> and
/// <c>upper/</c> or neither, or whose <c>root/</c> is a link outside.
/// </summary>
internal static partial class HostileMutations
{
    public static IEnumerable<HostileCase> Overlay(HostileSeed seed)
    {
        var contentAddressed = seed.Name.EndsWith("cas", StringComparison.Ordinal);
        var container = seed.ContainerIds[0];

        // The driver layer names: the container's read-write and init layers, the image's top and base layers.
        string ReadWrite(RootEditor e) => contentAddressed ? e.ReadText($"image/overlay/layerdb/mounts/{container}/mount-id") : container;
        string InitOf(RootEditor e) => ReadWrite(e) + "-init";
        string ImageTop(RootEditor e) => contentAddressed ? e.ReadText($"image/overlay/layerdb/sha256/{Hex(seed.LayerIds[^1])}/cache-id") : seed.ImageIds[1];
        string ImageBase(RootEditor e) => contentAddressed ? e.ReadText($"image/overlay/layerdb/sha256/{Hex(seed.LayerIds[0])}/cache-id") : seed.LayerIds[0];
        string LowerId(RootEditor e) => $"overlay/{InitOf(e)}/lower-id";

        foreach (var (name, value) in new (string, Func<RootEditor, string>)[]
        {
            ("a missing layer", _ => new string('e', 64)),
            ("a traversal", _ => Traversal),
            ("absolute", _ => Outside),
            ("1 MiB long", _ => new string('a', 1 << 20)),
            ("not hex", _ => new string('Z', 64)),
            ("the layer's ID and a newline", e => ImageTop(e) + "\n"),
            ("the layer itself", InitOf),
            ("the read-write layer (a cycle)", ReadWrite),
            ("the image's base layer, not its top", ImageBase),
        })
        {
            yield return Case(seed, "overlay/<init>/lower-id", $"lower-id names {name}", e => e.Write(LowerId(e), value(e)));
        }

        yield return Case(seed, "overlay/<rw>/lower-id", "the read-write layer's lower-id names the image's base layer", e => e.Write($"overlay/{ReadWrite(e)}/lower-id", ImageBase(e)));
        yield return Case(seed, "overlay/<init>/lower-id", "lower-id is a link outside", e => e.Symlink(LowerId(e), Outside + "/parent"));
        yield return Case(seed, "overlay/<init>/lower-id", "lower-id is a directory", e => e.MakeDirectory(LowerId(e), "x"));
        yield return Case(seed, "overlay/<init>/lower-id", "lower-id is missing", e => e.Delete(LowerId(e)));
        yield return Case(seed, "overlay/<top>", "the image's top layer has both root/ and upper/", e => e.MakeDirectory($"overlay/{ImageTop(e)}/upper", "x"));
        yield return Case(seed, "overlay/<top>", "the image's top layer has neither root/ nor upper/", e => e.Move($"overlay/{ImageTop(e)}/root", $"overlay/{ImageTop(e)}/gone"));
        yield return Case(seed, "overlay/<top>/root", "the image's top root/ is a link outside", e => e.Symlink($"overlay/{ImageTop(e)}/root", Outside + "/layer"));
        yield return Case(seed, "overlay/<rw>/upper", "the read-write upper/ is a link outside", e => e.Symlink($"overlay/{ReadWrite(e)}/upper", Outside + "/layer"));
        yield return Case(seed, "overlay/<init>", "the init layer has both root/ and upper/", e => e.MakeDirectory($"overlay/{InitOf(e)}/root", "x"));
    }
}
