using System.Text.Json;

namespace Lance.Interop.Tests;

/// <summary>A column as LanceDB reports it; <see cref="Type"/> is apache-arrow's name, e.g. <c>FixedSizeList[8]&lt;Float32&gt;</c>.</summary>
public sealed record PeerField(string Name, string Type, bool Nullable);

/// <summary>What <c>scan.mjs</c> returned: the table's schema and metadata, and the rows read.</summary>
public sealed record PeerScan(
    long Version, long RowCount, IReadOnlyList<PeerField> Schema, IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<PeerRow> Rows)
{
    /// <summary>The field named <paramref name="name"/>.</summary>
    public PeerField Field(string name) => Schema.Single(f => f.Name == name);
}

/// <summary>What <c>search.mjs</c> returned, in LanceDB's order (nearest first).</summary>
public sealed record PeerSearch(IReadOnlyList<PeerRow> Rows);

/// <summary>One entry of <c>listVersions()</c>.</summary>
public sealed record PeerVersion(long Version, DateTimeOffset Timestamp, IReadOnlyDictionary<string, string> Metadata);

/// <summary>What <c>versions.mjs</c> returned.</summary>
public sealed record PeerVersions(long Current, IReadOnlyList<PeerVersion> Versions);

/// <summary>
/// One row as the peer renders it (see tools/lancedb-peer/README.md): 64-bit integers are decimal
/// strings, floats numbers (NaN/±Infinity as strings), lists arrays, binary base64, nulls null.
/// </summary>
public sealed class PeerRow(IReadOnlyDictionary<string, JsonElement> values)
{
    /// <summary>The raw JSON value of every column.</summary>
    public IReadOnlyDictionary<string, JsonElement> Values { get; } = values;

    public JsonElement this[string column] => Values.TryGetValue(column, out var v)
        ? v
        : throw new KeyNotFoundException($"The peer returned no column '{column}' (it has: {string.Join(", ", Values.Keys)}).");

    public bool IsNull(string column) => this[column].ValueKind == JsonValueKind.Null;

    /// <summary>An integer column (int64 comes as a decimal string, narrower ints as numbers).</summary>
    public long GetInt64(string column)
    {
        var v = this[column];
        return v.ValueKind == JsonValueKind.String
            ? long.Parse(v.GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            : v.GetInt64();
    }

    public double GetDouble(string column)
    {
        var v = this[column];
        return v.ValueKind == JsonValueKind.String
            ? double.Parse(v.GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            : v.GetDouble();
    }

    public string? GetString(string column) => IsNull(column) ? null : this[column].GetString();

    /// <summary>A float vector column; each number is the exact float32 LanceDB read.</summary>
    public float[]? GetVector(string column) =>
        IsNull(column) ? null : [.. this[column].EnumerateArray().Select(x => (float)x.GetDouble())];

    /// <summary>The <c>_distance</c> of a search result.</summary>
    public double Distance => GetDouble("_distance");

    public override string ToString() => JsonSerializer.Serialize(Values);
}
