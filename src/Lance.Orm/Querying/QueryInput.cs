namespace Lance.Orm;

/// <summary>
/// What a search looks for: text or an image (embedded by the table's embedding function when the
/// query runs), a vector, or several vectors. <c>table.Search(QueryInput.FromImage(image))</c> is
/// <c>table.Search(image)</c>.
/// </summary>
public sealed class QueryInput
{
    private QueryInput(QueryInputKind kind, string? text, ReadOnlyMemory<float> vector, Image? image, IReadOnlyList<ReadOnlyMemory<float>>? vectors = null)
    {
        Kind = kind;
        Text = text;
        Vector = vector;
        Image = image;
        Vectors = vectors ?? [];
    }

    /// <summary>Which of <see cref="Text"/>, <see cref="Vector"/> and <see cref="Image"/> this input holds.</summary>
    public QueryInputKind Kind { get; }

    /// <summary>The text, for <see cref="QueryInputKind.Text"/>; null otherwise.</summary>
    public string? Text { get; }

    /// <summary>The vector, for <see cref="QueryInputKind.Vector"/>; empty otherwise.</summary>
    public ReadOnlyMemory<float> Vector { get; }

    /// <summary>The image, for <see cref="QueryInputKind.Image"/>; null otherwise.</summary>
    public Image? Image { get; }

    /// <summary>The query vectors in order (a row's <c>query_index</c> is its vector's position here), for <see cref="QueryInputKind.Vectors"/>; empty otherwise.</summary>
    public IReadOnlyList<ReadOnlyMemory<float>> Vectors { get; }

    /// <summary>Text to embed.</summary>
    public static QueryInput FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new(QueryInputKind.Text, text, default, null);
    }

    /// <summary>A query vector; its length must be the column's dimension.</summary>
    public static QueryInput FromVector(ReadOnlyMemory<float> vector) => new(QueryInputKind.Vector, null, vector, null);

    /// <summary>
    /// Several query vectors searched in one call, as LanceDB's multi-vector query
    /// (<c>nearestTo(v0).addQueryVector(v1)</c>): each gets its own limit and offset, and each result row
    /// carries the position of its vector in a <c>query_index</c> column. Each vector's length must be
    /// the column's dimension.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="vectors"/> is empty.</exception>
    public static QueryInput FromVectors(IEnumerable<ReadOnlyMemory<float>> vectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        var list = vectors.ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException("A search with several query vectors needs at least one vector; the list is empty.", nameof(vectors));
        }

        return new(QueryInputKind.Vectors, null, default, null, list);
    }

    /// <inheritdoc cref="FromVectors(IEnumerable{ReadOnlyMemory{float}})"/>
    public static QueryInput FromVectors(IEnumerable<float[]> vectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        return FromVectors(vectors.Select((v, i) => v is null
            ? throw new ArgumentException($"Query vector {i} is null.", nameof(vectors))
            : new ReadOnlyMemory<float>(v)));
    }

    /// <summary>An image to embed (the column's function must embed images, as <c>open-clip</c> and <c>resnet18</c> do).</summary>
    public static QueryInput FromImage(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new(QueryInputKind.Image, null, default, image);
    }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        QueryInputKind.Text => $"text '{Text}'",
        QueryInputKind.Image => $"image '{Image!.Description}'",
        QueryInputKind.Vectors => $"{Vectors.Count} vectors of {Vectors[0].Length} floats",
        _ => $"a vector of {Vector.Length} floats",
    };
}
