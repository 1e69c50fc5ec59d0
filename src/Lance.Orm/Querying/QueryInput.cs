namespace Lance.Orm;

/// <summary>
/// What a search looks for: text or an image (embedded by the table's embedding function when the
/// query runs) or a vector. <c>table.Search(QueryInput.FromImage(image))</c> is
/// <c>table.Search(image)</c>.
/// </summary>
public sealed class QueryInput
{
    private QueryInput(QueryInputKind kind, string? text, ReadOnlyMemory<float> vector, Image? image)
    {
        Kind = kind;
        Text = text;
        Vector = vector;
        Image = image;
    }

    /// <summary>Which of <see cref="Text"/>, <see cref="Vector"/> and <see cref="Image"/> this input holds.</summary>
    public QueryInputKind Kind { get; }

    /// <summary>The text, for <see cref="QueryInputKind.Text"/>; null otherwise.</summary>
    public string? Text { get; }

    /// <summary>The vector, for <see cref="QueryInputKind.Vector"/>; empty otherwise.</summary>
    public ReadOnlyMemory<float> Vector { get; }

    /// <summary>The image, for <see cref="QueryInputKind.Image"/>; null otherwise.</summary>
    public Image? Image { get; }

    /// <summary>Text to embed.</summary>
    public static QueryInput FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new(QueryInputKind.Text, text, default, null);
    }

    /// <summary>A query vector; its length must be the column's dimension.</summary>
    public static QueryInput FromVector(ReadOnlyMemory<float> vector) => new(QueryInputKind.Vector, null, vector, null);

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
        _ => $"a vector of {Vector.Length} floats",
    };
}
