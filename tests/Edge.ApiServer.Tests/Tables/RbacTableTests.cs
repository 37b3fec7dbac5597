using static Edge.ApiServer.Tests.Tables.TableAssert;

namespace Edge.ApiServer.Tests.Tables;

public sealed class RbacTableTests
{
    const string Rbac = "rbac.authorization.k8s.io";

    [Fact]
    public void Role_NameAndCreatedAt()
    {
        Assert.Equal([("Name", 0), ("Created At", 0)], Columns(Rbac, "roles"));
        Assert.Equal([("Name", 0), ("Created At", 0)], Columns(Rbac, "clusterroles"));
        var row = Row(Rbac, "clusterroles", """{"metadata":{"name":"view","creationTimestamp":"2025-05-01T10:00:00Z"}}""");
        Assert.Equal("2025-05-01T10:00:00Z", row["Created At"]);
    }

    [Fact]
    public void RoleBinding_RoleAndWideSubjects()
    {
        Assert.Equal(
            [("Name", 0), ("Role", 0), ("Age", 0), ("Users", 1), ("Groups", 1), ("ServiceAccounts", 1)],
            Columns(Rbac, "rolebindings"));
        var row = Row(Rbac, "clusterrolebindings", """
            {"metadata":{"name":"b","creationTimestamp":"CREATED"},
             "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},
             "subjects":[{"kind":"User","name":"alice"},{"kind":"User","name":"bob"},{"kind":"Group","name":"devs"},
                         {"kind":"ServiceAccount","name":"sa","namespace":"kube-system"},{"kind":"ServiceAccount","name":"local"}]}
            """.Replace("CREATED", Ago(TimeSpan.FromMinutes(5))));
        Assert.Equal("ClusterRole/view", row["Role"]);
        Assert.Equal("5m", row["Age"]);
        Assert.Equal("alice, bob", row["Users"]);
        Assert.Equal("devs", row["Groups"]);
        Assert.Equal("kube-system/sa, local", row["ServiceAccounts"]);
    }
}
