using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Dataset;

/// <summary>
/// Which vector columns a metric measures, as LanceDB allows them: l2, cosine and dot take vectors of
/// float16, float32 or float64; hamming takes vectors of uint8. Float16 vectors are scored by the
/// float32 kernels (widened exactly, once per piece of a fragment, null rows kept) against the query rounded to
/// float16, as LanceDB casts the query to the column's type and sums in float32; float64 vectors are summed in float64
/// (<see cref="Search.Float64.Float64Scan"/>; cosine finishes in float32, as LanceDB's does).
/// </summary>
internal static class SearchVectors
{
    /// <summary>The dimension of <paramref name="column"/>, after checking that <paramref name="metric"/> measures its vectors.</summary>
    /// <exception cref="LanceSchemaException">The column is missing, is not a vector, or holds vectors the metric does not measure.</exception>
    public static int Dimension(Snapshot snapshot, string column, DistanceMetric metric)
    {
        var field = snapshot.Schema.FieldsList.FirstOrDefault(f => f.Name == column)
            ?? throw new LanceSchemaException($"Column '{column}' does not exist in '{snapshot.Location}'. Columns: {snapshot.ColumnList}.");
        if (field.DataType is not FixedSizeListType list)
        {
            throw new LanceSchemaException(
                $"Column '{column}' of '{snapshot.Location}' is {field.DataType.Name}, not a vector (a fixed_size_list of float16, float32, float64 or uint8).");
        }

        var measured = metric == DistanceMetric.Hamming
            ? list.ValueDataType is UInt8Type
            : list.ValueDataType is FloatType or HalfFloatType or DoubleType;
        if (!measured)
        {
            throw new LanceSchemaException(
                $"Column '{column}' of '{snapshot.Location}' holds vectors of {list.ValueDataType.Name}, which the distance {metric} does not measure "
                + "(as in LanceDB, l2, cosine and dot take float16, float32 or float64 vectors, hamming takes uint8 vectors).");
        }

        return list.ListSize;
    }

    /// <summary>
    /// <paramref name="query"/> rounded to float16 and widened back, as LanceDB casts a query to a float16 column's type
    /// before measuring (a component beyond float16's range becomes an infinity).
    /// </summary>
    public static float[] RoundedToHalf(ReadOnlySpan<float> query)
    {
        var rounded = new float[query.Length];
        for (var i = 0; i < query.Length; i++)
        {
            rounded[i] = (float)(Half)query[i];
        }

        return rounded;
    }

    /// <summary>The vectors as float32 (float16 items widened; validity and offset kept); float32 vectors as they are.</summary>
    public static FixedSizeListArray AsFloat32(FixedSizeListArray vectors)
    {
        var type = (FixedSizeListType)vectors.Data.DataType;
        if (type.ValueDataType is FloatType)
        {
            return vectors;
        }

        // Every item up to the last row, so the parent's offset and validity stay as they are.
        var count = (vectors.Offset + vectors.Length) * type.ListSize;
        var values = new float[count];
        switch (vectors.Values)
        {
            case HalfFloatArray half:
                var halves = half.Values[..count];
                for (var i = 0; i < count; i++)
                {
                    values[i] = (float)halves[i];
                }

                break;
            default:
                throw new LanceSchemaException($"Vectors of {type.ValueDataType.Name} are not float16 or float32 vectors.");
        }

        var items = new FloatArray.Builder().AppendRange(values).Build();
        var floatType = new FixedSizeListType(new Field("item", FloatType.Default, nullable: true), type.ListSize);
        var validity = vectors.NullCount == 0 ? ArrowBuffer.Empty : vectors.Data.Buffers[0];
        return new FixedSizeListArray(new ArrayData(floatType, vectors.Length, vectors.NullCount, vectors.Offset, [validity], [items.Data]));
    }
}
