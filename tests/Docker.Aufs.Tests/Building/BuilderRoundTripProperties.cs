using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Testing;
using Docker.Aufs.Formats;
using Docker.Aufs.Stores.Graph;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Building;

/// <summary>What the builder writes, the readers read back identically.</summary>
public sealed class BuilderRoundTripProperties
{
    public sealed record LayerSpec(int ParentPick, string? CreatedBy, string? Comment, string? Author, DateTimeOffset Created, string[] Env,
        string[] FileNames, bool StrongId, bool WithoutSize, ImageJsonStyle Style);

    public sealed record RootSpec(LayerSpec[] Layers, (int Layer, string Repository, string Tag, bool Digest)[] Tags);

    private static Gen<string> Text() =>
        Gen.Elements("", "a", "é", "<&>", "\"q\"", "tab\t", "line\nbreak", "\u2028", "#(nop) CMD [\"sh\"]", "emoji 🐳");

    private static Gen<string> Name() => Gen.Elements("a", "bin", "etc", "x.y", "long-name_1", "spa ce");

    private static Gen<LayerSpec> Layer() =>
        from parentPick in Gen.Choose(-1, 30)
        from createdBy in Gen.OneOf(Gen.Constant<string?>(null), Text().Select(t => (string?)t))
        from comment in Gen.OneOf(Gen.Constant<string?>(null), Text().Select(t => (string?)t))
        from author in Gen.OneOf(Gen.Constant<string?>(null), Text().Select(t => (string?)t))
        from seconds in Gen.Choose(0, 300_000_000)
        from ticks in Gen.Choose(0, 9_999_999)
        from offset in Gen.Elements(0, 60, -420, 330)
        from env in Gen.ArrayOf(Text()).Select(a => a.Take(3).ToArray())
        from files in Gen.ArrayOf(Name()).Select(a => a.Distinct().Take(4).ToArray())
        from strong in Gen.Elements(true, false)
        from withoutSize in Gen.Elements(true, false, false)
        from style in Gen.Elements(ImageJsonStyle.Marshal, ImageJsonStyle.Encoder)
        select new LayerSpec(parentPick, createdBy, comment, author,
            new DateTimeOffset(2013, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(seconds).AddTicks(ticks).ToOffset(TimeSpan.FromMinutes(offset)),
            env, files, strong, withoutSize, style);

    private static Gen<RootSpec> Root() =>
        from layers in Gen.ArrayOf(Layer()).Select(a => a.Take(12).ToArray())
        where layers.Length > 0
        from tags in Gen.ArrayOf(
            from layer in Gen.Choose(0, 11)
            from repo in Gen.Elements("busybox", "user/app", "localhost:5000/x", "docker.io/library/ubuntu")
            from tag in Gen.Elements("latest", "1.0", "v_2", "sha256:0123456789abcdef")
            select (layer, repo, tag, tag.StartsWith("sha256:", StringComparison.Ordinal)))
            .Select(a => a.Take(6).ToArray())
        select new RootSpec(layers, tags);

    public static Arbitrary<RootSpec> Roots() => Root().ToArbitrary();

    [Property(Arbitrary = [typeof(BuilderRoundTripProperties)], MaxTest = 60)]
    public bool WhatTheBuilderWrites_TheReadersReadBackIdentically(RootSpec spec)
    {
        var builder = new DockerRootBuilder(new MockFileSystem(), "/r");
        var ids = new List<string>();
        foreach (var layer in spec.Layers)
        {
            var parent = layer.ParentPick >= 0 && layer.ParentPick < ids.Count ? ids[layer.ParentPick] : null;
            ids.Add(builder.AddLayer(l =>
            {
                l.Parent(parent).Created(layer.Created).JsonStyle(layer.Style).Config(new ContainerConfig { Env = layer.Env });
                if (layer.CreatedBy is { } c) l.CreatedBy(c);
                if (layer.Comment is { } m) l.Comment(m);
                if (layer.Author is { } a) l.Author(a);
                if (layer.StrongId) l.StrongIdJson().ParentFile(parent ?? string.Empty);
                if (layer.WithoutSize) l.WithoutLayerSize();
                foreach (var name in layer.FileNames) l.File("d/" + name, name);
            }));
        }

        var tagged = new List<(string Repo, string Ref, string Id)>();
        foreach (var (index, repo, tag, _) in spec.Tags)
        {
            var id = ids[index % ids.Count];
            builder.Tag(ImageReference.IsDigestReference(tag) ? $"{repo}@{tag}" : $"{repo}:{tag}", id);
            tagged.Add((ImageReference.NormalizeLocalName(repo), tag, id));
        }

        var root = builder.Build().Open();
        for (var i = 0; i < spec.Layers.Length; i++)
        {
            var layer = spec.Layers[i];
            var read = root.Graph().ReadLayer(ids[i]);
            var parent = layer.ParentPick >= 0 && layer.ParentPick < i ? ids[layer.ParentPick] : null;
            var expectedCmd = layer.CreatedBy is null ? null : new[] { "/bin/sh", "-c", layer.CreatedBy };
            if (read.Parent != parent || read.Image.Created?.Value != layer.Created || read.Image.Comment != layer.Comment || read.Image.Author != layer.Author ||
                !Same(read.Image.ContainerConfig?.Cmd, expectedCmd) || !Same(read.Image.Config?.Env, layer.Env) ||
                read.Image.Id != (layer.StrongId ? null : ids[i]) ||
                read.SizeStatus != (layer.WithoutSize ? LayerSizeStatus.Missing : LayerSizeStatus.Present) ||
                (!layer.WithoutSize && read.Size != layer.FileNames.Sum(n => System.Text.Encoding.UTF8.GetByteCount(n))))
            {
                return false;
            }

            var expectedChain = new List<string>();
            for (var p = parent; p is not null; p = spec.Layers[ids.IndexOf(p)].ParentPick is var pp && pp >= 0 && pp < ids.IndexOf(p) ? ids[pp] : null)
            {
                expectedChain.Add(p);
            }

            if (!root.AufsDriver()!.ReadLayerFile(ids[i]).Ancestors.SequenceEqual(expectedChain) ||
                !root.ResolveImage(ids[i]).Layers.Skip(1).Select(l => l.Id).SequenceEqual(expectedChain))
            {
                return false;
            }
        }

        var expectedTags = tagged.GroupBy(t => (t.Repo, t.Ref)).Select(g => g.Last()).OrderBy(t => t.Repo, StringComparer.Ordinal).ThenBy(t => t.Ref, StringComparer.Ordinal);
        return root.Graph().Repositories.Entries.Select(e => (e.Repository, e.Reference, e.ImageId)).SequenceEqual(expectedTags);
    }

    private static bool Same(IReadOnlyList<string>? a, IReadOnlyList<string>? b) =>
        (a is null && b is null) || (a is not null && b is not null && a.SequenceEqual(b));
}
