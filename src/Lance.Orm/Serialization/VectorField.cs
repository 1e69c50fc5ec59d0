using System.ComponentModel;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm.Serialization;

/// <summary>
/// The Arrow shape of a vector column as LanceDB makes it: <c>fixed_size_list&lt;item: float32&gt;[dim]</c>
/// (or float16, uint8), nullable, with nullable items. Called by generated <see cref="ILanceModel{TSelf}.ArrowSchema"/> code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class VectorField
{
    /// <summary>The field of a float32 vector column named <paramref name="name"/> of <paramref name="dimensions"/> floats.</summary>
    /// <param name="name">The column name.</param>
    /// <param name="dimensions">The number of floats in each vector.</param>
    public static Field Create(string name, int dimensions) => Create(name, dimensions, FloatType.Default);

    /// <summary>The field of a vector column named <paramref name="name"/> of <paramref name="dimensions"/> elements of <paramref name="elementType"/>.</summary>
    /// <param name="name">The column name.</param>
    /// <param name="dimensions">The number of elements in each vector.</param>
    /// <param name="elementType">The element type (float32, float16 or uint8).</param>
    public static Field Create(string name, int dimensions, IArrowType elementType) => new(name, CreateType(dimensions, elementType), nullable: true);

    /// <summary>The Arrow type of vectors of <paramref name="dimensions"/> floats.</summary>
    /// <param name="dimensions">The number of floats in each vector.</param>
    public static FixedSizeListType CreateType(int dimensions) => CreateType(dimensions, FloatType.Default);

    /// <summary>The Arrow type of vectors of <paramref name="dimensions"/> elements of <paramref name="elementType"/>.</summary>
    /// <param name="dimensions">The number of elements in each vector.</param>
    /// <param name="elementType">The element type.</param>
    public static FixedSizeListType CreateType(int dimensions, IArrowType elementType)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        return new FixedSizeListType(new Field("item", elementType, nullable: true), dimensions);
    }
}
