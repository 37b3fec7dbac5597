namespace Edge.Api.Selectors;

/// <summary>
/// Recursive-descent parser for the label selector string syntax (apimachinery
/// <c>labels.Parse</c>): <c>[!]key [in|notin (v,…) | =|==|!=|&gt;|&lt; v]</c>, comma-separated.
/// The error texts are upstream's, because kubectl shows them to the user unchanged.
/// </summary>
sealed class LabelSelectorParser
{
    enum Token { End, Identifier, Comma, OpenParen, CloseParen, Not, Equals, DoubleEquals, NotEquals, In, NotIn, Greater, Less, Error }

    readonly record struct Item(Token Token, string Text);

    static readonly Dictionary<string, Token> Symbols = new(StringComparer.Ordinal)
    {
        [")"] = Token.CloseParen,
        [","] = Token.Comma,
        ["!"] = Token.Not,
        ["=="] = Token.DoubleEquals,
        ["="] = Token.Equals,
        [">"] = Token.Greater,
        ["<"] = Token.Less,
        ["!="] = Token.NotEquals,
        ["("] = Token.OpenParen,
        ["in"] = Token.In,
        ["notin"] = Token.NotIn,
    };

    readonly List<Item> _items;
    int _position;

    LabelSelectorParser(string text) => _items = Scan(text);

    public static List<LabelRequirement> Parse(string text) => new LabelSelectorParser(text).ParseAll();

    List<LabelRequirement> ParseAll()
    {
        var requirements = new List<LabelRequirement>();
        while (true)
        {
            var (token, text) = Peek(values: true);
            switch (token)
            {
                case Token.Identifier or Token.Not:
                    try
                    {
                        requirements.Add(ParseRequirement());
                    }
                    catch (SelectorException e)
                    {
                        throw new SelectorException("unable to parse requirement: " + e.Message);
                    }
                    var (next, nextText) = Next(values: true);
                    if (next == Token.End)
                        return requirements;
                    if (next != Token.Comma)
                        throw new SelectorException($"found '{nextText}', expected: ',' or 'end of string'");
                    var (after, afterText) = Peek(values: true);
                    if (after is not (Token.Identifier or Token.Not))
                        throw new SelectorException($"found '{afterText}', expected: identifier after ','");
                    break;
                case Token.End:
                    return requirements;
                default:
                    throw new SelectorException($"found '{text}', expected: !, identifier, or 'end of string'");
            }
        }
    }

    LabelRequirement ParseRequirement()
    {
        var (token, key) = Next(values: true);
        var op = LabelOperator.Exists;
        var negated = token == Token.Not;
        if (negated)
            (token, key) = Next(values: true);
        if (token != Token.Identifier)
            throw new SelectorException($"found '{key}', expected: identifier");
        // Upstream validates the key here against a nil field path, which prints as "<nil>".
        if (LabelValidation.QualifiedNameErrors(key) is { } keyError)
            throw new SelectorException($"<nil>: Invalid value: \"{key}\": {keyError}");

        var (following, _) = Peek(values: true);
        if (negated || following is Token.End or Token.Comma)
            return LabelRequirement.Create(key, negated ? LabelOperator.DoesNotExist : LabelOperator.Exists, []);

        var (opToken, opText) = Next(values: false);
        op = opToken switch
        {
            Token.In => LabelOperator.In,
            Token.NotIn => LabelOperator.NotIn,
            Token.Equals => LabelOperator.Equals,
            Token.DoubleEquals => LabelOperator.DoubleEquals,
            Token.NotEquals => LabelOperator.NotEquals,
            Token.Greater => LabelOperator.GreaterThan,
            Token.Less => LabelOperator.LessThan,
            _ => throw new SelectorException($"found '{opText}', expected: in, notin, =, ==, !=, gt, lt"),
        };
        var values = op is LabelOperator.In or LabelOperator.NotIn ? ParseValueSet() : ParseExactValue();
        // Upstream collects values in a set and lists them sorted.
        return LabelRequirement.Create(key, op, values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList());
    }

