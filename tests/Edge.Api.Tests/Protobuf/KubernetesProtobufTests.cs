using System.Text.Json.Nodes;
using Edge.Api.Protobuf;
using static Edge.Api.Tests.Protobuf.ProtoWriter;

namespace Edge.Api.Tests.Protobuf;

public class KubernetesProtobufTests
{
    static void AssertJson(string expected, JsonObject actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}\nactual   {actual.ToJsonString()}");

    [Fact]
    public void Namespace_EmptyFieldsAsGoJsonWritesThem()
    {
        var body = Envelope("v1", "Namespace", new ProtoWriter()
            .Msg(1, ObjectMeta("demo").Msg(11, new ProtoWriter().Str(1, "team").Str(2, "a")))
            .Msg(2, new ProtoWriter())
            .Msg(3, new ProtoWriter().Str(1, "")));

        AssertJson("""
            {"apiVersion":"v1","kind":"Namespace",
             "metadata":{"name":"demo","creationTimestamp":null,"labels":{"team":"a"}},
             "spec":{},"status":{}}
            """, KubernetesProtobuf.Decode(body));
    }

    [Fact]
    public void ConfigMap_DataAndBinaryData()
    {
        var body = Envelope("v1", "ConfigMap", new ProtoWriter()
            .Msg(1, ObjectMeta("cm", "default"))
            .Entry(2, "a", "1")
            .Entry(2, "b", "two")
            .Entry(3, "bin", [0, 1, 2, 255]));

        AssertJson("""
            {"apiVersion":"v1","kind":"ConfigMap",
             "metadata":{"name":"cm","namespace":"default","creationTimestamp":null},
             "data":{"a":"1","b":"two"},"binaryData":{"bin":"AAEC/w=="}}
            """, KubernetesProtobuf.Decode(body));
    }

    [Fact]
    public void Secret_DataIsBase64_ImmutableFalseKeptAsGoPointer()
    {
        var body = Envelope("v1", "Secret", new ProtoWriter()
            .Msg(1, ObjectMeta("s", "default"))
            .Entry(2, "user", "admin"u8.ToArray())
            .Entry(2, "empty", [])
            .Str(3, "Opaque")
            .Entry(4, "plain", "text")
            .Bool(5, false));

        AssertJson("""
            {"apiVersion":"v1","kind":"Secret",
             "metadata":{"name":"s","namespace":"default","creationTimestamp":null},
             "data":{"user":"YWRtaW4=","empty":""},"type":"Opaque","stringData":{"plain":"text"},"immutable":false}
            """, KubernetesProtobuf.Decode(body));
    }

