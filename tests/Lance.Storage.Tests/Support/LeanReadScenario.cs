using Lance.Engine.Storage;
using Lance.Storage.Cloud;

namespace Lance.Storage.Tests.Support;

/// <summary>
/// The check both stores' lean reads pass: what one store wrote (through the SDK) a fresh store lists, sizes and reads
/// in part with plain HTTP requests, a missing object is reported as missing, and the SDK's client is made only by the
/// first write.
/// </summary>
internal static class LeanReadScenario
{
    public static async Task RunAsync(string uri, Dictionary<string, string> options, string name, Func<IObjectStore, bool> leanReads, Func<IObjectStore, bool> sdkClientMade)
    {
        var data = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray();
        await using (var writer = ObjectStoreFactory.Open(uri, options, Emulators.FastRetry))
        {
            await writer.PutAsync(name, data);
            for (var i = 0; i < 3; i++)
            {
                await writer.PutAsync($"_versions/{i}.manifest", new byte[] { (byte)i });
            }
        }

        await using var reader = ObjectStoreFactory.Open(uri, options, Emulators.FastRetry);
        Assert.True(leanReads(reader));
        var listed = new List<ObjectInfo>();
        await foreach (var item in reader.ListAsync(""))
        {
            listed.Add(item);
        }

        Assert.Equal(["_versions/0.manifest", "_versions/1.manifest", "_versions/2.manifest", name], listed.Select(o => o.Key).Order(StringComparer.Ordinal));
        Assert.Equal(data.Length, listed.Single(o => o.Key == name).Length);
        Assert.Equal(data.Length, (await reader.HeadAsync(name))!.Value.Length);
        Assert.Null(await reader.HeadAsync("data/missing.lance"));
        using (var file = await reader.OpenReadWithLengthAsync(name, data.Length))
        {
            var part = new byte[100_000];
            await file.ReadAsync(123_456, part);
            Assert.Equal(data.AsSpan(123_456, 100_000).ToArray(), part);
        }

        using (var missing = await reader.OpenReadWithLengthAsync("data/missing.lance", 10))
        {
            await Assert.ThrowsAsync<FileNotFoundException>(async () => await missing.ReadAsync(0, new byte[10]));
        }

        Assert.False(sdkClientMade(reader));
        Assert.Equal(0, ((RemoteObjectStore)reader).Statistics.Retries);
        await reader.PutAsync("later", new byte[] { 1 });
        Assert.True(sdkClientMade(reader));
    }
}
