namespace Edge.Agent.Tests;

public class JoinTokenTests
{
    private static readonly string Hash = new('a', 64);

    [Fact]
    public void TryParse_WellFormed_SplitsParts()
    {
        Assert.True(JoinToken.TryParse($"E10{Hash}::server.s3cret", out var token, out _));

        Assert.Equal(new JoinToken(Hash, "server", "s3cret"), token);
    }

    [Theory]
    [InlineData("K10abc::server:x", "not an Edge join token")]
    [InlineData("E10abc::server.x", "64 lower-case hex")]
    [InlineData("E10" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" + "::a.b", "64 lower-case hex")]
    [InlineData("E10" + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" + "::nodot", "<id>.<secret>")]
    [InlineData("E10" + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" + "::id.", "<id>.<secret>")]
    public void TryParse_Malformed_SaysWhy(string text, string reason)
    {
        Assert.False(JoinToken.TryParse(text, out _, out var why));
        Assert.Contains(reason, why);
    }
}
