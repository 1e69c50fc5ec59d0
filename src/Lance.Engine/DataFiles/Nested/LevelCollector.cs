using Lance.Engine.DataFiles.Encodings;
using Lance.Engine.Format;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.DataFiles.Nested;

/// <summary>
/// Gathers one leaf column's repetition and definition levels while its pages are decoded,
/// translating each page's definition levels to canonical codes (pages may differ in which layers
/// hold nulls), and marks null the decoded values whose levels say so.
/// </summary>
internal sealed class LevelCollector
{
    private readonly List<ushort> _rep = [];
    private readonly List<ushort> _canonical = [];
    private LevelLayout? _page;

    /// <summary>Collects the levels of the leaf at <paramref name="path"/>.</summary>
    public LevelCollector(LeafPath path) => Path = path;

    /// <summary>The leaf's path.</summary>
    public LeafPath Path { get; }

    /// <summary>The number of entries so far.</summary>
    public int Count => _canonical.Count;

    /// <summary>Repetition levels per entry (0 where the pages had none).</summary>
    public IReadOnlyList<ushort> Rep => _rep;

    /// <summary>Canonical definition codes per entry (see <see cref="LevelLayout"/>).</summary>
    public IReadOnlyList<ushort> Canonical => _canonical;

    /// <summary>Starts a page whose layers (innermost first) are <paramref name="layers"/>.</summary>
    /// <exception cref="LanceFormatException">The layers do not fit the field's nesting.</exception>
    public LevelLayout BeginPage(IReadOnlyList<Enc21.RepDefLayer> layers)
    {
        _page = LevelLayout.FromPage(Path.IsList, layers, Path.Name);
        return _page;
    }

    /// <summary>Adds one entry of the current page; returns whether it has a value slot (and whether that value is valid).</summary>
    public bool Add(ushort rep, ushort def, out bool valid)
    {
        var page = _page ?? throw new InvalidOperationException("No page begun.");
        ushort canonical = page.ToCanonical(def, Path.Name);
        if (rep > page.MaxRep)
        {
            throw new LanceFormatException($"Column '{Path.Name}': repetition level {rep} is above the maximum {page.MaxRep} its lists allow.");
        }

        _rep.Add(rep);
        _canonical.Add(canonical);
        valid = canonical == 0;
        return page.IsVisible(canonical);
    }

    /// <summary>
    /// Adds a run of entries whose visible values were just appended to <paramref name="builder"/>
    /// (<paramref name="values"/> of them), marking the null ones. Empty level spans mean "all 0".
    /// </summary>
    /// <exception cref="LanceFormatException">The levels name a different number of values.</exception>
    public void AddRun(ReadOnlySpan<ushort> rep, ReadOnlySpan<ushort> def, int entries, int values, ColumnBuilder builder)
    {
        int first = builder.Length - values;
        int seen = 0;
        for (int i = 0; i < entries; i++)
        {
            if (Add(rep.IsEmpty ? (ushort)0 : rep[i], def.IsEmpty ? (ushort)0 : def[i], out bool valid))
            {
                if (seen >= values)
                {
                    throw new LanceFormatException($"Column '{Path.Name}': a chunk's levels name more values than its {values}.");
                }

                if (!valid)
                {
                    builder.SetNull(first + seen);
                }

                seen++;
            }
        }

        if (seen != values)
        {
            throw new LanceFormatException($"Column '{Path.Name}': a chunk holds {values} values but its levels name {seen}.");
        }
    }
}
