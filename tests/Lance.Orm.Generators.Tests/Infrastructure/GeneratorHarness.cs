using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Lance.Orm.Generators.Tests.Infrastructure;

/// <summary>Compiles test sources against the real Lance.Orm and runs the generator over them.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    public static ImmutableArray<MetadataReference> References => s_references.Value;

    public static CSharpCompilation Compile(params string[] sources) =>
        Compile("TestModels", References, sources);

    public static CSharpCompilation Compile(string assemblyName, IEnumerable<MetadataReference> references, params string[] sources) =>
        CSharpCompilation.Create(
            assemblyName,
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Model{i}.cs")),
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            [new LanceModelGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator; returns the generated sources, the generator's diagnostics and the updated compilation.</summary>
    public static GeneratorRun Run(params string[] sources)
    {
        var compilation = Compile(sources);
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var result = driver.GetRunResult().Results.Single();
        return new GeneratorRun(
            result.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString()),
            generatorDiagnostics,
            output);
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        // Everything the test host itself runs on: the framework, Lance.Orm, Lance.Engine, Apache.Arrow.
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).ToHashSet(StringComparer.Ordinal);
        paths.Add(typeof(ILanceModel).Assembly.Location);
        paths.Add(typeof(LanceSchemaException).Assembly.Location);
        paths.Add(typeof(Apache.Arrow.Schema).Assembly.Location);
        return [.. paths.Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)).Select(p => MetadataReference.CreateFromFile(p))];
    }
}

/// <summary>The outcome of one generator run.</summary>
internal sealed record GeneratorRun(
    IReadOnlyDictionary<string, string> Sources,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    Compilation Output)
{
    /// <summary>Warnings and errors of the whole compilation after generation (user code and generated code).</summary>
    public IReadOnlyList<Diagnostic> CompilationProblems =>
        Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();

    public string SingleSource => Sources.Values.Single();
}
