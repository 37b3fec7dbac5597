using Edge.ApiServer.Health;
using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer.Tests.Health;

public class HealthEndpointsTests
{
    private static async Task<(bool Handled, int Status, string Body)> GetAsync(HealthChecks checks, string path, string query = "")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query);
        context.Response.Body = new MemoryStream();
        var handled = HealthEndpoints.TryHandle(context, checks, out var response);
        await response;
        context.Response.Body.Position = 0;
        return (handled, context.Response.StatusCode, await new StreamReader(context.Response.Body).ReadToEndAsync());
    }

    private static HealthChecks Checks(string? storeFailure = null)
    {
        var checks = new HealthChecks();
        checks.AddLiveness("ping", () => null);
        checks.AddReadiness("store", () => storeFailure);
        return checks;
    }

    [Fact]
    public async Task Readyz_AllHealthy_SaysOk()
    {
        Assert.Equal((true, 200, "ok"), await GetAsync(Checks(), "/readyz"));
    }

    [Fact]
    public async Task Readyz_FailingCheck_500WithReasonOnlyWhenVerbose()
    {
        var plain = await GetAsync(Checks("disk full"), "/readyz");
        var verbose = await GetAsync(Checks("disk full"), "/readyz", "?verbose");

        Assert.Equal(500, plain.Status);
        Assert.Equal("[+]ping ok\n[-]store failed: reason withheld\nreadyz check failed\n", plain.Body);
        Assert.Equal("[+]ping ok\n[-]store failed: disk full\nreadyz check failed\n", verbose.Body);
    }

    [Fact]
    public async Task Livez_IgnoresReadinessOnlyChecks()
    {
        Assert.Equal((true, 200, "ok"), await GetAsync(Checks("not yet"), "/livez"));
    }

    [Fact]
    public async Task Readyz_ExcludedFailingCheck_Passes()
    {
        var result = await GetAsync(Checks("down"), "/readyz", "?exclude=store&verbose");

        Assert.Equal(200, result.Status);
        Assert.Equal("[+]ping ok\n[+]store excluded: ok\nreadyz check passed\n", result.Body);
    }

    [Fact]
    public async Task SingleCheck_ByPath_AndUnknownCheck404()
    {
        Assert.Equal((true, 200, "ok"), await GetAsync(Checks(), "/readyz/store"));
        Assert.Equal(404, (await GetAsync(Checks(), "/readyz/nope")).Status);
    }

    [Fact]
    public async Task OtherPaths_NotHandled()
    {
        Assert.False((await GetAsync(Checks(), "/readyzz")).Handled);
        Assert.False((await GetAsync(Checks(), "/api")).Handled);
    }

    [Fact]
    public async Task ThrowingCheck_CountsAsFailedNotAsCrash()
    {
        var checks = new HealthChecks();
        checks.AddReadiness("boom", () => throw new InvalidOperationException("kaput"));

        var result = await GetAsync(checks, "/readyz", "?verbose");

        Assert.Equal(500, result.Status);
        Assert.Contains("[-]boom failed: kaput", result.Body);
    }
}
