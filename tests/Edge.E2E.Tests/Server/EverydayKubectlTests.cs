using System.Text.Json;
using Edge.E2E.Tests.Infrastructure;

namespace Edge.E2E.Tests.Server;

/// <summary>
/// Everyday kubectl use against a fresh server, with default flags (so client- or server-side
/// validation against our OpenAPI runs) and the admin kubeconfig, for the oldest and newest
/// kubectl we support. Pods have no node in this build: where a command needs a running pod,
/// the test writes the pod's status through the API as an agent would.
/// </summary>
public sealed class EverydayKubectlTests : IAsyncLifetime
{
    private const string App = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: shop
          labels: {app: web, tier: front}
        spec:
          replicas: 2
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: httpd
                image: busybox:1.36
                command: ["httpd", "-f"]
                ports:
                - containerPort: 80
                env:
                - name: MODE
                  value: fast
              - name: sidecar
                image: busybox:1.36
                command: ["sleep", "1d"]
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: shop
        spec:
          type: NodePort
          selector: {app: web}
          ports:
          - port: 80
            targetPort: 80
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          namespace: shop
          labels: {tier: back}
        data:
          mode: fast
        """;

    private readonly TempDir _temp = new();
    private ServerProcess _server = null!;

    public static TheoryData<string> KubectlVersions => new(Kubectl.Versions);

    public async Task InitializeAsync() => _server = await ServerProcess.StartAsync(_temp);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _temp.Dispose();
    }

    [Theory]
    [MemberData(nameof(KubectlVersions))]
    public async Task ApiResources_ListsServedResourcesWithShortNames(string minor)
    {
        var kubectl = KubectlFor(minor);

        var result = await kubectl.RunAsync(_server.Kubeconfig, "api-resources");

        Ok(result);
        var lines = result.Stdout.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("deployments ", StringComparison.Ordinal) && l.Contains("deploy") && l.Contains("apps/v1"));
        Assert.Contains(lines, l => l.StartsWith("pods ", StringComparison.Ordinal) && l.Contains(" po "));
        Assert.Contains(lines, l => l.StartsWith("namespaces ", StringComparison.Ordinal) && l.Contains("false"));
        Assert.Contains(lines, l => l.StartsWith("leases ", StringComparison.Ordinal) && l.Contains("coordination.k8s.io/v1"));
    }

    [Theory]
    [MemberData(nameof(KubectlVersions))]
    public async Task ApplyTwice_CreatesThenUnchanged(string minor)
    {
        var kubectl = KubectlFor(minor);
        var file = Write("app.yaml", App);

        var first = await kubectl.RunAsync(_server.Kubeconfig, "apply", "-f", file);
        var second = await kubectl.RunAsync(_server.Kubeconfig, "apply", "-f", file);

        Ok(first);
        Assert.Contains("namespace/shop created", first.Stdout);
        Assert.Contains("deployment.apps/web created", first.Stdout);
        Assert.Contains("service/web created", first.Stdout);
        Assert.Contains("configmap/settings created", first.Stdout);
        Ok(second);
        Assert.Equal(4, second.Stdout.Split('\n').Count(l => l.EndsWith(" unchanged", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(KubectlVersions))]
    public async Task ApplyChanged_MergesListsByKey(string minor)
    {
        var kubectl = KubectlFor(minor);
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "apply", "-f", Write("app.yaml", App)));
        // Change one container's image and env, drop the sidecar: a three-way strategic merge patch.
        var changed = App.Replace("image: busybox:1.36\n        command: [\"httpd\"", "image: busybox:1.37\n        command: [\"httpd\"", StringComparison.Ordinal)
            .Replace("value: fast", "value: slow", StringComparison.Ordinal);
        changed = changed[..changed.IndexOf("      - name: sidecar", StringComparison.Ordinal)] + changed[changed.IndexOf("---\napiVersion: v1\nkind: Service", StringComparison.Ordinal)..];

        var result = await kubectl.RunAsync(_server.Kubeconfig, "apply", "-f", Write("app2.yaml", changed));

        Ok(result);
        Assert.Contains("deployment.apps/web configured", result.Stdout);
        var containers = await JsonPathAsync(kubectl, "deployment/web", "{range .spec.template.spec.containers[*]}{.name}={.image}:{.env[0].value};{end}");
        Assert.Equal("httpd=busybox:1.37:slow;", containers);
        Assert.Equal("2", await JsonPathAsync(kubectl, "deployment/web", "{.metadata.generation}"));
    }

    [Theory]
    [MemberData(nameof(KubectlVersions))]
    public async Task Get_AllOutputForms(string minor)
    {
        var kubectl = KubectlFor(minor);
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "apply", "-f", Write("app.yaml", App)));

        var table = await kubectl.RunAsync(_server.Kubeconfig, "get", "deployments", "-n", "shop");
        var wide = await kubectl.RunAsync(_server.Kubeconfig, "get", "deploy", "-n", "shop", "-o", "wide");
        var yaml = await kubectl.RunAsync(_server.Kubeconfig, "get", "cm", "settings", "-n", "shop", "-o", "yaml");
        var json = await kubectl.RunAsync(_server.Kubeconfig, "get", "svc", "web", "-n", "shop", "-o", "json");
        var names = await kubectl.RunAsync(_server.Kubeconfig, "get", "all", "-n", "shop", "-o", "name");
        var labelled = await kubectl.RunAsync(_server.Kubeconfig, "get", "cm,deploy", "-n", "shop", "-l", "tier in (back)", "-o", "name");
        var fields = await kubectl.RunAsync(_server.Kubeconfig, "get", "ns", "--field-selector", "metadata.name=shop", "-o", "name");
        var everywhere = await kubectl.RunAsync(_server.Kubeconfig, "get", "svc", "-A");

        Ok(table);
        Assert.Matches(@"NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE", table.Stdout);
        // The controllers start the rollout at once; no node runs the pods, so none is ready.
        Assert.Matches(@"web\s+0/2\s+[0-2]\s+0\s+\d+s", table.Stdout);
        Ok(wide);
        Assert.Matches(@"CONTAINERS\s+IMAGES\s+SELECTOR", wide.Stdout);
        Assert.Contains("httpd,sidecar", wide.Stdout);
        Assert.Contains("app=web", wide.Stdout);
        Ok(yaml);
        Assert.Contains("mode: fast", yaml.Stdout);
        Assert.Contains("resourceVersion:", yaml.Stdout);
        Ok(json);
        using (var service = JsonDocument.Parse(json.Stdout))
        {
            var spec = service.RootElement.GetProperty("spec");
            Assert.StartsWith("10.43.", spec.GetProperty("clusterIP").GetString());
            var nodePort = spec.GetProperty("ports")[0].GetProperty("nodePort").GetInt32();
            Assert.InRange(nodePort, 30000, 32767);
        }

        Ok(names);
        Assert.Contains("deployment.apps/web", names.Stdout);
        Assert.Contains("service/web", names.Stdout);
        Ok(labelled);
        Assert.Equal("configmap/settings", labelled.Stdout.Trim());
        Ok(fields);
        Assert.Equal("namespace/shop", fields.Stdout.Trim());
        Ok(everywhere);
        Assert.Matches(@"NAMESPACE\s+NAME\s+TYPE\s+CLUSTER-IP", everywhere.Stdout);
        Assert.Matches(@"default\s+kubernetes\s+ClusterIP\s+10\.43\.0\.1\s", everywhere.Stdout);
        Assert.Matches(@"shop\s+web\s+NodePort\s+10\.43\.", everywhere.Stdout);
    }

    [Theory]
    [MemberData(nameof(KubectlVersions))]
    public async Task GetWatch_ShowsChangesAsTheyHappen(string minor)
    {
        var kubectl = KubectlFor(minor);
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "create", "namespace", "watched"));
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "create", "configmap", "first", "-n", "watched", "--from-literal=a=1"));
        await using var watch = kubectl.Start(_server.Kubeconfig, "get", "configmaps", "-n", "watched", "-w");
        await watch.WaitForLineAsync(l => l.StartsWith("first ", StringComparison.Ordinal));

        Ok(await kubectl.RunAsync(_server.Kubeconfig, "create", "configmap", "second", "-n", "watched", "--from-literal=a=1", "--from-literal=b=2"));
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "label", "configmap", "first", "-n", "watched", "x=y"));

        await watch.WaitForLineAsync(l => l.StartsWith("second ", StringComparison.Ordinal) && l.Contains(" 2 "));
        // The label's MODIFIED line: the first "first" line is the initial list's.
        await watch.WaitForLineAsync(l => l.StartsWith("first ", StringComparison.Ordinal), occurrence: 2);
        Assert.True(watch.Lines.Count(l => l.StartsWith("first ", StringComparison.Ordinal)) >= 2, string.Join('\n', watch.Lines));
    }

    [Theory]
    [MemberData(nameof(KubectlVersions))]
    public async Task LabelAnnotateScaleSetImage_ChangeTheObjects(string minor)
    {
        var kubectl = KubectlFor(minor);
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "apply", "-f", Write("app.yaml", App)));

        Ok(await kubectl.RunAsync(_server.Kubeconfig, "label", "deploy", "web", "-n", "shop", "stage=prod"));
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "label", "deploy", "web", "-n", "shop", "tier-"));
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "annotate", "deploy", "web", "-n", "shop", "owner=ops"));
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "scale", "deploy", "web", "-n", "shop", "--replicas=5"));
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "set", "image", "deploy/web", "-n", "shop", "httpd=busybox:1.37"));
        var conflict = await kubectl.RunAsync(_server.Kubeconfig, "scale", "deploy", "web", "-n", "shop", "--current-replicas=2", "--replicas=1");

        Assert.Equal("prod||ops", await JsonPathAsync(kubectl, "deploy/web", "{.metadata.labels.stage}|{.metadata.labels.tier}|{.metadata.annotations.owner}"));
        Assert.Equal("5", await JsonPathAsync(kubectl, "deploy/web", "{.spec.replicas}"));
        Assert.Equal("busybox:1.37,busybox:1.36", await JsonPathAsync(kubectl, "deploy/web", "{.spec.template.spec.containers[0].image},{.spec.template.spec.containers[1].image}"));
        Assert.NotEqual(0, conflict.ExitCode);
        Assert.Contains("expected replicas to be 2, was 5", conflict.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(KubectlVersions))]
    public async Task Patch_AllThreeTypes(string minor)
    {
        var kubectl = KubectlFor(minor);
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "apply", "-f", Write("app.yaml", App)));

        Ok(await kubectl.RunAsync(_server.Kubeconfig, "patch", "cm", "settings", "-n", "shop", "--type=json", "-p", """[{"op":"add","path":"/data/size","value":"xl"}]"""));
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "patch", "cm", "settings", "-n", "shop", "--type=merge", "-p", """{"data":{"mode":null,"color":"red"}}"""));
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "patch", "deploy", "web", "-n", "shop", "-p",
            """{"spec":{"template":{"spec":{"containers":[{"name":"httpd","env":[{"name":"EXTRA","value":"1"}]}]}}}}"""));
        var failedTest = await kubectl.RunAsync(_server.Kubeconfig, "patch", "cm", "settings", "-n", "shop", "--type=json", "-p", """[{"op":"test","path":"/data/size","value":"s"}]""");

        Assert.Equal("xl|red|", await JsonPathAsync(kubectl, "cm/settings", "{.data.size}|{.data.color}|{.data.mode}"));
        Assert.Equal("EXTRA,MODE|sidecar", await JsonPathAsync(kubectl, "deploy/web", "{.spec.template.spec.containers[0].env[0].name},{.spec.template.spec.containers[0].env[1].name}|{.spec.template.spec.containers[1].name}"));
        Assert.NotEqual(0, failedTest.ExitCode);
        Assert.Contains("testing value /data/size failed", failedTest.Stderr);
    }

    [Theory]
    [MemberData(nameof(KubectlVersions))]
    public async Task Edit_WithEditor_PatchesTheObject(string minor)
    {
        var kubectl = KubectlFor(minor);
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "apply", "-f", Write("app.yaml", App)));
        var editor = Write("editor.sh", "#!/bin/sh\nsed -i 's/mode: fast/mode: edited/' \"$1\"\n");
        File.SetUnixFileMode(editor, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var result = await kubectl.RunWithAsync(_server.Kubeconfig, new Dictionary<string, string?> { ["KUBE_EDITOR"] = editor },
            "edit", "configmap", "settings", "-n", "shop");

        Ok(result);
        Assert.Contains("configmap/settings edited", result.Stdout);
        Assert.Equal("edited", await JsonPathAsync(kubectl, "cm/settings", "{.data.mode}"));
    }

    [Theory]
    [MemberData(nameof(KubectlVersions))]
    public async Task Create_NamespaceConfigMapSecretDeployment(string minor)
    {
        var kubectl = KubectlFor(minor);

        Ok(await kubectl.RunAsync(_server.Kubeconfig, "create", "namespace", "made"));
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "create", "configmap", "cfg", "-n", "made", "--from-literal=k=v"));
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "create", "secret", "generic", "pw", "-n", "made", "--from-literal=password=s3cret"));
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "create", "deployment", "api", "-n", "made", "--image=busybox:1.36", "--replicas=3"));
        var duplicate = await kubectl.RunAsync(_server.Kubeconfig, "create", "configmap", "cfg", "-n", "made");
        var missingNamespace = await kubectl.RunAsync(_server.Kubeconfig, "create", "configmap", "cfg", "-n", "nowhere");
        var badName = await kubectl.RunAsync(_server.Kubeconfig, "create", "configmap", "Bad_Name", "-n", "made");

        Assert.Equal("v", await JsonPathAsync(kubectl, "cm/cfg", "{.data.k}", "made"));
        Assert.Equal("czNjcmV0", await JsonPathAsync(kubectl, "secret/pw", "{.data.password}", "made"));
        Assert.Equal("3|api", await JsonPathAsync(kubectl, "deploy/api", "{.spec.replicas}|{.spec.selector.matchLabels.app}", "made"));
        Assert.Contains("configmaps \"cfg\" already exists", duplicate.Stderr);
        Assert.Contains("namespaces \"nowhere\" not found", missingNamespace.Stderr);
        Assert.Contains("Invalid value: \"Bad_Name\"", badName.Stderr);
    }

    [Theory]
    [MemberData(nameof(KubectlVersions))]
    public async Task DescribeWithEvents_AndWaitForConditionAndDelete(string minor)
    {
        var kubectl = KubectlFor(minor);
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "create", "namespace", "ops"));
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "apply", "-f", Write("pod.yaml", """
            apiVersion: v1
            kind: Pod
            metadata:
              name: worker
              namespace: ops
            spec:
              containers:
              - name: main
                image: busybox:1.36
            """)));
        var uid = await JsonPathAsync(kubectl, "pod/worker", "{.metadata.uid}", "ops");
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "apply", "-f", Write("event.yaml", $$"""
            apiVersion: v1
            kind: Event
            metadata:
              name: worker.1
              namespace: ops
            involvedObject:
              kind: Pod
              name: worker
              namespace: ops
              uid: {{uid}}
              apiVersion: v1
            reason: Pulled
            message: Successfully pulled image busybox:1.36
            type: Normal
            count: 1
            firstTimestamp: "2026-01-01T00:00:00Z"
            lastTimestamp: "2026-01-01T00:00:00Z"
            source:
              component: edge-agent
            """)));

        var describe = await kubectl.RunAsync(_server.Kubeconfig, "describe", "pod", "worker", "-n", "ops");
        var waitReady = kubectl.RunAsync(_server.Kubeconfig, "wait", "--for=condition=Ready", "pod/worker", "-n", "ops", "--timeout=20s");
        await Task.Delay(500);
        // What the agent will do: report the pod running and ready.
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "patch", "pod", "worker", "-n", "ops", "--subresource=status", "--type=merge", "-p",
            """{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}],"containerStatuses":[{"name":"main","ready":true,"restartCount":0,"image":"busybox:1.36","imageID":"","started":true,"state":{"running":{"startedAt":"2026-01-01T00:00:00Z"}}}]}}"""));
        var ready = await waitReady;
        var table = await kubectl.RunAsync(_server.Kubeconfig, "get", "pod", "worker", "-n", "ops");
        var waitDeleted = kubectl.RunAsync(_server.Kubeconfig, "wait", "--for=delete", "pod/worker", "-n", "ops", "--timeout=20s");
        await Task.Delay(500);
        var delete = await kubectl.RunAsync(_server.Kubeconfig, "delete", "pod", "worker", "-n", "ops");
        var deleted = await waitDeleted;

        Ok(describe);
        Assert.Matches(@"Name:\s+worker", describe.Stdout);
        Assert.Contains("Events:", describe.Stdout);
        Assert.Matches(@"Normal\s+Pulled\s+.*edge-agent\s+Successfully pulled image busybox:1.36", describe.Stdout);
        Ok(ready);
        Assert.Contains("condition met", ready.Stdout);
        Ok(table);
        Assert.Matches(@"worker\s+1/1\s+Running\s+0\s+", table.Stdout);
        Ok(delete);
        Assert.Contains("pod \"worker\" deleted", delete.Stdout);
        Ok(deleted);
    }

    [Theory]
    [MemberData(nameof(KubectlVersions))]
    public async Task Delete_CascadeModesAndNamespaceContent(string minor)
    {
        var kubectl = KubectlFor(minor);
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "apply", "-f", Write("app.yaml", App)));

        var background = await kubectl.RunAsync(_server.Kubeconfig, "delete", "deploy", "web", "-n", "shop");
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "create", "deployment", "orphaning", "-n", "shop", "--image=busybox"));
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "create", "deployment", "foreground", "-n", "shop", "--image=busybox"));
        var orphan = await kubectl.RunAsync(_server.Kubeconfig, "delete", "deploy", "orphaning", "-n", "shop", "--cascade=orphan");
        var foreground = await kubectl.RunAsync(_server.Kubeconfig, "delete", "deploy", "foreground", "-n", "shop", "--cascade=foreground");
        var missing = await kubectl.RunAsync(_server.Kubeconfig, "delete", "cm", "nothing", "-n", "shop");
        var ns = await kubectl.RunAsync(_server.Kubeconfig, "delete", "namespace", "shop", "--wait=true");
        var gone = await kubectl.RunAsync(_server.Kubeconfig, "get", "cm", "settings", "-n", "shop");

        Ok(background);
        Assert.Contains("deployment.apps \"web\" deleted", background.Stdout);
        Ok(orphan);
        Ok(foreground);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("configmaps \"nothing\" not found", missing.Stderr);
        Ok(ns);
        Assert.Contains("namespace \"shop\" deleted", ns.Stdout);
        Assert.NotEqual(0, gone.ExitCode);
        Assert.Contains("NotFound", gone.Stderr);
    }

    [Theory]
    [MemberData(nameof(KubectlVersions))]
    public async Task Explain_DescribesFields(string minor)
    {
        var kubectl = KubectlFor(minor);

        var result = await kubectl.RunAsync(_server.Kubeconfig, "explain", "deployment.spec.replicas");
        var pod = await kubectl.RunAsync(_server.Kubeconfig, "explain", "pods.spec.containers");

        Ok(result);
        Assert.Contains("KIND:", result.Stdout);
        Assert.Contains("Deployment", result.Stdout);
        Assert.Contains("replicas", result.Stdout);
        Ok(pod);
        Assert.Contains("image", pod.Stdout);
    }

    [Theory]
    [MemberData(nameof(KubectlVersions))]
    public async Task Apply_UnknownField_IsRefusedWithItsPath(string minor)
    {
        var kubectl = KubectlFor(minor);
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "create", "namespace", "shop"));

        var result = await kubectl.RunAsync(_server.Kubeconfig, "apply", "-f", Write("bad.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: typo
              namespace: shop
            dta:
              a: b
            """));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("dta", result.Stderr);
        Assert.Contains("NotFound", (await kubectl.RunAsync(_server.Kubeconfig, "get", "cm", "typo", "-n", "shop")).Stderr);
    }

    private Kubectl KubectlFor(string minor) => new(minor, _temp[$"kube-cache-{minor}"]);

    private string Write(string name, string content)
    {
        var path = _temp[name];
        File.WriteAllText(path, content);
        return path;
    }

    private async Task<string> JsonPathAsync(Kubectl kubectl, string target, string template, string ns = "shop")
    {
        var result = await kubectl.RunAsync(_server.Kubeconfig, "get", target, "-n", ns, "-o", $"jsonpath={template}");
        Ok(result);
        return result.Stdout;
    }

    private static void Ok(RunResult result) => Assert.True(result.ExitCode == 0, result.ToString());
}
