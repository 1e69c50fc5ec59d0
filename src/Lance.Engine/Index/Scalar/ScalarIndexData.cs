using System.Numerics;
using Apache.Arrow;
using Lance.Engine.Arrow;
using Lance.Engine.Query.Filtering;

namespace Lance.Engine.Index.Scalar;

/// <summary>
/// A loaded scalar index in one shape for every kind: the column's distinct non-null values sorted in
/// the order this engine's filters compare them (not trusting the writer's order), each with the row
/// addresses (fragment id &lt;&lt; 32 | offset) that hold it, and the addresses of null rows.
/// A filter on the column is answered by evaluating it over the distinct values (or by binary search
/// for a comparison with a constant), so the index gives exactly the rows a scan would.
/// </summary>
internal sealed class ScalarIndexData
{
    private ScalarIndexData(ScalarIndexKind kind, string column, IArrowArray keys, int[] offsets, ulong[] addresses, ulong[] nullAddresses)
    {
        Kind = kind;
        Column = column;
        Keys = keys;
        Offsets = offsets;
        Addresses = addresses;
        NullAddresses = nullAddresses;
        var field = new Field(column, keys.Data.DataType, nullable: true);
        KeyBatch = new RecordBatch(new Schema([field], null), [keys], keys.Length);
        NullBatch = new RecordBatch(new Schema([field], null), [ArrowEmpty.CreateNulls(keys.Data.DataType, 1)], 1);
    }

    /// <summary>The index kind.</summary>
    public ScalarIndexKind Kind { get; }

    /// <summary>The indexed column (top level).</summary>
    public string Column { get; }

    /// <summary>The distinct non-null values, ascending in the filter engine's order.</summary>
    public IArrowArray Keys { get; }

    /// <summary>Where each key's addresses start in <see cref="Addresses"/> (one more entry than keys).</summary>
    public int[] Offsets { get; }

    /// <summary>The row addresses of every key, key after key.</summary>
    public ulong[] Addresses { get; }

    /// <summary>The row addresses whose value is null (for a list index: whose list holds a null item).</summary>
    public ulong[] NullAddresses { get; }

    /// <summary>
    /// For a LABEL_LIST: the row addresses whose list itself is null, ascending. Lance keeps them in a global buffer of the
    /// index file (index version 1) so that <c>NOT array_has(...)</c> answered from the index leaves those rows out, as a
    /// scan does; without them LanceDB's answer from the index would keep them.
    /// </summary>
    public ulong[] ListNullAddresses { get; set; } = [];

    /// <summary>The keys as a one-column batch named like the column, to evaluate a filter over.</summary>
    public RecordBatch KeyBatch { get; }

    /// <summary>One null value in a one-column batch, to learn what a filter says of null rows.</summary>
    public RecordBatch NullBatch { get; }

    /// <summary>The bytes this loaded index holds in memory (keys, addresses), roughly.</summary>
    public long MemoryBytes => ((long)Addresses.Length + NullAddresses.Length) * 8 + (long)Offsets.Length * 4
        + Keys.Data.Buffers.Sum(b => (long)b.Length);

    /// <summary>
    /// The same index with every row address passed through <paramref name="map"/> (a compaction moved the rows):
    /// addresses it maps to null leave the index, and so do keys left without a row.
    /// </summary>
    public ScalarIndexData Remap(Func<ulong, ulong?> map)
    {
        var keep = new List<int>();
        var offsets = new List<int> { 0 };
        var addresses = new List<ulong>(Addresses.Length);
        for (var k = 0; k < Keys.Length; k++)
        {
            var start = addresses.Count;
            foreach (var address in Addresses.AsSpan(Offsets[k], Offsets[k + 1] - Offsets[k]))
            {
                if (map(address) is { } moved)
                {
                    addresses.Add(moved);
                }
            }

            if (addresses.Count > start)
            {
                addresses.Sort(start, addresses.Count - start, null);
                keep.Add(k);
                offsets.Add(addresses.Count);
            }
        }

        var nulls = NullAddresses.Select(map).Where(a => a is not null).Select(a => a!.Value).Order().ToArray();
        var keys = keep.Count == Keys.Length ? Keys : ArrowTake.Take(Keys, keep.ToArray());
        var listNulls = ListNullAddresses.Select(map).Where(a => a is not null).Select(a => a!.Value).Order().ToArray();
        return new ScalarIndexData(Kind, Column, keys, [.. offsets], [.. addresses], nulls) { ListNullAddresses = listNulls };
    }

