namespace Lance.Orm;

/// <summary>
/// An embedding function that embeds images: image-only models (ResNet) and multimodal ones (CLIP,
/// whose text queries land in the same space). A <c>[Source]</c> column of image URIs (strings) is
/// passed to <see cref="IEmbeddingFunction.ComputeSourceEmbeddingsAsync"/> as URIs; a column of
/// image bytes (<c>byte[]</c>) comes here.
/// </summary>
public interface IImageEmbeddingFunction : IEmbeddingFunction
{
    /// <summary>Embeds images (one batch; the caller splits large inputs).</summary>
    Task<float[][]> ComputeImageEmbeddingsAsync(IReadOnlyList<Image> images, CancellationToken cancellationToken = default);
}
