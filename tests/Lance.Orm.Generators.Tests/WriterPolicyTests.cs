using Lance.Orm.Generators.Tests.Infrastructure;

namespace Lance.Orm.Generators.Tests;

/// <summary>The bad-vector policy reaches the generated writer as an argument, nested models included; the generated column map names every column.</summary>
public sealed class WriterPolicyTests
{
    private const string Models = TestSources.Usings + """
        public partial record Inner : ILanceModel
        {
            [Vector(2)] public float[] V { get; init; } = [];
        }

        public partial record Outer : ILanceModel
        {
            public long Id { get; init; }
            [Vector(3)] public float[] Vector { get; init; } = [];
            public Inner Nested { get; init; } = new();
            [Column("Custom")] public string Renamed { get; init; } = "";
        }

        public static class PolicyCheck
        {
            private static readonly Outer[] Rows = [new Outer { Id = 1, Vector = [1, 2], Nested = new Inner { V = [5] } }];

            public static string Write(int handling, float fill)
            {
                var batch = Outer.ToRecordBatch(Rows, new BadVectorPolicy((BadVectorHandling)handling, fill));
                var outer = (Apache.Arrow.FixedSizeListArray)batch.Column("vector");
                var inner = (Apache.Arrow.FixedSizeListArray)((Apache.Arrow.StructArray)batch.Column("nested")).Fields[0];
                return $"{outer.IsNull(0)}|{string.Join(",", ((Apache.Arrow.FloatArray)outer.Values).Values.ToArray())}|" +
                       $"{inner.IsNull(0)}|{string.Join(",", ((Apache.Arrow.FloatArray)inner.Values).Values.ToArray())}";
            }

            public static string Throws()
            {
                try
                {
                    Outer.ToRecordBatch(Rows);
                    return "no error";
                }
                catch (global::Lance.Orm.LanceSchemaException e)
                {
                    return e.Message;
                }
            }

            public static string Columns() => string.Join(",", Outer.ColumnMap.Members.Select(m => m.Member + "=" + m.Column))
                + "|" + Outer.ColumnMap.NestedOf("Nested")!.ColumnOf("V");
        }
        """;

    [Fact]
    public void A_fill_policy_fills_wrong_length_vectors_in_the_model_and_in_nested_models()
    {
        using var model = CompiledModel.Load(Models);

        Assert.Equal("False|7,7,7|False|7,7", model.Call("PolicyCheck", "Write", 2, 7f));
    }

    [Fact]
    public void A_null_policy_stores_wrong_length_vectors_as_null_in_the_model_and_in_nested_models()
    {
        using var model = CompiledModel.Load(Models);

        Assert.Equal("True|0,0,0|True|0,0", model.Call("PolicyCheck", "Write", 3, 0f));
    }

    [Fact]
    public void Without_a_policy_a_wrong_length_vector_throws()
    {
        using var model = CompiledModel.Load(Models);

        Assert.Contains("expected length 3, actual length 2", (string)model.Call("PolicyCheck", "Throws")!);
    }

    [Fact]
    public void The_generated_column_map_names_every_column_and_nested_models_columns()
    {
        using var model = CompiledModel.Load(Models);

        Assert.Equal("Id=id,Vector=vector,Nested=nested,Renamed=Custom|v", model.Call("PolicyCheck", "Columns"));
    }
}
