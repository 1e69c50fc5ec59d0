using System.Collections.Generic;
using System.Linq;
using Lance.Orm.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Lance.Orm.Generators.Diagnostics;

/// <summary>
/// Checks a <see cref="ModelSpec"/> against the rules (LANCE001–LANCE013) and plans what to emit.
/// An invalid member is reported and left out, so one mistake yields one error rather than a
/// cascade of compiler errors in generated code.
/// </summary>
internal static class ModelValidator
{
    private static readonly string[] ReservedColumns = ["_distance", "_rowid"];

    /// <summary>Validates <paramref name="spec"/>; returns the plan, or null when nothing can be emitted.</summary>
    public static ModelPlan? Validate(ModelSpec spec, List<Diagnostic> diagnostics)
    {
        var canEmit = true;
        if (!spec.IsPartial)
        {
            diagnostics.Add(Create(DiagnosticDescriptors.ModelNotPartial, spec.Location, spec.Name, spec.NonPartialTypeName));
            canEmit = false;
        }

        if (!spec.HasParameterlessConstructor)
        {
            diagnostics.Add(Create(DiagnosticDescriptors.NoParameterlessConstructor, spec.Location, spec.Name));
            canEmit = false;
        }

        var columns = new List<ColumnPlan>();
        var byColumn = new Dictionary<string, MemberSpec>();
        foreach (var member in spec.Members)
        {
            if (PlanColumn(spec, member, diagnostics) is not { } column)
            {
                continue;
            }

            var at = member.ColumnAttributeLocation ?? member.Location;
            if (string.IsNullOrWhiteSpace(member.ColumnName))
            {
                diagnostics.Add(Create(DiagnosticDescriptors.ReservedColumnName, at, spec.Name, member.Name, member.ColumnName, "which is empty"));
            }
            else if (ReservedColumns.Contains(member.ColumnName))
            {
                diagnostics.Add(Create(DiagnosticDescriptors.ReservedColumnName, at, spec.Name, member.Name, member.ColumnName,
                    "which Lance reserves for its own results"));
            }
            else if (byColumn.TryGetValue(member.ColumnName, out var first))
            {
                diagnostics.Add(Create(DiagnosticDescriptors.DuplicateColumn, at, spec.Name, member.Name, member.ColumnName, first.Name));
            }
            else
            {
                byColumn.Add(member.ColumnName, member);
                columns.Add(column);
            }
        }

        var bindings = PlanBindings(spec, columns, diagnostics);
        return canEmit ? new ModelPlan(spec, columns, bindings) : null;
    }

    private const int DefaultPrecision = 38;
    private const int DefaultScale = 18;

