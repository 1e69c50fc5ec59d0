using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Tests.Format;

/// <summary>
/// Builds Arrow arrays of any type the engine stores from plain C# values, and renders values back
/// as JSON the way the LanceDB peer does (tools/lancedb-peer/README.md, "Values"): 64-bit integers
/// and decimals as strings, binary as base64, timestamps as ISO-8601 with microseconds, dates as
/// <c>YYYY-MM-DD</c>, lists as arrays, structs as objects, dictionaries as their values.
/// </summary>
/// <remarks>
/// Values: numbers as their C# type (<see cref="Half"/> for float16), <see cref="string"/>,
/// <c>byte[]</c>, <see cref="DateOnly"/> (date32), <see cref="long"/> ticks of the type's unit (timestamps,
/// date64 milliseconds, durations, times), <see cref="decimal"/> (decimal128, decimal256) or
/// <see cref="BigInteger"/> (a decimal's unscaled integer), <c>object?[]</c> for lists and structs (one
/// entry per field), arrays of numbers for fixed-size lists, and null.
/// </remarks>
public static class ArrowValues
{
    /// <summary>An array of <paramref name="type"/> holding <paramref name="values"/>.</summary>
    public static IArrowArray Build(IArrowType type, IReadOnlyList<object?> values) => ArrowArrayFactory.BuildArray(BuildData(type, values));

    private static ArrayData BuildData(IArrowType type, IReadOnlyList<object?> values)
    {
        int n = values.Count;
        var (validity, nulls) = Validity(values);
        switch (type)
        {
            case BooleanType:
            {
                var bits = new byte[(n + 7) / 8];
                for (int i = 0; i < n; i++)
                {
                    if (values[i] is true)
                    {
                        bits[i >> 3] |= (byte)(1 << (i & 7));
                    }
                }

                return new ArrayData(type, n, nulls, 0, [validity, new ArrowBuffer(bits)]);
            }

            case StringType or BinaryType or LargeStringType or LargeBinaryType:
            {
                bool large = type is LargeStringType or LargeBinaryType;
                var bytes = new List<byte>();
                var offsets = new List<long> { 0 };
                foreach (var v in values)
                {
                    if (v is not null)
                    {
                        bytes.AddRange(v is string s ? System.Text.Encoding.UTF8.GetBytes(s) : (byte[])v);
                    }

                    offsets.Add(bytes.Count);
                }

                return new ArrayData(type, n, nulls, 0, [validity, Offsets(offsets, large), new ArrowBuffer(bytes.ToArray())]);
            }

            case ListType or LargeListType:
            {
                var item = type is ListType l ? l.ValueDataType : ((LargeListType)type).ValueDataType;
                var children = new List<object?>();
                var offsets = new List<long> { 0 };
                foreach (var v in values)
                {
                    if (v is object?[] list)
                    {
                        children.AddRange(list);
                    }

                    offsets.Add(children.Count);
                }

                return new ArrayData(type, n, nulls, 0, [validity, Offsets(offsets, type is LargeListType)], [BuildData(item, children)]);
            }

            case StructType structType:
            {
                var children = structType.Fields.Select((f, j) => BuildData(f.DataType, values.Select(v => ((object?[]?)v)?[j]).ToList())).ToList();
                return new ArrayData(type, n, nulls, 0, [validity], children);
            }

            case FixedSizeListType fsl:
            {
                var items = new List<object?>();
                foreach (var v in values)
                {
                    var vector = v as System.Collections.IList;
                    for (int j = 0; j < fsl.ListSize; j++)
                    {
                        items.Add(vector is null ? Default(fsl.ValueDataType) : vector[j]);
                    }
                }

                return new ArrayData(type, n, nulls, 0, [validity], [BuildData(fsl.ValueDataType, items)]);
            }

            case DictionaryType dictionary:
            {
                // Values are strings or byte arrays; the keys are as wide as the key type.
                static string Content(object v) => v is string s ? "s" + s : "b" + Convert.ToBase64String((byte[])v);
                var distinct = values.OfType<object>().DistinctBy(Content).ToList();
                var keys = values.Select(v => v is null ? 0 : distinct.FindIndex(d => Content(d) == Content(v))).ToList();
                var keyData = BuildData(dictionary.IndexType, keys.Select(k => (object?)k).ToList());
                return new ArrayData(type, n, nulls, 0, [validity, keyData.Buffers[1]], [], BuildData(dictionary.ValueType, distinct.Cast<object?>().ToList()));
            }

            case FixedWidthType fixedWidth:
            {
                int width = type is FixedSizeBinaryType b ? b.ByteWidth : fixedWidth.BitWidth / 8;
                var bytes = new byte[n * width];
                for (int i = 0; i < n; i++)
                {
                    WriteFixed(type, values[i] ?? Default(type), bytes.AsSpan(i * width, width));
                }

                return new ArrayData(type, n, nulls, 0, [validity, new ArrowBuffer(bytes)]);
            }

            default:
                throw new NotSupportedException(type.Name);
        }
    }

