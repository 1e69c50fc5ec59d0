using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace Lance.Orm.VectorData.Mapping;

/// <summary>
/// Builds MEVD's collection model for a Lance collection: which CLR types a key, data or vector
/// property may have here (each maps to one Arrow type, see <see cref="ArrowColumnCodec"/>).
/// </summary>
internal sealed class LanceModelBuilder() : CollectionModelBuilder(BuildingOptions)
{
    internal const string SupportedKeyTypes = "long, string, Guid";

    internal const string SupportedVectorTypes = "ReadOnlyMemory<float>, Embedding<float>, float[] (and their nullable forms)";

    private static readonly CollectionModelBuildingOptions BuildingOptions = new()
    {
        RequiresAtLeastOneVector = false,
        SupportsMultipleVectors = true,
    };

    protected override void ValidateKeyProperty(KeyPropertyModel keyProperty)
    {
        base.ValidateKeyProperty(keyProperty);
        var type = keyProperty.Type;
        if (type != typeof(long) && type != typeof(string) && type != typeof(Guid))
        {
            throw new NotSupportedException(
                $"Key property '{keyProperty.ModelName}' has type '{type.Name}'; a Lance collection's key must be one of: {SupportedKeyTypes}.");
        }
    }

    protected override bool IsDataPropertyTypeValid(Type type, [NotNullWhen(false)] out string? supportedTypes)
    {
        supportedTypes = ArrowColumnCodec.SupportedDataTypes;
        return ArrowColumnCodec.IsDataType(type);
    }

    protected override bool IsVectorPropertyTypeValid(Type type, [NotNullWhen(false)] out string? supportedTypes)
    {
        supportedTypes = SupportedVectorTypes;
        return ArrowColumnCodec.IsVectorType(type);
    }
}
