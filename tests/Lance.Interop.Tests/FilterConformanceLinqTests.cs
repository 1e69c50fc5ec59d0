// The filters are written the way users write them; CA1862 would rewrite the very calls under test.
#pragma warning disable CA1862, CA1309

using System.Linq.Expressions;
using System.Text.RegularExpressions;
using Lance.Orm;

namespace Lance.Interop.Tests;

public partial record LinqRow : ILanceModel
{
    public long Id { get; init; }
    public int? Rank { get; init; }
    public double? Price { get; init; }
    public bool Active { get; init; }
    public string Name { get; init; } = "";
    public string? Note { get; init; }
    [Column("cat")] public string Category { get; init; } = "";
    public List<string?> Tags { get; init; } = [];
    public int[]? Scores { get; init; }
    public DateTime Created { get; init; }
    public DateOnly Day { get; init; }
    public double Ratio { get; init; }

    private static readonly string[] Blanks = [" ", "\t\n", "\u00A0", "\u2003 ", "\u0085", "\u200B", "", " x "];

    public static List<LinqRow> Sample() => Enumerable.Range(0, 120).Select(i => new LinqRow
    {
        Id = i,
        Rank = i % 4 == 0 ? null : i % 50,
        Price = i % 7 == 0 ? null : (i % 30) - 10.5,
        Active = i % 3 == 0,
        Name = i % 11 == 0 ? "" : $"{(i % 2 == 0 ? "Alpha" : "beta")}_{i}",
        Note = i % 5 == 0 ? null : i % 17 == 3 || i % 17 == 7 ? Blanks[i % Blanks.Length] : $"note {i % 9}",
        Category = (i % 3) switch { 0 => "red", 1 => "green", _ => "blue" },
        Tags = (i % 6) switch { 0 => [], 1 => ["a"], 2 => ["a", null], 3 => [null], 4 => ["b", "c", "a"], _ => ["c"] },
        Scores = i % 8 == 0 ? null : Enumerable.Range(0, i % 4).Select(k => (i + k) % 9).ToArray(),
        Created = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddHours((i * 13) + (i % 3 * 0.25)),
        Day = new DateOnly(2024, 1, 1).AddDays(i * 3 % 40),
        Ratio = i % 9 == 4 ? double.NaN : i / 7.0,
    }).ToList();
}

/// <summary>Integer members of every width, with their extremes, for C#'s promotion and wrap-around rules.</summary>
public partial record WidthRow : ILanceModel
{
    public long Id { get; init; }
    public sbyte I8 { get; init; }
    public short I16 { get; init; }
    public int I32 { get; init; }
    public byte U8 { get; init; }
    public ushort U16 { get; init; }
    public uint U32 { get; init; }
    public ulong U64 { get; init; }
    public int? N32 { get; init; }

    public static List<WidthRow> Sample()
    {
        var random = new Random(17);
        var rows = Enumerable.Range(0, 90).Select(i => new WidthRow
        {
            Id = i,
            I8 = (sbyte)random.Next(sbyte.MinValue, sbyte.MaxValue + 1),
            I16 = (short)random.Next(short.MinValue, short.MaxValue + 1),
            I32 = random.Next(int.MinValue, int.MaxValue),
            U8 = (byte)random.Next(256),
            U16 = (ushort)random.Next(65536),
            U32 = (uint)random.NextInt64(uint.MaxValue + 1L),
            U64 = (ulong)random.NextInt64(long.MaxValue) * 2,
            N32 = i % 4 == 0 ? null : random.Next(-100000, 100000),
        }).ToList();
        rows.Add(new WidthRow { Id = 90, I8 = sbyte.MinValue, I16 = short.MinValue, I32 = int.MinValue, U8 = byte.MaxValue, U16 = ushort.MaxValue, U32 = uint.MaxValue, U64 = ulong.MaxValue, N32 = int.MaxValue });
        rows.Add(new WidthRow { Id = 91, I8 = sbyte.MaxValue, I16 = short.MaxValue, I32 = int.MaxValue, N32 = int.MinValue });
        return rows;
    }
}

/// <summary>
/// The SQL our LINQ translator writes is valid LanceDB SQL with the same meaning: each LINQ filter,
/// printed by the translator and run by LanceDB (Node), returns what LINQ-to-objects returns.
/// </summary>
public sealed class FilterConformanceLinqTests : IDisposable
{
    private static readonly int[] Ranks = [3, 7, 49];
    private static readonly List<string?> Wanted = ["c", "zzz"];
    private static readonly double Threshold = 3.7;
    private static readonly DateTime Noon = LinqRow.Sample()[10].Created;

    private readonly TempCopy _db = TempCopy.Empty();

    public void Dispose() => _db.Dispose();

