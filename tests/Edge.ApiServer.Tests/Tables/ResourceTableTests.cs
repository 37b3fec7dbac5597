using static Edge.ApiServer.Tests.Tables.TableAssert;

namespace Edge.ApiServer.Tests.Tables;

public sealed class ResourceTableTests
{
    static string Created(TimeSpan ago) => Ago(ago);

    [Fact]
    public void Deployment_TwoOfThreeReady()
    {
        Assert.Equal(
            [("Name", 0), ("Ready", 0), ("Up-to-date", 0), ("Available", 0), ("Age", 0), ("Containers", 1), ("Images", 1), ("Selector", 1)],
            Columns("apps", "deployments"));
        var row = Row("apps", "deployments", """
            {"metadata":{"name":"web","creationTimestamp":"CREATED"},
             "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
                     "template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"},{"name":"log","image":"busybox"}]}}},
             "status":{"readyReplicas":2,"updatedReplicas":3,"availableReplicas":2}}
            """.Replace("CREATED", Created(TimeSpan.FromDays(2) + TimeSpan.FromHours(3))));
        Assert.Equal("2/3", row["Ready"]);
        Assert.Equal("3", row["Up-to-date"]);
        Assert.Equal("2", row["Available"]);
        Assert.Equal("2d3h", row["Age"]);
        Assert.Equal("nginx,log", row["Containers"]);
        Assert.Equal("nginx:1.27,busybox", row["Images"]);
        Assert.Equal("app=web", row["Selector"]);
    }

    [Fact]
    public void Deployment_NoStatusYet_ZeroOfDefaultOne()
    {
        var row = Row("apps", "deployments", """{"metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[]}}}}""");
        Assert.Equal("0/1", row["Ready"]);
        Assert.Equal("<unknown>", row["Age"]);
    }

    [Fact]
    public void Service_NodePort_ShowsNodePorts()
    {
        Assert.Equal(
            [("Name", 0), ("Type", 0), ("Cluster-IP", 0), ("External-IP", 0), ("Port(s)", 0), ("Age", 0), ("Selector", 1)],
            Columns("", "services"));
        var row = Row("", "services", """
            {"metadata":{"name":"web"},
             "spec":{"type":"NodePort","clusterIP":"10.43.0.10","clusterIPs":["10.43.0.10"],"selector":{"app":"web"},
                     "ports":[{"port":80,"nodePort":30080,"protocol":"TCP"},{"port":53,"protocol":"UDP"}]}}
            """);
        Assert.Equal("NodePort", row["Type"]);
        Assert.Equal("10.43.0.10", row["Cluster-IP"]);
        Assert.Equal("<none>", row["External-IP"]);
        Assert.Equal("80:30080/TCP,53/UDP", row["Port(s)"]);
        Assert.Equal("app=web", row["Selector"]);
    }

    [Fact]
    public void Service_LoadBalancerPendingAndHeadless()
    {
        Assert.Equal("<pending>", Row("", "services", """{"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","clusterIPs":["10.43.0.2"]}}""")["External-IP"]);
        var headless = Row("", "services", """{"metadata":{"name":"h"},"spec":{"clusterIP":"None","clusterIPs":["None"]}}""");
        Assert.Equal("None", headless["Cluster-IP"]);
        Assert.Equal("<none>", headless["Port(s)"]);
        Assert.Equal("<none>", headless["Selector"]);
        Assert.Equal("ClusterIP", headless["Type"]);
    }

    [Fact]
    public void Secret_CountsDataKeys()
    {
        var row = Row("", "secrets", """{"metadata":{"name":"s"},"type":"kubernetes.io/tls","data":{"tls.crt":"eA==","tls.key":"eA=="}}""");
        Assert.Equal("kubernetes.io/tls", row["Type"]);
        Assert.Equal("2", row["Data"]);
    }

