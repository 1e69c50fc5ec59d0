using System.Globalization;
using Apache.Arrow;
using Lance.Engine.Arrow;

namespace Lance.Engine.Dataset;

/// <summary>
/// The keys of a merge-insert: a row's key over the key columns, null when any part is null (nulls
/// never match). A single integer, date or timestamp column (the usual id) is keyed by its value with
/// no allocation; other keys become one string.
/// </summary>
internal static class MergeKeys
{
    private const string KeySeparator = "\u001F";

    /// <summary>
    /// A row's key over the key columns; null when any part is null (nulls never match). A single
    /// integer, date or timestamp column (the usual id) is keyed by its value with no allocation;
    /// other keys become one string.
    /// </summary>
    public static Func<int, MergeKey?> KeyReader(IReadOnlyList<IArrowArray> columns)
    {
        if (columns.Count == 1 && IntegerKey(columns[0]) is { } integer)
        {
            return row => integer(row) is { } value ? new MergeKey(value, null) : null;
        }

        var parts = columns.Select(KeyPart).ToArray();
        if (parts.Length == 1)
        {
            return row => parts[0](row) is { } value ? new MergeKey(0, value) : null;
        }

        return row =>
        {
            var values = new string[parts.Length];
            for (var i = 0; i < parts.Length; i++)
            {
                if (parts[i](row) is not { } value)
                {
                    return null;
                }

                values[i] = value;
            }

            return new MergeKey(0, string.Join(KeySeparator, values));
        };
    }

    private static Func<int, long?>? IntegerKey(IArrowArray array) => array switch
    {
        Int64Array a => r => a.GetValue(r),
        Int32Array a => r => a.GetValue(r),
        Int16Array a => r => a.GetValue(r),
        Int8Array a => r => a.GetValue(r),
        UInt64Array a => r => a.IsNull(r) ? null : unchecked((long)a.Values[r]),
        UInt32Array a => r => a.GetValue(r),
        UInt16Array a => r => a.GetValue(r),
        UInt8Array a => r => a.GetValue(r),
        Date32Array a => r => a.IsNull(r) ? null : a.Values[r],
        TimestampArray a => r => a.IsNull(r) ? null : a.Values[r],
        _ => null,
    };

    private static Func<int, string?> KeyPart(IArrowArray array)
    {
        var c = CultureInfo.InvariantCulture;
        return array switch
        {
            Int64Array a => r => a.GetValue(r)?.ToString(c),
            Int32Array a => r => a.GetValue(r)?.ToString(c),
            Int16Array a => r => a.GetValue(r)?.ToString(c),
            Int8Array a => r => a.GetValue(r)?.ToString(c),
            UInt64Array a => r => a.GetValue(r)?.ToString(c),
            UInt32Array a => r => a.GetValue(r)?.ToString(c),
            UInt16Array a => r => a.GetValue(r)?.ToString(c),
            UInt8Array a => r => a.GetValue(r)?.ToString(c),
            FloatArray a => r => a.GetValue(r)?.ToString("R", c),
            DoubleArray a => r => a.GetValue(r)?.ToString("R", c),
            BooleanArray a => r => a.GetValue(r)?.ToString(),
            StringArray a => r => a.IsNull(r) ? null : a.GetString(r),
            LargeStringArray a => r => a.IsNull(r) ? null : a.GetString(r),
            BinaryArray a => r => a.IsNull(r) ? null : Convert.ToHexString(a.GetBytes(r)),
            Date32Array a => r => a.IsNull(r) ? null : a.Values[r].ToString(c),
            TimestampArray a => r => a.IsNull(r) ? null : a.Values[r].ToString(c),
            _ => throw new LanceSchemaException($"A column of type {SchemaAlignment.Describe(array.Data.DataType)} cannot be a merge key."),
        };
    }

    /// <summary>A merge key: an integer value, or the text of the key's parts joined.</summary>
    /// <param name="Number">The value of an integer key.</param>
    /// <param name="Text">The parts of any other key, joined.</param>
    public readonly record struct MergeKey(long Number, string? Text)
    {
        public override string ToString() =>
            Text is null ? Number.ToString(CultureInfo.InvariantCulture) : Text.Replace(KeySeparator, ", ", StringComparison.Ordinal);
    }
}
