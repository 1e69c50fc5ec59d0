using Lance.Engine.Storage;
using Lance.Storage.Cloud;
using Lance.Storage.Cloud.Resilience;
using Lance.Storage.Tests.Support;

namespace Lance.Storage.Tests;

/// <summary>What the S3 and Azure stores do beyond the shared contract: key checks, typed failures without secrets, probing.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class CloudStoreTests(Emulators emulators)
{
    public static TheoryData<string> Stores => ["s3", "azure"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Keys_that_leave_the_prefix_are_refused(string kind)
    {
        await using var store = Open(kind);
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.PutAsync("../escape", new byte[] { 1 }));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.PutAsync("/rooted", new byte[] { 1 }));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.HeadAsync("a/./b"));
    }

    [Fact]
    public async Task A_wrong_s3_secret_fails_typed_with_the_status_and_without_the_secret()
    {
        var options = emulators.S3Options();
        options["aws_access_key_id"] = "NOT-A-KEY-ID";
        options["aws_secret_access_key"] = "not-the-secret-8f2a91";
        await using var store = ObjectStoreFactory.Open(Emulators.NewS3Uri(), options, Emulators.FastRetry);
        var e = await Assert.ThrowsAsync<ObjectStoreException>(async () => await store.PutAsync("k", new byte[] { 1, 2, 3 }));
        Assert.Equal(403, e.StatusCode);
        Assert.Equal(1, e.Attempts); // a refusal is not retried
        Assert.StartsWith("s3://lance/t-", e.Location, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-secret-8f2a91", e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("S3RVER", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_azure_key_or_sas_fails_typed_without_either()
    {
        var wrongKey = Convert.ToBase64String(new byte[64]);
        var options = emulators.AzureOptions();
        options["azure_storage_account_key"] = wrongKey;
        await using (var store = ObjectStoreFactory.Open(Emulators.NewAzureUri(), options, Emulators.FastRetry))
        {
            var e = await Assert.ThrowsAsync<ObjectStoreException>(async () => await store.PutAsync("k", new byte[] { 1 }));
            Assert.Equal(403, e.StatusCode);
            Assert.DoesNotContain(wrongKey, e.ToString(), StringComparison.Ordinal);
        }

        var sasOptions = emulators.AzureOptions();
        sasOptions.Remove("azure_storage_account_key");
        sasOptions["azure_storage_sas_token"] = "sv=2023-01-03&ss=b&srt=sco&sp=rwdlac&se=2099-01-01T00:00:00Z&sig=c2VjcmV0LXNpZ25hdHVyZS03Nzc%3D";
        await using (var store = ObjectStoreFactory.Open(Emulators.NewAzureUri(), sasOptions, Emulators.FastRetry))
        {
            var e = await Assert.ThrowsAsync<ObjectStoreException>(async () => await store.PutAsync("k", new byte[] { 1 }));
            Assert.Equal(403, e.StatusCode);
            Assert.DoesNotContain("c2VjcmV0LXNpZ25hdHVyZS03Nzc", e.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task S3rver_is_found_not_to_honour_conditional_creates_and_nothing_is_left_behind()
    {
        await using var store = emulators.NewS3Store();
        var e = await Assert.ThrowsAsync<ConditionalWriteNotSupportedException>(async () => await store.PutIfAbsentAsync("_versions/1.manifest", new byte[] { 1, 2 }));
        Assert.Contains("replaced an existing object", e.Message, StringComparison.Ordinal);
        Assert.StartsWith("s3://lance/t-", e.Location, StringComparison.Ordinal);
        Assert.Null(await store.HeadAsync("_versions/1.manifest"));
        Assert.Empty(await ToListAsync(store.ListAsync("")));

        // The answer is remembered: the store does not probe again.
        var before = ((RemoteObjectStore)store).Statistics.Requests;
        await Assert.ThrowsAsync<ConditionalWriteNotSupportedException>(async () => await store.PutIfAbsentAsync("_versions/1.manifest", new byte[] { 1, 2 }));
        Assert.Equal(before, ((RemoteObjectStore)store).Statistics.Requests);
    }

    [Fact]
    public async Task Conditional_puts_disabled_by_option_are_refused_without_a_request()
    {
        await using var store = emulators.NewS3Store(extra: new() { ["aws_conditional_put"] = "disabled" });
        await Assert.ThrowsAsync<ConditionalWriteNotSupportedException>(async () => await store.PutIfAbsentAsync("_versions/1.manifest", new byte[] { 1 }));
        Assert.Equal(0, ((RemoteObjectStore)store).Statistics.Requests);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_ranged_read_fetches_only_the_range(string kind)
    {
        await using var store = Open(kind);
        await store.PutAsync("data/f.lance", new byte[1_000_000]);
        var statistics = ((RemoteObjectStore)store).Statistics;
        using var reader = await store.OpenReadAsync("data/f.lance");
        var before = statistics.Snapshot();
        await reader.ReadAsync(500_000, new byte[4096]);
        var after = statistics.Snapshot();
        Assert.Equal(1, after.Requests - before.Requests);
        Assert.Equal(4096, after.BytesRead - before.BytesRead);
    }

    [Fact]
    public async Task An_unreachable_service_gives_up_after_the_retries_with_a_typed_error()
    {
        var options = emulators.S3Options($"http://127.0.0.1:{EmulatorProcess.FreePort()}");
        var retry = Emulators.FastRetry with { MaxRetries = 3 };
        await using var store = ObjectStoreFactory.Open(Emulators.NewS3Uri(), options, retry);
        var e = await Assert.ThrowsAsync<ObjectStoreException>(async () => await store.HeadAsync("k"));
        Assert.Null(e.StatusCode);
        Assert.Equal(4, e.Attempts);
        Assert.Contains("no answer came", e.Message, StringComparison.Ordinal);

        // The first attempt runs outside the retry pipeline; the pipeline still schedules and counts each retry.
        var statistics = ((RemoteObjectStore)store).Statistics;
        Assert.Equal(4, statistics.Requests);
        Assert.Equal(3, statistics.Retries);
    }

    [Theory]
    [InlineData(-1, 100)]
    [InlineData(5, -1)]
    [InlineData(5, 2 * 24 * 60 * 60 * 1000)]
    public void Retry_delays_out_of_range_are_refused_when_the_store_is_opened(int baseMilliseconds, int maxMilliseconds)
    {
        var retry = Emulators.FastRetry with { BaseDelay = TimeSpan.FromMilliseconds(baseMilliseconds), MaxDelay = TimeSpan.FromMilliseconds(maxMilliseconds) };
        Assert.Throws<ArgumentOutOfRangeException>(() => ObjectStoreFactory.Open(Emulators.NewS3Uri(), emulators.S3Options(), retry));
    }

    private IObjectStore Open(string kind) => kind == "s3" ? emulators.NewS3Store() : emulators.NewAzureStore();

    private static async Task<List<ObjectInfo>> ToListAsync(IAsyncEnumerable<ObjectInfo> items)
    {
        var list = new List<ObjectInfo>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