    private static object Default(IArrowType type) => type switch
    {
        HalfFloatType => Half.Zero,
        FloatType => 0f,
        DoubleType => 0d,
        UInt8Type => (byte)0,
        Decimal128Type or Decimal256Type => 0m,
        Time32Type => 0,
        FixedSizeBinaryType b => new byte[b.ByteWidth],
        Date32Type => DateOnly.FromDayNumber(0),
        _ => 0L,
    };

    private static void WriteFixed(IArrowType type, object value, Span<byte> destination)
    {
        switch (type)
        {
            case Int8Type: destination[0] = (byte)Convert.ToSByte(value, CultureInfo.InvariantCulture); break;
            case UInt8Type: destination[0] = Convert.ToByte(value, CultureInfo.InvariantCulture); break;
            case Int16Type: MemoryMarshal.Write(destination, Convert.ToInt16(value, CultureInfo.InvariantCulture)); break;
            case UInt16Type: MemoryMarshal.Write(destination, Convert.ToUInt16(value, CultureInfo.InvariantCulture)); break;
            case Int32Type: MemoryMarshal.Write(destination, Convert.ToInt32(value, CultureInfo.InvariantCulture)); break;
            case UInt32Type: MemoryMarshal.Write(destination, Convert.ToUInt32(value, CultureInfo.InvariantCulture)); break;
            case Time32Type: MemoryMarshal.Write(destination, Convert.ToInt32(value, CultureInfo.InvariantCulture)); break;
            case Int64Type or TimestampType or Time64Type or Date64Type or DurationType: MemoryMarshal.Write(destination, Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
            case UInt64Type: MemoryMarshal.Write(destination, Convert.ToUInt64(value, CultureInfo.InvariantCulture)); break;
            case HalfFloatType: MemoryMarshal.Write(destination, (Half)value); break;
            case FloatType: MemoryMarshal.Write(destination, Convert.ToSingle(value, CultureInfo.InvariantCulture)); break;
            case DoubleType: MemoryMarshal.Write(destination, Convert.ToDouble(value, CultureInfo.InvariantCulture)); break;
            case Date32Type: MemoryMarshal.Write(destination, ((DateOnly)value).DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber); break;
            case Decimal128Type or Decimal256Type:
            {
                // A decimal256 may be given as its unscaled integer (decimal cannot hold 76 digits).
                int scale = type is Decimal128Type d128 ? d128.Scale : ((Decimal256Type)type).Scale;
                var unscaled = value is BigInteger big ? big : new BigInteger((decimal)value * (decimal)Math.Pow(10, scale));
                unscaled.TryWriteBytes(destination, out _, isUnsigned: false, isBigEndian: false);
                if (unscaled.Sign < 0)
                {
                    int used = unscaled.GetByteCount();
                    destination[used..].Fill(0xFF);
                }

                break;
            }

            case FixedSizeBinaryType: ((byte[])value).CopyTo(destination); break;
            default: throw new NotSupportedException(type.Name);
        }
    }

    private static ArrowBuffer Offsets(List<long> offsets, bool large) => large
        ? new ArrowBuffer(MemoryMarshal.AsBytes(offsets.ToArray().AsSpan()).ToArray())
        : new ArrowBuffer(MemoryMarshal.AsBytes(offsets.Select(o => checked((int)o)).ToArray().AsSpan()).ToArray());

    private static (ArrowBuffer, int) Validity(IReadOnlyList<object?> values)
    {
        int nulls = values.Count(v => v is null);
        if (nulls == 0)
        {
            return (ArrowBuffer.Empty, 0);
        }

        var bits = new byte[(values.Count + 7) / 8];
        for (int i = 0; i < values.Count; i++)
        {
            if (values[i] is not null)
            {
                bits[i >> 3] |= (byte)(1 << (i & 7));
            }
        }

        return (new ArrowBuffer(bits), nulls);
    }

    /// <summary>Row <paramref name="row"/> of <paramref name="array"/> as the peer renders it.</summary>
    public static JsonNode? Json(IArrowArray array, int row) => Json(array.Data, row);

    /// <summary>Every row of a batch as one JSON object per row, keyed by column name.</summary>
    public static List<string> Rows(RecordBatch batch)
    {
        var rows = new List<string>(batch.Length);
        for (int r = 0; r < batch.Length; r++)
        {
            var obj = new JsonObject();
            for (int c = 0; c < batch.ColumnCount; c++)
            {
                obj[batch.Schema.FieldsList[c].Name] = Json(batch.Column(c), r);
            }

            rows.Add(obj.ToJsonString());
        }

        return rows;
    }

    private static JsonNode? Json(ArrayData data, int row)
    {
        int p = data.Offset + row;
        if (data.NullCount != 0 && !data.Buffers[0].IsEmpty && (data.Buffers[0].Span[p >> 3] & (1 << (p & 7))) == 0)
        {
            return null;
        }

        var values = data.Buffers.Length > 1 ? data.Buffers[1].Span : default;
        switch (data.DataType)
        {
            case BooleanType: return (values[p >> 3] & (1 << (p & 7))) != 0;
            case Int8Type: return (sbyte)values[p];
            case UInt8Type: return values[p];
            case Int16Type: return MemoryMarshal.Cast<byte, short>(values)[p];
            case UInt16Type: return MemoryMarshal.Cast<byte, ushort>(values)[p];
            case Int32Type: return MemoryMarshal.Cast<byte, int>(values)[p];
            case UInt32Type: return MemoryMarshal.Cast<byte, uint>(values)[p];
            case Int64Type: return MemoryMarshal.Cast<byte, long>(values)[p].ToString(CultureInfo.InvariantCulture);
            case UInt64Type: return MemoryMarshal.Cast<byte, ulong>(values)[p].ToString(CultureInfo.InvariantCulture);
            case HalfFloatType: return Float((double)MemoryMarshal.Cast<byte, Half>(values)[p]);
            case FloatType: return Float(MemoryMarshal.Cast<byte, float>(values)[p]);
            case DoubleType: return Float(MemoryMarshal.Cast<byte, double>(values)[p]);
            case StringType or BinaryType:
            {
                var offsets = MemoryMarshal.Cast<byte, int>(values);
                var bytes = data.Buffers[2].Span[offsets[p]..offsets[p + 1]];
                return data.DataType is StringType ? System.Text.Encoding.UTF8.GetString(bytes) : Convert.ToBase64String(bytes);
            }

            case LargeStringType or LargeBinaryType:
            {
                var offsets = MemoryMarshal.Cast<byte, long>(values);
                var bytes = data.Buffers[2].Span[(int)offsets[p]..(int)offsets[p + 1]];
                return data.DataType is LargeStringType ? System.Text.Encoding.UTF8.GetString(bytes) : Convert.ToBase64String(bytes);
            }

            case Time64Type or DurationType:
                return MemoryMarshal.Cast<byte, long>(values)[p].ToString(CultureInfo.InvariantCulture);
            case Time32Type:
                return MemoryMarshal.Cast<byte, int>(values)[p];
            case Date64Type:
                return DateTimeOffset.FromUnixTimeMilliseconds(MemoryMarshal.Cast<byte, long>(values)[p]).UtcDateTime
                    .ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            case Date32Type:
                return DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + MemoryMarshal.Cast<byte, int>(values)[p])
                    .ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            case TimestampType ts:
            {
                long ticks = MemoryMarshal.Cast<byte, long>(values)[p];
                (long perSecond, int digits) = ts.Unit switch
                {
                    TimeUnit.Second => (1L, 0),
                    TimeUnit.Millisecond => (1_000L, 3),
                    TimeUnit.Microsecond => (1_000_000L, 6),
                    _ => (1_000_000_000L, 9),
                };
                long seconds = Math.DivRem(ticks, perSecond, out long fraction);
                if (fraction < 0)
                {
                    fraction += perSecond;
                    seconds--;
                }

                return DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)
                    + (digits == 0 ? "" : "." + fraction.ToString("D" + digits, CultureInfo.InvariantCulture)) + (ts.Timezone is null ? "" : "Z");
            }

            case Decimal128Type d:
                return DecimalText(new BigInteger(values.Slice(p * 16, 16), isUnsigned: false, isBigEndian: false), d.Scale);
            case Decimal256Type d:
                return DecimalText(new BigInteger(values.Slice(p * 32, 32), isUnsigned: false, isBigEndian: false), d.Scale);
            case FixedSizeBinaryType b:
                return Convert.ToBase64String(values.Slice(p * b.ByteWidth, b.ByteWidth));
            case ListType:
            {
                var offsets = MemoryMarshal.Cast<byte, int>(values);
                return Items(data.Children[0], offsets[p], offsets[p + 1]);
            }

            case LargeListType:
            {
                var offsets = MemoryMarshal.Cast<byte, long>(values);
                return Items(data.Children[0], (int)offsets[p], (int)offsets[p + 1]);
            }

            case FixedSizeListType fsl:
                return Items(data.Children[0], p * fsl.ListSize, (p + 1) * fsl.ListSize);
            case StructType structType:
            {
                var obj = new JsonObject();
                for (int j = 0; j < structType.Fields.Count; j++)
                {
                    obj[structType.Fields[j].Name] = Json(data.Children[j], p);
                }

                return obj;
            }

            case DictionaryType dictionary:
                int key = dictionary.IndexType switch
                {
                    Int8Type => (sbyte)values[p],
                    UInt8Type => values[p],
                    Int16Type => MemoryMarshal.Cast<byte, short>(values)[p],
                    UInt16Type => MemoryMarshal.Cast<byte, ushort>(values)[p],
                    Int32Type => MemoryMarshal.Cast<byte, int>(values)[p],
                    UInt32Type => checked((int)MemoryMarshal.Cast<byte, uint>(values)[p]),
                    Int64Type => checked((int)MemoryMarshal.Cast<byte, long>(values)[p]),
                    _ => checked((int)MemoryMarshal.Cast<byte, ulong>(values)[p]),
                };
                return Json(data.Dictionary, key);
            default:
                throw new NotSupportedException(data.DataType.Name);
        }
    }

    /// <summary>A decimal's text as the peer writes it: the unscaled integer with the point placed by the scale.</summary>
    public static string DecimalText(BigInteger unscaled, int scale)
    {
        string digits = BigInteger.Abs(unscaled).ToString(CultureInfo.InvariantCulture).PadLeft(scale + 1, '0');
        string text = scale == 0 ? digits : digits[..^scale] + "." + digits[^scale..];
        return unscaled.Sign < 0 ? "-" + text : text;
    }

    private static JsonArray Items(ArrayData child, int start, int end)
    {
        var array = new JsonArray();
        for (int i = start; i < end; i++)
        {
            array.Add(Json(child, i));
        }

        return array;
    }

    private static JsonNode Float(double x) => double.IsFinite(x) ? JsonValue.Create(x) : JsonValue.Create(double.IsNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity");
}
