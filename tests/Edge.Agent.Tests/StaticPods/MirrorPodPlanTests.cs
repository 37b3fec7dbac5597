using Edge.Agent.StaticPods;

namespace Edge.Agent.Tests.StaticPods;

public sealed class MirrorPodPlanTests : IDisposable
{
    private readonly StaticPodFixture _fixture = new();

    [Fact]
    public void For_NoMirror_CreatesOne()
    {
        var plan = MirrorPodPlan.For(StaticPodFixture.State(1, StaticPodFixture.ApiPod("api", "u1")), _fixture.Source.Current);

        Assert.Same(_fixture.Web, Assert.Single(plan.Creations));
        Assert.Empty(plan.Deletions);
    }

    [Fact]
    public void For_LiveMirror_NothingToDo()
    {
        var web = _fixture.Web;
        var plan = MirrorPodPlan.For(StaticPodFixture.State(1, StaticPodFixture.ApiPod(web.Name, "m", mirrorOf: web.Uid)), _fixture.Source.Current);

        Assert.Empty(plan.Creations);
        Assert.Empty(plan.Deletions);
    }

    [Fact]
    public void For_MirrorBeingDeleted_RemovedAndRecreated()
    {
        var web = _fixture.Web;
        var plan = MirrorPodPlan.For(StaticPodFixture.State(1, StaticPodFixture.ApiPod(web.Name, "m", mirrorOf: web.Uid, deleting: true)), _fixture.Source.Current);

        Assert.Equal("m", Assert.Single(plan.Deletions).Uid);
        Assert.Same(web, Assert.Single(plan.Creations));
    }

    [Fact]
    public void For_MirrorOfAnOutdatedHash_RemovedAndTheNewOneCreated()
    {
        var web = _fixture.Web;
        var plan = MirrorPodPlan.For(StaticPodFixture.State(1, StaticPodFixture.ApiPod(web.Name, "m", mirrorOf: "0123")), _fixture.Source.Current);

        Assert.Equal(("default", web.Name, "m"), Assert.Single(plan.Deletions) is var d ? (d.Namespace, d.Name, d.Uid) : default);
        Assert.Same(web, Assert.Single(plan.Creations));
    }

    [Fact]
    public void For_ApiPodThatIsNoMirrorHoldsTheName_Conflict()
    {
        var plan = MirrorPodPlan.For(StaticPodFixture.State(1, StaticPodFixture.ApiPod(_fixture.Web.Name, "u1")), _fixture.Source.Current);

        Assert.Empty(plan.Creations);
        Assert.Empty(plan.Deletions);
        Assert.Same(_fixture.Web, Assert.Single(plan.Conflicts));
    }

    [Fact]
    public void MirrorOf_NoUidNoStatus_AnnotatedAndOwnedByTheNode()
    {
        var web = _fixture.Web;
        var mirror = MirrorPodPlan.MirrorOf(web, "n1", "node-uid");

        Assert.Null(mirror["status"]);
        Assert.Null(mirror["metadata"]!["uid"]);
        Assert.Equal(web.Uid, (string?)mirror["metadata"]!["annotations"]![StaticPodAnnotations.Mirror]);
        var owner = mirror["metadata"]!["ownerReferences"]![0]!;
        Assert.Equal(("Node", "n1", "node-uid"), ((string?)owner["kind"], (string?)owner["name"], (string?)owner["uid"]));
        Assert.NotNull(web.Pod["metadata"]!["uid"]);
    }

    public void Dispose() => _fixture.Dispose();
}
