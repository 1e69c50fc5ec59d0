using Lance.Engine.Storage;
using Lance.Storage.Tests.Support;

namespace Lance.Storage.Tests.Contract;

public sealed class LocalStoreContract : ObjectStoreContract, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"lance-local-{Guid.NewGuid():N}");

    protected override IObjectStore NewStore() => new LocalObjectStore(Path.Combine(_root, Guid.NewGuid().ToString("N")));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}

public sealed class InMemoryStoreContract : ObjectStoreContract
{
    protected override IObjectStore NewStore() => new InMemoryObjectStore();
}

/// <summary>
/// S3 through s3rver, which ignores <c>If-None-Match</c> on PUT: the store finds that out with its
/// probe and refuses to commit (<see cref="Lance.Storage.Cloud.ConditionalWriteNotSupportedException"/>).
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class S3StoreContract(Emulators emulators) : ObjectStoreContract
{
    protected override bool HonoursConditionalCreate => false;

    protected override IObjectStore NewStore() => emulators.NewS3Store();
}

/// <summary>
/// S3 through s3rver with conditional creates emulated by the loopback proxy in front of it (it
/// refuses, under one lock, a PUT with <c>If-None-Match: *</c> whose object s3rver holds), and the
/// store told to trust them (<c>aws_conditional_put=etag</c>): the contract as on Amazon S3.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class S3WithEmulatedConditionalPutContract(Emulators emulators) : ObjectStoreContract, IAsyncLifetime
{
    private FaultProxy _proxy = null!;

    public async Task InitializeAsync()
        => _proxy = await FaultProxy.StartAsync(emulators.S3.Endpoint, failureRate: 0, emulateS3ConditionalPut: (emulators.S3.DataDirectory, Emulators.Bucket));

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    protected override IObjectStore NewStore() => emulators.NewS3Store(_proxy.Endpoint, extra: new() { ["aws_conditional_put"] = "etag" });
}

/// <summary>The same contract with every request through the AWS SDK (<c>aws_sdk_reads=true</c>), as before reads went out as plain signed HTTP.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class S3WithSdkReadsContract(Emulators emulators) : ObjectStoreContract, IAsyncLifetime
{
    private FaultProxy _proxy = null!;

    public async Task InitializeAsync()
        => _proxy = await FaultProxy.StartAsync(emulators.S3.Endpoint, failureRate: 0, emulateS3ConditionalPut: (emulators.S3.DataDirectory, Emulators.Bucket));

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    protected override IObjectStore NewStore() => emulators.NewS3Store(_proxy.Endpoint, extra: new() { ["aws_conditional_put"] = "etag", ["aws_sdk_reads"] = "true" });
}

[Collection(EmulatorCollection.Name)]
public sealed class AzureStoreContract(Emulators emulators) : ObjectStoreContract
{
    protected override IObjectStore NewStore() => emulators.NewAzureStore();
}

/// <summary>The same contract with every request through the Azure SDK (<c>azure_sdk_reads=true</c>), as before reads went out as plain HTTP.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class AzureWithSdkReadsContract(Emulators emulators) : ObjectStoreContract
{
    protected override IObjectStore NewStore() => emulators.NewAzureStore(extra: new() { ["azure_sdk_reads"] = "true" });
}
