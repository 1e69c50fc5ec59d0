using System.Runtime.InteropServices;

namespace Lance.Orm;

/// <summary>
/// Where an embedding function writes the vectors of one call: <see cref="Count"/> vectors of
/// <see cref="Dimensions"/> floats, row after row. During an add this is a window of the Arrow buffer
/// that the table writes to the data file, so a vector written here is never copied again.
/// </summary>
public sealed class EmbeddingTarget
{
    private readonly byte[] _buffer;
    private readonly int _byteOffset;
    private readonly string _function;
    private readonly string? _source;
    private readonly string? _column;
    private readonly string? _table;

    /// <summary>Creates a target with a buffer of its own (to test a function, or to call one outside a table).</summary>
    /// <param name="count">The number of vectors.</param>
    /// <param name="dimensions">The floats in each vector.</param>
    public EmbeddingTarget(int count, int dimensions)
        : this(new byte[checked(count * dimensions * sizeof(float))], 0, count, dimensions, "embedding function", null, null, null)
    {
    }

    internal EmbeddingTarget(byte[] buffer, int byteOffset, int count, int dimensions, string function, string? source, string? column, string? table)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        _buffer = buffer;
        _byteOffset = byteOffset;
        Count = count;
        Dimensions = dimensions;
        _function = function;
        _source = source;
        _column = column;
        _table = table;
    }

    /// <summary>The number of vectors to write (one per source value).</summary>
    public int Count { get; }

    /// <summary>The floats in each vector.</summary>
    public int Dimensions { get; }

    /// <summary>Every vector, row after row (<see cref="Count"/> × <see cref="Dimensions"/> floats).</summary>
    public Span<float> Values => MemoryMarshal.Cast<byte, float>(_buffer.AsSpan(_byteOffset, Count * Dimensions * sizeof(float)));

    /// <summary>The array the values live in (tests check that a table's column is this very buffer).</summary>
    internal byte[] Buffer => _buffer;

    /// <summary>The vector for source value <paramref name="index"/>.</summary>
    public Span<float> Vector(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Values.Slice(index * Dimensions, Dimensions);
    }

    /// <summary>Copies vectors a function computed as arrays (the fallback for functions that do not write here directly).</summary>
    /// <exception cref="EmbeddingException">There are not <see cref="Count"/> vectors, or one is not <see cref="Dimensions"/> long.</exception>
    public void SetAll(IReadOnlyList<float[]> vectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        if (vectors.Count != Count)
        {
            throw new EmbeddingException(_source is null
                ? $"Embedding function '{_function}' returned {vectors.Count} vectors for {Count} values."
                : $"Embedding function '{_function}' returned {vectors.Count} vectors for {Count} values of '{_source}' in table '{_table}'.");
        }

        var values = Values;
        for (var i = 0; i < vectors.Count; i++)
        {
            var vector = vectors[i];
            if (vector is null || vector.Length != Dimensions)
            {
                throw new EmbeddingException(_column is null
                    ? $"Embedding function '{_function}' returned a vector of {vector?.Length ?? 0} dimensions where {Dimensions} were expected."
                    : $"Embedding function '{_function}' returned a vector of {vector?.Length ?? 0} dimensions for column '{_column}' of table '{_table}', which holds {Dimensions}.");
            }

            vector.CopyTo(values.Slice(i * Dimensions, Dimensions));
        }
    }
}
