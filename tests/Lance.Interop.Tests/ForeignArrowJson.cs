using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Apache.Arrow;
using Apache.Arrow.Arrays;
using Apache.Arrow.Types;

namespace Lance.Interop.Tests;

/// <summary>
/// Renders values our engine read the way the peer renders LanceDB's (tools/lancedb-peer README,
/// "Values"), and compares the two, so a foreign dataset is checked value by value against what
/// LanceDB itself returned for it.
/// </summary>
public static class ForeignArrowJson
{
    /// <summary>The value of row <paramref name="row"/> of <paramref name="array"/> as the peer's JSON.</summary>
    public static JsonNode? Render(IArrowArray array, int row)
    {
        if (array.IsNull(row))
        {
            return null;
        }

        switch (array)
        {
            case Int8Array a: return a.GetValue(row);
            case Int16Array a: return a.GetValue(row);
            case Int32Array a: return a.GetValue(row);
            case Int64Array a: return a.GetValue(row)!.Value.ToString(CultureInfo.InvariantCulture);
            case UInt8Array a: return a.GetValue(row);
            case UInt16Array a: return a.GetValue(row);
            case UInt32Array a: return a.GetValue(row);
            case UInt64Array a: return a.GetValue(row)!.Value.ToString(CultureInfo.InvariantCulture);
            case HalfFloatArray a: return Float((double)a.GetValue(row)!.Value);
            case FloatArray a: return Float(a.GetValue(row)!.Value);
            case DoubleArray a: return Float(a.GetValue(row)!.Value);
            case BooleanArray a: return a.GetValue(row);
            case StringArray a: return a.GetString(row);
            case LargeStringArray a: return a.GetString(row);
            case BinaryArray a: return Convert.ToBase64String(a.GetBytes(row));
            case LargeBinaryArray a: return Convert.ToBase64String(a.GetBytes(row));
            case Decimal128Array a: return DecimalWords(a.ValueBuffer.Span, a.Offset + row, 4);
            case Decimal256Array a: return DecimalWords(a.ValueBuffer.Span, a.Offset + row, 8);
            case FixedSizeBinaryArray a: return Convert.ToBase64String(a.GetBytes(row));
            case Date32Array a: return a.GetDateOnly(row)!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            case Date64Array a:
                return DateTimeOffset.FromUnixTimeMilliseconds(a.GetValue(row)!.Value).UtcDateTime
                    .ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            case Time32Array a: return TimeOfDay(a.GetValue(row)!.Value, ((Time32Type)a.Data.DataType).Unit);
            case Time64Array a: return TimeOfDay(a.GetValue(row)!.Value, ((Time64Type)a.Data.DataType).Unit);
            case DurationArray a: return a.GetValue(row)!.Value.ToString(CultureInfo.InvariantCulture);
            case TimestampArray a: return Timestamp(a, row);
            case ListArray a: return Items(a.Values, a.ValueOffsets[row], a.ValueOffsets[row + 1]);
            case LargeListArray a: return Items(a.Values, (int)a.ValueOffsets[row], (int)a.ValueOffsets[row + 1]);
            case FixedSizeListArray a:
                int size = ((FixedSizeListType)a.Data.DataType).ListSize;
                return Items(a.Values, (a.Offset + row) * size, (a.Offset + row + 1) * size);
            case StructArray a:
                var type = (StructType)a.Data.DataType;
                var obj = new JsonObject();
                for (int f = 0; f < type.Fields.Count; f++)
                {
                    obj[type.Fields[f].Name] = Render(a.Fields[f], row);
                }

                return obj;
            case DictionaryArray a:
                int index = a.Indices switch
                {
                    Int8Array i => i.GetValue(row)!.Value,
                    Int16Array i => i.GetValue(row)!.Value,
                    Int32Array i => i.GetValue(row)!.Value,
                    Int64Array i => checked((int)i.GetValue(row)!.Value),
                    UInt8Array i => i.GetValue(row)!.Value,
                    UInt16Array i => i.GetValue(row)!.Value,
                    UInt32Array i => checked((int)i.GetValue(row)!.Value),
                    UInt64Array i => checked((int)i.GetValue(row)!.Value),
                    _ => throw new NotSupportedException($"dictionary indices of type {a.Indices.Data.DataType.Name}"),
                };
                return Render(a.Dictionary, index);
            default:
                throw new NotSupportedException($"The test cannot render Arrow type {array.Data.DataType.Name}.");
        }
    }

