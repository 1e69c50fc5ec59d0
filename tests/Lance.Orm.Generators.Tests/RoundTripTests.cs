using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Orm.Generators.Tests.Infrastructure;
using static Lance.Orm.Generators.Tests.Infrastructure.ModelOperations;

namespace Lance.Orm.Generators.Tests;

/// <summary>Generated code compiled for real, loaded, and run: rows → RecordBatch → rows.</summary>
public sealed class RoundTripTests
{
    private const string DocRows = """
        public static class Rows
        {
            public static Doc[] Create() =>
            [
                new Doc { Id = 1, Text = "héllo wörld", Vector = Enumerable.Range(0, 384).Select(i => i / 10f).ToArray(), Score = 0.5, Published = true },
                new Doc { Id = 2, Text = "", Vector = null, Score = -1, Published = false },
                new Doc { Id = 3, Text = "empty vector", Vector = [], Score = double.MaxValue, Published = true },
            ];

            public static Doc[] WrongLength() =>
            [
                new Doc { Id = 1, Text = "ok", Vector = new float[384] },
                new Doc { Id = 2, Text = "short", Vector = new float[3] },
            ];

            public static Doc[] NullText() => [new Doc { Id = 1 }, new Doc { Id = 2, Text = null! }];
        }
        """;

    [Fact]
    public void Doc_schema_follows_LanceDB_types_and_nullability()
    {
        using var model = CompiledModel.Load(TestSources.Doc);
        var schema = Schema(model.Type("Doc"));

        Assert.Equal(["id", "text", "vector", "score", "published"], schema.FieldsList.Select(f => f.Name));
        Assert.Equal([false, false, true, false, false], schema.FieldsList.Select(f => f.IsNullable));
        Assert.IsType<Int64Type>(schema.GetFieldByName("id").DataType);
        Assert.IsType<StringType>(schema.GetFieldByName("text").DataType);
        Assert.IsType<DoubleType>(schema.GetFieldByName("score").DataType);
        Assert.IsType<BooleanType>(schema.GetFieldByName("published").DataType);
        var vector = Assert.IsType<FixedSizeListType>(schema.GetFieldByName("vector").DataType);
        Assert.Equal(384, vector.ListSize);
        Assert.Equal("item", vector.ValueField.Name);
        Assert.True(vector.ValueField.IsNullable);
        Assert.IsType<FloatType>(vector.ValueDataType);
    }

    [Fact]
    public void Doc_embedding_binding_reads_text_into_vector_with_MiniLm()
    {
        using var model = CompiledModel.Load(TestSources.Doc);

        var binding = Assert.Single(Bindings(model.Type("Doc")));

        Assert.Equal(("text", "vector", 384, "sentence-transformers"), (binding.SourceColumn, binding.VectorColumn, binding.Dimensions, binding.FunctionName));
        Assert.Equal(model.Type("MiniLm"), binding.FunctionType);
        Assert.IsType(model.Type("MiniLm"), binding.Factory());
    }

    [Fact]
    public void Doc_rows_round_trip_with_null_and_empty_vectors_stored_as_null()
    {
        using var model = CompiledModel.Load(TestSources.Doc + DocRows);
        var rows = (System.Array)model.Call("Rows", "Create")!;

        var batch = Write(model.Type("Doc"), rows);
        var read = Read(model.Type("Doc"), batch);

        Assert.Equal(3, batch.Length);
        Assert.Equal(2, batch.Column("vector").NullCount);
        Assert.Equal(0, batch.Column("text").NullCount);
        Assert.Equal("héllo wörld", ((StringArray)batch.Column("text")).GetString(0));
        Assert.Equal(3, read.Count);
        Assert.Equal(Values(rows.GetValue(0)!), Values(read[0]!));
        Assert.Equal(Values(rows.GetValue(1)!), Values(read[1]!));
        Assert.Null(Values(read[2]!)["Vector"]); // float[]? : the empty vector was stored as null
    }

