using Lance.Orm.Generators.Tests.Infrastructure;
using static Lance.Orm.Generators.Tests.Infrastructure.ModelOperations;

namespace Lance.Orm.Generators.Tests;

/// <summary>Less common model shapes: each must generate code that compiles with no warning.</summary>
public sealed class ModelShapeTests
{
    [Theory]
    [InlineData("record struct", "public partial record struct Point : ILanceModel { public long Id { get; init; } public float X { get; set; } }")]
    [InlineData("required members", """
        public partial record Person : ILanceModel
        {
            public required long Id { get; init; }
            public required string Name { get; init; }
            [Ignore] public required string Secret { get; init; }
        }
        """)]
    [InlineData("keyword member names", "public partial class Keywords : ILanceModel { public long @class { get; set; } public string @event { get; set; } = \"\"; }")]
    [InlineData("inherited members", """
        public abstract record Entity { public long Id { get; init; } public long Version { get; private init; } }
        public partial record Order : Entity, ILanceModel { public double Total { get; init; } }
        """)]
    [InlineData("nullable-oblivious strings", """
        #nullable disable
        public partial class Legacy : ILanceModel { public string Name { get; set; } }
        """)]
    [InlineData("model deriving from another model", """
        public partial record Pet : ILanceModel { public long Id { get; init; } public string Name { get; init; } = ""; }
        public partial record Dog : Pet, ILanceModel { public bool GoodBoy { get; init; } }
        """)]
    [InlineData("qualified interface name", "public partial record Q : Lance.Orm.ILanceModel { public int N { get; init; } }")]
    public void Generated_code_compiles_cleanly(string shape, string model)
    {
        var run = GeneratorHarness.Run(TestSources.Usings + model);

        Assert.True(run.GeneratorDiagnostics.IsEmpty, $"{shape}: {string.Join("; ", run.GeneratorDiagnostics)}");
        Assert.True(run.CompilationProblems.Count == 0, $"{shape}: {string.Join("\n", run.CompilationProblems)}");
        Assert.NotEmpty(run.Sources);
    }

    [Fact]
    public void Inherited_members_come_first_and_private_init_in_a_base_is_left_out()
    {
        using var model = CompiledModel.Load(TestSources.Usings + """
            public abstract record Entity { public long Id { get; init; } public long Version { get; private init; } }
            public partial record Order : Entity, ILanceModel { public double Total { get; init; } }
            """);

        Assert.Equal(["id", "total"], Schema(model.Type("Order")).FieldsList.Select(f => f.Name));
    }

    [Fact]
    public void Oblivious_strings_are_nullable_columns()
    {
        using var model = CompiledModel.Load(TestSources.Usings + """
            #nullable disable
            public partial class Legacy : ILanceModel { public string Name { get; set; } }
            """);

        Assert.True(Schema(model.Type("Legacy")).GetFieldByName("name").IsNullable);
    }

    [Fact]
    public void A_model_deriving_from_another_model_has_the_base_columns_first()
    {
        using var model = CompiledModel.Load(TestSources.Usings + """
            public partial record Pet : ILanceModel { public long Id { get; init; } public string Name { get; init; } = ""; }
            public partial record Dog : Pet, ILanceModel { public bool GoodBoy { get; init; } }
            """);

        Assert.Equal(["id", "name"], Schema(model.Type("Pet")).FieldsList.Select(f => f.Name));
        Assert.Equal(["id", "name", "good_boy"], Schema(model.Type("Dog")).FieldsList.Select(f => f.Name));
    }

    [Fact]
    public void Positional_record_and_init_members_round_trip()
    {
        using var model = CompiledModel.Load(TestSources.Usings + """
            public partial record Point(long Id, string Label) : ILanceModel
            {
                public Point() : this(0, "") { }
                public double Weight { get; init; }
            }
            public static class Rows { public static Point[] Create() => [new Point(7, "seven") { Weight = 1.5 }, new Point(8, "eight")]; }
            """);

        var rows = (System.Array)model.Call("Rows", "Create")!;
        var read = Read(model.Type("Point"), Write(model.Type("Point"), rows));

        Assert.Equal(["id", "label", "weight"], Schema(model.Type("Point")).FieldsList.Select(f => f.Name));
        Assert.Equal(rows.GetValue(0), read[0]);
        Assert.Equal(rows.GetValue(1), read[1]);
    }
}