    public static readonly Dictionary<string, Expression<Func<LinqRow, bool>>> Filters = new()
    {
        ["nullable not equal keeps nulls"] = x => x.Rank != 7,
        ["not of nullable less"] = x => !(x.Rank < 5),
        ["is null"] = x => x.Note == null,
        ["nullable double"] = x => x.Price > 0 && x.Price < 10,
        ["starts with"] = x => x.Name.StartsWith("Alpha"),
        ["lower"] = x => x.Name.ToLowerInvariant() == "alpha_2",
        ["length"] = x => x.Name.Length == 6,
        ["null or empty"] = x => string.IsNullOrEmpty(x.Name),
        ["guarded string call"] = x => x.Note != null && x.Note.EndsWith("e 4"),
        ["contains list"] = x => x.Rank.HasValue && Ranks.Contains(x.Rank.Value),
        ["renamed column"] = x => x.Category == "green" || x.Active,
        ["arithmetic"] = x => x.Id * 2 + 1 > 200 || x.Id % 13 == 0,
        ["string concat"] = x => x.Category + "!" == "red!",
        ["coalesce string"] = x => (x.Note ?? "none") == "none",
        ["coalesce number"] = x => (x.Rank ?? -1) < 3,
        ["coalesce not equal"] = x => (x.Price ?? 0) != 0,
        ["equals method"] = x => x.Name.Equals("beta_1") || x.Category.Equals("red", StringComparison.Ordinal) || string.Equals(x.Name, "Alpha_2"),
        ["regex"] = x => Regex.IsMatch(x.Name, "^[Aa]lpha_1[0-9]$"),
        ["regex ignoring case, negated"] = x => x.Note != null && !Regex.IsMatch(x.Note, "E [0-3]$", RegexOptions.IgnoreCase),
        ["replace"] = x => x.Name.Replace("_", "-") == "beta-3" || x.Name.Replace("a", "") == "lph_4",
        ["list has a value"] = x => x.Tags.Any(t => t == "a"),
        ["list lacks a value"] = x => !x.Tags.Any(t => "a" == t) && x.Id % 2 == 0,
        ["list has any of the values"] = x => x.Tags.Any(t => Wanted.Contains(t)) || (x.Scores != null && x.Scores.Any(s => s.Equals(4))),
        ["list has none of no values"] = x => !x.Tags.Any(t => Array.Empty<string?>().Contains(t)),
        ["list not empty"] = x => x.Tags.Any() && x.Tags.Count < 3,
        ["array length"] = x => x.Scores != null && (x.Scores.Length == 2 || !x.Scores.Any()),
        ["square root and power"] = x => x.Price.HasValue && (Math.Sqrt(x.Id) > 5 || Math.Pow(x.Price.Value, 2) < 10 || Math.Cbrt(x.Id) == 4),
        ["logarithms and exponent"] = x => (Math.Log(x.Id + 1) > 3 && Math.Log10(x.Id + 1) < 2) || Math.Exp(x.Id % 5) > 50 || Math.Log2(x.Id + 1) == 5,
        ["rounding halves away from zero"] = x => Math.Round(x.Price ?? 0, MidpointRounding.AwayFromZero) == -10 || Math.Round((x.Price ?? 0) / 4, 1, MidpointRounding.AwayFromZero) == 1.6
            || Math.Truncate((x.Price ?? 0) / 4) == -2,
        ["max and min"] = x => (Math.Max(x.Id, 50) == 50 && Math.Min(x.Rank ?? 0, 10) < 5) || Math.Max(x.Price ?? 0, 12.0) > 18,
        ["list elements"] = x => (x.Tags.Count > 1 && x.Tags[1] == null) || (x.Scores != null && x.Scores.Length > 0 && x.Scores[0] > 4) || (x.Tags.Count > 0 && x.Tags.ElementAt(0) == "b"),
        ["null or white space"] = x => (string.IsNullOrWhiteSpace(x.Note) && x.Id % 2 == 0) || (!string.IsNullOrWhiteSpace(x.Name) && x.Id < 3),
        ["not a number"] = x => double.IsNaN(x.Ratio) || (x.Ratio > 16 && !double.IsNaN(x.Ratio)),
        ["value or default"] = x => x.Rank.GetValueOrDefault() == 0 || x.Price.GetValueOrDefault(5.5) > 18,
        ["day of week and date"] = x => x.Created.DayOfWeek == DayOfWeek.Monday || x.Day.DayOfWeek >= DayOfWeek.Friday || x.Created.Date == Noon.Date,
        ["list all"] = x => x.Tags.All(t => t != "a") && x.Tags.All(t => !Wanted.Contains(t)),
        ["characters"] = x => x.Name.StartsWith('A') || x.Category.EndsWith('d') || x.Name.Contains('9'),
        ["captured casts"] = x => x.Rank == (int)Threshold || x.Id == (long)(Threshold * 10) || (long)x.Rank.GetValueOrDefault() > 48,
        ["concat method"] = x => string.Concat(x.Note, "!") == "!" || string.Concat(x.Category, "-", x.Name) == "red-Alpha_6",
        ["integer against a fraction"] = x => x.Id > 118.5 || x.Id == 3.0 || x.Id <= 2.5 || x.Rank == 4.5 || (x.Rank != 7.25 && x.Id % 10 == 0) || x.Rank >= 48.2,
        ["widened arithmetic"] = x => ((double)x.Id / (x.Rank.GetValueOrDefault() + 1) > x.Id / (x.Rank.GetValueOrDefault() + 1) && x.Id < 40)
            || (long)x.Rank.GetValueOrDefault() * 1000000000 > 47000000000L,
        ["trim characters"] = x => x.Name.TrimEnd('1', '0') == "beta_" || x.Name.TrimStart('A', 'l') == "pha_2" || x.Category.Trim('r', 'd') == "e",
    };

