using Apache.Arrow;

namespace Lance.Engine.Dataset;

/// <summary>A column to add: its field, the columns its values are computed from, and how (null: all null).</summary>
/// <param name="Field">The new column.</param>
/// <param name="Inputs">The existing columns <paramref name="Compute"/> reads.</param>
/// <param name="Compute">From a fragment's rows (the inputs, deleted rows included) to the new column's values; null for all null.</param>
internal sealed record NewColumn(Field Field, IReadOnlyList<string> Inputs, Func<RecordBatch, IArrowArray>? Compute);
