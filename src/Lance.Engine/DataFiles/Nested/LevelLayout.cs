using Lance.Engine.Format;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.DataFiles.Nested;

/// <summary>
/// How one leaf column's repetition and definition levels map onto the layers above it. A leaf
/// under <c>struct → list → struct → leaf</c> has four layers (outermost first here; Lance lists
/// them innermost first in a page's <c>layers</c>). Definition levels count from 0 (valid) upwards,
/// innermost layer first, each layer taking 0, 1 or 2 levels (null, empty, or both for a list).
/// Repetition levels number the lists from the innermost (1) to the outermost (the maximum, which
/// starts each row). This type also converts between a page's level numbers and a canonical code
/// that does not depend on which layers of that page happened to hold nulls: 0 = valid,
/// <c>2·layer + 2</c> = null at that layer, <c>2·layer + 3</c> = empty list at that layer.
/// </summary>
internal sealed class LevelLayout
{
    private readonly bool[] _isList;
    private readonly Enc21.RepDefLayer[] _meanings; // outermost first
    private readonly ushort[] _toCanonical;         // by def level
    private readonly Dictionary<ushort, ushort> _toDef = [];
    private readonly int[] _listLayerOfRep;         // rep level -> layer index of that list

    private LevelLayout(bool[] isList, Enc21.RepDefLayer[] meanings)
    {
        _isList = isList;
        _meanings = meanings;
        var canonical = new List<ushort> { 0 };
        for (int layer = meanings.Length - 1; layer >= 0; layer--)
        {
            switch (meanings[layer])
            {
                case Enc21.RepDefLayer.RepdefNullableItem or Enc21.RepDefLayer.RepdefNullableList:
                    canonical.Add(NullCode(layer));
                    break;
                case Enc21.RepDefLayer.RepdefEmptyableList:
                    canonical.Add(EmptyCode(layer));
                    break;
                case Enc21.RepDefLayer.RepdefNullAndEmptyList:
                    canonical.Add(NullCode(layer)); // the lower of the two levels is the null list
                    canonical.Add(EmptyCode(layer));
                    break;
            }
        }

        _toCanonical = [.. canonical];
        for (int def = 0; def < _toCanonical.Length; def++)
        {
            _toDef[_toCanonical[def]] = (ushort)def;
        }

        MaxDef = _toCanonical.Length - 1;
        MaxRep = isList.Count(l => l);
        _listLayerOfRep = new int[MaxRep + 1];
        int level = MaxRep;
        InnermostList = -1;
        for (int layer = 0; layer < isList.Length; layer++)
        {
            if (isList[layer])
            {
                _listLayerOfRep[level--] = layer;
                InnermostList = layer;
            }
        }
    }

    /// <summary>The highest repetition level (the number of lists); 0 without lists.</summary>
    public int MaxRep { get; }

    /// <summary>The highest definition level; 0 when nothing can be null or empty.</summary>
    public int MaxDef { get; }

    /// <summary>The deepest list layer, or -1 when there is no list.</summary>
    public int InnermostList { get; }

    /// <summary>The layers as a page records them: innermost first.</summary>
    public IEnumerable<Enc21.RepDefLayer> LayersInnermostFirst => _meanings.Reverse();

    /// <summary>The canonical code for a null at <paramref name="layer"/>.</summary>
    public static ushort NullCode(int layer) => (ushort)((2 * layer) + 2);

    /// <summary>The canonical code for an empty list at <paramref name="layer"/>.</summary>
    public static ushort EmptyCode(int layer) => (ushort)((2 * layer) + 3);

    /// <summary>The layer a canonical code names (-1 for valid).</summary>
    public static int LayerOf(ushort canonical) => canonical == 0 ? -1 : (canonical - 2) / 2;

    /// <summary>Whether a canonical code is an empty list.</summary>
    public static bool IsEmpty(ushort canonical) => canonical != 0 && (canonical & 1) == 1;

