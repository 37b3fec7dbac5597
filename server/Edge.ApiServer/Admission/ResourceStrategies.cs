using Edge.Api.Resources;

namespace Edge.ApiServer.Admission;

/// <summary>The strategy of every served resource.</summary>
public sealed class ResourceStrategies
{
    private readonly Dictionary<ResourceType, ResourceStrategy> _byResource = [];

    public ResourceStrategies(ServiceNetwork network)
    {
        foreach (var resource in ResourceCatalog.Resources)
        {
            _byResource[resource] = (resource.Group, resource.Kind) switch
            {
                ("", "Namespace") => new NamespaceStrategy(resource),
                ("", "Pod") => new PodStrategy(resource),
                ("", "Node") => new NodeStrategy(resource),
                ("", "Service") => new ServiceStrategy(resource, network),
                ("", "ConfigMap" or "Endpoints" or "ServiceAccount" or "Event" or "LimitRange") or
                    ("apps", "ControllerRevision") or ("coordination.k8s.io", "Lease") or
                    ("discovery.k8s.io", "EndpointSlice") or ("events.k8s.io", "Event") or
                    ("scheduling.k8s.io", "PriorityClass") => new DataStrategy(resource),
                ("", "Secret") => new SecretStrategy(resource),
                ("apps", "Deployment" or "ReplicaSet" or "DaemonSet" or "StatefulSet") or ("batch", "Job") =>
                    new WorkloadStrategy(resource),
                ("batch", "CronJob") => new CronJobStrategy(resource),
                (RbacStrategy.Group, _) => new RbacStrategy(resource),
                _ => new ResourceStrategy(resource),
            };
        }
    }

    public ResourceStrategy For(ResourceType resource) => _byResource[resource];
}
