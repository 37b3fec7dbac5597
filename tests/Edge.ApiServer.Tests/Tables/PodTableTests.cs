using static Edge.ApiServer.Tests.Tables.TableAssert;

namespace Edge.ApiServer.Tests.Tables;

public sealed class PodTableTests
{
    static Dictionary<string, string> Pod(string spec, string status, string extraMeta = "") => Row("", "pods", $$"""
        {"metadata":{"name":"web","namespace":"default","creationTimestamp":"{{Ago(TimeSpan.FromMinutes(5))}}"{{extraMeta}}},
         "spec":{{spec}},"status":{{status}}}
        """);

    const string TwoContainers = """{"nodeName":"node1","containers":[{"name":"a","image":"nginx"},{"name":"b","image":"redis"}]}""";

    [Fact]
    public void Columns_AreUpstreams()
    {
        Assert.Equal(
            [("Name", 0), ("Ready", 0), ("Status", 0), ("Restarts", 0), ("Age", 0), ("IP", 1), ("Node", 1), ("Nominated Node", 1), ("Readiness Gates", 1)],
            Columns("", "pods"));
    }

    [Fact]
    public void Running_TwoOfTwoReady()
    {
        var row = Pod(TwoContainers, """
            {"phase":"Running","podIPs":[{"ip":"10.42.0.7"}],"conditions":[{"type":"Ready","status":"True"}],
             "containerStatuses":[
               {"name":"a","ready":true,"restartCount":0,"state":{"running":{}}},
               {"name":"b","ready":true,"restartCount":0,"state":{"running":{}}}]}
            """);
        Assert.Equal("web", row["Name"]);
        Assert.Equal("2/2", row["Ready"]);
        Assert.Equal("Running", row["Status"]);
        Assert.Equal("0", row["Restarts"]);
        Assert.Equal("5m", row["Age"]);
        Assert.Equal("10.42.0.7", row["IP"]);
        Assert.Equal("node1", row["Node"]);
        Assert.Equal("<none>", row["Nominated Node"]);
        Assert.Equal("<none>", row["Readiness Gates"]);
    }

    [Fact]
    public void CrashLoopBackOff_ShowsReasonAndLastRestart()
    {
        var row = Pod(TwoContainers, """
            {"phase":"Running","containerStatuses":[
               {"name":"a","ready":false,"restartCount":5,"state":{"waiting":{"reason":"CrashLoopBackOff"}},
                "lastState":{"terminated":{"exitCode":1,"finishedAt":"FINISHED"}}},
               {"name":"b","ready":true,"restartCount":0,"state":{"running":{}}}]}
            """.Replace("FINISHED", Ago(TimeSpan.FromSeconds(190))));
        Assert.Equal("1/2", row["Ready"]);
        Assert.Equal("CrashLoopBackOff", row["Status"]);
        Assert.Equal("5 (3m10s ago)", row["Restarts"]);
    }

    [Fact]
    public void DeletionTimestamp_Terminating()
    {
        var row = Pod(TwoContainers, """{"phase":"Running"}""", $$""","deletionTimestamp":"{{Ago(TimeSpan.Zero)}}" """);
        Assert.Equal("Terminating", row["Status"]);
    }

    [Fact]
    public void DeletedOnLostNode_Unknown()
    {
        var row = Pod(TwoContainers, """{"phase":"Running","reason":"NodeLost"}""", $$""","deletionTimestamp":"{{Ago(TimeSpan.Zero)}}" """);
        Assert.Equal("Unknown", row["Status"]);
    }

    [Fact]
    public void DeletedAfterSucceeding_StaysCompleted()
    {
        var row = Pod(TwoContainers, """
            {"phase":"Succeeded","containerStatuses":[
              {"name":"a","state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
              {"name":"b","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}
            """, $$""","deletionTimestamp":"{{Ago(TimeSpan.Zero)}}" """);
        Assert.Equal("Completed", row["Status"]);
        Assert.Equal("0/2", row["Ready"]);
    }

    [Fact]
    public void Pending_ContainerCreating()
    {
        var row = Pod(TwoContainers, """
            {"phase":"Pending","containerStatuses":[
              {"name":"a","ready":false,"state":{"waiting":{"reason":"ContainerCreating"}}},
              {"name":"b","ready":false,"state":{"waiting":{"reason":"ContainerCreating"}}}]}
            """);
        Assert.Equal("0/2", row["Ready"]);
        Assert.Equal("ContainerCreating", row["Status"]);
        Assert.Equal("<none>", row["IP"]);
    }

    [Fact]
    public void FirstContainerReasonWins()
    {
        var row = Pod(TwoContainers, """
            {"phase":"Pending","containerStatuses":[
              {"name":"a","state":{"waiting":{"reason":"ImagePullBackOff"}}},
              {"name":"b","state":{"waiting":{"reason":"ContainerCreating"}}}]}
            """);
        Assert.Equal("ImagePullBackOff", row["Status"]);
    }

