using System.ComponentModel;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm.Serialization;

/// <summary>
/// Writes a member whose values Arrow stores in another fixed-width form (<see cref="DateTime"/> as
/// <c>timestamp[us]</c>, <see cref="Guid"/> as 16 bytes, …) straight into one value buffer, converting
/// each value with <typeparamref name="TConverter"/>. Called by generated
/// <see cref="ILanceModel{TSelf}.ToRecordBatch(ReadOnlySpan{TSelf}, BadVectorPolicy)"/> code; not meant for direct use.
/// </summary>
/// <typeparam name="TValue">The member's type.</typeparam>
/// <typeparam name="TStorage">The stored value's type.</typeparam>
/// <typeparam name="TConverter">The conversion, a struct so that it inlines.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ConvertedColumnWriter<TValue, TStorage, TConverter>
    where TValue : struct
    where TStorage : unmanaged
    where TConverter : struct, IValueConverter<TValue, TStorage>
{
    private readonly PrimitiveColumnWriter<TStorage> _storage;
    private readonly TConverter _converter;

    /// <summary>Creates a writer for <paramref name="length"/> rows of <paramref name="type"/>.</summary>
    /// <param name="length">The number of rows in the batch.</param>
    /// <param name="type">The column's Arrow type.</param>
    /// <param name="converter">The conversion.</param>
    public ConvertedColumnWriter(int length, IArrowType type, TConverter converter)
    {
        _storage = new PrimitiveColumnWriter<TStorage>(length, type);
        _converter = converter;
    }

    /// <summary>Appends the next row's value.</summary>
    /// <param name="value">The value.</param>
    public void Append(TValue value) => _storage.Append(_converter.ToStorage(value));

    /// <summary>Appends the next row's value; null becomes a null slot.</summary>
    /// <param name="value">The value, or null.</param>
    public void Append(TValue? value) =>
        _storage.Append(value is { } present ? _converter.ToStorage(present) : (TStorage?)null);

    /// <summary>Returns the Arrow array of every value appended so far.</summary>
    public IArrowArray Build() => _storage.Build();
}
