using Lance.Engine.Format;

namespace Lance.Engine.DataFiles.Nested;

/// <summary>
/// The fields from a top-level column down to one of its leaves (the only fields with a column of
/// their own in file format 2.1), e.g. <c>owner → pets (list) → item (struct) → name</c>. Each step
/// is a layer of that leaf's repetition and definition levels.
/// </summary>
internal sealed class LeafPath
{
    private LeafPath(IReadOnlyList<LanceField> fields, IReadOnlyList<int> childIndices)
    {
        Fields = fields;
        ChildIndices = childIndices;
        IsList = fields.Select(f => IsListType(f.LogicalType)).ToArray();
        Name = string.Join('.', fields.Select(f => f.Name));
    }

    /// <summary>The fields, the top-level one first and the leaf last.</summary>
    public IReadOnlyList<LanceField> Fields { get; }

    /// <summary>For each field but the leaf, the index of the next field among its children.</summary>
    public IReadOnlyList<int> ChildIndices { get; }

    /// <summary>Which layers are lists.</summary>
    public bool[] IsList { get; }

    /// <summary>The leaf field.</summary>
    public LanceField Leaf => Fields[^1];

    /// <summary>A dotted name for messages, e.g. <c>owner.pets.item.name</c> (built once: decoders pass it along per level entry).</summary>
    public string Name { get; }

    /// <summary>Whether a Lance type is a list (the node, not its items).</summary>
    public static bool IsListType(string logicalType) => logicalType is "list" or "list.struct" or "large_list" or "large_list.struct";

    /// <summary>Every leaf under <paramref name="top"/>, in pre-order (the order of their columns in a file).</summary>
    public static List<LeafPath> Of(LanceField top)
    {
        var result = new List<LeafPath>();
        Walk(top, [], [], result);
        return result;
    }

    private static void Walk(LanceField field, List<LanceField> fields, List<int> indices, List<LeafPath> result)
    {
        fields.Add(field);
        if (field.IsLeaf)
        {
            result.Add(new LeafPath([.. fields], [.. indices]));
        }
        else
        {
            for (int i = 0; i < field.Children.Count; i++)
            {
                indices.Add(i);
                Walk(field.Children[i], fields, indices, result);
                indices.RemoveAt(indices.Count - 1);
            }
        }

        fields.RemoveAt(fields.Count - 1);
    }
}