    [Fact]
    public void ConfigMap_CountsDataAndBinaryData()
    {
        Assert.Equal("3", Row("", "configmaps", """{"metadata":{"name":"c"},"data":{"a":"1","b":"2"},"binaryData":{"c":"eA=="}}""")["Data"]);
    }

    [Fact]
    public void Node_ReadySchedulingDisabledWithRoles()
    {
        Assert.Equal(
            [("Name", 0), ("Status", 0), ("Roles", 0), ("Age", 0), ("Version", 0), ("Internal-IP", 1), ("External-IP", 1), ("OS-Image", 1), ("Kernel-Version", 1), ("Container-Runtime", 1)],
            Columns("", "nodes"));
        var row = Row("", "nodes", """
            {"metadata":{"name":"n1","labels":{"node-role.kubernetes.io/control-plane":"","node-role.kubernetes.io/etcd":"true","node-role.kubernetes.io/":"x","kubernetes.io/hostname":"n1"}},
             "spec":{"unschedulable":true},
             "status":{"conditions":[{"type":"MemoryPressure","status":"False"},{"type":"Ready","status":"True"}],
                       "addresses":[{"type":"InternalIP","address":"192.168.1.10"},{"type":"Hostname","address":"n1"}],
                       "nodeInfo":{"kubeletVersion":"v1.33.0+edge","osImage":"Debian GNU/Linux 12 (bookworm)","kernelVersion":"6.1.0","containerRuntimeVersion":"containerd://2.0.0"}}}
            """);
        Assert.Equal("Ready,SchedulingDisabled", row["Status"]);
        Assert.Equal("control-plane,etcd", row["Roles"]);
        Assert.Equal("v1.33.0+edge", row["Version"]);
        Assert.Equal("192.168.1.10", row["Internal-IP"]);
        Assert.Equal("<none>", row["External-IP"]);
        Assert.Equal("containerd://2.0.0", row["Container-Runtime"]);
    }

    [Fact]
    public void Node_NoConditions_UnknownAndNoRoles()
    {
        var row = Row("", "nodes", """{"metadata":{"name":"n2","labels":{"kubernetes.io/role":"worker"}},"status":{}}""");
        Assert.Equal("Unknown", row["Status"]);
        Assert.Equal("worker", row["Roles"]);
        Assert.Equal("<unknown>", row["OS-Image"]);
        var notReady = Row("", "nodes", """{"metadata":{"name":"n3"},"status":{"conditions":[{"type":"Ready","status":"Unknown"}]}}""");
        Assert.Equal("NotReady", notReady["Status"]);
        Assert.Equal("<none>", notReady["Roles"]);
    }

    [Fact]
    public void Job_StatusCompletionsDuration()
    {
        Assert.Equal(
            [("Name", 0), ("Status", 0), ("Completions", 0), ("Duration", 0), ("Age", 0), ("Containers", 1), ("Images", 1), ("Selector", 1)],
            Columns("batch", "jobs"));
        var done = Row("batch", "jobs", """
            {"metadata":{"name":"pi"},"spec":{"completions":1,"template":{"spec":{"containers":[{"name":"pi","image":"perl"}]}},
             "selector":{"matchLabels":{"batch.kubernetes.io/controller-uid":"abc"}}},
             "status":{"succeeded":1,"startTime":"2025-06-01T11:00:00Z","completionTime":"2025-06-01T11:00:42Z",
                       "conditions":[{"type":"SuccessCriteriaMet","status":"True"},{"type":"Complete","status":"True"}]}}
            """);
        Assert.Equal("Complete", done["Status"]);
        Assert.Equal("1/1", done["Completions"]);
        Assert.Equal("42s", done["Duration"]);
        Assert.Equal("batch.kubernetes.io/controller-uid=abc", done["Selector"]);

        var running = Row("batch", "jobs", """
            {"metadata":{"name":"p"},"spec":{"parallelism":3},"status":{"startTime":"2025-06-01T11:57:00Z"}}
            """);
        Assert.Equal("Running", running["Status"]);
        Assert.Equal("0/1 of 3", running["Completions"]);
        Assert.Equal("3m", running["Duration"]);
    }

