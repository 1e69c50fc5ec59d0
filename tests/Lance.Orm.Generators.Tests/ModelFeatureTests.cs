using Apache.Arrow;
using Lance.Orm.Generators.Tests.Infrastructure;
using static Lance.Orm.Generators.Tests.Infrastructure.ModelOperations;

namespace Lance.Orm.Generators.Tests;

/// <summary>Type mapping, generic models and the generated zero-copy row view.</summary>
public sealed class ModelFeatureTests
{
    [Fact]
    public void Every_member_type_maps_to_the_documented_Arrow_type()
    {
        using var model = CompiledModel.Load(AllTypesSources.Models);
        string Describe(string type, string column) =>
            DescribeType(Schema(model.Type(type)).GetFieldByName(column).DataType);

        Assert.Equal(
            ["int64", "int32", "int16", "int8", "uint64", "uint32", "uint16", "uint8", "float16", "float32", "float64", "bool", "utf8", "binary",
             "decimal128(38, 18)", "decimal128(10, 2)", "fixed_size_binary(16)", "timestamp[us]", "timestamp[us, tz=UTC]", "date32", "time64[us]",
             "dictionary<int32, utf8>", "uint8", "duration[us]"],
            Schema(model.Type("Types.Scalars")).FieldsList.Select(f => DescribeType(f.DataType)));
        Assert.Equal("list<int64>", Describe("Types.Collections", "longs"));
        Assert.Equal("list<utf8>", Describe("Types.Collections", "names"));
        Assert.Equal("list<struct<name: utf8, weight: int32>>", Describe("Types.Collections", "tags"));
        Assert.Equal("list<float32>", Describe("Types.Collections", "floats"));
        Assert.Equal("struct<name: utf8, weight: int32>", Describe("Types.Nested", "main"));
        Assert.Equal("struct<x: float64, y: float64>", Describe("Types.Nested", "where"));
        Assert.Equal("fixed_size_list<float32>[4]", Describe("Types.Vectors", "memory"));
        Assert.Equal("fixed_size_list<float16>[3]", Describe("Types.Vectors", "f16"));
        Assert.Equal("fixed_size_list<uint8>[8]", Describe("Types.Vectors", "u8"));
        Assert.Equal([false, true, false, true], Schema(model.Type("Types.Nested")).FieldsList.Skip(1).Select(f => f.IsNullable));
    }

    [Fact]
    public void Enum_dictionary_holds_member_names_and_an_alias_counts_once()
    {
        using var model = CompiledModel.Load(AllTypesSources.Models + """
            public static class Rows { public static Types.Scalars[] Create() => [new() { Color = Types.Color.Cyan }, new() { Color = Types.Color.Red }]; }
            """);

        var batch = Write(model.Type("Types.Scalars"), (System.Array)model.Call("Types.Rows", "Create")!);

        var color = (DictionaryArray)batch.Column("color");
        Assert.Equal(["Red", "Green", "Blue"], Enumerable.Range(0, color.Dictionary.Length).Select(i => ((StringArray)color.Dictionary).GetString(i)));
        Assert.Equal([2, 0], ((Int32Array)color.Indices).Values.ToArray());
    }

    [Fact]
    public void A_null_list_in_a_non_nullable_list_member_throws_naming_member_row_and_column()
    {
        using var model = CompiledModel.Load(AllTypesSources.Models + """
            public static class NullRows { public static Types.Collections[] Create() => [new(), new() { Longs = null! }]; }
            """);

        var error = Assert.Throws<LanceSchemaException>(() => Write(model.Type("Types.Collections"), (System.Array)model.Call("Types.NullRows", "Create")!));

        Assert.Contains("Collections.Longs is null in row 1, but its column 'longs' is not nullable", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generic_model_with_an_embedding_function_compiles_and_binds()
    {
        using var model = CompiledModel.Load(TestSources.Usings + TestSources.MiniLm + """
            public partial record Doc<TMeta> : ILanceModel
            {
                [Source] public string Text { get; init; } = "";
                [Vector(typeof(MiniLm))] public float[]? Vector { get; init; }
                [Ignore] public TMeta? Meta { get; init; }
            }

            public static class Closed { public static System.Type Type => typeof(Doc<int>); }
            """);
        var type = (Type)model.Call("Closed", "get_Type")!;

        var binding = Assert.Single(Bindings(type));

        Assert.Equal(("text", "vector"), (binding.SourceColumn, binding.VectorColumn));
    }

    [Fact]
    public void Batch_view_reads_values_and_vector_spans_in_place()
    {
        using var model = CompiledModel.Load(TestSources.Doc + """
            public static class ViewCheck
            {
                public static string Run()
                {
                    Doc[] rows = [new Doc { Id = 7, Text = "héllo", Vector = Enumerable.Range(0, 384).Select(i => (float)i).ToArray(), Score = 2.5 },
                                  new Doc { Id = 8, Text = "", Vector = null, Published = true }];
                    var batch = Doc.ToRecordBatch(rows);
                    var view = new Doc.BatchView(batch);
                    var vector = view.Vector(0);
                    var column = (Apache.Arrow.FixedSizeListArray)batch.Column("vector");
                    var buffer = ((Apache.Arrow.FloatArray)column.Values).Values;
                    var inPlace = System.Runtime.CompilerServices.Unsafe.AreSame(
                        ref System.Runtime.InteropServices.MemoryMarshal.GetReference(vector),
                        ref System.Runtime.InteropServices.MemoryMarshal.GetReference(buffer));
                    return $"{view.RowCount}|{view.Id(0)}|{view.Id(1)}|{System.Text.Encoding.UTF8.GetString(view.TextUtf8(0))}|{view.Text(1).Length}|" +
                           $"{vector.Length}|{vector[383]}|{view.Vector(1).Length}|{view.Score(0)}|{view.Published(1)}|{inPlace}";
                }
            }
            """);

        Assert.Equal("2|7|8|héllo|0|384|383|0|2.5|True|True", model.Call("ViewCheck", "Run"));
    }

    [Fact]
    public void Batch_view_of_a_projection_reads_absent_columns_as_defaults()
    {
        using var model = CompiledModel.Load(TestSources.Doc + """
            public static class ViewCheck
            {
                public static string Run(Apache.Arrow.RecordBatch batch)
                {
                    var view = new Doc.BatchView(batch);
                    return $"{view.RowCount}|{view.Id(1)}|{view.Text(0)}|{view.Vector(0).Length}";
                }
            }
            """);
        var batch = new RecordBatch.Builder().Append("id", false, c => c.Int64(b => b.Append(1).Append(2))).Build();

        Assert.Equal("2|2||0", model.Call("ViewCheck", "Run", batch));
    }

    private static string DescribeType(Apache.Arrow.Types.IArrowType type) => type switch
    {
        Apache.Arrow.Types.StructType s => "struct<" + string.Join(", ", s.Fields.Select(f => $"{f.Name}: {DescribeType(f.DataType)}")) + ">",
        Apache.Arrow.Types.ListType l => $"list<{DescribeType(l.ValueDataType)}>",
        Apache.Arrow.Types.FixedSizeListType l => $"fixed_size_list<{DescribeType(l.ValueDataType)}>[{l.ListSize}]",
        Apache.Arrow.Types.BooleanType => "bool",
        Apache.Arrow.Types.BinaryType => "binary",
        _ => typeof(ILanceModel).Assembly.GetType("Lance.Orm.Serialization.ArrowTypeText")!
            .GetMethod("Describe")!.Invoke(null, [type])!.ToString()!,
    };
}
