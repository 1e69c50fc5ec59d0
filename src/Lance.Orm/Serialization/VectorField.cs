using System.ComponentModel;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm.Serialization;

/// <summary>
/// The Arrow shape of a vector column as LanceDB makes it: <c>fixed_size_list&lt;item: float32&gt;[dim]</c>,
/// nullable, with nullable items. Called by generated <see cref="ILanceModel{TSelf}.ArrowSchema"/> code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class VectorField
{
    /// <summary>The field of a vector column named <paramref name="name"/> of <paramref name="dimensions"/> floats.</summary>
    /// <param name="name">The column name.</param>
    /// <param name="dimensions">The number of floats in each vector.</param>
    public static Field Create(string name, int dimensions) => new(name, CreateType(dimensions), nullable: true);

    /// <summary>The Arrow type of vectors of <paramref name="dimensions"/> floats.</summary>
    /// <param name="dimensions">The number of floats in each vector.</param>
    public static FixedSizeListType CreateType(int dimensions)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        return new FixedSizeListType(new Field("item", FloatType.Default, nullable: true), dimensions);
    }
}