    List<string> ParseValueSet()
    {
        var (token, text) = Next(values: true);
        if (token != Token.OpenParen)
            throw new SelectorException($"found '{text}' expected: '('");
        (token, text) = Peek(values: true);
        switch (token)
        {
            case Token.Identifier or Token.Comma:
                var list = ParseIdentifierList();
                if (Next(values: true).Token != Token.CloseParen)
                    throw new SelectorException($"found '{text}', expected: ')'");
                return list;
            case Token.CloseParen:
                Next(values: true);
                return [""];
            default:
                throw new SelectorException($"found '{text}', expected: ',', ')' or identifier");
        }
    }

    /// <summary>A possibly empty list of possibly empty values: <c>(a,,b)</c> and <c>(,)</c> contain "".</summary>
    List<string> ParseIdentifierList()
    {
        var values = new List<string>();
        while (true)
        {
            var (token, text) = Next(values: true);
            switch (token)
            {
                case Token.Identifier:
                    values.Add(text);
                    var (after, afterText) = Peek(values: true);
                    if (after == Token.Comma)
                        continue;
                    if (after == Token.CloseParen)
                        return values;
                    throw new SelectorException($"found '{afterText}', expected: ',' or ')'");
                case Token.Comma:
                    if (values.Count == 0)
                        values.Add("");
                    var (next, _) = Peek(values: true);
                    if (next == Token.CloseParen)
                    {
                        values.Add("");
                        return values;
                    }
                    if (next == Token.Comma)
                    {
                        Next(values: true);
                        values.Add("");
                    }
                    break;
                default:
                    throw new SelectorException($"found '{text}', expected: ',', or identifier");
            }
        }
    }

    List<string> ParseExactValue()
    {
        var (token, _) = Peek(values: true);
        if (token is Token.End or Token.Comma)
            return [""];
        var (next, text) = Next(values: true);
        if (next == Token.Identifier)
            return [text];
        throw new SelectorException($"found '{text}', expected: identifier");
    }

    /// <summary>In value position the keywords <c>in</c>/<c>notin</c> are ordinary identifiers.</summary>
    Item Peek(bool values) => Contextual(_items[_position], values);

    Item Next(bool values) => Contextual(_items[_position++], values);

    static Item Contextual(Item item, bool values) =>
        values && item.Token is Token.In or Token.NotIn ? item with { Token = Token.Identifier } : item;

    static bool IsSpace(char c) => c is ' ' or '\t' or '\r' or '\n';

    static bool IsSymbol(char c) => c is '=' or '!' or '(' or ')' or ',' or '>' or '<';

    static List<Item> Scan(string text)
    {
        var items = new List<Item>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && IsSpace(text[i]))
                i++;
            if (i >= text.Length)
            {
                items.Add(new Item(Token.End, ""));
                return items;
            }
            var start = i;
            if (IsSymbol(text[i]))
            {
                // Longest run of symbol characters that is still a known operator.
                Token? best = null;
                var bestEnd = i;
                var end = i;
                while (end < text.Length && IsSymbol(text[end]))
                {
                    end++;
                    if (Symbols.TryGetValue(text[start..end], out var t))
                    {
                        best = t;
                        bestEnd = end;
                    }
                    else if (best is not null)
                        break;
                }
                if (best is null)
                {
                    // Upstream stops at the error token but keeps scanning; the parser reports it.
                    items.Add(new Item(Token.Error, $"error expected: keyword found '{text[start..end]}'"));
                    i = end;
                    continue;
                }
                items.Add(new Item(best.Value, text[start..bestEnd]));
                i = bestEnd;
            }
            else
            {
                while (i < text.Length && !IsSymbol(text[i]) && !IsSpace(text[i]))
                    i++;
                var word = text[start..i];
                items.Add(Symbols.TryGetValue(word, out var keyword) ? new Item(keyword, word) : new Item(Token.Identifier, word));
            }
        }
    }
}
