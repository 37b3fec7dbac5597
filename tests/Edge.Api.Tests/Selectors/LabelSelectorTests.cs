using System.Text.Json.Nodes;
using Edge.Api.Selectors;

namespace Edge.Api.Tests.Selectors;

public sealed class LabelSelectorTests
{
    static JsonObject Labels(string json) => JsonNode.Parse(json)!.AsObject();

    [Theory]
    [InlineData("x=a,y=b,z=c", "x=a,y=b,z=c")]
    [InlineData("z=c,x=a", "x=a,z=c")]
    [InlineData("x==a", "x==a")]
    [InlineData("x!=a", "x!=a")]
    [InlineData("x in (b,a)", "x in (a,b)")]
    [InlineData("x notin ( a )", "x notin (a)")]
    [InlineData("x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()")]
    [InlineData("!x", "!x")]
    [InlineData("  x  ", "x")]
    [InlineData("example.com/name=v", "example.com/name=v")]
    [InlineData("x=", "x=")]
    [InlineData("x>1", "x>1")]
    [InlineData("in in (in)", "in in (in)")]
    public void Parse_Valid_PrintsCanonically(string text, string canonical)
    {
        Assert.Equal(canonical, LabelSelector.Parse(text).ToString());
    }

    [Theory]
    [InlineData("x=a,", "found '', expected: identifier after ','")]
    [InlineData("x in a", "unable to parse requirement: found 'a' expected: '('")]
    [InlineData("x=a b", "found 'b', expected: ',' or 'end of string'")]
    [InlineData("!x=a", "found '=', expected: ',' or 'end of string'")]
    [InlineData("=a", "found '=', expected: !, identifier, or 'end of string'")]
    [InlineData("x>a", "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer")]
    public void Parse_Invalid_ThrowsUpstreamMessage(string text, string message)
    {
        var e = Assert.Throws<SelectorException>(() => LabelSelector.Parse(text));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Parse_BadValue_ReportsLabelValueRule()
    {
        var e = Assert.Throws<SelectorException>(() => LabelSelector.Parse("x=-a"));
        Assert.StartsWith("unable to parse requirement: values[0][x]: Invalid value: \"-a\": a valid label must be an empty string", e.Message);
    }

    [Fact]
    public void Parse_BadKeyPrefix_ReportsSubdomainRule()
    {
        var e = Assert.Throws<SelectorException>(() => LabelSelector.Parse("Example.com/x"));
        Assert.Contains("prefix part a lowercase RFC 1123 subdomain", e.Message);
    }

    [Fact]
    public void Parse_BadKey_ReportsNilPathAsUpstream()
    {
        var e = Assert.Throws<SelectorException>(() => LabelSelector.Parse("-a"));
        Assert.StartsWith("unable to parse requirement: <nil>: Invalid value: \"-a\": name part must consist of", e.Message);
    }

    [Fact]
    public void Parse_TooLongName_Rejected()
    {
        Assert.Throws<SelectorException>(() => LabelSelector.Parse(new string('a', 64) + "=b"));
    }

    [Theory]
    [InlineData("app=web", true)]
    [InlineData("app!=web", false)]
    [InlineData("app in (db,web)", true)]
    [InlineData("app notin (db,web)", false)]
    [InlineData("missing notin (a)", true)]
    [InlineData("missing!=a", true)]
    [InlineData("tier", true)]
    [InlineData("!tier", false)]
    [InlineData("!missing", true)]
    [InlineData("n>2", true)]
    [InlineData("n<2", false)]
    [InlineData("app=web,tier=front", true)]
    [InlineData("app=web,tier=back", false)]
    [InlineData("", true)]
    public void Matches_FollowsOperatorSemantics(string text, bool expected)
    {
        var labels = Labels("""{"app":"web","tier":"front","n":"3"}""");
        Assert.Equal(expected, LabelSelector.Parse(text).Matches(labels));
    }

    [Fact]
    public void FromObject_Null_MatchesNothing()
    {
        var selector = LabelSelector.FromObject(null);
        Assert.False(selector.Matches(Labels("{}")));
        Assert.False(selector.IsEmpty);
        Assert.Equal("", selector.ToString());
    }

    [Fact]
    public void FromObject_Empty_MatchesEverything()
    {
        var selector = LabelSelector.FromObject(new JsonObject());
        Assert.True(selector.IsEmpty);
        Assert.True(selector.Matches(null));
    }

    [Fact]
    public void FromObject_LabelsAndExpressions_SortedByKey()
    {
        var selector = LabelSelector.FromObject(Labels("""
            {"matchLabels":{"b":"1","a":"2"},
             "matchExpressions":[{"key":"c","operator":"In","values":["y","x"]},{"key":"d","operator":"DoesNotExist"},{"key":"aa","operator":"Exists"}]}
            """));
        Assert.Equal("a=2,aa,b=1,c in (x,y),!d", selector.ToString());
        Assert.True(selector.Matches(Labels("""{"a":"2","aa":"","b":"1","c":"x"}""")));
        Assert.False(selector.Matches(Labels("""{"a":"2","aa":"","b":"1","c":"x","d":"z"}""")));
    }

    [Fact]
    public void FromObject_BadOperator_Throws()
    {
        var e = Assert.Throws<SelectorException>(() =>
            LabelSelector.FromObject(Labels("""{"matchExpressions":[{"key":"a","operator":"Gt","values":["1"]}]}""")));
        Assert.Equal("\"Gt\" is not a valid label selector operator", e.Message);
    }

    [Fact]
    public void TryGetExactValue_EqualsOrSingleIn()
    {
        Assert.True(LabelSelector.Parse("a=1,b in (2)").TryGetExactValue("b", out var value));
        Assert.Equal("2", value);
        Assert.False(LabelSelector.Parse("a!=1").TryGetExactValue("a", out _));
    }

    [Fact]
    public void Format_EmptySelector_IsNone()
    {
        Assert.Equal("<none>", LabelSelector.Format(new JsonObject()));
        Assert.Equal("app=web", LabelSelector.Format(Labels("""{"matchLabels":{"app":"web"}}""")));
    }
}
