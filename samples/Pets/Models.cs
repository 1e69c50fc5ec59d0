using Lance.Orm;
using Lance.Orm.Embeddings;

namespace Pets;

/// <summary>
/// OpenCLIP, from the export folder named by LANCE_ORM_OPEN_CLIP_PATH (no CLIP weights ship:
/// bring your own export, see README.md). Naming the model type is all it takes.
/// </summary>
public sealed class Clip : OpenClip;

/// <summary>The LanceDB docs' Pets model: the image is embedded from its URI, text and images search it.</summary>
public partial record Pets : ILanceModel
{
    [Vector(typeof(Clip))] public float[]? Vector { get; init; }

    [Source] public string ImageUri { get; init; } = "";

    public string Name { get; init; } = "";

    /// <summary>The picture itself, as the Python model's <c>image</c> property opens it.</summary>
    public Image Image() => Lance.Orm.Image.FromUri(ImageUri);
}

/// <summary>The same idea with the ResNet-18 weights that ship: image-to-image search out of the box.</summary>
public partial record PetPhoto : ILanceModel
{
    [Vector(typeof(ResNet18))] public float[]? Vector { get; init; }

    [Source] public string ImageUri { get; init; } = "";

    public string Name { get; init; } = "";

    public Image Image() => Lance.Orm.Image.FromUri(ImageUri);
}
