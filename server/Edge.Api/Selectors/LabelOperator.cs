namespace Edge.Api.Selectors;

/// <summary>The operators of a label requirement (apimachinery <c>selection.Operator</c>).</summary>
public enum LabelOperator
{
    Equals,
    DoubleEquals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
}
