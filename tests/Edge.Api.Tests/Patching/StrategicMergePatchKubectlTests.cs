using System.Text.Json.Nodes;
using Edge.Api.Patching;

namespace Edge.Api.Tests.Patching;

/// <summary>The patches kubectl really sends (apply's 3-way patch, label, annotate), on a Deployment.</summary>
public sealed class StrategicMergePatchKubectlTests
{
    internal const string Deployment = """
        {
          "apiVersion": "apps/v1", "kind": "Deployment",
          "metadata": { "name": "web", "labels": { "app": "web" }, "finalizers": ["a", "b"] },
          "spec": {
            "replicas": 2,
            "strategy": { "type": "RollingUpdate", "rollingUpdate": { "maxSurge": 1, "maxUnavailable": 0 } },
            "template": {
              "metadata": { "labels": { "app": "web" } },
              "spec": {
                "containers": [
                  { "name": "web", "image": "nginx:1.25",
                    "ports": [ { "containerPort": 80, "protocol": "TCP" } ],
                    "env": [ { "name": "A", "value": "1" }, { "name": "B", "value": "2" } ],
                    "volumeMounts": [ { "name": "cache", "mountPath": "/cache" }, { "name": "conf", "mountPath": "/etc/conf" } ] },
                  { "name": "sidecar", "image": "busybox:1.36", "args": ["sleep", "inf"] }
                ],
                "volumes": [ { "name": "cache", "emptyDir": {} }, { "name": "conf", "emptyDir": { "medium": "Memory" } } ]
              }
            }
          }
        }
        """;

    private static JsonNode? Apply(string patch) =>
        StrategicMergePatch.Apply(Json.Parse(Deployment), Json.Parse(patch), TestSchema.Deployment);

    private static JsonNode PodSpec(JsonNode? result) => result!["spec"]!["template"]!["spec"]!;

    private static JsonNode Container(JsonNode? result, string name) =>
        PodSpec(result)["containers"]!.AsArray().Single(c => (string)c!["name"]! == name)!;

    private static string[] Names(JsonNode? list, string key = "name") =>
        list!.AsArray().Select(i => i![key]!.ToJsonString().Trim('"')).ToArray();

    [Fact]
    public void Apply_ChangeImageOfOneContainer_OthersUntouched()
    {
        var result = Apply("""
            {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"},{"name":"sidecar"}],
              "containers":[{"image":"nginx:1.27","name":"web"}]}}}}
            """);
        Assert.Equal(["web", "sidecar"], Names(PodSpec(result)["containers"]));
        Assert.Equal("nginx:1.27", (string)Container(result, "web")["image"]!);
        Assert.Equal(["A", "B"], Names(Container(result, "web")["env"]));
        Json.Equal("""{ "name": "sidecar", "image": "busybox:1.36", "args": ["sleep", "inf"] }""", Container(result, "sidecar"));
        Assert.Equal(2, (int)result!["spec"]!["replicas"]!);
        Directives.AssertNone(result);
    }

    [Fact]
    public void Apply_RemoveContainerWithDeleteDirective_ContainerGone()
    {
        var result = Apply("""
            {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"}],
              "containers":[{"$patch":"delete","name":"sidecar"}]}}}}
            """);
        Assert.Equal(["web"], Names(PodSpec(result)["containers"]));
        Directives.AssertNone(result);
    }

    [Fact]
    public void Apply_AddContainerFirstBySetElementOrder_OrderFollowsDirective()
    {
        var result = Apply("""
            {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"init"},{"name":"web"},{"name":"sidecar"}],
              "containers":[{"image":"alpine","name":"init"}]}}}}
            """);
        Assert.Equal(["init", "web", "sidecar"], Names(PodSpec(result)["containers"]));
    }

    [Fact]
    public void Apply_AddContainerLastBySetElementOrder_OrderFollowsDirective()
    {
        var result = Apply("""
            {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"},{"name":"sidecar"},{"name":"log"}],
              "containers":[{"image":"fluentbit","name":"log"}]}}}}
            """);
        Assert.Equal(["web", "sidecar", "log"], Names(PodSpec(result)["containers"]));
    }

