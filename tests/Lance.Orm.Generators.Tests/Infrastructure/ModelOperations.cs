using System.Collections;
using System.Reflection;
using Apache.Arrow;

namespace Lance.Orm.Generators.Tests.Infrastructure;

/// <summary>Calls a compiled model's static <see cref="ILanceModel{TSelf}"/> members the way Table&lt;T&gt; will.</summary>
internal static class ModelOperations
{
    public static RecordBatch Write(Type model, System.Array rows) => (RecordBatch)Invoke(nameof(WriteCore), model, rows)!;

    public static IList Read(Type model, RecordBatch batch) => (IList)Invoke(nameof(ReadCore), model, batch)!;

    public static Schema Schema(Type model) => (Schema)Invoke(nameof(SchemaCore), model)!;

    public static IReadOnlyList<EmbeddingBinding> Bindings(Type model) => (IReadOnlyList<EmbeddingBinding>)Invoke(nameof(BindingsCore), model)!;

    private static RecordBatch WriteCore<T>(T[] rows)
        where T : ILanceModel<T> => T.ToRecordBatch(rows);

    private static List<T> ReadCore<T>(RecordBatch batch)
        where T : ILanceModel<T>
    {
        var rows = new List<T>();
        T.ReadRecordBatch(batch, rows);
        return rows;
    }

    private static Schema SchemaCore<T>()
        where T : ILanceModel<T> => T.ArrowSchema;

    private static IReadOnlyList<EmbeddingBinding> BindingsCore<T>()
        where T : ILanceModel<T> => T.EmbeddingBindings;

    private static object? Invoke(string method, Type model, params object[] arguments)
    {
        try
        {
            return typeof(ModelOperations).GetMethod(method, BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(model).Invoke(null, arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    /// <summary>Public instance properties of <paramref name="row"/> by name, vectors as lists so they compare by value.</summary>
    public static Dictionary<string, object?> Values(object row) =>
        row.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0)
            .ToDictionary(p => p.Name, p => p.GetValue(row) is float[] vector ? (object)vector.ToList() : p.GetValue(row));
}