    [Fact]
    public void CronJob_Columns()
    {
        var row = Row("batch", "cronjobs", """
            {"metadata":{"name":"c"},"spec":{"schedule":"*/5 * * * *","suspend":false,
              "jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"x","image":"busybox"}]}}}}},
             "status":{"active":[{"name":"c-1"}],"lastScheduleTime":"2025-06-01T11:55:00Z"}}
            """);
        Assert.Equal("*/5 * * * *", row["Schedule"]);
        Assert.Equal("<none>", row["Timezone"]);
        Assert.Equal("False", row["Suspend"]);
        Assert.Equal("1", row["Active"]);
        Assert.Equal("5m", row["Last Schedule"]);
        Assert.Equal("<none>", row["Selector"]);
    }

    [Fact]
    public void StatefulSetAndReplicaSetAndDaemonSet()
    {
        Assert.Equal("1/2", Row("apps", "statefulsets", """{"metadata":{"name":"s"},"spec":{"replicas":2},"status":{"readyReplicas":1}}""")["Ready"]);
        var rs = Row("apps", "replicasets", """{"metadata":{"name":"r"},"spec":{"replicas":2,"selector":{"matchLabels":{"a":"b"}}},"status":{"replicas":2,"readyReplicas":1}}""");
        Assert.Equal(("2", "2", "1", "a=b"), (rs["Desired"], rs["Current"], rs["Ready"], rs["Selector"]));
        var ds = Row("apps", "daemonsets", """
            {"metadata":{"name":"d"},"spec":{"template":{"spec":{"nodeSelector":{"kubernetes.io/os":"linux"}}}},
             "status":{"desiredNumberScheduled":3,"currentNumberScheduled":3,"numberReady":2,"updatedNumberScheduled":3,"numberAvailable":2}}
            """);
        Assert.Equal("kubernetes.io/os=linux", ds["Node Selector"]);
        Assert.Equal("2", ds["Ready"]);
    }

    [Fact]
    public void ControllerRevision_ShowsGroupKindOfController()
    {
        var row = Row("apps", "controllerrevisions", """
            {"metadata":{"name":"web-5d8f","ownerReferences":[{"apiVersion":"apps/v1","kind":"StatefulSet","name":"web","controller":true}]},"revision":3}
            """);
        Assert.Equal("statefulset.apps/web", row["Controller"]);
        Assert.Equal("3", row["Revision"]);
    }

    [Fact]
    public void Endpoints_FirstThreeThenMore()
    {
        var row = Row("", "endpoints", """
            {"metadata":{"name":"e"},"subsets":[{"addresses":[{"ip":"10.0.0.1"},{"ip":"10.0.0.2"},{"ip":"10.0.0.3"},{"ip":"fd00::4"}],"ports":[{"port":80}]}]}
            """);
        Assert.Equal("10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...", row["Endpoints"]);
        Assert.Equal("<none>", Row("", "endpoints", """{"metadata":{"name":"e"}}""")["Endpoints"]);
    }

    [Fact]
    public void EndpointSlice_PortsAndAddresses()
    {
        var row = Row("discovery.k8s.io", "endpointslices", """
            {"metadata":{"name":"e-abc"},"addressType":"IPv4","ports":[{"name":"http","port":80},{"name":"x"}],
             "endpoints":[{"addresses":["10.0.0.1"]},{"addresses":["10.0.0.2"]}]}
            """);
        Assert.Equal("IPv4", row["AddressType"]);
        Assert.Equal("80,x", row["Ports"]);
        Assert.Equal("10.0.0.1,10.0.0.2", row["Endpoints"]);
        Assert.Equal("<unset>", Row("discovery.k8s.io", "endpointslices", """{"metadata":{"name":"e"}}""")["Ports"]);
    }