    [Fact]
    public void Apply_SetElementOrderAlone_ReordersServerList()
    {
        var result = Apply("""{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"web"}]}}}}""");
        Assert.Equal(["sidecar", "web"], Names(PodSpec(result)["containers"]));
        Assert.Equal("nginx:1.25", (string)Container(result, "web")["image"]!);
    }

    [Fact]
    public void Apply_EnvByName_ChangesAddsAndDeletes()
    {
        var result = Apply("""
            {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"},{"name":"sidecar"}],
              "containers":[{"$setElementOrder/env":[{"name":"B"},{"name":"C"}],
                "env":[{"name":"B","value":"20"},{"name":"C","value":"3"},{"$patch":"delete","name":"A"}],
                "name":"web"}]}}}}
            """);
        Json.Equal("""[{"name":"B","value":"20"},{"name":"C","value":"3"}]""", Container(result, "web")["env"]);
        Directives.AssertNone(result);
    }

    [Fact]
    public void Apply_EnvValueFromReplacesValue_NullRemovesField()
    {
        var result = Apply("""
            {"spec":{"template":{"spec":{"containers":[{"name":"web",
              "env":[{"name":"A","value":null,"valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}]}]}}}}
            """);
        Json.Equal("""{"name":"A","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}""", Container(result, "web")["env"]![0]);
    }

    [Fact]
    public void Apply_PortsByContainerPort_AddsAndMerges()
    {
        var result = Apply("""
            {"spec":{"template":{"spec":{"containers":[{"name":"web",
              "$setElementOrder/ports":[{"containerPort":80},{"containerPort":443}],
              "ports":[{"containerPort":80,"name":"http"},{"containerPort":443,"protocol":"TCP"}]}]}}}}
            """);
        Json.Equal("""[{"containerPort":80,"protocol":"TCP","name":"http"},{"containerPort":443,"protocol":"TCP"}]""", Container(result, "web")["ports"]);
    }

    [Fact]
    public void Apply_VolumeMountsByMountPath_DeletesOne()
    {
        var result = Apply("""
            {"spec":{"template":{"spec":{"containers":[{"name":"web",
              "$setElementOrder/volumeMounts":[{"mountPath":"/cache"}],
              "volumeMounts":[{"$patch":"delete","mountPath":"/etc/conf"}]}]}}}}
            """);
        Json.Equal("""[{"name":"cache","mountPath":"/cache"}]""", Container(result, "web")["volumeMounts"]);
    }

    [Fact]
    public void Apply_VolumeSwitchesEmptyDirToConfigMap_RetainKeysClearsOldSource()
    {
        // What kubectl apply sends when a volume's source changes: retainKeys plus an explicit null.
        var result = Apply("""
            {"spec":{"template":{"spec":{"$setElementOrder/volumes":[{"name":"cache"},{"name":"conf"}],
              "volumes":[{"$retainKeys":["configMap","name"],"configMap":{"name":"app-conf"},"emptyDir":null,"name":"conf"}]}}}}
            """);
        Json.Equal("""[{"name":"cache","emptyDir":{}},{"name":"conf","configMap":{"name":"app-conf"}}]""", PodSpec(result)["volumes"]);
    }

    [Fact]
    public void Apply_RetainKeysWithoutExplicitNull_StillClearsUnlistedKeys()
    {
        var result = Apply("""
            {"spec":{"template":{"spec":{"volumes":[{"$retainKeys":["configMap","name"],"configMap":{"name":"app-conf"},"name":"conf"}]}}}}
            """);
        Json.Equal("""{"name":"conf","configMap":{"name":"app-conf"}}""", PodSpec(result)["volumes"]![1]);
    }

    [Fact]
    public void Apply_StrategyToRecreate_RetainKeysDropsRollingUpdate()
    {
        var result = Apply("""{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}""");
        Json.Equal("""{"type":"Recreate"}""", result!["spec"]!["strategy"]);
    }

    [Fact]
    public void Apply_KubectlLabel_MergesAndNullRemoves()
    {
        var result = Apply("""{"metadata":{"labels":{"tier":"front","app":null}}}""");
        Json.Equal("""{"tier":"front"}""", result!["metadata"]!["labels"]);
        Assert.Equal("web", (string)result["metadata"]!["name"]!);
    }

