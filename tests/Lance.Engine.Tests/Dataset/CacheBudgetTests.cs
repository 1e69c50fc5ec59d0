using Apache.Arrow;
using Lance.Engine.Dataset;
using Lance.Engine.Tests.Support;

namespace Lance.Engine.Tests.Dataset;

/// <summary>A dataset opened with a small column cache answers exactly as one that keeps everything.</summary>
public sealed class CacheBudgetTests : IDisposable
{
    private const int Dim = 16;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string TablePath => _temp.Combine("t.lance");

    private async Task CreateAsync()
    {
        // Three fragments, one with deleted rows, small enough that their columns are decoded (not mapped).
        var dataset = await LanceDataset.CreateAsync(TablePath, Batches.DocSchema(Dim), [Batches.Docs(0, 300, Dim)], WriteMode.Create, new DatasetWriteOptions { MaxRowsPerFile = 100 });
        await dataset.DeleteAsync("id % 4 = 1");
        await dataset.DisposeAsync();
    }

    private static IEnumerable<string> Lines(RecordBatch batch)
        => Batches.Rows([batch]).Select(r => string.Join("|", r.Select(v => v?.ToString())));

    [Fact]
    public async Task Searches_with_a_zero_budget_return_what_an_unlimited_cache_returns()
    {
        await CreateAsync();
        await using var small = await LanceDataset.OpenAsync(TablePath, new DatasetOpenOptions { CacheBudgetBytes = 0 });
        await using var full = await LanceDataset.OpenAsync(TablePath, new DatasetOpenOptions { CacheBudgetBytes = long.MaxValue });
        var query = Enumerable.Range(0, Dim).Select(i => i / 10f).ToArray();
        var request = new VectorSearchRequest("vector", query, 10);

        for (var round = 0; round < 2; round++)
        {
            Assert.Equal(Lines(await full.SearchAsync(request)), Lines(await small.SearchAsync(request)));
            var queries = new ReadOnlyMemory<float>[] { query, query.Reverse().ToArray() };
            var fullBatch = await full.SearchBatchAsync(request, queries);
            var smallBatch = await small.SearchBatchAsync(request, queries);
            Assert.Equal(fullBatch.SelectMany(Lines), smallBatch.SelectMany(Lines));
        }

        Assert.Equal(0, small.CacheBudgetBytes);
    }

    [Fact]
    public async Task The_budget_defaults_to_one_gibibyte_and_a_checkout_keeps_it()
    {
        await CreateAsync();
        await using var dataset = await LanceDataset.OpenAsync(TablePath);
        await using var tuned = await LanceDataset.OpenAsync(TablePath, new DatasetOpenOptions { CacheBudgetBytes = 12345 });
        await using var old = await tuned.CheckoutAsync(1);

        Assert.Equal(1L << 30, dataset.CacheBudgetBytes);
        Assert.Equal(12345, old.CacheBudgetBytes);
    }
}
