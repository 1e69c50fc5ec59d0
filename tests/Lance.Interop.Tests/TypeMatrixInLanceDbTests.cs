using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Apache.Arrow;
using Lance.Engine;
using Lance.Engine.Tests.Format;

namespace Lance.Interop.Tests;

/// <summary>
/// The type matrix (one column of every type the engine stores, nulls, empty and null lists, a
/// 1 MB string, all-null columns) written by our engine and read back by us and by LanceDB (Node),
/// value by value.
/// </summary>
public sealed class TypeMatrixInLanceDbTests : IDisposable
{
    private const int Rows = 1200;
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    private async Task<(LanceDataset Dataset, List<RecordBatch> Written)> WriteMatrixAsync()
    {
        // Two fragments (a row cap per file), the first from two batches.
        List<RecordBatch> written = [TypeMatrix.Batch(0, 700), TypeMatrix.Batch(700, 300), TypeMatrix.Batch(1000, Rows - 1000)];
        var dataset = await LanceDataset.CreateAsync(
            Path.Combine(_db.Path, "matrix.lance"), TypeMatrix.Schema, written, options: new DatasetWriteOptions { MaxRowsPerFile = 1000 });
        return (dataset, written);
    }

    // apache-arrow 18 (JS) cannot decode LargeList: LanceDB casts those columns to List on the way out.
    internal static Dictionary<string, string> Select() => TypeMatrix.Schema.FieldsList.ToDictionary(
        f => f.Name,
        f => f.DataType is Apache.Arrow.Types.LargeListType list
            ? $"arrow_cast({f.Name}, 'List({(list.ValueDataType is Apache.Arrow.Types.StringType ? "Utf8" : "unsupported")})')"
            : f.Name);

    internal static Dictionary<long, JsonObject> ExpectedById(List<RecordBatch> batches)
    {
        var result = new Dictionary<long, JsonObject>();
        foreach (var batch in batches)
        {
            for (int r = 0; r < batch.Length; r++)
            {
                var row = new JsonObject();
                for (int c = 0; c < batch.ColumnCount; c++)
                {
                    row[batch.Schema.FieldsList[c].Name] = ArrowValues.Json(batch.Column(c), r);
                }

                result[long.Parse((string)row["id"]!, CultureInfo.InvariantCulture)] = row;
            }
        }

        return result;
    }

    [Fact]
    public async Task Our_reader_reads_back_every_value_of_every_type()
    {
        var (dataset, written) = await WriteMatrixAsync();
        var reopened = await LanceDataset.OpenAsync(dataset.Path);

        var read = new List<RecordBatch>();
        await foreach (var batch in reopened.ScanAsync())
        {
            read.Add(batch);
        }

        Assert.Equal(written.SelectMany(ArrowValues.Rows), read.SelectMany(ArrowValues.Rows));
    }

    [Fact]
    public async Task LanceDB_reads_back_every_value_of_every_type()
    {
        var (_, written) = await WriteMatrixAsync();
        var expected = ExpectedById(written);

        using var doc = await _peer.RunAsync("scan-types", new { db = _db.Path, table = "matrix", select = Select() });

        var rows = doc.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(Rows, rows.Count);
        var mismatches = new List<string>();
        foreach (var row in rows)
        {
            long id = long.Parse(row.GetProperty("id").GetString()!, CultureInfo.InvariantCulture);
            foreach (var (name, value) in expected[id])
            {
                if (!row.TryGetProperty(name, out var actual))
                {
                    mismatches.Add($"row {id}: LanceDB returned no column '{name}'");
                }
                else if (!SameJson(value, actual))
                {
                    mismatches.Add($"row {id}, column '{name}': expected {Shorten(value?.ToJsonString() ?? "null")}, LanceDB read {Shorten(actual.GetRawText())}");
                }
            }
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} values differ; first ones:\n{string.Join("\n", mismatches.Take(15))}");
    }

