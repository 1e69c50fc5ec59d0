namespace Lance.Engine.Index.Scalar;

/// <summary>
/// What a filter says of an index's keys: the key ranges (<c>[start, end)</c> over the sorted keys)
/// where it is true and where it is null (unknown), and the same for rows whose value is null.
/// </summary>
internal sealed class KeyMatch
{
    /// <summary>Key ranges where the filter is true.</summary>
    public List<(int Start, int End)> True { get; } = [];

    /// <summary>Key ranges where the filter is null.</summary>
    public List<(int Start, int End)> Unknown { get; } = [];

    /// <summary>Whether the filter is true for a null value.</summary>
    public bool NullRowsTrue { get; set; }

    /// <summary>Whether the filter is null for a null value.</summary>
    public bool NullRowsUnknown { get; set; }

    /// <summary>Adds a range, merging it with the last one when they touch.</summary>
    public static void Add(List<(int Start, int End)> ranges, int start, int end)
    {
        if (end <= start)
        {
            return;
        }

        if (ranges.Count > 0 && ranges[^1].End == start)
        {
            ranges[^1] = (ranges[^1].Start, end);
            return;
        }

        ranges.Add((start, end));
    }
}