    private static ColumnPlan? PlanColumn(ModelSpec spec, MemberSpec member, List<Diagnostic> diagnostics)
    {
        if (!OptionsFit(spec, member, diagnostics))
        {
            return null;
        }

        if (member.IsKey && (member.Vector is not null || member.Type.Shape is not (TypeShape.Primitive or TypeShape.String or TypeShape.Converted or TypeShape.Enum or TypeShape.Boolean)))
        {
            diagnostics.Add(Create(DiagnosticDescriptors.InvalidKey, member.Location, spec.Name, member.Name, member.TypeDisplay));
            return null;
        }

        if (member.Vector is { } vector)
        {
            if (member.Type.VectorElement is not { } element)
            {
                diagnostics.Add(Create(DiagnosticDescriptors.VectorOnNonVector, vector.Location, spec.Name, member.Name, member.TypeDisplay,
                    "declare it as float[], ReadOnlyMemory<float>, Half[] or byte[] (each optionally nullable), or remove [Vector]"));
                return null;
            }

            if (vector.Function is { } function)
            {
                if (element != "float")
                {
                    diagnostics.Add(Create(DiagnosticDescriptors.VectorOnNonVector, vector.Location, spec.Name, member.Name, member.TypeDisplay,
                        "an embedding function computes float vectors, so declare it as float[] or ReadOnlyMemory<float>, or give a dimension instead of a function"));
                    return null;
                }

                var problems = function.IsGenerator && !function.ImplementsInterface
                    ? GeneratorProblems(function, vector)
                    : FunctionProblems(function);
                if (problems.Count > 0)
                {
                    diagnostics.Add(Create(DiagnosticDescriptors.InvalidEmbeddingFunction, vector.ArgumentLocation,
                        function.DisplayName, spec.Name, member.Name, string.Join("; ", problems)));
                    return null;
                }

                if (function.IsGenerator && !function.ImplementsInterface && function.Dimensions == 0)
                {
                    // A Microsoft.Extensions.AI generator states no size of its own: the attribute's is the column's.
                    return new ColumnPlan(member, vector.Dimensions);
                }

                if (vector.Dimensions != 0 && vector.Dimensions != function.Dimensions)
                {
                    diagnostics.Add(Create(DiagnosticDescriptors.DimensionMismatch, vector.Location, spec.Name, member.Name, vector.Dimensions,
                        function.DisplayName, function.Dimensions));
                    return null;
                }

                return new ColumnPlan(member, function.Dimensions);
            }

            if (vector.Dimensions <= 0)
            {
                diagnostics.Add(Create(DiagnosticDescriptors.InvalidVectorDimension, vector.ArgumentLocation, spec.Name, member.Name, vector.Dimensions));
                return null;
            }

            return new ColumnPlan(member, vector.Dimensions);
        }

        switch (member.Type.Shape)
        {
            case TypeShape.NotAModel:
                var nested = member.Type.Element?.ClrType ?? member.Type.ClrType;
                diagnostics.Add(Create(DiagnosticDescriptors.NestedTypeNotModel, member.TypeLocation, spec.Name, member.Name,
                    nested.Replace("global::", "")));
                return null;
            case TypeShape.Unsupported or TypeShape.Memory:
                diagnostics.Add(Create(DiagnosticDescriptors.UnsupportedMemberType, member.TypeLocation, spec.Name, member.Name, member.TypeDisplay));
                return null;
            case TypeShape.Decimal:
                return new ColumnPlan(member, 0, member.Options.Precision ?? DefaultPrecision, member.Options.Scale ?? DefaultScale);
            default:
                return new ColumnPlan(member, 0);
        }
    }

    private static bool OptionsFit(ModelSpec spec, MemberSpec member, List<Diagnostic> diagnostics)
    {
        var options = member.Options;
        string? problem = null;
        if (options.AsInteger && member.Type.Shape != TypeShape.Enum)
        {
            problem = "AsInteger applies to enum members only; remove it";
        }
        else if ((options.Precision is not null || options.Scale is not null) && member.Type.Shape != TypeShape.Decimal)
        {
            problem = "Precision and Scale apply to decimal members only; remove them";
        }
        else if (options.Precision is < 1 or > 38)
        {
            problem = $"Precision = {options.Precision} is outside 1 to 38 (the digits a decimal128 holds)";
        }
        else if (options.Scale is { } scale && (scale < 0 || scale > 28 || scale > (options.Precision ?? DefaultPrecision)))
        {
            problem = $"Scale = {scale} is outside 0 to {System.Math.Min(28, options.Precision ?? DefaultPrecision)} (at most the precision, and at most 28 digits after the point as System.Decimal holds)";
        }

        if (problem is null)
        {
            return true;
        }

        diagnostics.Add(Create(DiagnosticDescriptors.InvalidColumnOption, member.ColumnAttributeLocation ?? member.Location, spec.Name, member.Name, problem));
        return false;
    }

    private static List<string> GeneratorProblems(FunctionSpec function, VectorSpec vector)
    {
        var problems = new List<string>();
        if (function.Dimensions <= 0 && vector.Dimensions <= 0)
        {
            problems.Add($"an embedding generator does not declare its size; give it: [Vector(typeof({function.DisplayName}), N)] (the number of floats in each embedding)");
        }

        return problems;
    }

