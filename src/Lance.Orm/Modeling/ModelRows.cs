using Apache.Arrow;
using Lance.Engine;
using Lance.Engine.Arrow;

namespace Lance.Orm;

/// <summary>Reads batches of a query into model rows, refusing a batch that lacks a column the model maps.</summary>
internal static class ModelRows
{
    /// <summary>
    /// Appends the rows of <paramref name="batch"/> to <paramref name="rows"/>. When the query asked for every
    /// column (<paramref name="projected"/> false), a column of the model missing from the batch means the table
    /// no longer has it (dropped, or a version from before it was added): that is an error, not a default value.
    /// </summary>
    /// <exception cref="LanceSchemaException">The batch lacks a column <typeparamref name="TModel"/> maps.</exception>
    public static void Read<TModel>(RecordBatch batch, ICollection<TModel> rows, bool projected, string tableName)
        where TModel : ILanceModel<TModel>
    {
        if (!projected)
        {
            RequireColumns<TModel>(batch.Schema, tableName);
        }

        // Columns in another layout of the model's values (large_utf8 for a string) are read as the model's type.
        TModel.ReadRecordBatch(ArrowArrays.Conform(batch, TModel.ArrowSchema), rows);
    }

    /// <summary>Throws when <paramref name="schema"/> lacks a column of <typeparamref name="TModel"/>.</summary>
    public static void RequireColumns<TModel>(Schema schema, string tableName)
        where TModel : ILanceModel<TModel>
    {
        foreach (var field in TModel.ArrowSchema.FieldsList)
        {
            if (schema.GetFieldIndex(field.Name) < 0)
            {
                throw new LanceSchemaException(
                    $"Table '{tableName}' has no column '{field.Name}' that model {typeof(TModel).Name} needs (the version read lacks it: "
                    + $"it was dropped, renamed or not yet added). Columns: {string.Join(", ", schema.FieldsList.Where(f => !f.Name.StartsWith('_')).Select(f => f.Name))}. "
                    + "Select the columns you need, restore a version that has it, or read the table untyped.");
            }
        }
    }
}
