using System.ComponentModel;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm.Serialization;

/// <summary>
/// Writes an enum member as Arrow <c>dictionary&lt;int32, utf8&gt;</c>: the dictionary holds the
/// enum's member names, each row the index of its name (found by a generated switch, so no
/// reflection and no boxing). Called by generated code; not meant for direct use.
/// </summary>
/// <typeparam name="TEnum">The enum type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class EnumColumnWriter<TEnum>
    where TEnum : unmanaged, Enum
{
    private readonly PrimitiveColumnWriter<int> _indices;
    private readonly IReadOnlyList<string> _names;
    private readonly Func<TEnum, int> _indexOf;
    private readonly string _modelType;
    private readonly string _member;
    private readonly string _column;
    private int _count;

    /// <summary>Creates a writer for <paramref name="length"/> rows.</summary>
    /// <param name="length">The number of rows in the batch.</param>
    /// <param name="names">The enum's member names: the dictionary.</param>
    /// <param name="indexOf">The index in <paramref name="names"/> of a value's name, or -1 for a value with no name.</param>
    /// <param name="modelType">The model type's name, for error messages.</param>
    /// <param name="member">The member's name, for error messages.</param>
    /// <param name="column">The column's name, for error messages.</param>
    public EnumColumnWriter(int length, IReadOnlyList<string> names, Func<TEnum, int> indexOf, string modelType, string member, string column)
    {
        _indices = new PrimitiveColumnWriter<int>(length);
        _names = names;
        _indexOf = indexOf;
        _modelType = modelType;
        _member = member;
        _column = column;
    }

    /// <summary>Appends the next row's value.</summary>
    /// <param name="value">The value.</param>
    /// <exception cref="LanceSchemaException">The value is not a named member of the enum.</exception>
    public void Append(TEnum value)
    {
        _indices.Append(IndexOf(value));
        _count++;
    }

    /// <summary>Appends the next row's value; null becomes a null slot.</summary>
    /// <param name="value">The value, or null.</param>
    /// <exception cref="LanceSchemaException">The value is not a named member of the enum.</exception>
    public void Append(TEnum? value)
    {
        _indices.Append(value is { } present ? IndexOf(present) : null);
        _count++;
    }

    /// <summary>Returns the Arrow array of every value appended so far.</summary>
    public IArrowArray Build()
    {
        var dictionary = new StringArray.Builder();
        foreach (var name in _names)
        {
            dictionary.Append(name);
        }

        return new DictionaryArray(new DictionaryType(Int32Type.Default, StringType.Default, false), _indices.Build(), dictionary.Build());
    }

    private int IndexOf(TEnum value)
    {
        var index = _indexOf(value);
        if (index < 0)
        {
            throw new LanceSchemaException(
                $"{_modelType}.{_member} in row {_count} is {value}, which is not a named member of {typeof(TEnum).Name}, so column '{_column}' " +
                $"(a dictionary of the enum's names) cannot store it. Use a named value, or store the enum as an integer with [Column(AsInteger = true)].");
        }

        return index;
    }
}

/// <summary>
/// Reads a <c>dictionary&lt;int32, utf8&gt;</c> (or plain <c>utf8</c>) column of enum names into enum
/// members; each distinct name is matched once per batch. Called by generated code; not meant for direct use.
/// </summary>
/// <typeparam name="TEnum">The enum type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly ref struct EnumColumnReader<TEnum>
    where TEnum : unmanaged, Enum
{
    private readonly PrimitiveColumnReader<int> _indices;
    private readonly StringColumnReader _strings;
    private readonly int[]? _map;
    private readonly IReadOnlyList<string> _names;
    private readonly IReadOnlyList<TEnum> _values;
    private readonly string _column;

    /// <summary>Opens the column <paramref name="column"/>; a reader of an absent column returns each row's fallback.</summary>
    /// <param name="batch">The record batch.</param>
    /// <param name="column">The column name.</param>
    /// <param name="names">The enum's member names.</param>
    /// <param name="values">The enum's values, in the order of <paramref name="names"/>.</param>
    /// <param name="modelType">The model type's name, for error messages.</param>
    /// <param name="member">The member's name, for error messages.</param>
    /// <exception cref="LanceSchemaException">The column exists with another Arrow type, or holds a name the enum lacks.</exception>
    public EnumColumnReader(RecordBatch batch, string column, IReadOnlyList<string> names, IReadOnlyList<TEnum> values, string modelType, string member)
    {
        ArgumentNullException.ThrowIfNull(batch);
        _names = names;
        _values = values;
        _column = column;
        var index = batch.Schema.GetFieldIndex(column, StringComparer.Ordinal);
        if (index < 0)
        {
            return;
        }

        if (batch.Column(index) is StringArray)
        {
            _strings = new StringColumnReader(batch, column, modelType, member);
            IsPresent = true;
            return;
        }

        var data = ColumnLookup.Find(batch, column, new DictionaryType(Int32Type.Default, StringType.Default, false), modelType, member)!;
        var dictionary = (StringArray)ArrowArrayFactory.BuildArray(data.Dictionary);
        _map = new int[dictionary.Length];
        for (var i = 0; i < _map.Length; i++)
        {
            _map[i] = Find(dictionary.GetBytes(i), modelType, member);
        }

        var indices = new ArrayData(Int32Type.Default, data.Length, data.NullCount, data.Offset, data.Buffers);
        _indices = new PrimitiveColumnReader<int>(new RecordBatch(new Schema([new Field(column, Int32Type.Default, true)], null), [new Int32Array(indices)], data.Length), column, modelType, member);
        IsPresent = true;
    }

    /// <summary>Whether the batch has the column.</summary>
    public bool IsPresent { get; }

    /// <summary>Whether <paramref name="row"/> is null (false when the column is absent).</summary>
    /// <param name="row">The row index.</param>
    public bool IsNull(int row) => _map is null ? _strings.IsNull(row) : _indices.IsNull(row);

    /// <summary>The value in <paramref name="row"/>: <c>default</c> for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public TEnum Get(int row, TEnum fallback) => !IsPresent ? fallback : IsNull(row) ? default : Value(row);

    /// <summary>The value in <paramref name="row"/>, null for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public TEnum? GetNullable(int row, TEnum? fallback) => !IsPresent ? fallback : IsNull(row) ? null : Value(row);

    private TEnum Value(int row) =>
        _values[_map is null ? Find(_strings.GetUtf8(row), null, null) : _map[_indices.Values[row]]];

    private int Find(ReadOnlySpan<byte> utf8, string? modelType, string? member)
    {
        for (var i = 0; i < _names.Count; i++)
        {
            if (System.Text.Encoding.UTF8.GetByteCount(_names[i]) == utf8.Length && MatchesName(utf8, _names[i]))
            {
                return i;
            }
        }

        throw new LanceSchemaException(
            $"Column '{_column}' holds '{System.Text.Encoding.UTF8.GetString(utf8)}', which is not a member of {typeof(TEnum).Name}" +
            (modelType is null ? "" : $" ({modelType}.{member})") + $". Members: {string.Join(", ", _names)}.");
    }

    private static bool MatchesName(ReadOnlySpan<byte> utf8, string name)
    {
        Span<byte> buffer = stackalloc byte[256];
        return name.Length <= 80 && System.Text.Encoding.UTF8.TryGetBytes(name, buffer, out var written) && buffer[..written].SequenceEqual(utf8);
    }
}
