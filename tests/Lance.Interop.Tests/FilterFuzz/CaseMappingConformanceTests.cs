using System.Globalization;
using System.Text;
using Lance.Orm;

namespace Lance.Interop.Tests.FilterFuzz;

public partial record CaseRow : ILanceModel
{
    public long Id { get; init; }
    public string Text { get; init; } = "";
}

/// <summary>
/// SQL <c>lower</c> and <c>upper</c> give LanceDB's answer for every character up to U+1FFFF (control characters and
/// surrogates aside) and for a capital sigma in the contexts that decide between <c>σ</c> and a word-final <c>ς</c>:
/// Unicode's full case mapping (<c>ß</c> to <c>SS</c>, <c>İ</c> to <c>i̇</c>), where .NET maps character by character.
/// </summary>
public sealed class CaseMappingConformanceTests : IDisposable
{
    private readonly TempCopy _db = TempCopy.Empty();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Lower_and_upper_of_every_character_match_LanceDB()
    {
        var rows = Rows();
        var db = await LanceDb.ConnectAsync(_db.Path);
        var table = await db.CreateTableAsync("cases", rows);
        using var copy = TempCopy.Of(_db.Path);
        using var doc = await LanceDbPeer.Default.RunAsync("scan-types", new { db = copy.Path, table = "cases", select = new Dictionary<string, string> { ["id"] = "id", ["lo"] = "lower(text)", ["up"] = "upper(text)" } });
        var theirs = doc.RootElement.GetProperty("rows").EnumerateArray()
            .ToDictionary(r => long.Parse(r.GetProperty("id").GetString()!, CultureInfo.InvariantCulture), r => (Lower: r.GetProperty("lo").GetString()!, Upper: r.GetProperty("up").GetString()!));
        Assert.Equal(rows.Count, theirs.Count);

        var failures = new List<string>();
        foreach (var row in rows)
        {
            var (lower, upper) = theirs[row.Id];
            foreach (var (function, expected) in new[] { ("lower", lower), ("upper", upper) })
            {
                if (await table.CountRowsAsync($"id = {row.Id} AND {function}(text) = '{expected.Replace("'", "''", StringComparison.Ordinal)}'") != 1)
                {
                    failures.Add($"{function} of row {row.Id} ({Describe(row.Text)}) differs from LanceDB's {Describe(expected)}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }

    [Fact]
    public async Task ILIKE_matches_case_variants_of_every_character_as_LanceDB_does()
    {
        // Each row against patterns that are its characters upper-cased, lower-cased and case-folded one by one: the rows
        // each pattern selects, in LanceDB and here (ILIKE matches characters by simple case folding: σ, ς and Σ alike).
        var rows = Rows();
        var db = await LanceDb.ConnectAsync(_db.Path);
        var table = await db.CreateTableAsync("cases", rows);
        var filters = rows.SelectMany(r => new[] { r.Text.ToUpperInvariant(), r.Text.ToLowerInvariant(), Lance.Engine.Query.UnicodeCase.Fold(r.Text) })
            .Select(p => $"text ILIKE '{p.Replace("'", "''", StringComparison.Ordinal)}'").Distinct().ToList();
        using var copy = TempCopy.Of(_db.Path);
        using var doc = await LanceDbPeer.Default.RunAsync("filter-conformance", new { db = copy.Path, table = "cases", filters });

        var failures = new List<string>();
        foreach (var result in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            var filter = result.GetProperty("filter").GetString()!;
            var theirs = result.GetProperty("scan").GetProperty("ids").EnumerateArray().Select(e => long.Parse(e.GetString()!, CultureInfo.InvariantCulture)).ToList();
            var ours = await table.Query().Where(filter).Select(x => x.Id).ToListAsync();
            if (!theirs.SequenceEqual(ours))
            {
                failures.Add($"{Describe(filter)}: LanceDB selects [{string.Join(",", theirs)}], we select [{string.Join(",", ours)}]");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }

    // Every character from U+0020 to U+1FFFF but controls and surrogates, 256 to a row, each between spaces; then sigmas in
    // the contexts of Unicode's Final_Sigma rule (a cased letter before, none after, case-ignorable characters skipped).
    private static List<CaseRow> Rows()
    {
        var rows = new List<CaseRow>();
        for (var start = 0x20; start < 0x20000; start += 256)
        {
            var text = new StringBuilder();
            for (var c = start; c < start + 256 && c < 0x20000; c++)
            {
                if (Rune.IsValid(c) && Rune.GetUnicodeCategory(new Rune(c)) != UnicodeCategory.Control)
                {
                    text.Append(new Rune(c).ToString()).Append(' ');
                }
            }

            rows.Add(new CaseRow { Id = rows.Count, Text = text.ToString() });
        }

        string[] sigmas = ["ΟΔΟΣ", "ΣΑΣ ΟΣ", "Σ", "ΑΣ'Σ", "ΑΣ.", "Σ\u0301Α", "ΑΣ\u0301", "ΑΣ\u0301Β", "aΣb", "aΣ", "Σa", "ʰΣ", "ΑΣ\u00AD", "1Σ", "ǅΣ", "ⅠΣ", "ΑΣ’", "Α’Σ", "ΑΣ\u200DΒ", "ΑΣ\u00ADΒ", "İstanbul ΣΟΦΙΑΣ straße ﬁnal ǰ"];
        rows.AddRange(sigmas.Select(s => new CaseRow { Id = rows.Count + Array.IndexOf(sigmas, s), Text = s }));
        return rows;
    }

    private static string Describe(string text) => text.Length > 40 ? $"{text.Length} characters from U+{char.ConvertToUtf32(text, 0):X4}" : $"\"{text}\"";
}
