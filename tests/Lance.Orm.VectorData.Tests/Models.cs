using Microsoft.Extensions.VectorData;

namespace Lance.Orm.VectorData.Tests;

public sealed class Hotel
{
    [VectorStoreKey] public long HotelId { get; set; }
    [VectorStoreData(IsIndexed = true)] public string? HotelName { get; set; }
    [VectorStoreData] public int Rating { get; set; }
    [VectorStoreData] public bool Parking { get; set; }
    [VectorStoreData] public int? Floors { get; set; }
    [VectorStoreData] public string[] Tags { get; set; } = [];
    [VectorStoreData(StorageName = "list_tags")] public List<string> ListTags { get; set; } = [];
    [VectorStoreVector(3, DistanceFunction = DistanceFunction.CosineSimilarity)] public ReadOnlyMemory<float>? Embedding { get; set; }
}

public sealed class StringKeyed
{
    [VectorStoreKey] public string Id { get; set; } = "";
    [VectorStoreData] public string Text { get; set; } = "";
    [VectorStoreVector(2, DistanceFunction = DistanceFunction.EuclideanSquaredDistance)] public float[]? Vector { get; set; }
}

public sealed class GuidKeyed
{
    [VectorStoreKey] public Guid Id { get; set; }
    [VectorStoreData] public string Text { get; set; } = "";
    [VectorStoreVector(2)] public Microsoft.Extensions.AI.Embedding<float>? Vector { get; set; }
}

public sealed class AllTypes
{
    [VectorStoreKey] public long Id { get; set; }
    [VectorStoreData] public bool Bool { get; set; }
    [VectorStoreData] public short Short { get; set; }
    [VectorStoreData] public int Int { get; set; }
    [VectorStoreData] public long Long { get; set; }
    [VectorStoreData] public float Float { get; set; }
    [VectorStoreData] public double Double { get; set; }
    [VectorStoreData] public string? String { get; set; }
    [VectorStoreData] public Guid Guid { get; set; }
    [VectorStoreData] public DateTime DateTime { get; set; }
    [VectorStoreData] public DateTimeOffset DateTimeOffset { get; set; }
    [VectorStoreData] public DateOnly DateOnly { get; set; }
    [VectorStoreData] public byte[]? Bytes { get; set; }
    [VectorStoreData] public int? NullableInt { get; set; }
    [VectorStoreData] public double? NullableDouble { get; set; }
    [VectorStoreData] public bool? NullableBool { get; set; }
    [VectorStoreData] public int[]? Ints { get; set; }
    [VectorStoreData] public List<long>? Longs { get; set; }
    [VectorStoreData] public List<double>? Doubles { get; set; }
    [VectorStoreVector(2)] public ReadOnlyMemory<float> Vector { get; set; }
}

public sealed class TwoVectors
{
    [VectorStoreKey] public long Id { get; set; }
    [VectorStoreVector(2, DistanceFunction = DistanceFunction.EuclideanDistance)] public ReadOnlyMemory<float> First { get; set; }
    [VectorStoreVector(2, DistanceFunction = DistanceFunction.EuclideanDistance)] public ReadOnlyMemory<float> Second { get; set; }
}

public sealed class Document
{
    [VectorStoreKey] public long Id { get; set; }
    [VectorStoreData] public string Text { get; set; } = "";
    [VectorStoreVector(4)] public string? Embedding { get; set; }
}

public sealed class Distances
{
    [VectorStoreKey] public long Id { get; set; }
    [VectorStoreVector(2)] public ReadOnlyMemory<float> Vector { get; set; }
}