    [Fact]
    public void Wrong_length_vector_throws_naming_model_member_column_row_and_lengths()
    {
        using var model = CompiledModel.Load(TestSources.Doc + DocRows);
        var rows = (System.Array)model.Call("Rows", "WrongLength")!;

        var error = Assert.Throws<LanceSchemaException>(() => Write(model.Type("Doc"), rows));

        Assert.Contains("Doc.Vector", error.Message, StringComparison.Ordinal);
        Assert.Contains("row 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("'vector'", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected length 384, actual length 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_in_a_non_nullable_string_throws()
    {
        using var model = CompiledModel.Load(TestSources.Doc + DocRows);
        var rows = (System.Array)model.Call("Rows", "NullText")!;

        var error = Assert.Throws<LanceSchemaException>(() => Write(model.Type("Doc"), rows));

        Assert.Contains("Doc.Text is null in row 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("'text'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nullable_members_round_trip_nulls_and_values()
    {
        using var model = CompiledModel.Load(TestSources.Reading + """
            public static class Rows
            {
                public static Reading[] Create() =>
                [
                    new Reading { Id = 1, Count = 2, Ratio = 0.25f, Score = 3.5, Flag = true, Label = "a", Level = 4, Gain = 1.5f,
                                  Embedding = new float[384], Extra = [1, 2, 3, 4] },
                    new Reading { Embedding = [] },
                    new Reading { Id = long.MinValue, Flag = false, Label = "", Level = -1, Embedding = Enumerable.Repeat(7f, 384).ToArray() },
                ];
            }
            """);
        var type = model.Type("Telemetry.Reading");
        var rows = (System.Array)model.Call("Telemetry.Rows", "Create")!;

        var batch = Write(type, rows);
        var read = Read(type, batch);

        Assert.Equal([true, true, true, true, true, true, false, false, true, true], Schema(type).FieldsList.Select(f => f.IsNullable));
        Assert.Equal(1, batch.Column("id").NullCount);
        Assert.Equal(1, batch.Column("embedding").NullCount);
        Assert.Equal(Values(rows.GetValue(0)!), Values(read[0]!));
        Assert.Equal(Values(rows.GetValue(1)!), Values(read[1]!)); // null float[] Embedding reads back as []
        Assert.Equal(Values(rows.GetValue(2)!), Values(read[2]!));
    }

    [Fact]
    public void Reading_keeps_defaults_for_absent_columns_and_ignores_unknown_ones()
    {
        using var model = CompiledModel.Load(TestSources.Product);
        var batch = new RecordBatch.Builder()
            .Append("sku", false, c => c.String(s => s.Append("A-1").Append("B-2")))
            .Append("_distance", false, c => c.Float(f => f.Append(0.1f).Append(0.2f)))
            .Build();

        var read = Read(model.Type("Shop.Catalog.Product"), batch);

        Assert.Equal(2, read.Count);
        var first = Values(read[0]!);
        Assert.Equal("A-1", first["Code"]);
        Assert.Equal("", first["HTMLText"]);
        Assert.Equal("none", first["ImageUri"]);
        Assert.Equal(7, first["StockCount"]);
        Assert.Equal("B-2", Values(read[1]!)["Code"]);
    }

    [Fact]
    public void Reading_a_column_of_the_wrong_type_throws_naming_column_and_types()
    {
        using var model = CompiledModel.Load(TestSources.Product);
        var batch = new RecordBatch.Builder()
            .Append("stock_count", false, c => c.Int64(s => s.Append(1)))
            .Build();

        var error = Assert.Throws<LanceSchemaException>(() => Read(model.Type("Shop.Catalog.Product"), batch));

        Assert.Contains("Column 'stock_count' has Arrow type int64", error.Message, StringComparison.Ordinal);
        Assert.Contains("Product.StockCount expects int32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_a_vector_of_another_dimension_throws()
    {
        using var model = CompiledModel.Load(TestSources.Doc);
        var schema = new Schema([Serialization.VectorField.Create("vector", 3)], null);
        var writer = new Serialization.VectorColumnWriter<float>(1, 3, "X", "V", "vector");
        writer.Append([1, 2, 3]);
        var batch = new RecordBatch(schema, [writer.Build()], 1);

        var error = Assert.Throws<LanceSchemaException>(() => Read(model.Type("Doc"), batch));

        Assert.Contains("fixed_size_list<float32>[3]", error.Message, StringComparison.Ordinal);
        Assert.Contains("fixed_size_list<float32>[384]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_a_sliced_batch_honours_array_offsets()
    {
        using var model = CompiledModel.Load(TestSources.Doc + DocRows);
        var type = model.Type("Doc");
        var rows = (System.Array)model.Call("Rows", "Create")!;

        var read = Read(type, Write(type, rows).Slice(1, 2));

        Assert.Equal(Values(rows.GetValue(1)!), Values(read[0]!));
        Assert.Equal(3L, Values(read[1]!)["Id"]);
        Assert.Equal("empty vector", Values(read[1]!)["Text"]);
    }

    [Fact]
    public void Loading_a_model_registers_no_embedding_function_by_itself()
    {
        var name = "fake-" + Guid.NewGuid().ToString("N");
        var functions = GeneratorHarness.Compile("FakeFunctions", GeneratorHarness.References, TestSources.Usings + TestSources.MiniLm.Replace(
            "\"sentence-transformers\", Dimensions", $"\"{name}\", Dimensions", StringComparison.Ordinal) + $$"""
            internal static class Registration
            {
                [System.Runtime.CompilerServices.ModuleInitializer]
                internal static void Register() => EmbeddingFunctionRegistry.Default.Register("{{name}}", _ => new MiniLm());
            }
            """);
        using var model = CompiledModel.Load(TestSources.Usings + """
            public partial record Doc : ILanceModel
            {
                [Source] public string Text { get; init; } = "";
                [Vector(typeof(MiniLm))] public float[]? Vector { get; init; }
            }
            """, functions);

        System.Runtime.CompilerServices.RuntimeHelpers.RunModuleConstructor(model.Assembly.ManifestModule.ModuleHandle);

        // Registration is an explicit call (registry.AddLanceOrmEmbeddings(), registry.Register): a model runs no one's module initializer.
        Assert.False(EmbeddingFunctionRegistry.Default.IsRegistered(name));
    }
}
