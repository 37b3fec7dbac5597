using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Edge.Cli.Tests;

public class YamlScalarsTests
{
    // The YAML 1.2 core schema's patterns, as regular expressions: the oracle for the hand-written matchers.
    private static readonly Regex Integer = new(@"^[-+]?(0|[1-9][0-9]*)\z");
    private static readonly Regex Float = new(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\z");

    public static TheoryData<string> Scalars => new()
    {
        "0", "-0", "+0", "7", "42", "-42", "+42", "007", "0x1F", "1_000", "", "-", "+", ".", "-.", "1.", "-1.",
        ".5", "-.5", "1.5", "1.5e3", "1.5E-3", "1e3", "1e", "1e+", "e3", ".e3", "1.e3", "1.5e3.2", "12a", "a12",
        "1 2", " 12", "12 ", "١٢", "1,5", "inf", ".inf", "NaN", "9223372036854775808", "1.7976931348623157e309",
    };

    [Theory]
    [MemberData(nameof(Scalars))]
    public void ToJson_PlainScalar_TypedAsTheCoreSchemaPatternsSay(string text)
    {
        var value = YamlScalars.ToJson(new YamlScalarNode(text) { Style = ScalarStyle.Plain });

        var expected = text switch
        {
            "" => null,
            _ when Integer.IsMatch(text) && long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var i) => JsonValue.Create(i),
            _ when Float.IsMatch(text) && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) => JsonValue.Create(d),
            _ => JsonValue.Create(text),
        };
        Assert.Equal(expected?.ToJsonString(), value?.ToJsonString());
    }

    [Fact]
    public void ToJson_QuotedNumber_StaysAString()
    {
        Assert.Equal("\"12\"", YamlScalars.ToJson(new YamlScalarNode("12") { Style = ScalarStyle.DoubleQuoted })!.ToJsonString());
    }
}