    [Fact]
    public void Apply_KubectlAnnotate_AddsMapThatWasMissing()
    {
        var result = Apply("""{"metadata":{"annotations":{"note":"x"}}}""");
        Json.Equal("""{"note":"x"}""", result!["metadata"]!["annotations"]);
    }

    [Fact]
    public void Apply_KubectlRolloutRestart_AddsTemplateAnnotation()
    {
        var result = Apply("""{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-01-01T00:00:00Z"}}}}}""");
        Json.Equal("""{"labels":{"app":"web"},"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-01-01T00:00:00Z"}}""", result!["spec"]!["template"]!["metadata"]);
        Assert.Equal(2, PodSpec(result)["containers"]!.AsArray().Count);
    }

    [Fact]
    public void Apply_FinalizersAddWithoutOrder_NewFirstAsUpstream()
    {
        // Upstream's mergeSortedSlice puts a patch item the server did not have before the server's items.
        var result = Apply("""{"metadata":{"finalizers":["c","a"]}}""");
        Json.Equal("""["c","a","b"]""", result!["metadata"]!["finalizers"]);
    }

    [Fact]
    public void Apply_FinalizersWithSetElementOrder_FollowsOrder()
    {
        var result = Apply("""{"metadata":{"$setElementOrder/finalizers":["a","b","c"],"finalizers":["c"]}}""");
        Json.Equal("""["a","b","c"]""", result!["metadata"]!["finalizers"]);
    }

    [Fact]
    public void Apply_FinalizersAlreadyPresent_NoDuplicates()
    {
        var result = Apply("""{"metadata":{"finalizers":["b"]}}""");
        Json.Equal("""["a","b"]""", result!["metadata"]!["finalizers"]);
    }

    [Fact]
    public void Apply_DeleteFromPrimitiveList_RemovesValue()
    {
        var result = Apply("""{"metadata":{"$deleteFromPrimitiveList/finalizers":["a","zzz"]}}""");
        Json.Equal("""["b"]""", result!["metadata"]!["finalizers"]);
    }

    [Fact]
    public void Apply_ThreeWayFinalizers_AddsAndDeletes()
    {
        var result = Apply("""
            {"metadata":{"$deleteFromPrimitiveList/finalizers":["a"],"$setElementOrder/finalizers":["b","c"],"finalizers":["c"]}}
            """);
        Json.Equal("""["b","c"]""", result!["metadata"]!["finalizers"]);
        Directives.AssertNone(result);
    }

    [Fact]
    public void Apply_ListWithoutMergeStrategy_Replaced()
    {
        var result = Apply("""{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","args":["sleep","10"]}]}}}}""");
        Json.Equal("""["sleep","10"]""", Container(result, "sidecar")["args"]);
    }

    [Fact]
    public void Apply_NewContainerWithNestedDirectives_DirectivesApplied()
    {
        var result = Apply("""
            {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"},{"name":"sidecar"},{"name":"new"}],
              "containers":[{"name":"new","image":"x",
                "$setElementOrder/env":[{"name":"X"}],
                "env":[{"name":"X","value":"1"},{"$patch":"delete","name":"Y"}]}]}}}}
            """);
        Json.Equal("""{"name":"new","image":"x","env":[{"name":"X","value":"1"}]}""", Container(result, "new"));
        Directives.AssertNone(result);
    }
}

internal static class Directives
{
    /// <summary>No key of the result starts with '$' (walked without recursion).</summary>
    public static void AssertNone(JsonNode? root)
    {
        var stack = new Stack<JsonNode?>([root]);
        while (stack.Count > 0)
        {
            switch (stack.Pop())
            {
                case JsonObject obj:
                    foreach (var (key, value) in obj)
                    {
                        Assert.False(key.StartsWith('$'), $"directive {key} left in {obj.ToJsonString()}");
                        stack.Push(value);
                    }
                    break;
                case JsonArray array:
                    foreach (var item in array)
                        stack.Push(item);
                    break;
            }
        }
    }
}