    /// <summary>
    /// Builds the index view from values (possibly repeated, possibly null) and, per value
    /// <c>i</c>, the addresses <c>addresses[starts[i]..starts[i+1]]</c>.
    /// </summary>
    /// <exception cref="LanceFormatException">The values are of a type filters cannot order.</exception>
    public static ScalarIndexData Create(ScalarIndexKind kind, string column, IArrowArray values, int[] starts, ulong[] addresses, string source)
    {
        var vector = Read(column, values, source);
        var order = new List<int>(values.Length);
        var nulls = new List<ulong>();
        for (var i = 0; i < values.Length; i++)
        {
            if (vector.IsValid(i))
            {
                order.Add(i);
            }
            else
            {
                nulls.AddRange(addresses.AsSpan(starts[i], starts[i + 1] - starts[i]).ToArray());
            }
        }

        var sorted = order.ToArray();
        var compare = Comparer(vector, source, column);
        SortBy(vector, sorted, compare);

        var firsts = new List<int>();
        var offsets = new List<int> { 0 };
        var grouped = new ulong[addresses.Length];
        var written = 0;
        for (var k = 0; k < sorted.Length; k++)
        {
            var row = sorted[k];
            if (k == 0 || compare(sorted[k - 1], row) != 0)
            {
                if (k > 0)
                {
                    offsets.Add(written);
                }

                firsts.Add(row);
            }

            var span = addresses.AsSpan(starts[row], starts[row + 1] - starts[row]);
            span.CopyTo(grouped.AsSpan(written));
            written += span.Length;
        }

        if (sorted.Length > 0)
        {
            offsets.Add(written);
        }

        for (var k = 0; k + 1 < offsets.Count; k++)
        {
            grouped.AsSpan(offsets[k], offsets[k + 1] - offsets[k]).Sort();
        }

        var nullArray = nulls.ToArray();
        System.Array.Sort(nullArray);
        return new ScalarIndexData(kind, column, ArrowTake.Take(values, firsts.ToArray()), [.. offsets], grouped[..written], nullArray);
    }

    /// <summary>The filter engine's view of <paramref name="values"/> read as column <paramref name="column"/>.</summary>
    public static ColumnVector Read(string column, IArrowArray values, string source)
    {
        var schema = new Schema([new Field(column, values.Data.DataType, nullable: true)], null);
        var (node, _) = FilterBinder.BindValue(new ColumnExpression(column), schema, source, column);
        var batch = new RecordBatch(schema, [values], values.Length);
        return BoundNode.Expand(node.Evaluate(new EvaluationContext(batch, (message, position) => new LanceFilterException(message, position))), values.Length);
    }

    private static void SortBy(ColumnVector vector, int[] rows, Comparison<int> compare)
    {
        var longs = LongKeys(vector);
        if (longs is null)
        {
            System.Array.Sort(rows, compare);
            return;
        }

        var keys = new long[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            keys[i] = longs(rows[i]);
        }

        System.Array.Sort(keys, rows);
    }

    private static Func<int, long>? LongKeys(ColumnVector v) => v.Kind switch
    {
        ValueKind.Boolean => i => v.Bools![i] ? 1 : 0,
        ValueKind.Integer when v.Type.Number == NumberType.UInt64 => i => v.Ints![i] ^ long.MinValue,
        ValueKind.Integer or ValueKind.Date or ValueKind.Timestamp or ValueKind.Time => i => v.Ints![i],
        ValueKind.Float => i => NumericTypes.TotalOrderKey(v.Floats![i]),
        _ => null,
    };

    private static Comparison<int> Comparer(ColumnVector v, string source, string column)
    {
        var longs = LongKeys(v);
        if (longs is not null)
        {
            return (a, b) => longs(a).CompareTo(longs(b));
        }

        return v.Kind switch
        {
            ValueKind.Decimal => (a, b) => BigInteger.Compare(v.Decimals![a], v.Decimals![b]),
            ValueKind.String or ValueKind.Binary => (a, b) => v.Bytes![a].SequenceCompareTo(v.Bytes![b]),
            _ => throw new LanceFormatException($"The scalar index on column '{column}' of '{source}' holds values of type {v.Type.Describe()}, which filters cannot order."),
        };
    }
}