    /// <summary>
    /// The layout for data with nulls and empty lists where <paramref name="hasNull"/> and
    /// <paramref name="hasEmpty"/> say (per layer, outermost first), as a writer picks it.
    /// </summary>
    public static LevelLayout ForData(bool[] isList, bool[] hasNull, bool[] hasEmpty)
    {
        var meanings = new Enc21.RepDefLayer[isList.Length];
        for (int i = 0; i < isList.Length; i++)
        {
            meanings[i] = isList[i]
                ? (hasNull[i], hasEmpty[i]) switch
                {
                    (true, true) => Enc21.RepDefLayer.RepdefNullAndEmptyList,
                    (true, false) => Enc21.RepDefLayer.RepdefNullableList,
                    (false, true) => Enc21.RepDefLayer.RepdefEmptyableList,
                    _ => Enc21.RepDefLayer.RepdefAllValidList,
                }
                : hasNull[i] ? Enc21.RepDefLayer.RepdefNullableItem : Enc21.RepDefLayer.RepdefAllValidItem;
        }

        return new LevelLayout(isList, meanings);
    }

    /// <summary>Reads a page's layers (innermost first) for a column whose layers are lists where <paramref name="isList"/> says.</summary>
    /// <exception cref="LanceFormatException">The layers do not fit the column's nesting.</exception>
    public static LevelLayout FromPage(bool[] isList, IReadOnlyList<Enc21.RepDefLayer> layersInnermostFirst, string column)
    {
        if (layersInnermostFirst.Count != isList.Length)
        {
            throw new LanceFormatException(
                $"Column '{column}': a page describes {layersInnermostFirst.Count} rep/def layers but the field is nested {isList.Length} deep.");
        }

        var meanings = new Enc21.RepDefLayer[isList.Length];
        for (int i = 0; i < isList.Length; i++)
        {
            var meaning = layersInnermostFirst[isList.Length - 1 - i];
            bool listMeaning = meaning is Enc21.RepDefLayer.RepdefAllValidList or Enc21.RepDefLayer.RepdefNullableList
                or Enc21.RepDefLayer.RepdefEmptyableList or Enc21.RepDefLayer.RepdefNullAndEmptyList;
            if (meaning == Enc21.RepDefLayer.RepdefUnspecified || listMeaning != isList[i])
            {
                throw new LanceFormatException($"Column '{column}': rep/def layer {i} is {meaning}, which does not fit a {(isList[i] ? "list" : "struct or value")}.");
            }

            meanings[i] = meaning;
        }

        return new LevelLayout(isList, meanings);
    }

    /// <summary>The canonical code of a page's definition level.</summary>
    /// <exception cref="LanceFormatException">The level is higher than the layers allow.</exception>
    public ushort ToCanonical(ushort def, string column) => def < _toCanonical.Length
        ? _toCanonical[def]
        : throw new LanceFormatException($"Column '{column}': definition level {def} is above the maximum {MaxDef} its layers allow.");

    /// <summary>The definition level of a canonical code in this layout.</summary>
    public ushort ToDef(ushort canonical) => _toDef.TryGetValue(canonical, out var def)
        ? def
        : throw new InvalidOperationException($"The canonical level {canonical} has no definition level in this layout.");

    /// <summary>
    /// Whether an entry with this canonical code has a value slot: it is valid or null at a layer
    /// below every list (a null or empty list, or a null above one, has none).
    /// </summary>
    public bool IsVisible(ushort canonical) => canonical == 0 || LayerOf(canonical) > InnermostList;

    /// <summary>The highest definition level that still has a value slot.</summary>
    public int MaxVisibleDef
    {
        get
        {
            int max = 0;
            for (int def = 0; def < _toCanonical.Length; def++)
            {
                if (IsVisible(_toCanonical[def]))
                {
                    max = def;
                }
            }

            return max;
        }
    }

    /// <summary>The outermost layer that gets a new element at an entry with repetition level <paramref name="rep"/>.</summary>
    /// <exception cref="LanceFormatException">The level is higher than the lists allow.</exception>
    public int StartLayer(ushort rep, string column)
    {
        if (rep > MaxRep)
        {
            throw new LanceFormatException($"Column '{column}': repetition level {rep} is above the maximum {MaxRep} its lists allow.");
        }

        return MaxRep == 0 || rep == MaxRep ? 0 : _listLayerOfRep[rep + 1] + 1;
    }
}
