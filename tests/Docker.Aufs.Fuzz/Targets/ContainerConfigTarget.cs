using Docker.Aufs.Stores;
using Docker.Aufs.Testing;

namespace Docker.Aufs.Fuzz.Targets;

/// <summary><c>containers/&lt;id&gt;/config.json</c> of the sample root's redis container.</summary>
internal sealed class ContainerConfigTarget : FuzzTarget
{
    private const string Id = SampleRoots.RedisContainerId;

    private SampleFixture _sample = null!;

    public override string Name => "container-config";

    public override string Description => "containers/<id>/config.json: ContainerRecord.Read, GetContainers, GetContainer, by name, GetContainerView";

    protected override void Setup() => _sample = SampleFixture.Create();

    protected override void Execute(byte[] input)
    {
        _sample.Write($"containers/{Id}/config.json", input);
        var container = Step(() => ContainerRecord.Read(_sample.FileSystem, SampleFixture.PathOf("containers"), Id));
        if (container is not null)
        {
            _ = (container.Name, container.Command, container.State.Status, container.Created, container.ImageId, container.Driver, container.LegacyInitLayerId);
        }

        var root = _sample.Open();
        Step(() => root.GetContainers());
        Step(() => root.ResolveContainer(Id));
        Step(() => root.ResolveContainer(SampleRoots.RedisContainerName));
        var view = Step(() => root.OpenContainer(Id));
        if (view is not null)
        {
            Step(() => view.ListDirectory("/").Count);
        }
    }
}
