namespace Lance.Orm;

/// <summary>What <see cref="Lance.Engine.LanceDataset.CleanupOldVersionsAsync"/> removed.</summary>
/// <param name="VersionsRemoved">Manifests deleted.</param>
/// <param name="FilesRemoved">Data, deletion, transaction and leftover temporary files deleted.</param>
/// <param name="BytesRemoved">Bytes freed.</param>
public sealed record CleanupResult(int VersionsRemoved, int FilesRemoved, long BytesRemoved);
