using System.Text.Json.Nodes;
using Edge.Api.Errors;
using Edge.ApiServer.Logs;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Edge.ApiServer.Tests.Logs;

public sealed class PodLogQueryTests
{
    private static JsonObject Pod(string[] containers, string[]? init = null, string? defaultContainer = null) => new()
    {
        ["metadata"] = new JsonObject
        {
            ["name"] = "web",
            ["namespace"] = "default",
            ["uid"] = "u1",
            ["annotations"] = defaultContainer is null ? null : new JsonObject { [PodLogQuery.DefaultContainerAnnotation] = defaultContainer },
        },
        ["spec"] = new JsonObject
        {
            ["containers"] = new JsonArray([.. containers.Select(c => (JsonNode)new JsonObject { ["name"] = c })]),
            ["initContainers"] = new JsonArray([.. (init ?? []).Select(c => (JsonNode)new JsonObject { ["name"] = c })]),
        },
    };

    private static QueryCollection Query(params (string Key, string Value)[] values) =>
        new(values.ToDictionary(v => v.Key, v => new StringValues(v.Value)));

    [Fact]
    public void From_EveryOption_IsRead()
    {
        var query = PodLogQuery.From(Pod(["app"]), Query(
            ("follow", "true"), ("previous", "true"), ("timestamps", "true"), ("tailLines", "2"), ("sinceSeconds", "30"), ("limitBytes", "100")));

        Assert.Equal(new PodLogQuery("default", "web", "u1", "app", true, true, true, 2, 30, null, 100), query);
        Assert.Equal(DateTimeOffset.Parse("2026-01-02T03:04:05Z"), PodLogQuery.From(Pod(["app"]), Query(("sinceTime", "2026-01-02T03:04:05Z"))).SinceTime);
    }

    [Fact]
    public void ChooseContainer_SeveralWithoutName_AsksToChooseInUpstreamWords()
    {
        var error = Assert.Throws<ApiException>(() => PodLogQuery.ChooseContainer(Pod(["a", "b"]), ""));
        Assert.Equal(400, error.Status.Code);
        Assert.Equal("a container name must be specified for pod web, choose one of: [a b]", error.Status.Message);

        var withInit = Assert.Throws<ApiException>(() => PodLogQuery.ChooseContainer(Pod(["a", "b"], ["setup"]), ""));
        Assert.Equal("a container name must be specified for pod web, choose one of: [a b] or one of the init containers: [setup]", withInit.Status.Message);
    }

    [Fact]
    public void ChooseContainer_OnlyOneOrAnnotatedOrNamed_IsChosen()
    {
        Assert.Equal("app", PodLogQuery.ChooseContainer(Pod(["app"]), ""));
        Assert.Equal("b", PodLogQuery.ChooseContainer(Pod(["a", "b"], defaultContainer: "b"), ""));
        Assert.Equal("setup", PodLogQuery.ChooseContainer(Pod(["a", "b"], ["setup"]), "setup"));
    }

    [Fact]
    public void ChooseContainer_Unknown_IsNotValidForThePod()
    {
        var error = Assert.Throws<ApiException>(() => PodLogQuery.ChooseContainer(Pod(["app"]), "nope"));

        Assert.Equal(400, error.Status.Code);
        Assert.Equal("container nope is not valid for pod web", error.Status.Message);
    }

    [Theory]
    [InlineData("tailLines", "-1", "PodLogOptions \"web\" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0")]
    [InlineData("limitBytes", "0", "PodLogOptions \"web\" is invalid: limitBytes: Invalid value: 0: must be greater than 0")]
    [InlineData("sinceSeconds", "0", "PodLogOptions \"web\" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0")]
    public void From_InvalidOption_Is422InUpstreamWords(string key, string value, string message)
    {
        var error = Assert.Throws<ApiException>(() => PodLogQuery.From(Pod(["app"]), Query((key, value))));

        Assert.Equal(422, error.Status.Code);
        Assert.Equal(message, error.Status.Message);
    }

    [Fact]
    public void From_BothSinceOptions_IsRefused()
    {
        var error = Assert.Throws<ApiException>(() => PodLogQuery.From(Pod(["app"]), Query(("sinceSeconds", "5"), ("sinceTime", "2026-01-02T03:04:05Z"))));

        Assert.Contains("at most one of `sinceTime` or `sinceSeconds` may be specified", error.Status.Message);
    }

    [Fact]
    public void EnsureStarted_WaitingContainer_SaysWhy()
    {
        var pod = Pod(["app"]);
        pod["status"] = JsonNode.Parse("""{"containerStatuses":[{"name":"app","state":{"waiting":{"reason":"ContainerCreating"}}}]}""");

        var error = Assert.Throws<ApiException>(() => ContainerLogState.EnsureStarted(pod, "app", previous: false));

        Assert.Equal(400, error.Status.Code);
        Assert.Equal("container \"app\" in pod \"web\" is waiting to start: ContainerCreating", error.Status.Message);
    }

    [Fact]
    public void EnsureStarted_WaitingAfterARun_HasTheLastLog()
    {
        var pod = Pod(["app"]);
        pod["status"] = JsonNode.Parse("""{"containerStatuses":[{"name":"app","state":{"waiting":{"reason":"CrashLoopBackOff"}},"lastState":{"terminated":{"exitCode":1}}}]}""");

        ContainerLogState.EnsureStarted(pod, "app", previous: false);
    }
}