    [Fact]
    public void SmallResources()
    {
        Assert.Equal("Active", Row("", "namespaces", """{"metadata":{"name":"default"},"status":{"phase":"Active"}}""")["Status"]);
        Assert.Equal("1", Row("", "serviceaccounts", """{"metadata":{"name":"default"},"secrets":[{"name":"x"}]}""")["Secrets"]);
        Assert.Equal("n1", Row("coordination.k8s.io", "leases", """{"metadata":{"name":"n1"},"spec":{"holderIdentity":"n1"}}""")["Holder"]);
        var pc = Row("scheduling.k8s.io", "priorityclasses", """{"metadata":{"name":"high"},"value":1000,"globalDefault":false,"preemptionPolicy":"PreemptLowerPriority"}""");
        Assert.Equal(("1000", "false", "PreemptLowerPriority"), (pc["Value"], pc["Global-Default"], pc["PreemptionPolicy"]));
        var quota = Row("", "resourcequotas", """
            {"metadata":{"name":"q"},"status":{"hard":{"requests.cpu":"2","limits.memory":"1Gi","pods":"10"},"used":{"requests.cpu":"500m","pods":"3"}}}
            """);
        Assert.Equal("pods: 3/10, requests.cpu: 500m/2", quota["Request"]);
        Assert.Equal("limits.memory: 0/1Gi", quota["Limit"]);
    }

    [Fact]
    public void CoreEvent_ColumnsAndCells()
    {
        Assert.Equal(
            [("Last Seen", 0), ("Type", 0), ("Reason", 0), ("Object", 0), ("Subobject", 1), ("Source", 1), ("Message", 0), ("First Seen", 1), ("Count", 1), ("Name", 1)],
            Columns("", "events"));
        var row = Row("", "events", """
            {"metadata":{"name":"web.1"},"involvedObject":{"kind":"Pod","name":"web","fieldPath":"spec.containers{nginx}"},
             "reason":"Pulled","message":"Pulled image \"nginx\"\n","type":"Normal","count":4,
             "source":{"component":"kubelet","host":"n1"},
             "firstTimestamp":"2025-06-01T11:00:00Z","lastTimestamp":"2025-06-01T11:59:50Z"}
            """);
        Assert.Equal("10s", row["Last Seen"]);
        Assert.Equal("pod/web", row["Object"]);
        Assert.Equal("spec.containers{nginx}", row["Subobject"]);
        Assert.Equal("kubelet, n1", row["Source"]);
        Assert.Equal("Pulled image \"nginx\"", row["Message"]);
        Assert.Equal("60m", row["First Seen"]);
        Assert.Equal("4", row["Count"]);
        Assert.Equal("web.1", row["Name"]);
    }

    [Fact]
    public void EventsV1_ReadsNewFieldNames()
    {
        var row = Row("events.k8s.io", "events", """
            {"metadata":{"name":"e"},"regarding":{"kind":"Node","name":"n1"},"note":"Starting","reason":"Starting","type":"Normal",
             "eventTime":"2025-06-01T11:58:00.000000Z","reportingController":"kubelet","reportingInstance":"n1"}
            """);
        Assert.Equal("2m", row["Last Seen"]);
        Assert.Equal("node/n1", row["Object"]);
        Assert.Equal("kubelet, n1", row["Source"]);
        Assert.Equal("Starting", row["Message"]);
        Assert.Equal("1", row["Count"]);
    }

    [Fact]
    public void LimitRange_UsesDefaultTable()
    {
        Assert.Equal([("Name", 0), ("Created At", 0)], Columns("", "limitranges"));
        var row = Row("", "limitranges", """{"metadata":{"name":"l","creationTimestamp":"2025-05-01T08:09:10Z"}}""");
        Assert.Equal("2025-05-01T08:09:10Z", row["Created At"]);
    }
}
