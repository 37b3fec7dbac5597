using Edge.Api.Resources;

namespace Edge.ApiServer.Admission;

/// <summary>Kinds that are data rather than a spec with a status: no generation to track.</summary>
public class DataStrategy(ResourceType resource) : ResourceStrategy(resource)
{
    public override bool TracksGeneration => false;
}
