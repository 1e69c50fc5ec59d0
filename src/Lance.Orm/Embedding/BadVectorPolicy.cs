namespace Lance.Orm;

/// <summary>
/// What a generated writer does with a vector of the wrong length: the add's
/// <see cref="AddOptions.OnBadVectors"/> and <see cref="AddOptions.FillValue"/>, handed to
/// <see cref="ILanceModel{TSelf}.ToRecordBatch(ReadOnlySpan{TSelf}, BadVectorPolicy)"/>. The default
/// value throws, as <see cref="Error"/> does.
/// </summary>
/// <param name="Handling">Throw, fill, or store null (a writer never drops rows; the table does that).</param>
/// <param name="FillValue">The value of every element of a filled vector.</param>
public readonly record struct BadVectorPolicy(BadVectorHandling Handling, float FillValue = 0)
{
    /// <summary>Throw a <see cref="LanceSchemaException"/> naming the member, row and lengths.</summary>
    public static BadVectorPolicy Error => default;
}
