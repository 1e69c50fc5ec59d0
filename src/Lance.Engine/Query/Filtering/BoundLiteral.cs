namespace Lance.Engine.Query.Filtering;

/// <summary>A constant, already converted to the type it is compared with.</summary>
internal sealed class BoundLiteral : BoundNode
{
    public override bool CannotFail => true;

    private readonly ColumnVector _value;

    public BoundLiteral(ColumnVector value, int position) : base(value.Type, position) => _value = value;

    public object? Value { get; init; }

    public bool IsNull => _value.Valid is { } v && !v[0];

    public ColumnVector Scalar => _value;

    public override ColumnVector Evaluate(EvaluationContext context) => _value;

    public static BoundLiteral Null(FilterType type, int position) => new(Scalars.Null(type), position);
}
