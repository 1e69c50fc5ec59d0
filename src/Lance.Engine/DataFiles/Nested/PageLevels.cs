using Lance.Engine.Format;

namespace Lance.Engine.DataFiles.Nested;

/// <summary>
/// The repetition and definition levels of one page of a nested column, in the page's own level
/// numbers, with the layout that explains them. A page holds whole rows; it has one entry per
/// visible value plus one per null or empty list.
/// </summary>
internal sealed class PageLevels
{
    /// <summary>Takes entries [<paramref name="firstEntry"/>, + <paramref name="count"/>) of a shredded leaf.</summary>
    public PageLevels(ShreddedLeaf leaf, long firstEntry, int count)
    {
        Layout = leaf.Layout;
        Count = count;
        Rep = leaf.Rep is null ? null : leaf.Rep.AsSpan((int)firstEntry, count).ToArray();
        if (Layout.MaxDef > 0)
        {
            Def = new ushort[count];
            if (leaf.Canonical is null)
            {
                Def.AsSpan().Fill(Layout.ToDef(0));
            }
            else
            {
                for (int i = 0; i < count; i++)
                {
                    Def[i] = Layout.ToDef(leaf.Canonical[firstEntry + i]);
                }
            }
        }

        MaxVisibleDef = Layout.MaxVisibleDef;
    }

    /// <summary>The layout of the levels.</summary>
    public LevelLayout Layout { get; }

    /// <summary>The number of entries (levels) in the page.</summary>
    public int Count { get; }

    /// <summary>Repetition levels, or null when the column has no list.</summary>
    public ushort[]? Rep { get; }

    /// <summary>Definition levels, or null when nothing in the column can be null or empty.</summary>
    public ushort[]? Def { get; }

    /// <summary>The highest definition level whose entry has a value.</summary>
    public int MaxVisibleDef { get; }

    /// <summary>Whether entry <paramref name="entry"/> has a value slot.</summary>
    public bool IsVisible(int entry) => Def is null || Def[entry] <= MaxVisibleDef;

    /// <summary>
    /// Splits the entries among mini-block chunks of <paramref name="valuesPerChunk"/> values, as
    /// Lance's level slicer does: a chunk takes entries up to and including its last value; null or
    /// empty lists after it go to the next chunk, and the last chunk takes everything left.
    /// Also builds the repetition index (per chunk: rows that finish in it, leftover entries).
    /// </summary>
    public (List<(int Start, int Count)> Chunks, ulong[]? RepetitionIndex) SliceChunks(IReadOnlyList<int> valuesPerChunk)
    {
        var chunks = new List<(int, int)>(valuesPerChunk.Count);
        int position = 0;
        for (int c = 0; c < valuesPerChunk.Count; c++)
        {
            int start = position;
            if (c == valuesPerChunk.Count - 1)
            {
                position = Count;
            }
            else
            {
                int taken = 0;
                while (taken < valuesPerChunk[c])
                {
                    if (IsVisible(position))
                    {
                        taken++;
                    }

                    position++;
                }
            }

            chunks.Add((start, position - start));
        }

        if (Rep is null)
        {
            return (chunks, null);
        }

        // Per chunk: the rows that finish in it, and the entries after the last row start (which
        // belong to a row finishing in a later chunk). A row "finishes" when the next one starts.
        ushort maxRep = (ushort)Layout.MaxRep;
        var index = new ulong[chunks.Count * 2];
        for (int c = 0; c < chunks.Count; c++)
        {
            var (start, count) = chunks[c];
            var levels = Rep.AsSpan(start, count);
            ulong rows = 0;
            for (int i = 1; i < levels.Length; i++)
            {
                if (levels[i] == maxRep)
                {
                    rows++;
                }
            }

            ulong leftovers = 0;
            if (c < chunks.Count - 1)
            {
                int last = levels.LastIndexOf(maxRep);
                leftovers = last < 0 ? (ulong)levels.Length : (ulong)(levels.Length - last);
            }
            else
            {
                rows++;
            }

            if (c > 0 && levels.Length > 0 && levels[0] == maxRep && index[(2 * c) - 1] != 0)
            {
                // The previous chunk's leftovers were a whole row after all.
                index[(2 * c) - 2]++;
                index[(2 * c) - 1] = 0;
            }

            index[2 * c] = rows;
            index[(2 * c) + 1] = leftovers;
        }

        return (chunks, index);
    }
}
