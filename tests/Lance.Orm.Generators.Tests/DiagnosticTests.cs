using Lance.Orm.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Lance.Orm.Generators.Tests;

/// <summary>One test per rule: the id, and the exact text the squiggle covers.</summary>
public sealed class DiagnosticTests
{
    [Fact]
    public void LANCE001_model_not_partial_is_reported_on_the_type_name()
    {
        var diagnostic = SingleDiagnostic("""
            public record Doc : ILanceModel
            {
                public long Id { get; init; }
            }
            """);

        AssertDiagnostic(diagnostic, "LANCE001", "Doc", line: 1);
        Assert.Contains("add the 'partial' modifier", diagnostic.Diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void LANCE001_names_a_containing_type_that_is_not_partial()
    {
        var diagnostic = SingleDiagnostic("""
            public static class Models
            {
                public partial record Doc : ILanceModel { public long Id { get; init; } }
            }
            """);

        AssertDiagnostic(diagnostic, "LANCE001", "Doc", line: 3);
        Assert.Contains("'Models' is not partial", diagnostic.Diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void LANCE002_unsupported_type_is_reported_on_the_type_with_the_supported_ones()
    {
        var diagnostic = SingleDiagnostic("""
            public partial record Doc : ILanceModel
            {
                public long Id { get; init; }
                public Uri Link { get; init; } = new("https://example.com");
            }
            """);

        AssertDiagnostic(diagnostic, "LANCE002", "Uri", line: 4);
        Assert.Contains("'Doc.Link' has type 'Uri'", diagnostic.Diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("long, int, short, sbyte, ulong, uint, ushort, byte, float, double, Half, decimal, bool, string", diagnostic.Diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void LANCE002_ReadOnlyMemory_without_Vector_is_unsupported()
    {
        var diagnostic = SingleDiagnostic("""
            public partial record Doc : ILanceModel
            {
                public ReadOnlyMemory<float> Values { get; init; }
            }
            """);

        AssertDiagnostic(diagnostic, "LANCE002", "ReadOnlyMemory<float>", line: 3);
    }

    [Fact]
    public void LANCE002_leaves_the_member_out_but_still_generates_the_model()
    {
        var run = GeneratorHarness.Run(TestSources.Usings + """
            public partial record Doc : ILanceModel
            {
                public long Id { get; init; }
                public Dictionary<string, int> Counts { get; init; } = [];
            }
            """);

        Assert.Equal("LANCE002", Assert.Single(run.GeneratorDiagnostics).Id);
        Assert.DoesNotContain("Counts", run.SingleSource, StringComparison.Ordinal);
        Assert.DoesNotContain(run.CompilationProblems, d => d.Id != "LANCE002");
    }

    [Fact]
    public void LANCE003_Vector_on_a_member_that_is_not_float_array_is_reported_on_the_attribute()
    {
        var diagnostic = SingleDiagnostic("""
            public partial record Doc : ILanceModel
            {
                [Vector(8)] public double[] Values { get; init; } = [];
            }
            """);

        AssertDiagnostic(diagnostic, "LANCE003", "Vector(8)", line: 3);
        Assert.Contains("declare it as float[], ReadOnlyMemory<float>, Half[] or byte[]", diagnostic.Diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[EmbeddingFunction(\"f\")]", "public", "IEmbeddingFunction", "no positive Dimensions")]
    [InlineData("", "public", "IEmbeddingFunction", "no [EmbeddingFunction(")]
    [InlineData("[EmbeddingFunction(\"f\", Dimensions = 8)]", "public", "IDisposable", "does not implement Lance.Orm.IEmbeddingFunction")]
    [InlineData("[EmbeddingFunction(\"f\", Dimensions = 8)]", "private", "IEmbeddingFunction", "no public parameterless constructor")]
    public void LANCE004_invalid_function_type_is_reported_on_the_typeof_argument(string attribute, string constructor, string @interface, string reason)
    {
        var diagnostic = SingleDiagnostic($$"""
            public partial record Doc : ILanceModel
            {
                [Source] public string Text { get; init; } = "";
                [Vector(typeof(Fn))] public float[]? Vector { get; init; }
            }
            {{attribute}}
            public abstract class FnBase : {{@interface}}
            {
                public string Name => "f";
                public int Dimensions => 8;
                public JsonObject GetConfiguration() => new();
                public Task<float[][]> ComputeSourceEmbeddingsAsync(IReadOnlyList<string> s, CancellationToken c = default) => throw new NotSupportedException();
                public Task<float[]> ComputeQueryEmbeddingAsync(string q, CancellationToken c = default) => throw new NotSupportedException();
                public void Dispose() { }
            }
            public sealed class Fn : FnBase { {{constructor}} Fn() { } }
            """);

        AssertDiagnostic(diagnostic, "LANCE004", "typeof(Fn)", line: 4);
        Assert.Contains(reason, diagnostic.Diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void LANCE004_is_not_reported_when_the_attribute_is_inherited_from_a_base_class()
    {
        var run = GeneratorHarness.Run(TestSources.Doc + """
            public sealed class MyMiniLm : MiniLm { }
            public partial record Other : ILanceModel
            {
                [Source] public string Text { get; init; } = "";
                [Vector(typeof(MyMiniLm))] public float[]? Vector { get; init; }
            }
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains("dimensions: 384", run.Sources["Other.LanceModel.g.cs"], StringComparison.Ordinal);
    }

    private const string Generator = """
        public sealed class Gen : Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>
        {
            public Task<Microsoft.Extensions.AI.GeneratedEmbeddings<Microsoft.Extensions.AI.Embedding<float>>> GenerateAsync(
                IEnumerable<string> values, Microsoft.Extensions.AI.EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
                => throw new NotSupportedException();
            public object? GetService(Type serviceType, object? serviceKey = null) => null;
            public void Dispose() { }
        }
        """;

    [Fact]
    public void LANCE004_an_embedding_generator_without_a_size_is_reported_on_the_typeof_argument()
    {
        var diagnostic = SingleDiagnostic("""
            public partial record Doc : ILanceModel
            {
                [Source] public string Text { get; init; } = "";
                [Vector(typeof(Gen))] public float[]? Vector { get; init; }
            }
            """ + Generator);

        AssertDiagnostic(diagnostic, "LANCE004", "typeof(Gen)", line: 4);
        Assert.Contains("[Vector(typeof(Gen), N)]", diagnostic.Diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_embedding_generator_with_a_size_binds_its_vector_the_generator_wrapped_or_to_be_registered()
    {
        var run = GeneratorHarness.Run(TestSources.Usings + """
            namespace App;
            public partial record Doc : ILanceModel
            {
                [Source] public string Text { get; init; } = "";
                [Vector(typeof(Gen), 3)] public float[]? Vector { get; init; }
            }
            public partial record Other : ILanceModel
            {
                [Source] public string Text { get; init; } = "";
                [Vector(typeof(Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>), 5)] public float[]? Vector { get; init; }
            }
            """ + Generator);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var doc = run.Sources["App.Doc.LanceModel.g.cs"];
        Assert.Contains("dimensions: 3", doc, StringComparison.Ordinal);
        Assert.Contains("functionName: \"App.Gen\"", doc, StringComparison.Ordinal);
        Assert.Contains("global::Lance.Orm.EmbeddingGeneratorFunction.Owning(new global::App.Gen(), \"App.Gen\", 3)", doc, StringComparison.Ordinal);
        var other = run.Sources["App.Other.LanceModel.g.cs"];
        Assert.Contains("dimensions: 5", other, StringComparison.Ordinal);
        Assert.Contains("throw global::Lance.Orm.EmbeddingGeneratorFunction.NotRegistered(", other, StringComparison.Ordinal);
        Assert.Contains("\"embedding-generator\"", other, StringComparison.Ordinal);
    }

    [Fact]
    public void LANCE005_Source_without_a_function_backed_vector_is_reported_on_the_attribute()
    {
        var diagnostic = SingleDiagnostic("""
            public partial record Doc : ILanceModel
            {
                [Source] public string Text { get; init; } = "";
                [Vector(4)] public float[]? Vector { get; init; }
            }
            """);

        AssertDiagnostic(diagnostic, "LANCE005", "Source", line: 3);
        Assert.Contains("no vector computed by an embedding function", diagnostic.Diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void LANCE005_function_backed_vector_without_Source_is_reported_on_its_Vector_attribute()
    {
        var diagnostic = SingleDiagnostic(TestSources.MiniLm + """
            public partial record Doc : ILanceModel
            {
                public string Text { get; init; } = "";
                [Vector(typeof(MiniLm))] public float[]? Vector { get; init; }
            }
            """, skipLines: CountLines(TestSources.MiniLm));

        AssertDiagnostic(diagnostic, "LANCE005", "Vector(typeof(MiniLm))", line: 4);
        Assert.Contains("add [Source]", diagnostic.Diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void LANCE005_Source_on_a_member_that_is_not_a_string()
    {
        var diagnostic = SingleDiagnostic(TestSources.MiniLm + """
            public partial record Doc : ILanceModel
            {
                [Source] public long Text { get; init; }
                [Source] public string Body { get; init; } = "";
                [Vector(typeof(MiniLm))] public float[]? Vector { get; init; }
            }
            """, skipLines: CountLines(TestSources.MiniLm));

        AssertDiagnostic(diagnostic, "LANCE005", "Source", line: 3);
        Assert.Contains("must be a string member", diagnostic.Diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void LANCE005_Source_naming_a_missing_vector()
    {
        var diagnostic = SingleDiagnostic(TestSources.MiniLm + """
            public partial record Doc : ILanceModel
            {
                [Source("Nope")] public string Text { get; init; } = "";
                [Source] public string Body { get; init; } = "";
                [Vector(typeof(MiniLm))] public float[]? Vector { get; init; }
            }
            """, skipLines: CountLines(TestSources.MiniLm));

        AssertDiagnostic(diagnostic, "LANCE005", "Source(\"Nope\")", line: 3);
    }

    [Fact]
    public void Source_naming_one_of_two_vectors_binds_each()
    {
        var run = GeneratorHarness.Run(TestSources.Doc + """
            public partial record Pair : ILanceModel
            {
                [Source(nameof(TitleVector))] public string Title { get; init; } = "";
                [Source(nameof(BodyVector))] public string Body { get; init; } = "";
                [Vector(typeof(MiniLm))] public float[]? TitleVector { get; init; }
                [Vector(typeof(MiniLm))] public float[]? BodyVector { get; init; }
            }
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        var source = run.Sources["Pair.LanceModel.g.cs"];
        Assert.Contains("sourceColumn: \"title\",\n            vectorColumn: \"title_vector\"", source, StringComparison.Ordinal);
        Assert.Contains("sourceColumn: \"body\",\n            vectorColumn: \"body_vector\"", source, StringComparison.Ordinal);
    }

    [Fact]
    public void LANCE006_two_members_on_one_column_is_reported_on_the_second()
    {
        var diagnostic = SingleDiagnostic("""
            public partial record Doc : ILanceModel
            {
                public string ImageUri { get; init; } = "";
                [Column("image_uri")] public string Picture { get; init; } = "";
            }
            """);

        AssertDiagnostic(diagnostic, "LANCE006", "Column(\"image_uri\")", line: 4);
        Assert.Contains("which 'ImageUri' already uses", diagnostic.Diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("_distance")]
    [InlineData("_rowid")]
    public void LANCE007_reserved_column_name_is_reported_on_the_Column_attribute(string name)
    {
        var diagnostic = SingleDiagnostic($$"""
            public partial record Doc : ILanceModel
            {
                [Column("{{name}}")] public double Distance { get; init; }
            }
            """);

        AssertDiagnostic(diagnostic, "LANCE007", $"Column(\"{name}\")", line: 3);
    }

    [Fact]
    public void LANCE008_vector_dimension_that_is_not_positive_is_reported_on_the_argument()
    {
        var diagnostic = SingleDiagnostic("""
            public partial record Doc : ILanceModel
            {
                [Vector(0)] public float[]? Vector { get; init; }
            }
            """);

        AssertDiagnostic(diagnostic, "LANCE008", "0", line: 3);
    }

    [Fact]
    public void LANCE009_model_without_a_parameterless_constructor_is_reported_on_the_type_name()
    {
        var diagnostic = SingleDiagnostic("""
            public partial record Doc(long Id) : ILanceModel;
            """);

        AssertDiagnostic(diagnostic, "LANCE009", "Doc", line: 1);
    }

    [Fact]
    public void LANCE003_function_backed_vector_of_Half_is_reported_on_the_attribute()
    {
        var diagnostic = SingleDiagnostic(TestSources.MiniLm + """
            public partial record Doc : ILanceModel
            {
                [Source] public string Text { get; init; } = "";
                [Vector(typeof(MiniLm))] public Half[]? Vector { get; init; }
            }
            """, skipLines: CountLines(TestSources.MiniLm));

        Assert.Equal("LANCE003", diagnostic.Diagnostic.Id);
        Assert.Contains("an embedding function computes float vectors", diagnostic.Diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void LANCE010_dimension_given_twice_and_disagreeing_is_reported_on_the_attribute()
    {
        var diagnostic = SingleDiagnostic(TestSources.MiniLm + """
            public partial record Doc : ILanceModel
            {
                [Source] public string Text { get; init; } = "";
                [Vector(typeof(MiniLm), 512)] public float[]? Vector { get; init; }
            }
            """, skipLines: CountLines(TestSources.MiniLm));

        AssertDiagnostic(diagnostic, "LANCE010", "Vector(typeof(MiniLm), 512)", line: 4);
        Assert.Contains("declares 512 dimensions but its embedding function 'MiniLm' produces 384", diagnostic.Diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void LANCE010_is_not_reported_when_the_two_dimensions_agree()
    {
        var run = GeneratorHarness.Run(TestSources.Usings + TestSources.MiniLm + """
            public partial record Doc : ILanceModel
            {
                [Source] public string Text { get; init; } = "";
                [Vector(typeof(MiniLm), 384)] public float[]? Vector { get; init; }
            }
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationProblems);
    }

    [Fact]
    public void LANCE011_nested_type_that_is_not_a_model_is_reported_on_the_member_type()
    {
        var diagnostic = SingleDiagnostic("""
            public record Address { public string City { get; init; } = ""; }
            public partial record Person : ILanceModel
            {
                public Address Home { get; init; } = new();
            }
            """);

        AssertDiagnostic(diagnostic, "LANCE011", "Address", line: 4);
        Assert.Contains("'Person.Home' holds 'Address', which is not a Lance model", diagnostic.Diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("public partial record Address : ILanceModel", diagnostic.Diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void LANCE011_list_of_a_type_that_is_not_a_model_is_reported()
    {
        var diagnostic = SingleDiagnostic("""
            public class Address { public string City { get; set; } = ""; }
            public partial record Person : ILanceModel
            {
                public List<Address> Homes { get; init; } = [];
            }
            """);

        AssertDiagnostic(diagnostic, "LANCE011", "List<Address>", line: 4);
    }

    [Fact]
    public void LANCE012_AsInteger_on_a_member_that_is_not_an_enum_is_reported_on_the_Column_attribute()
    {
        var diagnostic = SingleDiagnostic("""
            public partial record Doc : ILanceModel
            {
                [Column(AsInteger = true)] public string Kind { get; init; } = "";
            }
            """);

        AssertDiagnostic(diagnostic, "LANCE012", "Column(AsInteger = true)", line: 3);
        Assert.Contains("AsInteger applies to enum members only", diagnostic.Diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void LANCE012_decimal_scale_beyond_its_precision_is_reported()
    {
        var diagnostic = SingleDiagnostic("""
            public partial record Doc : ILanceModel
            {
                [Column(Precision = 4, Scale = 6)] public decimal Price { get; init; }
            }
            """);

        AssertDiagnostic(diagnostic, "LANCE012", "Column(Precision = 4, Scale = 6)", line: 3);
        Assert.Contains("Scale = 6 is outside 0 to 4", diagnostic.Diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void LANCE013_a_key_on_a_vector_is_reported()
    {
        var diagnostic = SingleDiagnostic("""
            public partial record Doc : ILanceModel
            {
                [Key, Vector(4)] public float[] Embedding { get; init; } = [];
            }
            """);

        AssertDiagnostic(diagnostic, "LANCE013", "Embedding", line: 3);
        Assert.Contains("a key must be a number, string", diagnostic.Diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void LANCE013_a_key_on_a_list_is_reported()
    {
        var diagnostic = SingleDiagnostic("""
            public partial record Doc : ILanceModel
            {
                [Key] public List<string> Tags { get; init; } = [];
            }
            """);

        AssertDiagnostic(diagnostic, "LANCE013", "Tags", line: 3);
    }

    [Fact]
    public void Every_descriptor_is_catalogued_in_AnalyzerReleases_Shipped()
    {
        var shipped = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "Lance.Orm.Generators", "AnalyzerReleases.Shipped.md"));
        var ids = typeof(LanceModelGenerator).Assembly.GetType("Lance.Orm.Generators.Diagnostics.DiagnosticDescriptors")!
            .GetFields().Select(f => ((DiagnosticDescriptor)f.GetValue(null)!).Id).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Contains(id + " |", shipped, StringComparison.Ordinal));
    }

    /// <summary>Runs the generator over a snippet that must produce exactly one diagnostic.</summary>
    /// <param name="body">The snippet (usings are added).</param>
    /// <param name="skipLines">Lines of helper code at the start of the snippet, before the lines a test counts.</param>
    private static Reported SingleDiagnostic(string body, int skipLines = 0)
    {
        var run = GeneratorHarness.Run(TestSources.Usings + body);
        return new Reported(Assert.Single(run.GeneratorDiagnostics), run.Output, CountLines(TestSources.Usings) + skipLines);
    }

    /// <summary>Asserts the id, the text under the squiggle and its 1-based line within the counted snippet.</summary>
    private static void AssertDiagnostic(Reported reported, string id, string squiggle, int line)
    {
        var diagnostic = reported.Diagnostic;
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        // The generator reports file locations that hold no syntax tree (the cached spec keeps
        // none); find the tree by its path to read the text under the squiggle.
        var location = diagnostic.Location;
        var lineSpan = location.GetLineSpan();
        var tree = Assert.Single(reported.Compilation.SyntaxTrees, t => t.FilePath == lineSpan.Path);
        Assert.Equal(squiggle, tree.GetText().ToString(location.SourceSpan));
        Assert.Equal(line, lineSpan.StartLinePosition.Line + 1 - reported.LinesBefore);
    }

    private static int CountLines(string text) => text.Count(c => c == '\n');

    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));

    private sealed record Reported(Diagnostic Diagnostic, Compilation Compilation, int LinesBefore);
}
