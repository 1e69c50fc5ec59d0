using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm;

/// <summary>
/// Scales a hybrid search's distances and scores to [0, 1] before the reranker sees them, as
/// LanceDB's hybrid query does: <c>(v − min) / (max − min)</c> per list, in float32; a list whose
/// values are all equal becomes all 0.
/// </summary>
internal static class ScoreNormalization
{
    /// <summary><paramref name="results"/> with its float32 <paramref name="column"/> min–max normalised (nulls stay null).</summary>
    public static RecordBatch Normalize(RecordBatch results, string column)
    {
        var index = results.Schema.GetFieldIndex(column);
        if (results.Length == 0 || index < 0 || results.Column(index) is not FloatArray values)
        {
            return results;
        }

        float? min = null, max = null;
        for (var i = 0; i < values.Length; i++)
        {
            if (values.GetValue(i) is { } v)
            {
                min = min is null || v < min ? v : min;
                max = max is null || v > max ? v : max;
            }
        }

        if (min is not { } lo || max is not { } hi)
        {
            return results;
        }

        var range = hi - lo;
        var builder = new FloatArray.Builder().Reserve(values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            if (values.GetValue(i) is not { } v)
            {
                builder.AppendNull();
            }
            else if (range != 0)
            {
                builder.Append((v - lo) / range);
            }
            else
            {
                // All equal: LanceDB subtracts the minimum so that they are 0 (leaving all-zero lists as they are).
                builder.Append(hi != 0 ? v - lo : v);
            }
        }

        var columns = Enumerable.Range(0, results.ColumnCount).Select(i => i == index ? builder.Build() : results.Column(i)).ToList();
        var fields = results.Schema.FieldsList.Select((f, i) => i == index ? new Field(f.Name, FloatType.Default, f.IsNullable, f.Metadata) : f).ToList();
        return new RecordBatch(new Schema(fields, results.Schema.Metadata), columns, results.Length);
    }
}
