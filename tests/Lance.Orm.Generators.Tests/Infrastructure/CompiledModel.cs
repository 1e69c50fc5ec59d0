using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;

namespace Lance.Orm.Generators.Tests.Infrastructure;

/// <summary>
/// Test sources plus their generated code, compiled to memory and loaded into a collectible
/// context that shares Lance.Orm and Apache.Arrow with the test, so rows and batches cross over.
/// </summary>
internal sealed class CompiledModel : IDisposable
{
    private readonly LoadContext _context;

    private CompiledModel(LoadContext context, Assembly assembly)
    {
        _context = context;
        Assembly = assembly;
    }

    public Assembly Assembly { get; }

    /// <summary>Runs the generator over <paramref name="source"/>, requires a clean compilation, loads the result.</summary>
    public static CompiledModel Load(string source, params Compilation[] dependencies)
    {
        var context = new LoadContext();
        var references = GeneratorHarness.References.ToList();
        foreach (var dependency in dependencies)
        {
            var image = EmitClean(dependency);
            context.Add(dependency.AssemblyName!, image);
            references.Add(MetadataReference.CreateFromImage(image));
        }

        var compilation = GeneratorHarness.Compile("TestModels" + Guid.NewGuid().ToString("N"), references, source);
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        var assembly = context.LoadFromStream(new MemoryStream(EmitClean(output)));
        return new CompiledModel(context, assembly);
    }

    public static byte[] EmitClean(Compilation compilation)
    {
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        var problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(result.Success && problems.Count == 0, "Compilation failed or warned:\n" + string.Join("\n", problems));
        return stream.ToArray();
    }

    public Type Type(string name) => Assembly.GetType(name, throwOnError: true)!;

    /// <summary>Calls a public static method of a compiled type, unwrapping exceptions it throws.</summary>
    public object? Call(string type, string method, params object?[] arguments)
    {
        try
        {
            return Type(type).GetMethod(method, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    public void Dispose() => _context.Unload();

    private sealed class LoadContext() : AssemblyLoadContext("LanceGeneratorTest", isCollectible: true)
    {
        private readonly Dictionary<string, byte[]> _images = new(StringComparer.Ordinal);

        public void Add(string name, byte[] image) => _images[name] = image;

        protected override Assembly? Load(AssemblyName assemblyName) =>
            assemblyName.Name is { } name && _images.TryGetValue(name, out var image) ? LoadFromStream(new MemoryStream(image)) : null;
    }
}
