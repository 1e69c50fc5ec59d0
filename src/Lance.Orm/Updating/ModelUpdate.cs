using System.Linq.Expressions;
using Apache.Arrow;
using Lance.Engine.Arrow;

namespace Lance.Orm.Updating;

/// <summary>
/// Turns a typed update (<c>x =&gt; new Doc { Score = 1.5, Text = x.Title }</c>) into one setter per
/// column. Values that read the row become SQL computed per row; every other value is written by
/// the model's generated writer (one row built from those members), so an update stores exactly
/// what an add of the same value stores, for every member type the generator maps.
/// </summary>
internal static class ModelUpdate
{
    /// <summary>The setters of <paramref name="update"/> against <paramref name="schema"/>, the schema of table <paramref name="table"/>.</summary>
    /// <exception cref="NotSupportedException">The body is not an object initializer, or a value that reads the row cannot be translated.</exception>
    /// <exception cref="LanceSchemaException">A member has no column in the table, or a value does not fit its column.</exception>
    public static Dictionary<string, Func<RecordBatch, IArrowArray>> Setters<T>(Expression<Func<T, T>> update, Schema schema, string table, string datasetPath)
        where T : ILanceModel<T>
    {
        ArgumentNullException.ThrowIfNull(update);
        if (update.Body is not MemberInitExpression { NewExpression.Arguments.Count: 0 } init)
        {
            throw new NotSupportedException($"An update must be an object initializer such as x => new {typeof(T).Name} {{ Score = 1.5 }}, not '{update.Body}'.");
        }

        if (init.Bindings.Count == 0)
        {
            throw new ArgumentException($"An update of table '{table}' needs at least one member to set.", nameof(update));
        }

        var row = update.Parameters[0];
        var perRow = new List<MemberBinding>();
        var constant = new List<MemberAssignment>();
        foreach (var binding in init.Bindings)
        {
            if (binding is not MemberAssignment assignment)
            {
                throw new NotSupportedException($"The update cannot translate '{binding}': only assignments 'Member = value' are supported.");
            }

            if (ReadsParameter.In(assignment.Expression, row))
            {
                perRow.Add(assignment);
            }
            else
            {
                constant.Add(assignment);
            }
        }

        var setters = new Dictionary<string, Func<RecordBatch, IArrowArray>>(StringComparer.Ordinal);
        Field ColumnOf(string column) => schema.FieldsList.FirstOrDefault(f => f.Name == column)
            ?? throw new LanceSchemaException(
                $"Cannot update column '{column}': it does not exist in table '{table}'. Columns: {string.Join(", ", schema.FieldsList.Select(f => f.Name))}.");

        if (perRow.Count > 0)
        {
            // Only the members that read the row go to the translator, so no other value is evaluated twice.
            var rowUpdate = Expression.Lambda<Func<T, T>>(Expression.MemberInit(init.NewExpression, perRow), row);
            foreach (var (column, value) in LinqFilterTranslator.Assignments(rowUpdate, schema, T.ColumnMap))
            {
                var field = ColumnOf(column);
                setters[column] = ((RowExpression)value!).Value.CompileValue(schema, field, datasetPath);
            }
        }

        if (constant.Count > 0)
        {
            foreach (var (column, modelValue) in ConstantValues<T>(init.NewExpression, constant, table))
            {
                var field = ColumnOf(column);
                var value = modelValue;
                if (!ArrowArrays.SameType(value.Data.DataType, field.DataType))
                {
                    // The table's own layout of the value (large_utf8, an enum's name as utf8, milliseconds), as an add writes it.
                    if (!ArrowArrays.CanConvert(value.Data.DataType, field.DataType))
                    {
                        throw new LanceSchemaException(
                            $"Column '{column}' of table '{table}' is {ArrowArrays.Describe(field.DataType)} but model {typeof(T).Name} writes {ArrowArrays.Describe(value.Data.DataType)}.");
                    }

                    try
                    {
                        value = ArrowArrays.Convert(value, field.DataType);
                    }
                    catch (LanceSchemaException e)
                    {
                        throw new LanceSchemaException($"Column '{column}' of table '{table}': {e.Message}", e);
                    }
                }

                if (value.NullCount > 0 && !field.IsNullable)
                {
                    throw new LanceSchemaException($"Column '{column}' of table '{table}' is not nullable, so it cannot be set to null.");
                }

                setters[column] = Repeat(value);
            }
        }

        return setters;
    }

    /// <summary>A setter that repeats a one-row array for every row of the batch.</summary>
    public static Func<RecordBatch, IArrowArray> Repeat(IArrowArray oneRow) => batch => ArrowArrays.Take(oneRow, new int[batch.Length]);

    /// <summary>
    /// The one-row column of each constant member: a row holding just those members (the others keep
    /// the values a new row starts with) is written by the model's generated writer.
    /// </summary>
    private static IEnumerable<(string Column, IArrowArray Value)> ConstantValues<T>(NewExpression create, List<MemberAssignment> assignments, string table)
        where T : ILanceModel<T>
    {
        var build = Expression.Lambda<Func<T>>(Expression.MemberInit(create, assignments)).Compile(preferInterpretation: true);
        RecordBatch batch;
        try
        {
            batch = T.ToRecordBatch([build()]);
        }
        catch (LanceSchemaException e)
        {
            throw new LanceSchemaException($"Cannot update table '{table}': {e.Message}", e);
        }

        foreach (var assignment in assignments)
        {
            var column = T.ColumnMap.ColumnOf(assignment.Member.Name);
            var index = column is null ? -1 : batch.Schema.GetFieldIndex(column);
            if (index < 0)
            {
                throw new LanceSchemaException(
                    $"Cannot update {typeof(T).Name}.{assignment.Member.Name} of table '{table}': the member is not stored in a column (it is ignored or computed).");
            }

            yield return (column!, batch.Column(index));
        }
    }

    /// <summary>Whether an expression reads the lambda's parameter (the row).</summary>
    private sealed class ReadsParameter(ParameterExpression parameter) : ExpressionVisitor
    {
        private bool _found;

        public static bool In(Expression expression, ParameterExpression parameter)
        {
            var visitor = new ReadsParameter(parameter);
            visitor.Visit(expression);
            return visitor._found;
        }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            _found |= node == parameter;
            return node;
        }
    }
}