    public static readonly Dictionary<string, Expression<Func<WidthRow, bool>>> WidthFilters = new()
    {
        ["negated sbyte and short widen to int"] = x => -x.I8 > 100 || -x.I16 > 32000,
        ["int times a constant wraps"] = x => x.I32 * 100000 < 0,
        ["int plus a constant wraps"] = x => x.I32 + 2000000000 < -1000000000,
        ["int minus a constant wraps"] = x => x.I32 - 2000000000 > 0,
        ["uint plus a constant wraps"] = x => x.U32 + 1000000000u < 1000000000u,
        ["uint minus a constant wraps"] = x => x.U32 - 5u > 4294967000u,
        ["ulong plus a constant wraps"] = x => x.U64 + 5ul < 10ul,
        ["byte and short arithmetic in int"] = x => x.U8 * 2 > 300 || x.U8 + 100 > 350 || x.I16 * 2 > 60000 || x.U16 * 2 > 131000,
        ["sbyte remainder keeps the sign"] = x => x.I8 % 5 == -2 || x.I16 % 7 == -6,
        ["int columns multiply and wrap"] = x => x.I32 * x.I32 < 0 && x.Id % 2 == 0,
        ["nullable int times a constant"] = x => x.N32 * 50000 < 0,
        ["int divided by a negative constant"] = x => x.I32 / -3 > 500000000,
        ["long stays exact"] = x => (long)x.I32 * 100000 < -100000000000000L,
    };

    [Fact]
    public async Task Integer_arithmetic_of_every_width_means_in_LanceDB_and_here_what_it_means_in_CSharp()
    {
        var db = await LanceDb.ConnectAsync(_db.Path);
        var rows = WidthRow.Sample();
        var table = await db.CreateTableAsync<WidthRow>("widths", rows);
        using var copy = TempCopy.Of(_db.Path);
        var sqls = WidthFilters.ToDictionary(f => f.Key, f => LinqFilterTranslator.ToSql(f.Value, table.Schema, WidthRow.ColumnMap));

        using var doc = await LanceDbPeer.Default.RunAsync("filter-conformance", new { db = copy.Path, table = "widths", filters = sqls.Values.Distinct().ToArray() });

        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("filter").GetString()!, r => r.GetProperty("scan"));
        foreach (var (name, filter) in WidthFilters)
        {
            var expected = rows.Where(filter.Compile()).Select(r => r.Id).ToList();
            Assert.True(expected.Count > 0 && expected.Count < rows.Count, $"{name}: the rows do not tell the filter apart ({expected.Count} of {rows.Count})");
            var scan = results[sqls[name]];
            Assert.False(scan.TryGetProperty("error", out var error), $"{name}: LanceDB rejected '{sqls[name]}': {(error.ValueKind == System.Text.Json.JsonValueKind.String ? error.GetString() : "")}");
            Assert.True(expected.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)).SequenceEqual(scan.GetProperty("ids").EnumerateArray().Select(e => e.GetString()!)),
                $"{name}: LanceDB's answer to '{sqls[name]}' differs");
            var ours = await table.Query().Where(filter).Select(x => x.Id).ToListAsync();
            Assert.True(expected.SequenceEqual(ours.Order()), $"{name}: our answer to '{sqls[name]}' differs ({ours.Count} rows, {expected.Count} expected)");
        }
    }

    [Fact]
    public async Task LanceDB_runs_our_translated_sql_with_linq_to_objects_meaning()
    {
        var db = await LanceDb.ConnectAsync(_db.Path);
        var rows = LinqRow.Sample();
        var table = await db.CreateTableAsync<LinqRow>("rows", rows);
        using var copy = TempCopy.Of(_db.Path);
        var sqls = Filters.ToDictionary(f => f.Key, f => LinqFilterTranslator.ToSql(f.Value, table.Schema, LinqRow.ColumnMap));

        using var doc = await LanceDbPeer.Default.RunAsync("filter-conformance", new { db = copy.Path, table = "rows", filters = sqls.Values.ToArray() });

        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("filter").GetString()!, r => r.GetProperty("scan"));
        foreach (var (name, filter) in Filters)
        {
            var scan = results[sqls[name]];
            Assert.False(scan.TryGetProperty("error", out var error), $"{name}: LanceDB rejected '{sqls[name]}': {(error.ValueKind == System.Text.Json.JsonValueKind.String ? error.GetString() : "")}");
            var expected = rows.Where(filter.Compile()).Select(r => r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.True(expected.SequenceEqual(scan.GetProperty("ids").EnumerateArray().Select(e => e.GetString()!)), $"{name}: '{sqls[name]}' differs");
        }
    }
}
