using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Arrow;

/// <summary>Joins arrays of one type end to end, for every type the engine stores (nested and dictionary ones included).</summary>
internal static class ArrowConcat
{
    /// <summary>The rows of <paramref name="arrays"/>, in order, as one array.</summary>
    /// <exception cref="ArgumentException">No arrays, or arrays of different types.</exception>
    public static IArrowArray Concatenate(IReadOnlyList<IArrowArray> arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        if (arrays.Count == 0)
        {
            throw new ArgumentException("Nothing to concatenate.", nameof(arrays));
        }

        if (arrays.Count == 1)
        {
            return arrays[0];
        }

        var type = arrays[0].Data.DataType;
        if (arrays.Any(a => !SchemaAlignment.SameType(a.Data.DataType, type)))
        {
            throw new ArgumentException($"Arrays of different types cannot be concatenated ({string.Join(", ", arrays.Select(a => SchemaAlignment.Describe(a.Data.DataType)).Distinct())}).", nameof(arrays));
        }

        if (type is NullType)
        {
            return new NullArray(arrays.Sum(a => a.Length));
        }

        // Dictionaries differ per array: Arrow's concatenator cannot join those, so decode them
        // through one shared dictionary made of all of theirs (indices shifted past earlier ones).
        if (arrays[0] is DictionaryArray)
        {
            return ConcatenateDictionaries(arrays.Cast<DictionaryArray>().ToList());
        }

        return ArrowArrayConcatenator.Concatenate(arrays);
    }

    private static DictionaryArray ConcatenateDictionaries(List<DictionaryArray> arrays)
    {
        var dictionary = ArrowArrayConcatenator.Concatenate([.. arrays.Select(a => a.Dictionary)]);
        var indices = new Int32Array.Builder();
        int shift = 0;
        foreach (var array in arrays)
        {
            for (int i = 0; i < array.Length; i++)
            {
                if (DictionaryArrays.IsNull(array.Data, i))
                {
                    indices.AppendNull();
                }
                else
                {
                    indices.Append(checked((int)DictionaryArrays.KeyAt(array.Data, i) + shift));
                }
            }

            shift += array.Dictionary.Length;
        }

        return DictionaryArrays.Create((DictionaryType)arrays[0].Data.DataType, indices.Build(), dictionary, column: null);
    }
}
