using System.Collections.Generic;
using Lance.Orm.Generators.Diagnostics;
using Lance.Orm.Generators.Emitting;
using Lance.Orm.Generators.Model;
using Lance.Orm.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Lance.Orm.Generators;

/// <summary>
/// Completes every <c>partial</c> record or class that lists <c>Lance.Orm.ILanceModel</c> with its
/// <c>ILanceModel&lt;TSelf&gt;</c> members: Arrow schema, embedding bindings and row serializers.
/// Parse (symbols → equatable <see cref="ModelSpec"/>), validate (LANCE0xx diagnostics), emit.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class LanceModelGenerator : IIncrementalGenerator
{
    /// <summary>The tracking name of the step that turns declarations into specs (used by caching tests).</summary>
    public const string ModelSpecStep = "LanceModelSpec";

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var models = context.SyntaxProvider
            .CreateSyntaxProvider(ModelParser.IsCandidate, ModelParser.Parse)
            .Where(static spec => spec is not null)
            .WithTrackingName(ModelSpecStep);

        context.RegisterSourceOutput(models, static (output, spec) => Generate(output, spec!));
    }

    private static void Generate(SourceProductionContext context, ModelSpec spec)
    {
        var diagnostics = new List<Diagnostic>();
        var plan = ModelValidator.Validate(spec, diagnostics);
        foreach (var diagnostic in diagnostics)
        {
            context.ReportDiagnostic(diagnostic);
        }

        if (plan is not null)
        {
            context.AddSource(spec.HintName, SourceText.From(ModelEmitter.Emit(plan), System.Text.Encoding.UTF8));
        }
    }
}
