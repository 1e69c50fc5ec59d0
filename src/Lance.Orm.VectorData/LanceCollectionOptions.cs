using Microsoft.Extensions.VectorData;

namespace Lance.Orm.VectorData;

/// <summary>Options of a <see cref="LanceCollection{TKey, TRecord}"/>: MEVD's record definition and embedding generator.</summary>
public sealed class LanceCollectionOptions : VectorStoreCollectionOptions
{
    /// <summary>Default options.</summary>
    public LanceCollectionOptions()
    {
    }

    /// <summary>A copy of <paramref name="source"/>.</summary>
    public LanceCollectionOptions(LanceCollectionOptions source) : base(source)
    {
    }

    internal static LanceCollectionOptions Default { get; } = new();
}
