using System.ComponentModel;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm.Serialization;

/// <summary>
/// Reads a member whose values Arrow stores in another fixed-width form, converting each stored
/// value with <typeparamref name="TConverter"/>. Called by generated
/// <see cref="ILanceModel{TSelf}.ReadRecordBatch"/> code; not meant for direct use.
/// </summary>
/// <typeparam name="TValue">The member's type.</typeparam>
/// <typeparam name="TStorage">The stored value's type.</typeparam>
/// <typeparam name="TConverter">The conversion, a struct so that it inlines.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly ref struct ConvertedColumnReader<TValue, TStorage, TConverter>
    where TValue : struct
    where TStorage : unmanaged
    where TConverter : struct, IValueConverter<TValue, TStorage>
{
    private readonly PrimitiveColumnReader<TStorage> _storage;
    private readonly TConverter _converter;

    /// <summary>
    /// Opens the column <paramref name="column"/> of <paramref name="batch"/>; a reader of an absent
    /// column returns each row's fallback.
    /// </summary>
    /// <param name="batch">The record batch.</param>
    /// <param name="column">The column name.</param>
    /// <param name="type">The expected Arrow type.</param>
    /// <param name="converter">The conversion.</param>
    /// <param name="modelType">The model type's name, for error messages.</param>
    /// <param name="member">The member's name, for error messages.</param>
    /// <exception cref="LanceSchemaException">The column exists with another Arrow type.</exception>
    public ConvertedColumnReader(RecordBatch batch, string column, IArrowType type, TConverter converter, string modelType, string member)
    {
        _storage = new PrimitiveColumnReader<TStorage>(batch, column, type, modelType, member);
        _converter = converter;
    }

    /// <summary>Whether the batch has the column.</summary>
    public bool IsPresent => _storage.IsPresent;

    /// <summary>The value in <paramref name="row"/>: <c>default</c> for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public TValue Get(int row, TValue fallback) =>
        !IsPresent ? fallback : _storage.IsNull(row) ? default : _converter.FromStorage(_storage.Values[row]);

    /// <summary>The value in <paramref name="row"/>, null for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public TValue? GetNullable(int row, TValue? fallback) =>
        !IsPresent ? fallback : _storage.IsNull(row) ? null : _converter.FromStorage(_storage.Values[row]);

    /// <summary>The value in <paramref name="row"/>: <c>default</c> for a null or when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    public TValue Get(int row) => Get(row, default);

    /// <summary>Whether <paramref name="row"/> is null (false when the column is absent).</summary>
    /// <param name="row">The row index.</param>
    public bool IsNull(int row) => _storage.IsNull(row);
}
