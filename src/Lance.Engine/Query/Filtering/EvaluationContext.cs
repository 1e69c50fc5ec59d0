using Apache.Arrow;

namespace Lance.Engine.Query.Filtering;

/// <summary>What one evaluation of a bound filter sees: the batch, and the columns already read from it.</summary>
internal sealed class EvaluationContext(RecordBatch batch, Func<string, int, LanceFilterException> error)
{
    public RecordBatch Batch { get; } = batch;

    public int Length => Batch.Length;

    public Dictionary<string, ColumnVector> Columns { get; } = new(StringComparer.Ordinal);

    /// <summary>An error raised while evaluating (division by zero, a failed cast), at a node's position.</summary>
    public LanceFilterException Error(string message, int position) => error(message, position);

    /// <summary>A context over only <paramref name="rows"/> of this batch (in that order), for a part of the filter that only those rows need.</summary>
    public EvaluationContext Subset(int[] rows) => new(Lance.Engine.Arrow.ArrowTake.Take(Batch, rows), error);
}
