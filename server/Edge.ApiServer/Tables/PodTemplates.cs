using System.Text.Json.Nodes;

namespace Edge.ApiServer.Tables;

/// <summary>The CONTAINERS and IMAGES cells of workload tables (upstream <c>layoutContainerCells</c>).</summary>
static class PodTemplates
{
    public static (string Names, string Images) ContainerCells(JsonNode? podSpec)
    {
        var containers = JsonRead.Objects(podSpec, "containers").ToList();
        return (string.Join(",", containers.Select(c => JsonRead.Str(c, "name"))),
                string.Join(",", containers.Select(c => JsonRead.Str(c, "image"))));
    }
}
