using Lance.Orm.Generators.Tests.Infrastructure;

namespace Lance.Orm.Generators.Tests;

public sealed class SnapshotTests
{
    [Theory]
    [InlineData(nameof(TestSources.Doc), TestSources.Doc)]
    [InlineData(nameof(TestSources.Reading), TestSources.Reading)]
    [InlineData(nameof(TestSources.Product), TestSources.Product)]
    [InlineData(nameof(TestSources.Keyed), TestSources.Keyed)]
    [InlineData(nameof(TestSources.Hit), TestSources.Hit)]
    public void Generated_code_matches_its_snapshot(string name, string source)
        => MatchAll(name, source);

    [Fact]
    public void Generated_code_for_every_type_matches_its_snapshots()
    {
        var run = GeneratorHarness.Run(AllTypesSources.Models);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationProblems);
        foreach (var (hint, source) in run.Sources)
        {
            Snapshot.Match(source, hint.Replace(".LanceModel.g.cs", "", StringComparison.Ordinal));
        }
    }

    private static void MatchAll(string name, string source)
    {
        var run = GeneratorHarness.Run(source);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationProblems);
        Snapshot.Match(run.SingleSource, name);
    }

    [Fact]
    public void Hint_name_is_the_full_type_name()
    {
        var run = GeneratorHarness.Run(TestSources.Product);

        Assert.Equal("Shop.Catalog.Product.LanceModel.g.cs", Assert.Single(run.Sources.Keys));
    }

    [Fact]
    public void A_model_split_over_parts_is_generated_once()
    {
        var run = GeneratorHarness.Run(TestSources.Usings + """
            public partial record Split : ILanceModel { public long Id { get; init; } }
            public partial record Split : ILanceModel { public string Name { get; init; } = ""; }
            """);

        Assert.Single(run.Sources);
        Assert.Empty(run.CompilationProblems);
    }

    [Fact]
    public void A_nested_model_in_partial_types_compiles()
    {
        var run = GeneratorHarness.Run(TestSources.Usings + """
            namespace App;
            public static partial class Models
            {
                public partial record Inner : ILanceModel { public long Id { get; init; } }
            }
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationProblems);
    }

    [Fact]
    public void Types_that_do_not_list_ILanceModel_are_left_alone()
    {
        var run = GeneratorHarness.Run(TestSources.Usings + """
            public interface ILanceModel { }
            public partial record NotOurs : ILanceModel { public long Id { get; init; } }
            public partial record Plain { public long Id { get; init; } }
            """);

        Assert.Empty(run.Sources);
    }
}