    [Fact]
    public async Task LanceDB_sees_every_column_with_its_type_and_nullability()
    {
        await WriteMatrixAsync();

        using var doc = await _peer.RunAsync("scan-types", new { db = _db.Path, table = "matrix", filter = "id < 3", select = Select() });

        var schema = doc.RootElement.GetProperty("schema").EnumerateArray()
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => (Type: f.GetProperty("type").GetString()!, Nullable: f.GetProperty("nullable").GetBoolean()));
        Assert.Equal(TypeMatrix.Schema.FieldsList.Select(f => f.Name), schema.Keys);
        Assert.All(TypeMatrix.Schema.FieldsList.Where(f => f.DataType is not Apache.Arrow.Types.LargeListType), f => Assert.Equal(f.IsNullable, schema[f.Name].Nullable));
        Assert.Equal("Decimal[20e+4]", schema["dec"].Type); // apache-arrow's way of writing precision 20, scale 4
        Assert.Equal("Timestamp<MICROSECOND, UTC>", schema["ts_utc"].Type);
        Assert.Equal("Timestamp<MICROSECOND>", schema["ts"].Type);
        Assert.Equal("FixedSizeList[4]<Float16>", schema["vec16"].Type);
        Assert.Equal("Date32<DAY>", schema["day"].Type);
    }

    [Theory]
    [InlineData("2.1")]
    [InlineData("2.2")]
    public async Task LanceDB_reads_all_null_and_sparse_list_pages_lists_in_null_structs_long_strings_and_wide_vectors_in_lists_and_lists_of_lists(string storageVersion)
    {
        var vector = new Apache.Arrow.Types.FixedSizeListType(new Field("item", Apache.Arrow.Types.FloatType.Default, true), 96);
        var columns = new (string Name, Apache.Arrow.Types.IArrowType Type, Func<int, object?> Value)[]
        {
            ("id", Apache.Arrow.Types.Int64Type.Default, i => (long)i),
            ("hollow", new Apache.Arrow.Types.ListType(new Field("item", Apache.Arrow.Types.Int32Type.Default, true)), i => i % 3 == 0 ? null : System.Array.Empty<object?>()),
            ("sparse", new Apache.Arrow.Types.ListType(new Field("item", Apache.Arrow.Types.Int32Type.Default, true)), i => i % 40 == 0 ? new object?[] { i } : i % 7 == 0 ? null : System.Array.Empty<object?>()),
            ("vectors", new Apache.Arrow.Types.ListType(new Field("item", vector, true)),
                i => i % 7 == 6 ? null : Enumerable.Range(0, i % 3).Select(k => k == 1 && i % 2 == 0 ? null : (object?)Enumerable.Range(0, 96).Select(d => (float)(i * 0.5 + k - d)).ToArray()).ToArray()),
            ("holder", new Apache.Arrow.Types.StructType([new Field("tags", new Apache.Arrow.Types.ListType(new Field("item", Apache.Arrow.Types.StringType.Default, true)), true), new Field("k", Apache.Arrow.Types.Int8Type.Default, true)]),
                i => i % 6 == 5 ? null : new object?[] { i % 4 == 3 ? null : Enumerable.Range(0, i % 3).Select(k => k == 1 && i % 2 == 0 ? null : (object?)$"t{k}").ToArray(), i % 5 == 0 ? null : (sbyte)(i % 100) }),
            ("essays", new Apache.Arrow.Types.ListType(new Field("item", Apache.Arrow.Types.StringType.Default, true)),
                i => i % 8 == 7 ? null : Enumerable.Range(0, i % 3).Select(k => k == 1 && i % 2 == 1 ? null : (object?)$"{i}/{k} {new string('§', 150 + (i % 90))}").ToArray()),
            ("grid", new Apache.Arrow.Types.ListType(new Field("item", new Apache.Arrow.Types.ListType(new Field("item", Apache.Arrow.Types.Int16Type.Default, true)), true)),
                i => i % 5 == 4 ? null : Enumerable.Range(0, i % 4).Select(k => k == 2 ? null : (object?)Enumerable.Range(0, (i + k) % 3).Select(j => (object?)(short)(i + j)).ToArray()).ToArray()),
        };
        var schema = new Schema(columns.Select(c => new Field(c.Name, c.Type, c.Name != "id")), null);
        const int rows = 6000; // enough null and empty lists that the sparse column needs several pages
        var batch = new RecordBatch(schema, columns.Select(c => ArrowValues.Build(c.Type, Enumerable.Range(0, rows).Select(c.Value).ToList())), rows);
        await LanceDataset.CreateAsync(Path.Combine(_db.Path, "edges.lance"), schema, [batch], options: new DatasetWriteOptions { DataStorageVersion = storageVersion });
        var expected = ExpectedById([batch]);

        using var doc = await _peer.RunAsync("scan-types", new { db = _db.Path, table = "edges" });

        var read = doc.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(rows, read.Count);
        var mismatches = read
            .SelectMany(row => expected[long.Parse(row.GetProperty("id").GetString()!, CultureInfo.InvariantCulture)]
                .Where(p => !SameJson(p.Value, row.GetProperty(p.Key)))
                .Select(p => $"row {row.GetProperty("id")}, column '{p.Key}': expected {Shorten(p.Value?.ToJsonString() ?? "null")}, LanceDB read {Shorten(row.GetProperty(p.Key).GetRawText())}"))
            .ToList();
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} values differ; first ones:\n{string.Join("\n", mismatches.Take(15))}");
    }

    [Fact]
    public async Task LanceDB_reads_nested_and_dictionary_columns_that_span_several_pages()
    {
        // More rows than one page holds (128Ki), so list and struct columns are cut into pages at row boundaries.
        const int rows = 140_000;
        var listType = new Apache.Arrow.Types.ListType(new Field("item", Apache.Arrow.Types.Int32Type.Default, true));
        var structType = new Apache.Arrow.Types.StructType([new Field("n", Apache.Arrow.Types.Int32Type.Default, true)]);
        var dictionaryType = new Apache.Arrow.Types.DictionaryType(Apache.Arrow.Types.Int32Type.Default, Apache.Arrow.Types.StringType.Default, false);
        var schema = new Schema(
            [new Field("id", Apache.Arrow.Types.Int64Type.Default, false), new Field("l", listType, true), new Field("s", structType, true), new Field("d", dictionaryType, true)], null);
        var batch = new RecordBatch(
            schema,
            [
                ArrowValues.Build(Apache.Arrow.Types.Int64Type.Default, Enumerable.Range(0, rows).Select(i => (object?)(long)i).ToList()),
                ArrowValues.Build(listType, Enumerable.Range(0, rows).Select(i => i % 9 == 8 ? null : (object?)Enumerable.Range(0, i % 4).Select(k => k == 2 ? null : (object?)(i + k)).ToArray()).ToList()),
                ArrowValues.Build(structType, Enumerable.Range(0, rows).Select(i => i % 5 == 4 ? null : (object?)new object?[] { i % 3 == 0 ? null : i }).ToList()),
                ArrowValues.Build(dictionaryType, Enumerable.Range(0, rows).Select(i => i % 11 == 0 ? null : (object?)$"v{(i / 1000) % 250}").ToList()),
            ],
            rows);
        await LanceDataset.CreateAsync(Path.Combine(_db.Path, "long.lance"), schema, [batch]);

        using var doc = await _peer.RunAsync("scan-types", new { db = _db.Path, table = "long" });

        var actual = doc.RootElement.GetProperty("rows").EnumerateArray()
            .Select(r => $"{r.GetProperty("id").GetString()} {r.GetProperty("l").GetRawText()} {r.GetProperty("s").GetRawText()} {r.GetProperty("d").GetRawText()}")
            .Order(StringComparer.Ordinal).ToList();
        var expected = Enumerable.Range(0, rows)
            .Select(i => $"{i} {ArrowValues.Json(batch.Column(1), i)?.ToJsonString() ?? "null"} {ArrowValues.Json(batch.Column(2), i)?.ToJsonString() ?? "null"} {ArrowValues.Json(batch.Column(3), i)?.ToJsonString() ?? "null"}")
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, actual);
    }

    // Numbers compare as doubles (the peer prints float32 widened exactly); all else structurally.
    internal static bool SameJson(JsonNode? expected, JsonElement actual)
    {
        if (expected is null)
        {
            return actual.ValueKind == JsonValueKind.Null;
        }

        switch (expected)
        {
            case JsonObject obj:
                return actual.ValueKind == JsonValueKind.Object
                    && obj.Count == actual.EnumerateObject().Count()
                    && obj.All(p => actual.TryGetProperty(p.Key, out var v) && SameJson(p.Value, v));
            case JsonArray array:
                return actual.ValueKind == JsonValueKind.Array
                    && array.Count == actual.GetArrayLength()
                    && array.Zip(actual.EnumerateArray()).All(p => SameJson(p.First, p.Second));
            default:
                var value = expected.AsValue();
                if (value.TryGetValue<string>(out var text))
                {
                    return actual.ValueKind == JsonValueKind.String && actual.GetString() == text;
                }

                if (value.TryGetValue<bool>(out var flag))
                {
                    return actual.ValueKind is JsonValueKind.True or JsonValueKind.False && actual.GetBoolean() == flag;
                }

                return actual.ValueKind == JsonValueKind.Number
                    && actual.GetDouble() == double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture);
        }
    }

    internal static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + $"... ({text.Length} chars)";
}
