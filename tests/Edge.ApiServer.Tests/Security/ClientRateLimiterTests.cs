using Edge.ApiServer.Authentication;
using Edge.ApiServer.Limits;
using Microsoft.Extensions.Time.Testing;

namespace Edge.ApiServer.Tests.Security;

public sealed class ClientRateLimiterTests
{
    private readonly FakeTimeProvider _time = new();

    private static readonly UserInfo Bob = UserInfo.Create("bob", []);
    private static readonly UserInfo Alice = UserInfo.Create("alice", []);

    [Fact]
    public void Burst_IsServed_ThenTheClientWaits_AndRefillsAtItsRate()
    {
        var limiter = new ClientRateLimiter(new RateLimit(2, 4), _time);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(0, limiter.TryAcquire(Bob, ""));
        }

        Assert.Equal(1, limiter.TryAcquire(Bob, ""));
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(0, limiter.TryAcquire(Bob, ""));
        Assert.Equal(1, limiter.TryAcquire(Bob, ""));
    }

    [Fact]
    public void Clients_HaveTheirOwnBuckets()
    {
        var limiter = new ClientRateLimiter(new RateLimit(1, 1), _time);
        Assert.Equal(0, limiter.TryAcquire(Bob, ""));
        Assert.NotEqual(0, limiter.TryAcquire(Bob, ""));
        Assert.Equal(0, limiter.TryAcquire(Alice, ""));
    }

    [Fact]
    public void AnonymousClients_AreKeptApartByAddress()
    {
        var limiter = new ClientRateLimiter(new RateLimit(1, 1), _time);
        Assert.Equal(0, limiter.TryAcquire(UserInfo.Anonymous, "10.0.0.1"));
        Assert.NotEqual(0, limiter.TryAcquire(UserInfo.Anonymous, "10.0.0.1"));
        Assert.Equal(0, limiter.TryAcquire(UserInfo.Anonymous, "10.0.0.2"));
    }

    [Fact]
    public void SystemMasters_IsNeverLimited()
    {
        var limiter = new ClientRateLimiter(new RateLimit(1, 1), _time);
        var admin = UserInfo.Create("system:admin", [UserInfo.SystemMasters]);
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(0, limiter.TryAcquire(admin, ""));
        }
    }

    [Fact]
    public void RetryAfter_CoversTheWaitForOneToken()
    {
        var limiter = new ClientRateLimiter(new RateLimit(0.25, 1), _time);
        Assert.Equal(0, limiter.TryAcquire(Bob, ""));
        Assert.Equal(4, limiter.TryAcquire(Bob, ""));
    }

    [Fact]
    public void InFlightLimiter_RefusesAboveItsLimit_AndFreesOnExit()
    {
        var limiter = new InFlightLimiter(2);
        Assert.True(limiter.TryEnter());
        Assert.True(limiter.TryEnter());
        Assert.False(limiter.TryEnter());
        limiter.Exit();
        Assert.True(limiter.TryEnter());
    }
}
