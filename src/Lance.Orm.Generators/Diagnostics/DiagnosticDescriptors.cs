using Microsoft.CodeAnalysis;

namespace Lance.Orm.Generators.Diagnostics;

/// <summary>
/// Every diagnostic the generator reports, one descriptor per rule. Ids are stable: they are
/// catalogued in AnalyzerReleases.Shipped.md and users suppress them by id.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "Lance.Orm";

    public static readonly DiagnosticDescriptor ModelNotPartial = new(
        id: "LANCE001",
        title: "Lance model must be partial",
        messageFormat: "'{0}' implements ILanceModel but '{1}' is not partial; add the 'partial' modifier so the generator can complete it",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedMemberType = new(
        id: "LANCE002",
        title: "Unsupported member type",
        messageFormat: "'{0}.{1}' has type '{2}', which Lance.Orm cannot map to a column; use one of long, int, short, sbyte, ulong, uint, ushort, byte, " +
            "float, double, Half, decimal, bool, string, byte[], Guid, DateTime, DateTimeOffset, DateOnly, TimeOnly, TimeSpan, an enum, another Lance model " +
            "(each optionally nullable), a T[] or List<T> of numbers, strings or Lance models, or float[], ReadOnlyMemory<float>, Half[] or byte[] with [Vector]; " +
            "or mark the member [Ignore]",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor VectorOnNonVector = new(
        id: "LANCE003",
        title: "[Vector] on a member that cannot hold a vector",
        messageFormat: "'{0}.{1}' has [Vector] but its type is '{2}'; {3}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidEmbeddingFunction = new(
        id: "LANCE004",
        title: "Invalid embedding function type",
        messageFormat: "'{0}' cannot compute '{1}.{2}': {3}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SourceVectorMismatch = new(
        id: "LANCE005",
        title: "Embedding source and vector do not match",
        messageFormat: "{0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateColumn = new(
        id: "LANCE006",
        title: "Two members map to one column",
        messageFormat: "'{0}.{1}' maps to column '{2}', which '{3}' already uses; give one of them another name with [Column(\"...\")]",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ReservedColumnName = new(
        id: "LANCE007",
        title: "Reserved or invalid column name",
        messageFormat: "'{0}.{1}' maps to column '{2}', {3}; choose another name with [Column(\"...\")]",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidVectorDimension = new(
        id: "LANCE008",
        title: "Vector dimension must be positive",
        messageFormat: "'{0}.{1}' has [Vector({2})]; give the number of elements in each vector, such as [Vector(384)]",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NoParameterlessConstructor = new(
        id: "LANCE009",
        title: "Lance model needs a parameterless constructor",
        messageFormat: "'{0}' has no parameterless constructor (or is abstract), so rows cannot be read back into it; " +
            "add one, or use init properties instead of a primary constructor",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DimensionMismatch = new(
        id: "LANCE010",
        title: "Vector dimension given twice and disagreeing",
        messageFormat: "'{0}.{1}' declares {2} dimensions but its embedding function '{3}' produces {4}; remove the number from [Vector] or make it {4}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NestedTypeNotModel = new(
        id: "LANCE011",
        title: "Nested type is not a Lance model",
        messageFormat: "'{0}.{1}' holds '{2}', which is not a Lance model, so it cannot be stored as a struct column; declare it 'partial' and list ILanceModel " +
            "(public partial record {2} : ILanceModel), or mark the member [Ignore]",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidColumnOption = new(
        id: "LANCE012",
        title: "Column option does not fit the member",
        messageFormat: "'{0}.{1}' has [Column] options that do not fit it: {2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidKey = new(
        id: "LANCE013",
        title: "Key member is not a scalar column",
        messageFormat: "'{0}.{1}' is marked [Key] but is {2}; a key must be a number, string, bool, enum, Guid or date/time member (not a vector, list, binary or nested model)",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);
}
