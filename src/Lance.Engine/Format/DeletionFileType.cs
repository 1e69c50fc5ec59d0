namespace Lance.Engine.Format;

/// <summary>How a fragment's deleted rows are stored (numbers as in Lance's protobuf).</summary>
internal enum DeletionFileType
{
    /// <summary>An Arrow IPC file of <c>uint32</c> row offsets (<c>.arrow</c>), used for up to 5,000 rows.</summary>
    ArrowArray = 0,

    /// <summary>A portable Roaring bitmap (<c>.bin</c>), used above 5,000 rows.</summary>
    Bitmap = 1,
}
