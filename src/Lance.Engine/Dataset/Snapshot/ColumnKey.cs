namespace Lance.Engine.Dataset;

/// <summary>A column of a data file as the <see cref="ColumnCache"/> keeps it.</summary>
/// <param name="File">The data file's path.</param>
/// <param name="FieldId">The Lance field id of the column.</param>
/// <param name="Pieces">
/// True for the column as mapped pieces (see <see cref="Snapshot.LeaseColumnPieces"/>), false for
/// the column as one array; the two are kept apart because they are read differently.
/// </param>
internal readonly record struct ColumnKey(string File, int FieldId, bool Pieces = false);