    [Fact]
    public void Deployment_PodTemplateWithPortsEnvResourcesAndProbe()
    {
        var container = new ProtoWriter()
            .Str(1, "web").Str(2, "nginx:1.27")
            .Str(3, "nginx").Str(4, "-g").Str(4, "daemon off;")
            .Msg(6, new ProtoWriter().Str(1, "http").Int(2, 0).Int(3, 80).Str(4, "TCP").Str(5, ""))
            .Msg(7, new ProtoWriter().Str(1, "MODE").Str(2, "prod"))
            .Msg(7, new ProtoWriter().Str(1, "POD").Msg(3, new ProtoWriter()
                .Msg(1, new ProtoWriter().Str(1, "v1").Str(2, "metadata.name"))))
            .Msg(8, new ProtoWriter()
                .Entry(1, "memory", Quantity("128Mi"))
                .Entry(2, "cpu", Quantity("250m"))
                .Entry(2, "memory", Quantity("64Mi")))
            .Msg(10, new ProtoWriter()
                .Msg(1, new ProtoWriter().Msg(2, new ProtoWriter().Str(1, "/healthz").Msg(2, IntOrString("http")).Str(3, "").Str(4, "HTTP")))
                .Int(2, 5).Int(3, 1).Int(4, 10).Int(5, 1).Int(6, 3))
            .Msg(11, new ProtoWriter()
                .Msg(1, new ProtoWriter().Msg(3, new ProtoWriter().Msg(1, IntOrString(80)).Str(2, ""))))
            .Str(13, "/dev/termination-log").Str(14, "IfNotPresent")
            .Bool(16, false).Bool(17, false).Bool(18, false).Str(20, "File");
        var body = Envelope("apps/v1", "Deployment", new ProtoWriter()
            .Msg(1, ObjectMeta("web", "default").Entry(11, "app", "web"))
            .Msg(2, new ProtoWriter()
                .Int(1, 0)
                .Msg(2, new ProtoWriter().Entry(1, "app", "web"))
                .Msg(3, new ProtoWriter()
                    .Msg(1, ObjectMeta("").Entry(11, "app", "web"))
                    .Msg(2, new ProtoWriter().Msg(2, container).Str(3, "Always").Int(4, 30).Str(6, "ClusterFirst")))
                .Msg(4, new ProtoWriter().Str(1, "RollingUpdate").Msg(2, new ProtoWriter().Msg(1, IntOrString("25%")).Msg(2, IntOrString(1))))
                .Int(6, 10).Bool(7, false).Int(9, 600))
            .Msg(3, new ProtoWriter()));

        AssertJson("""
            {"apiVersion":"apps/v1","kind":"Deployment",
             "metadata":{"name":"web","namespace":"default","creationTimestamp":null,"labels":{"app":"web"}},
             "spec":{
               "replicas":0,
               "selector":{"matchLabels":{"app":"web"}},
               "template":{
                 "metadata":{"creationTimestamp":null,"labels":{"app":"web"}},
                 "spec":{
                   "containers":[{
                     "name":"web","image":"nginx:1.27","command":["nginx"],"args":["-g","daemon off;"],
                     "ports":[{"name":"http","containerPort":80,"protocol":"TCP"}],
                     "env":[{"name":"MODE","value":"prod"},{"name":"POD","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}}],
                     "resources":{"limits":{"memory":"128Mi"},"requests":{"cpu":"250m","memory":"64Mi"}},
                     "livenessProbe":{"httpGet":{"path":"/healthz","port":"http","scheme":"HTTP"},
                       "initialDelaySeconds":5,"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3},
                     "readinessProbe":{"tcpSocket":{"port":80}},
                     "terminationMessagePath":"/dev/termination-log","imagePullPolicy":"IfNotPresent",
                     "terminationMessagePolicy":"File"}],
                   "restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst"}},
               "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":1}},
               "revisionHistoryLimit":10,"progressDeadlineSeconds":600},
             "status":{}}
            """, KubernetesProtobuf.Decode(body));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Service_TargetPortAsNumberOrName(bool named)
    {
        var body = Envelope("v1", "Service", new ProtoWriter()
            .Msg(1, ObjectMeta("svc", "default"))
            .Msg(2, new ProtoWriter()
                .Msg(1, new ProtoWriter().Str(1, "http").Str(2, "TCP").Int(3, 80)
                    .Msg(4, named ? IntOrString("web") : IntOrString(8080)).Int(5, 30080))
                .Entry(2, "app", "web")
                .Str(3, "").Str(4, "NodePort").Str(7, "None"))
            .Msg(3, new ProtoWriter().Msg(1, new ProtoWriter())));

        var target = named ? "\"web\"" : "8080";
        AssertJson("""
            {"apiVersion":"v1","kind":"Service",
             "metadata":{"name":"svc","namespace":"default","creationTimestamp":null},
             "spec":{"ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":TARGET,"nodePort":30080}],
                     "selector":{"app":"web"},"type":"NodePort","sessionAffinity":"None"},
             "status":{"loadBalancer":{}}}
            """.Replace("TARGET", target, StringComparison.Ordinal), KubernetesProtobuf.Decode(body));
    }

    [Fact]
    public void Pod_TolerationsTimesAndInlineVolumeSource()
    {
        var meta = new ProtoWriter().Str(1, "p").Str(3, "default").Str(5, "0b9c7a4e-1111-2222-3333-444455556666")
            .Int(7, 0)
            .Msg(8, new ProtoWriter().Int(1, 1_700_000_000).Int(2, 123_456_789))
            .Msg(13, new ProtoWriter().Str(1, "ReplicaSet").Str(3, "rs").Str(4, "u1").Str(5, "apps/v1").Bool(6, true).Bool(7, true));
        var spec = new ProtoWriter()
            .Msg(1, new ProtoWriter().Str(1, "cfg").Msg(2, new ProtoWriter()
                .Msg(19, new ProtoWriter().Msg(1, new ProtoWriter().Str(1, "app-config")).Int(3, 420))))
            .Msg(2, new ProtoWriter().Str(1, "c").Str(2, "busybox")
                .Msg(9, new ProtoWriter().Str(1, "cfg").Bool(2, true).Str(3, "/etc/cfg"))
                .Msg(15, new ProtoWriter().Int(4, 0).Bool(2, false)))
            .Msg(22, new ProtoWriter().Str(1, "node.kubernetes.io/not-ready").Str(2, "Exists").Str(3, "").Str(4, "NoExecute").Int(5, 300))
            .Msg(22, new ProtoWriter().Str(1, "dedicated").Str(2, "Equal").Str(3, "gpu").Str(4, "NoSchedule"))
            .Bool(21, false);
        var body = Envelope("v1", "Pod", new ProtoWriter().Msg(1, meta).Msg(2, spec)
            .Msg(3, new ProtoWriter().Str(1, "Pending").Msg(7, new ProtoWriter().Int(1, 0).Int(2, 0))));

        AssertJson("""
            {"apiVersion":"v1","kind":"Pod",
             "metadata":{"name":"p","namespace":"default","uid":"0b9c7a4e-1111-2222-3333-444455556666",
               "creationTimestamp":"2023-11-14T22:13:20Z",
               "ownerReferences":[{"kind":"ReplicaSet","name":"rs","uid":"u1","apiVersion":"apps/v1","controller":true,"blockOwnerDeletion":true}]},
             "spec":{
               "volumes":[{"name":"cfg","configMap":{"name":"app-config","defaultMode":420}}],
               "containers":[{"name":"c","image":"busybox",
                 "volumeMounts":[{"name":"cfg","readOnly":true,"mountPath":"/etc/cfg"}],
                 "securityContext":{"runAsUser":0,"privileged":false}}],
               "tolerations":[
                 {"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},
                 {"key":"dedicated","operator":"Equal","value":"gpu","effect":"NoSchedule"}],
               "automountServiceAccountToken":false},
             "status":{"phase":"Pending","startTime":"1970-01-01T00:00:00Z"}}
            """, KubernetesProtobuf.Decode(body));
    }

    [Fact]
    public void Lease_MicroTimeHasSixFractionDigits()
    {
        var body = Envelope("coordination.k8s.io/v1", "Lease", new ProtoWriter()
            .Msg(1, ObjectMeta("node-a", "kube-node-lease"))
            .Msg(2, new ProtoWriter().Str(1, "node-a").Int(2, 40).Msg(4, new ProtoWriter().Int(1, 1_700_000_000).Int(2, 5_000))));

        AssertJson("""
            {"apiVersion":"coordination.k8s.io/v1","kind":"Lease",
             "metadata":{"name":"node-a","namespace":"kube-node-lease","creationTimestamp":null},
             "spec":{"holderIdentity":"node-a","leaseDurationSeconds":40,"renewTime":"2023-11-14T22:13:20.000005Z"}}
            """, KubernetesProtobuf.Decode(body));
    }

    [Fact]
    public void ManagedFieldsAndControllerRevision_EmbeddedJsonIsParsed()
    {
        var body = Envelope("apps/v1", "ControllerRevision", new ProtoWriter()
            .Msg(1, new ProtoWriter().Str(1, "rev").Msg(17, new ProtoWriter().Str(1, "kubectl").Str(2, "Update").Str(3, "apps/v1")
                .Str(6, "FieldsV1").Msg(7, new ProtoWriter().Bytes(1, """{"f:spec":{}}"""u8.ToArray()))))
            .Msg(2, new ProtoWriter().Bytes(1, """{"spec":{"replicas":3}}"""u8.ToArray()))
            .Int(3, 2));

        AssertJson("""
            {"apiVersion":"apps/v1","kind":"ControllerRevision",
             "metadata":{"name":"rev","managedFields":[{"manager":"kubectl","operation":"Update","apiVersion":"apps/v1","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{}}}]},
             "data":{"spec":{"replicas":3}},"revision":2}
            """, KubernetesProtobuf.Decode(body));
    }

    [Fact]
    public void DeleteOptions_GracePeriodZeroIsKept()
    {
        var body = Envelope("v1", "DeleteOptions", new ProtoWriter().Int(1, 0).Str(4, "Background"));

        AssertJson("""{"apiVersion":"v1","kind":"DeleteOptions","gracePeriodSeconds":0,"propagationPolicy":"Background"}""",
            KubernetesProtobuf.Decode(body));
    }

    [Fact]
    public void TokenRequest_BoundObjectRefUsesJsonNames()
    {
        var body = Envelope("authentication.k8s.io/v1", "TokenRequest", new ProtoWriter()
            .Msg(1, new ProtoWriter())
            .Msg(2, new ProtoWriter().Str(1, "https://kubernetes.default.svc").Int(4, 3600)
                .Msg(3, new ProtoWriter().Str(1, "Pod").Str(2, "v1").Str(3, "p").Str(4, "u1"))));

        AssertJson("""
            {"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","metadata":{},
             "spec":{"audiences":["https://kubernetes.default.svc"],"expirationSeconds":3600,
                     "boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"p","uid":"u1"}}}
            """, KubernetesProtobuf.Decode(body));
    }

    [Fact]
    public void PackedRepeatedScalars_AreAccepted()
    {
        // Varints 1000 and 2000 in one length-delimited run.
        var values = new byte[] { 0xE8, 0x07, 0xD0, 0x0F };
        var body = Envelope("v1", "Pod", new ProtoWriter().Msg(1, new ProtoWriter()).Msg(2, new ProtoWriter()
            .Msg(14, new ProtoWriter().Bytes(4, values))));

        AssertJson("""
            {"apiVersion":"v1","kind":"Pod","metadata":{},"spec":{"securityContext":{"supplementalGroups":[1000,2000]}}}
            """, KubernetesProtobuf.Decode(body));
    }
}
