using System.Collections.Generic;
using System.Linq;
using Lance.Orm.Generators.Model;

namespace Lance.Orm.Generators.Emitting;

/// <summary>
/// Writes a model's <c>BatchView</c>: a <c>ref struct</c> over a record batch whose accessors read
/// values in place (numbers from the value buffer, strings as UTF-8 spans, vectors as spans), for
/// hot loops that should not materialise rows.
/// </summary>
internal static class BatchViewEmitter
{
    private const string Serialization = "global::Lance.Orm.Serialization";
    private static readonly HashSet<string> s_reserved = ["RowCount", "BatchView", "Equals", "GetHashCode", "ToString"];

    public static void Write(SourceWriter writer, ModelPlan plan)
    {
        var spec = plan.Spec;
        var columns = plan.Columns.Select((column, index) => (column, index)).Where(static c => Accessor(c.column) is not null).ToList();
        writer.WriteLine("/// <summary>");
        writer.WriteLine($"/// A zero-copy view of a record batch of <see cref=\"{spec.FullyQualifiedName.Replace('<', '{').Replace('>', '}')}\"/> rows for hot loops:");
        writer.WriteLine("/// each accessor reads one value in place (numbers from the value buffer, strings as UTF-8 spans,");
        writer.WriteLine("/// vectors and lists of numbers as spans) with no row object and no allocation. A column the batch");
        writer.WriteLine("/// lacks (a projection) reads as default or empty. Valid only while the batch is.");
        writer.WriteLine("/// </summary>");
        writer.WriteLine($"public {ModelEmitter.New(plan)}readonly ref struct BatchView");
        writer.OpenBlock();
        foreach (var (column, _) in columns)
        {
            writer.WriteLine($"private readonly {ReaderType(column)} {Field(column)};");
        }

        if (columns.Count > 0)
        {
            writer.WriteLine();
        }

        writer.WriteLine("/// <summary>Opens a view of <paramref name=\"batch\"/>, checking the Arrow type of each column it has.</summary>");
        writer.WriteLine("/// <param name=\"batch\">The record batch.</param>");
        writer.WriteLine("/// <exception cref=\"global::Lance.Orm.LanceSchemaException\">A column has another Arrow type than the model's.</exception>");
        writer.WriteLine("public BatchView(global::Apache.Arrow.RecordBatch batch)");
        writer.OpenBlock();
        writer.WriteLine("global::System.ArgumentNullException.ThrowIfNull(batch);");
        writer.WriteLine("RowCount = batch.Length;");
        foreach (var (column, index) in columns)
        {
            writer.WriteLine($"{Field(column)} = new {ReaderType(column)}({ReaderArguments(spec, column, index)});");
        }

        writer.CloseBlock();
        writer.WriteLine();
        writer.WriteLine("/// <summary>The number of rows in the batch.</summary>");
        writer.WriteLine("public int RowCount { get; }");
        foreach (var (column, _) in columns)
        {
            var member = column.Member;
            var (type, body, description) = Accessor(column)!.Value;
            writer.WriteLine();
            writer.WriteLine($"/// <summary>{description} (column <c>{System.Security.SecurityElement.Escape(member.ColumnName)}</c>) in <paramref name=\"row\"/>.</summary>");
            writer.WriteLine("/// <param name=\"row\">The row index.</param>");
            writer.WriteLine($"public {type} {ModelEmitter.Identifier(member.Name)}(int row) => {Field(column)}.{body};");
            if (member.Type.Shape == TypeShape.String && !column.IsVector)
            {
                writer.WriteLine();
                writer.WriteLine($"/// <summary>The UTF-8 bytes of {member.Name}, read in place (empty for a null), in <paramref name=\"row\"/>.</summary>");
                writer.WriteLine("/// <param name=\"row\">The row index.</param>");
                writer.WriteLine($"public global::System.ReadOnlySpan<byte> {member.Name}Utf8(int row) => {Field(column)}.GetUtf8(row);");
            }
        }

        writer.CloseBlock();
    }

    private static (string Type, string Body, string Description)? Accessor(ColumnPlan column)
    {
        var member = column.Member;
        var type = member.Type;
        if (s_reserved.Contains(member.Name) || s_reserved.Contains(member.Name + "Utf8") || member.Name.EndsWith("Utf8", System.StringComparison.Ordinal))
        {
            return null;
        }

        if (column.IsVector)
        {
            return ($"global::System.ReadOnlySpan<{type.VectorElement}>", "GetSpan(row)", $"The vector {member.Name}, read in place (empty for a null),");
        }

        var nullable = member.IsNullable ? "?" : "";
        var get = member.IsNullable ? "GetNullable(row, null)" : "Get(row, default)";
        return type.Shape switch
        {
            TypeShape.Primitive or TypeShape.Converted or TypeShape.Decimal or TypeShape.Enum or TypeShape.Boolean =>
                ($"{type.ClrType}{nullable}", get, $"The {member.Name} value"),
            TypeShape.String => ($"string{nullable}", member.IsNullable ? "GetNullable(row, null)" : "Get(row, \"\")",
                $"The {member.Name} value, decoded (allocates; see {member.Name}Utf8)"),
            TypeShape.Binary => ("global::System.ReadOnlySpan<byte>", "GetSpan(row)", $"The bytes of {member.Name}, read in place (empty for a null),"),
            TypeShape.List when type.Element!.Shape == TypeShape.Primitive =>
                ($"global::System.ReadOnlySpan<{type.Element.ClrType}>", "GetSpan(row)", $"The elements of {member.Name}, read in place (empty for a null),"),
            _ => null,
        };
    }

    private static string Field(ColumnPlan column) => "_" + ModelEmitter.Local(column, "");

    private static string ReaderType(ColumnPlan column) => ModelEmitter.ReaderTypeOf(column);

    private static string ReaderArguments(ModelSpec spec, ColumnPlan column, int index) => ModelEmitter.ReaderArgumentsOf(spec, column, index);
}
