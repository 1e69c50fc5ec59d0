using Lance.Engine;

namespace Lance.Interop.Tests;

/// <summary>
/// Our engine reads every value of LanceDB's edge-case tables (<see cref="ForeignEdgeTables"/>) equal to
/// what LanceDB returns for them, in every storage version LanceDB writes them in.
/// </summary>
public sealed class ForeignEdgeTableTests(ForeignEdgeTables tables) : IClassFixture<ForeignEdgeTables>
{
    /// <summary>The tables make-edge-tables.mjs makes: its groups in the storage versions each is made in.</summary>
    public static readonly string[] TableNames =
    [
        "vectors_2_0", "vectors_2_1", "vectors_2_2",
        "wide_vectors_2_0", "wide_vectors_2_1", "wide_vectors_2_2",
        "big_2_1", "big_2_2",
        "lists_2_0", "lists_2_1", "lists_2_2",
    ];

    public static TheoryData<string> Tables => new(TableNames);

    [Fact]
    public void LanceDB_writes_every_edge_case_column_in_every_storage_version()
    {
        var refused = tables.Report.RootElement.GetProperty("refused");
        var made = tables.Report.RootElement.GetProperty("tables").EnumerateArray().Select(t => t.GetProperty("table").GetString()!).Order();

        Assert.True(refused.GetArrayLength() == 0, $"LanceDB or apache-arrow refused: {refused.GetRawText()}");
        Assert.Equal(TableNames.Order(), made);
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public async Task Every_value_we_read_equals_what_LanceDB_returns(string table)
    {
        using var expected = tables.Expected(table);

        var failures = await ForeignScanComparison.CompareAsync(tables.Dataset(table), expected);

        Assert.True(failures.Count == 0, $"{table}: {failures.Count} column(s) differ from LanceDB:\n  " + string.Join("\n  ", failures));
    }
}
