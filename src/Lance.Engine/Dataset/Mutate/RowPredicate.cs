using Apache.Arrow;

namespace Lance.Engine.Dataset;

/// <summary>A condition on rows, evaluated a batch at a time (a parsed SQL filter, a translated LINQ one, or a test's lambda).</summary>
internal interface IRowPredicate
{
    /// <summary>The top-level columns it reads; batches passed to <see cref="Evaluate"/> hold at least these.</summary>
    IReadOnlyList<string> Columns { get; }

    /// <summary>One flag per row: true where the row matches (a SQL NULL result is false).</summary>
    bool[] Evaluate(RecordBatch batch);
}

/// <summary>A predicate from a delegate.</summary>
internal sealed class LambdaPredicate(IReadOnlyList<string> columns, Func<RecordBatch, bool[]> evaluate) : IRowPredicate
{
    /// <inheritdoc/>
    public IReadOnlyList<string> Columns { get; } = columns;

    /// <inheritdoc/>
    public bool[] Evaluate(RecordBatch batch) => evaluate(batch);

    /// <summary>Matches every row.</summary>
    public static LambdaPredicate All { get; } = new([], b => Enumerable.Repeat(true, b.Length).ToArray());
}
