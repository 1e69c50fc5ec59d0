using BenchmarkDotNet.Running;
using Lance.Bench;

// "compare": side-by-side figures with LanceDB (Node). Anything else: BenchmarkDotNet.
if (args.Length > 0 && args[0] == "compare")
{
    await SideBySide.RunAsync(args);
}
else if (args.Length > 0 && args[0] == "mevd-overhead")
{
    await MevdOverhead.RunAsync(args);
}
else if (args.Length > 0 && args[0] == "embed-overhead")
{
    await EmbeddingOverhead.RunAsync(args);
}
else if (args.Length > 0 && args[0] == "index-kernel")
{
    IndexKernelBench.Run();
}
else if (args.Length > 0 && args[0] == "adc-scan")
{
    AdcScanBench.Run(args);
}
else if (args.Length > 0 && args[0] == "kernels")
{
    KernelBench.Run(args);
}
else if (args.Length > 0 && args[0] == "index")
{
    await IndexBench.RunAsync(args);
}
else if (args.Length > 0 && args[0] == "hnsw-profile")
{
    await HnswProfile.RunAsync(args);
}
else if (args.Length > 0 && args[0] == "index-kinds")
{
    await IndexKindsBench.RunAsync(args);
}
else if (args.Length > 0 && args[0] == "compare-filters")
{
    await FilterSideBySide.RunAsync(args);
}
else if (args.Length > 0 && args[0] == "ops")
{
    await OperationsSideBySide.RunAsync(args);
}
else if (args.Length > 0 && args[0] == "serializers")
{
    await SerializerSideBySide.RunAsync(args);
}
else if (args.Length > 0 && args[0] == "foreign")
{
    await ForeignSideBySide.RunAsync(args);
}
else if (args.Length > 0 && args[0] == "ingest")
{
    await IngestBench.RunAsync(args);
}
else if (args.Length > 0 && args[0] == "first-query")
{
    await FirstQuerySideBySide.RunAsync(args);
}
else if (args.Length > 0 && args[0] == "rerank")
{
    await RerankBench.RunAsync(args);
}
else if (args.Length > 0 && args[0] == "memory-curve")
{
    await MemoryCurve.RunAsync(args);
}
else if (args.Length > 0 && args[0] == "memory-curve-child")
{
    await MemoryCurve.RunChildAsync(args);
}
else if (args.Length > 0 && args[0] == "scalar-index")
{
    await ScalarIndexBench.RunAsync(args);
}
else if (args.Length > 0 && args[0] == "fts")
{
    await FtsBench.RunAsync(args);
}
else if (args.Length > 0 && args[0] == "object-store")
{
    await ObjectStoreSideBySide.RunAsync(args);
}
else if (args.Length > 0 && args[0] == "object-store-floor")
{
    await ObjectStoreSideBySide.RunFloorAsync(args);
}
else if (args.Length > 0 && args[0] == "object-store-delivery")
{
    await ObjectStoreDelivery.RunAsync(args);
}
else if (args.Length > 0 && args[0] == "object-store-ingest-probe")
{
    await ObjectStoreIngestProbe.RunAsync(args);
}
else if (args.Length > 0 && args[0] == "object-store-prep")
{
    await ObjectStoreSideBySide.PrepAsync(args);
}
else if (args.Length > 0 && args[0] == "object-store-child")
{
    await ObjectStoreSideBySide.RunChildAsync(args);
}
else if (args.Length > 0 && args[0] == "first-query-child")
{
    await FirstQuerySideBySide.RunChildAsync(args);
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(BenchData).Assembly).Run(args);
}
