using Lance.Engine.Format;

namespace Lance.Engine.Index.Scalar;

/// <summary>A top-level column with the scalar index segments of one manifest that cover it (one per build or delta).</summary>
internal sealed record IndexedColumn(string Column, ScalarIndexKind Kind, IReadOnlyList<IndexMetadata> Segments)
{
    /// <summary>The scalar indexes of <paramref name="manifest"/> this engine uses, by column.</summary>
    public static Dictionary<string, IndexedColumn> Of(Manifest manifest)
    {
        var result = new Dictionary<string, IndexedColumn>(StringComparer.Ordinal);
        if (manifest.UsesStableRowIds)
        {
            // With stable row ids an index holds ids, not addresses; scans answer those filters.
            return result;
        }

        foreach (var group in manifest.Indices
            .Where(i => ScalarIndexFormat.KindOf(i) is not null && i.Fields.Count == 1)
            .GroupBy(i => (i.Fields[0], ScalarIndexFormat.KindOf(i)!.Value)))
        {
            var field = manifest.Schema.Fields.FirstOrDefault(f => f.Id == group.Key.Item1);
            if (field is not null && !result.ContainsKey(field.Name))
            {
                result[field.Name] = new IndexedColumn(field.Name, group.Key.Value, group.ToList());
            }
        }

        return result;
    }
}
