using Lance.Orm.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Lance.Orm.Generators.Tests;

public sealed class IncrementalTests
{
    [Fact]
    public void An_unrelated_edit_leaves_the_model_spec_cached()
    {
        var compilation = GeneratorHarness.Compile(TestSources.Doc);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("public static class Unrelated { public static int X => 1; }", GeneratorHarness.ParseOptions));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var outputs = result.TrackedSteps[LanceModelGenerator.ModelSpecStep].SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.Contains(o.Reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void Editing_the_model_regenerates_it()
    {
        var compilation = GeneratorHarness.Compile(TestSources.Doc);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.Single();
        var newTree = tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(
            tree.ToString().Replace("public bool Published", "public bool IsPublished", StringComparison.Ordinal)));

        var result = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, newTree)).GetRunResult().Results.Single();

        Assert.Contains("is_published", result.GeneratedSources.Single().SourceText.ToString(), StringComparison.Ordinal);
        Assert.Contains(result.TrackedSteps[LanceModelGenerator.ModelSpecStep].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void Editing_one_model_leaves_the_other_models_spec_cached()
    {
        var compilation = GeneratorHarness.Compile(TestSources.Doc, TestSources.Product);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.First();
        var newTree = tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(
            tree.ToString().Replace("public bool Published", "public bool IsPublished", StringComparison.Ordinal)));

        var result = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, newTree)).GetRunResult().Results.Single();

        var reasons = result.TrackedSteps[LanceModelGenerator.ModelSpecStep].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Contains(IncrementalStepRunReason.Modified, reasons);
        Assert.Contains(reasons, r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
        Assert.Equal(2, result.GeneratedSources.Length);
    }

    [Fact]
    public void Model_specs_hold_no_symbols_or_syntax()
    {
        var run = GeneratorHarness.CreateDriver().RunGenerators(GeneratorHarness.Compile(AllTypesSources.Models)).GetRunResult().Results.Single();

        var specs = run.TrackedSteps[LanceModelGenerator.ModelSpecStep].SelectMany(s => s.Outputs).Select(o => o.Value).ToList();

        Assert.NotEmpty(specs);
        Assert.All(specs, spec => AssertNoRoslynObjects(spec!, depth: 0));
    }

    private static void AssertNoRoslynObjects(object value, int depth)
    {
        Assert.False(value is ISymbol or SyntaxNode or Compilation or SemanticModel, $"{value.GetType()} must not be cached in a spec");
        if (depth > 6 || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum)
        {
            return;
        }

        if (value is System.Collections.IEnumerable items)
        {
            foreach (var item in items)
            {
                if (item is not null)
                {
                    AssertNoRoslynObjects(item, depth + 1);
                }
            }

            return;
        }

        foreach (var property in value.GetType().GetProperties().Where(p => p.GetIndexParameters().Length == 0))
        {
            if (property.GetValue(value) is { } child)
            {
                AssertNoRoslynObjects(child, depth + 1);
            }
        }
    }
}
