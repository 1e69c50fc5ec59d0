using Lance.Engine.Format;

namespace Lance.Engine.Dataset;

/// <summary>Copies of schema fields with new ids or names (for schema evolution).</summary>
internal static class SchemaEditing
{
    /// <summary>
    /// A copy of <paramref name="field"/> and its children numbered from <paramref name="id"/> in
    /// pre-order (the same ids when <paramref name="id"/> is the field's own), optionally renamed.
    /// </summary>
    public static LanceField Renumber(LanceField field, int id, int parentId, string? newName)
    {
        var next = id;
        return Copy(field, ref next, parentId, newName, keepIds: false);
    }

    /// <summary>The number of fields below <paramref name="field"/> (children, grandchildren, ...).</summary>
    public static int Descendants(LanceField field) => field.Children.Sum(c => 1 + Descendants(c));

    /// <summary>A copy of <paramref name="field"/> (children and ids unchanged) with another name.</summary>
    public static LanceField Rename(LanceField field, string newName)
    {
        var next = 0;
        return Copy(field, ref next, field.ParentId, newName, keepIds: true);
    }

    private static LanceField Copy(LanceField field, ref int next, int parentId, string? newName, bool keepIds)
    {
        var copy = new LanceField(keepIds ? field.Id : next++, parentId, newName ?? field.Name, field.LogicalType, field.Nullable);
        foreach (var (key, value) in field.Metadata)
        {
            copy.Metadata[key] = value;
        }

        foreach (var child in field.Children)
        {
            copy.Children.Add(Copy(child, ref next, copy.Id, null, keepIds));
        }

        return copy;
    }
}
