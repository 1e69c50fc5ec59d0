using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Query.Filtering;

/// <summary>A column or a struct field, read once per batch.</summary>
internal sealed class BoundColumn(FilterType type, int position, IReadOnlyList<string> path) : BoundNode(type, position)
{
    public override bool CannotFail => true;

    public IReadOnlyList<string> Path { get; } = path;

    /// <summary>The column's Arrow type, for converting literals compared with it.</summary>
    public Apache.Arrow.Types.IArrowType? ArrowType { get; init; }

    /// <summary>The key the column is cached under in an <see cref="EvaluationContext"/>, made once.</summary>
    private string Key => field ??= string.Join('\u0001', Path);

    public override ColumnVector Evaluate(EvaluationContext context)
    {
        var key = Key;
        if (context.Columns.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var index = context.Batch.Schema.GetFieldIndex(Path[0], StringComparer.Ordinal);
        if (index < 0)
        {
            throw new ArgumentException($"The batch has no column '{Path[0]}' that the filter reads.", nameof(context));
        }

        // A struct field is read as the child array holds it, not masked by the struct's own nulls:
        // that is what LanceDB does (a non-nullable field of a null struct keeps its stored value).
        IArrowArray array = context.Batch.Column(index);
        for (var depth = 1; depth < Path.Count; depth++)
        {
            var structArray = (StructArray)array;
            var fields = ((StructType)structArray.Data.DataType).Fields;
            var child = fields.ToList().FindIndex(f => f.Name == Path[depth]);
            array = structArray.Fields[child];
            if (array.Offset != structArray.Offset || array.Length != structArray.Length)
            {
                array = ArrowArrayFactory.Slice(array, structArray.Offset, structArray.Length);
            }
        }

        var vector = ArrowColumns.Read(array, null);
        context.Columns[key] = vector;
        return vector;
    }
}