    /// <summary>
    /// Compares LanceDB's value with ours: numbers by value (a float32 widened to double prints
    /// differently in JavaScript and .NET), everything else exactly. Null when equal, else where they differ.
    /// </summary>
    public static string? Difference(JsonElement expected, JsonNode? actual, string path = "")
    {
        if (expected.ValueKind == JsonValueKind.Null || actual is null)
        {
            return expected.ValueKind == JsonValueKind.Null && actual is null ? null : $"{path}: LanceDB {expected.GetRawText()}, ours {Show(actual)}";
        }

        switch (expected.ValueKind)
        {
            case JsonValueKind.Number:
                return actual is JsonValue v && v.GetValueKind() == JsonValueKind.Number
                    && double.Parse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture) == expected.GetDouble()
                    ? null
                    : $"{path}: LanceDB {expected.GetRawText()}, ours {Show(actual)}";
            case JsonValueKind.Array:
                if (actual is not JsonArray array || array.Count != expected.GetArrayLength())
                {
                    return $"{path}: LanceDB {Truncate(expected.GetRawText())}, ours {Truncate(Show(actual))}";
                }

                int i = 0;
                foreach (var item in expected.EnumerateArray())
                {
                    if (Difference(item, array[i], $"{path}[{i}]") is { } d2)
                    {
                        return d2;
                    }

                    i++;
                }

                return null;
            case JsonValueKind.Object:
                if (actual is not JsonObject obj)
                {
                    return $"{path}: LanceDB {Truncate(expected.GetRawText())}, ours {Truncate(Show(actual))}";
                }

                foreach (var property in expected.EnumerateObject())
                {
                    if (Difference(property.Value, obj[property.Name], $"{path}.{property.Name}") is { } d3)
                    {
                        return d3;
                    }
                }

                return null;
            default:
                return JsonNode.DeepEquals(JsonNode.Parse(expected.GetRawText()), actual)
                    ? null
                    : $"{path}: LanceDB {Truncate(expected.GetRawText())}, ours {Truncate(Show(actual))}";
        }
    }

    private static string Show(JsonNode? node) => node?.ToJsonString() ?? "null";

    private static string Truncate(string text) => text.Length <= 120 ? text : text[..120] + "…";

    private static JsonArray Items(IArrowArray values, int start, int end)
    {
        var items = new JsonArray();
        for (int i = start; i < end; i++)
        {
            items.Add(Render(values, i));
        }

        return items;
    }

    private static JsonNode Float(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "Infinity" : double.IsNegativeInfinity(value) ? "-Infinity" : JsonValue.Create(value);

    private static (long PerSecond, int Digits) Ticks(TimeUnit unit) => unit switch
    {
        TimeUnit.Second => (1L, 0),
        TimeUnit.Millisecond => (1_000L, 3),
        TimeUnit.Microsecond => (1_000_000L, 6),
        _ => (1_000_000_000L, 9),
    };

    // A time of day as the peer renders it: HH:MM:SS plus the unit's fraction digits.
    private static string TimeOfDay(long raw, TimeUnit unit)
    {
        (long perSecond, int digits) = Ticks(unit);
        long seconds = Math.DivRem(raw, perSecond, out long fraction);
        if (fraction < 0)
        {
            fraction += perSecond;
            seconds--;
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:00}:{seconds / 60 % 60:00}:{seconds % 60:00}");
        return digits == 0 ? text : text + "." + fraction.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0');
    }

    private static string Timestamp(TimestampArray array, int row)
    {
        var type = (TimestampType)array.Data.DataType;
        long raw = array.Values[row];
        (long perSecond, int digits) = Ticks(type.Unit);
        long seconds = Math.DivRem(raw, perSecond, out long fraction);
        if (fraction < 0)
        {
            fraction += perSecond;
            seconds--;
        }

        var text = DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        if (digits > 0)
        {
            text += "." + fraction.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0');
        }

        return string.IsNullOrEmpty(type.Timezone) ? text : text + "Z";
    }

    // apache-arrow renders a decimal as its little-endian 32-bit words (4 for decimal128, 8 for decimal256).
    private static JsonArray DecimalWords(ReadOnlySpan<byte> buffer, int index, int count)
    {
        var bytes = buffer.Slice(index * count * 4, count * 4);
        var words = new JsonArray();
        for (int w = 0; w < count; w++)
        {
            words.Add(System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes[(w * 4)..]));
        }

        return words;
    }
}
