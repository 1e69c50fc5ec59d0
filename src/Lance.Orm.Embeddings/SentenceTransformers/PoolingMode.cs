namespace Lance.Orm.Embeddings;

/// <summary>How token states become one sentence vector (sentence-transformers' <c>1_Pooling/config.json</c>).</summary>
public enum PoolingMode
{
    /// <summary>The mean of the states of the real (unmasked) tokens.</summary>
    Mean,

    /// <summary>The state of the first token (<c>[CLS]</c>).</summary>
    Cls,

    /// <summary>The element-wise maximum over the real tokens.</summary>
    Max,

    /// <summary>The sum over the real tokens divided by the square root of their count.</summary>
    MeanSqrtLength,

    /// <summary>The state of the last real token.</summary>
    LastToken,
}
