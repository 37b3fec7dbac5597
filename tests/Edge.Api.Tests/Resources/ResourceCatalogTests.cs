using Edge.Api.Resources;

namespace Edge.Api.Tests.Resources;

public sealed class ResourceCatalogTests
{
    [Fact]
    public void Find_CorePods_IsNamespacedInCategoryAll()
    {
        var pods = ResourceCatalog.Find("", "v1", "pods");
        Assert.NotNull(pods);
        Assert.True(pods.Namespaced);
        Assert.Equal("v1", pods.ApiVersion);
        Assert.Contains("all", pods.Categories);
        Assert.Equal("/registry/pods/", pods.StorePrefix);
    }

    [Fact]
    public void Resources_ShortNamesAndPluralsAreUniqueWithinAGroup()
    {
        foreach (var group in ResourceCatalog.Resources.GroupBy(r => r.Group))
        {
            var names = group.SelectMany(r => r.ShortNames.Append(r.Plural)).ToList();
            Assert.Equal(names.Count, names.Distinct().Count());
        }
    }

    [Fact]
    public void Deployments_StoreUnderGroupQualifiedPrefix()
    {
        var deployments = ResourceCatalog.FindKind("apps", "v1", "Deployment");
        Assert.NotNull(deployments);
        Assert.Equal("/registry/deployments.apps/", deployments.StorePrefix);
        Assert.True(deployments.HasSubresource("scale"));
    }
}
