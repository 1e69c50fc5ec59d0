using Lance.Engine.Format;

namespace Lance.Engine.Index.Scalar;

/// <summary>An index leaf's answer for every fragment its index covers: per fragment, the rows where it is true and where it is null.</summary>
internal sealed class LeafRows
{
    private readonly Dictionary<ulong, List<int>> _true = [];
    private readonly Dictionary<ulong, List<int>> _unknown = [];
    private readonly HashSet<ulong> _covered = [];
    private readonly Dictionary<ulong, int> _lengths;

    private LeafRows(Manifest manifest) => _lengths = manifest.Fragments.ToDictionary(f => f.Id, f => (int)f.PhysicalRows);

    /// <summary>Rows of the index's keys (and nulls) that <paramref name="leaf"/> picks, for all of the column's segments.</summary>
    public static LeafRows Compute(Manifest manifest, Dataset.DatasetFiles files, IndexLeaf leaf)
    {
        var rows = new LeafRows(manifest);
        foreach (var segment in leaf.Index.Segments)
        {
            foreach (var id in segment.Fragments)
            {
                rows._covered.Add(id);
            }

            var data = ScalarIndexReader.Load(files, manifest, segment, leaf.Index.Kind, leaf.Index.Column);
            if (leaf.LabelQuery is { } labels)
            {
                rows.Mark(rows._true, LabelListSearch.Rows(data, labels.Labels, labels.All, files.Location));
                continue;
            }

            var match = ScalarIndexSearch.Match(data, leaf.Bound);
            foreach (var (start, end) in match.True)
            {
                rows.Mark(rows._true, data.Addresses.AsSpan(data.Offsets[start], data.Offsets[end] - data.Offsets[start]));
            }

            foreach (var (start, end) in match.Unknown)
            {
                rows.Mark(rows._unknown, data.Addresses.AsSpan(data.Offsets[start], data.Offsets[end] - data.Offsets[start]));
            }

            if (match.NullRowsTrue)
            {
                rows.Mark(rows._true, data.NullAddresses);
            }
            else if (match.NullRowsUnknown)
            {
                rows.Mark(rows._unknown, data.NullAddresses);
            }
        }

        return rows;
    }

    /// <summary>Whether the index covers fragment <paramref name="fragment"/>.</summary>
    public bool Covers(ulong fragment) => _covered.Contains(fragment);

    /// <summary>The leaf's answer for a covered fragment of <paramref name="length"/> rows.</summary>
    public RowTruth For(ulong fragment, int length) => new(Mask(_true, fragment, length), Mask(_unknown, fragment, length));

    /// <summary>The rows of a covered fragment where the leaf is true, ascending.</summary>
    public int[] TrueRows(ulong fragment)
    {
        if (!_true.TryGetValue(fragment, out var rows))
        {
            return [];
        }

        var sorted = rows.ToArray();
        System.Array.Sort(sorted);
        return sorted;
    }

    private static bool[] Mask(Dictionary<ulong, List<int>> source, ulong fragment, int length)
    {
        var mask = new bool[length];
        if (source.TryGetValue(fragment, out var rows))
        {
            foreach (var row in rows)
            {
                mask[row] = true;
            }
        }

        return mask;
    }

    private void Mark(Dictionary<ulong, List<int>> target, ReadOnlySpan<ulong> addresses)
    {
        // Addresses come in runs of one fragment: look the fragment up once per run, not once per row.
        var current = ulong.MaxValue;
        List<int>? list = null;
        var length = 0;
        foreach (var address in addresses)
        {
            var fragment = address >> 32;
            var row = (int)(uint)address;
            if (fragment != current)
            {
                current = fragment;
                list = null;
                if (_covered.Contains(fragment) && _lengths.TryGetValue(fragment, out length) && !target.TryGetValue(fragment, out list))
                {
                    target[fragment] = list = [];
                }
            }

            if (list is not null && row < length)
            {
                list.Add(row);
            }
        }
    }
}