    private static List<string> FunctionProblems(FunctionSpec function)
    {
        var problems = new List<string>();
        if (function.RegistryName is null)
        {
            problems.Add($"it has no [EmbeddingFunction(\"name\", Dimensions = N)] attribute; add one with its registry name and dimension");
        }
        else if (function.Dimensions <= 0)
        {
            problems.Add($"its [EmbeddingFunction] attribute gives no positive Dimensions; set Dimensions = N (the number of floats in each embedding)");
        }

        if (!function.ImplementsInterface)
        {
            problems.Add("it does not implement Lance.Orm.IEmbeddingFunction; implement it");
        }

        if (!function.HasPublicParameterlessConstructor)
        {
            problems.Add("it has no public parameterless constructor (or is abstract); add one so tables can create it");
        }

        return problems;
    }

    private static List<BindingPlan> PlanBindings(ModelSpec spec, List<ColumnPlan> columns, List<Diagnostic> diagnostics)
    {
        // Vectors with a function count as targets even when the function was rejected (LANCE004),
        // so that a [Source] pointing at them does not add a second error.
        var functionVectors = spec.Members.Where(static m => m.Type.VectorElement is not null && m.Vector?.Function is not null).ToList();
        var valid = columns.Where(static c => c.Member.Vector?.Function is not null).ToDictionary(static c => c.Member.Name);
        var fed = new Dictionary<string, MemberSpec>();
        var bindings = new List<BindingPlan>();

        foreach (var source in spec.Members.Where(static m => m.Source is not null))
        {
            var at = source.Source!.Location;
            // Text or an image URI (string), or image bytes (byte[], stored as binary) for image functions.
            if (source.Type.Shape is not (TypeShape.String or TypeShape.Binary) || source.Vector is not null)
            {
                diagnostics.Add(Mismatch(at,
                    $"'{spec.Name}.{source.Name}' has [Source] but is of type '{source.TypeDisplay}'; an embedding source must be a string member (text or an image URI) or a byte[] member (image bytes)"));
                continue;
            }

            MemberSpec? target;
            if (source.Source.VectorMember is not { } named)
            {
                if (functionVectors.Count != 1)
                {
                    diagnostics.Add(Mismatch(at, functionVectors.Count == 0
                        ? $"'{spec.Name}.{source.Name}' has [Source] but '{spec.Name}' has no vector computed by an embedding function; " +
                          "add [Vector(typeof(YourFunction))] to a float[] or ReadOnlyMemory<float> member, or remove [Source]"
                        : $"'{spec.Name}.{source.Name}' has [Source] but '{spec.Name}' has several function-backed vectors " +
                          $"({string.Join(", ", functionVectors.Select(static v => v.Name))}); name one: [Source(nameof({functionVectors[0].Name}))]"));
                    continue;
                }

                target = functionVectors[0];
            }
            else if ((target = functionVectors.FirstOrDefault(v => v.Name == named)) is null)
            {
                diagnostics.Add(Mismatch(at,
                    $"'{spec.Name}.{source.Name}' has [Source(\"{named}\")] but '{spec.Name}' has no vector member '{named}' computed by an embedding function; " +
                    $"name a float[] member with [Vector(typeof(YourFunction))]"));
                continue;
            }

            if (fed.TryGetValue(target.Name, out var previous))
            {
                diagnostics.Add(Mismatch(at,
                    $"'{spec.Name}.{target.Name}' is already fed by '{previous.Name}'; an embedding function reads one source, so remove one of the [Source] attributes"));
                continue;
            }

            fed.Add(target.Name, source);
            if (valid.TryGetValue(target.Name, out var vector) && columns.Any(c => c.Member == source))
            {
                bindings.Add(new BindingPlan(source, vector.Member, vector.Member.Vector!.Function!, vector.Dimensions));
            }
        }

        foreach (var vector in functionVectors.Where(v => !fed.ContainsKey(v.Name)))
        {
            diagnostics.Add(Mismatch(vector.Vector!.Location,
                $"'{spec.Name}.{vector.Name}' is computed by '{vector.Vector.Function!.DisplayName}' but no member feeds it; " +
                $"add [Source] to the string member it embeds"));
        }

        return bindings;
    }

    private static Diagnostic Mismatch(LocationInfo? location, string message) =>
        Create(DiagnosticDescriptors.SourceVectorMismatch, location, message);

    private static Diagnostic Create(DiagnosticDescriptor descriptor, LocationInfo? location, params object?[] arguments) =>
        Diagnostic.Create(descriptor, location?.ToLocation(), arguments);
}
