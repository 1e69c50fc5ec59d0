using Apache.Arrow;
using Lance.Engine.Query;

namespace Lance.Engine.Tests.Support;

/// <summary>The ids a filtered scan returns, for index tests that compare a scan with and without a scalar index.</summary>
public static class ScannedIds
{
    /// <summary>The sorted <c>id</c> (int64) values of the rows <paramref name="filter"/> selects, through the scalar indexes or not.</summary>
    public static async Task<long[]> IdsAsync(LanceDataset dataset, string filter, bool useIndex)
    {
        var ids = new List<long>();
        await foreach (var batch in dataset.ScanAsync(new ScanRequest { Columns = ["id"], Filter = filter, UseScalarIndex = useIndex }))
        {
            var column = (Int64Array)batch.Column(0);
            ids.AddRange(Enumerable.Range(0, column.Length).Select(i => column.GetValue(i)!.Value));
        }

        ids.Sort();
        return [.. ids];
    }
}
