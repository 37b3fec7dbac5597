using Edge.ApiServer.Authentication;
using Edge.ApiServer.Authorization;
using static Edge.ApiServer.Tests.Authorization.RbacAuthorizerTests;

namespace Edge.ApiServer.Tests.Authorization;

public sealed class ForbiddenTests
{
    [Fact]
    public void NamedObjectInNamespace()
    {
        var status = Forbidden.For(Request("get", "", "pods", "default", "x"));

        Assert.Equal(403, status.Code);
        Assert.Equal("Forbidden", status.Reason);
        Assert.Equal("Failure", status.Outcome);
        Assert.Equal("pods \"x\" is forbidden: User \"bob\" cannot get resource \"pods\" in API group \"\" in the namespace \"default\"", status.Message);
        Assert.Equal(("x", (string?)null, "pods"), (status.Details!.Name, status.Details.Group, status.Details.Kind));
    }

    [Fact]
    public void Collection_ClusterScope_Subresource_Reason()
    {
        Assert.Equal("deployments.apps is forbidden: User \"bob\" cannot list resource \"deployments\" in API group \"apps\" in the namespace \"ns\"",
            Forbidden.For(Request("list", "apps", "deployments", "ns")).Message);
        Assert.Equal("nodes is forbidden: User \"bob\" cannot list resource \"nodes\" in API group \"\" at the cluster scope",
            Forbidden.For(Request("list", "", "nodes")).Message);
        Assert.Equal("pods \"p\" is forbidden: User \"bob\" cannot update resource \"pods/status\" in API group \"\" in the namespace \"ns\": no way",
            Forbidden.For(Request("update", "", "pods", "ns", "p", "status"), "no way").Message);
    }

    [Fact]
    public void NonResourcePath()
    {
        var status = Forbidden.For(new AuthorizationAttributes { User = UserInfo.Anonymous, Verb = "get", Path = "/foo" });

        Assert.Equal("forbidden: User \"system:anonymous\" cannot get path \"/foo\"", status.Message);
        Assert.Null(status.Details!.Kind);
    }
}