    [Fact]
    public void TerminatedWithoutReason_ShowsExitCodeOrSignal()
    {
        Assert.Equal("ExitCode:2", Pod(TwoContainers, """
            {"phase":"Failed","containerStatuses":[{"name":"a","state":{"terminated":{"exitCode":2}}}]}
            """)["Status"]);
        Assert.Equal("Signal:9", Pod(TwoContainers, """
            {"phase":"Failed","containerStatuses":[{"name":"a","state":{"terminated":{"exitCode":137,"signal":9}}}]}
            """)["Status"]);
    }

    [Fact]
    public void CompletedWithRunningSidecarContainer_ShowsNotReadyOrRunning()
    {
        const string status = """
            "phase":"Running","containerStatuses":[
              {"name":"a","ready":false,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
              {"name":"b","ready":true,"state":{"running":{}}}]
            """;
        Assert.Equal("NotReady", Pod(TwoContainers, "{" + status + "}")["Status"]);
        Assert.Equal("Running", Pod(TwoContainers, "{" + status + ""","conditions":[{"type":"Ready","status":"True"}]}""")["Status"]);
    }

    const string WithInit = """
        {"initContainers":[{"name":"i1","image":"busybox"},{"name":"i2","image":"busybox"}],
         "containers":[{"name":"a","image":"nginx"}]}
        """;

    [Fact]
    public void InitContainers_ShowProgress()
    {
        var row = Pod(WithInit, """
            {"phase":"Pending","initContainerStatuses":[
              {"name":"i1","state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
              {"name":"i2","state":{"running":{}}}],
             "containerStatuses":[{"name":"a","state":{"waiting":{"reason":"PodInitializing"}}}]}
            """);
        Assert.Equal("Init:1/2", row["Status"]);
        Assert.Equal("0/1", row["Ready"]);
    }

    [Fact]
    public void InitContainer_PodInitializingWaiting_CountsAsProgress()
    {
        var row = Pod(WithInit, """
            {"phase":"Pending","initContainerStatuses":[
              {"name":"i1","state":{"waiting":{"reason":"PodInitializing"}}},
              {"name":"i2","state":{"waiting":{"reason":"PodInitializing"}}}]}
            """);
        Assert.Equal("Init:0/2", row["Status"]);
    }

    [Fact]
    public void InitContainer_CrashLoop()
    {
        var row = Pod(WithInit, """
            {"phase":"Pending","initContainerStatuses":[
              {"name":"i1","restartCount":3,"state":{"waiting":{"reason":"CrashLoopBackOff"}},
               "lastState":{"terminated":{"exitCode":1,"finishedAt":"FINISHED"}}}]}
            """.Replace("FINISHED", Ago(TimeSpan.FromSeconds(30))));
        Assert.Equal("Init:CrashLoopBackOff", row["Status"]);
        Assert.Equal("3 (30s ago)", row["Restarts"]);
    }

    [Fact]
    public void InitContainer_FailedWithoutReason_ShowsExitCode()
    {
        var row = Pod(WithInit, """
            {"phase":"Pending","initContainerStatuses":[{"name":"i1","state":{"terminated":{"exitCode":3}}}]}
            """);
        Assert.Equal("Init:ExitCode:3", row["Status"]);
    }

    [Fact]
    public void SidecarInitContainer_CountsTowardReady()
    {
        var row = Pod("""
            {"initContainers":[{"name":"proxy","image":"envoy","restartPolicy":"Always"}],
             "containers":[{"name":"a","image":"nginx"}]}
            """, """
            {"phase":"Running","conditions":[{"type":"Initialized","status":"True"},{"type":"Ready","status":"True"}],
             "initContainerStatuses":[{"name":"proxy","started":true,"ready":true,"restartCount":1,"state":{"running":{}}}],
             "containerStatuses":[{"name":"a","ready":true,"restartCount":0,"state":{"running":{}}}]}
            """);
        Assert.Equal("2/2", row["Ready"]);
        Assert.Equal("Running", row["Status"]);
        Assert.Equal("1", row["Restarts"]);
    }

    [Fact]
    public void SchedulingGated()
    {
        var row = Pod(TwoContainers, """
            {"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"SchedulingGated"}]}
            """);
        Assert.Equal("SchedulingGated", row["Status"]);
    }

    [Fact]
    public void StatusReason_OverridesPhase()
    {
        Assert.Equal("Evicted", Pod(TwoContainers, """{"phase":"Failed","reason":"Evicted"}""")["Status"]);
    }

    [Fact]
    public void ReadinessGates_CountTrueConditions()
    {
        var row = Pod("""
            {"containers":[{"name":"a"}],"readinessGates":[{"conditionType":"x/one"},{"conditionType":"x/two"}]}
            """, """
            {"phase":"Running","conditions":[{"type":"x/one","status":"True"},{"type":"x/two","status":"False"}]}
            """);
        Assert.Equal("1/2", row["Readiness Gates"]);
    }

    [Fact]
    public void SucceededPod_RowMarkedCompleted()
    {
        var table = Table("", "pods", """{"metadata":{"name":"p"},"spec":{"containers":[]},"status":{"phase":"Succeeded"}}""");
        Assert.Equal("Completed", table["rows"]![0]!["conditions"]![0]!["type"]!.GetValue<string>());
    }
}
