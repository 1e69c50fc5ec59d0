using System.Text;

namespace Lance.Interop.Tests.Generative;

/// <summary>
/// One thing our engine did differently from LanceDB on a generated table: a value, a count, a
/// search result, or a refusal (an exception where LanceDB answered).
/// </summary>
/// <param name="Seed">The seed of fuzz-tables.mjs that generated the table.</param>
/// <param name="Table">The table's name (<c>t{seed}_{k}</c>).</param>
/// <param name="StorageVersion">The table's data storage version (legacy, 2.0, 2.1, 2.2).</param>
/// <param name="StableRowIds">Whether the table was created with stable row ids.</param>
/// <param name="Stage">Where: <c>open</c>, <c>read</c>, <c>rows</c>, <c>schema</c>, <c>filter</c>, <c>search</c>, <c>write:add</c>, <c>write:update</c>, <c>write:delete</c>, <c>write:lancedb-read</c>, <c>write:rows</c>.</param>
/// <param name="Detail">What differs: column, row id, LanceDB's value and ours; or the exception.</param>
/// <param name="Kind">What makes two failures the same category for the shrinker: the exception type, or "mismatch".</param>
/// <param name="Column">The column concerned, when there is one.</param>
/// <param name="ColumnType">LanceDB's Arrow type of that column.</param>
/// <param name="Version">The table version read, when the stage reads one.</param>
public sealed record GenerativeFailure(
    long Seed, string Table, string StorageVersion, bool StableRowIds, string Stage, string Detail, string Kind,
    string? Column = null, string? ColumnType = null, long? Version = null)
{
    /// <summary>The failure's category: stage, kind and column type (a shrunk case must keep it).</summary>
    public string Signature => $"{Stage} | {Kind} | {ColumnType ?? "-"}";

    /// <summary>The operations LanceDB applied to the table before the failure (names, in order).</summary>
    public IReadOnlyList<string> Ops { get; init; } = [];

    /// <inheritdoc/>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append($"seed {Seed}, table {Table}, storage {StorageVersion}{(StableRowIds ? ", stable row ids" : "")}, {Stage}");
        if (Version is { } v)
        {
            text.Append($" v{v}");
        }

        if (Column is not null)
        {
            text.Append($", column {Column} ({ColumnType})");
        }

        text.Append($", ops [{string.Join(", ", Ops)}]: {Detail}");
        return text.ToString();
    }
}
