// The filters are written the way users write them; CA1862 would rewrite the very calls under test.
#pragma warning disable CA1862

using System.Linq.Expressions;

namespace Lance.Orm.Tests.Querying;

/// <summary>Each LINQ filter, translated and run by the engine, returns exactly what LINQ-to-objects returns over the same rows.</summary>
public sealed class LinqFilterTests : IClassFixture<LinqFilterTests.ItemTable>
{
    private static readonly int[] Ranks = [3, 7, 49];
    private static readonly List<string> Categories = ["red", "blue"];
    private static readonly long[] NoIds = [];
    private static readonly int?[] RanksWithNull = [null, 3];

    private readonly ItemTable _fixture;

    public LinqFilterTests(ItemTable fixture) => _fixture = fixture;

    public sealed class ItemTable : IAsyncLifetime, IDisposable
    {
        private readonly TempDb _db = new();

        public Table<Item> Table { get; private set; } = null!;

        public List<Item> Rows { get; } = Item.Sample();

        public async Task InitializeAsync()
        {
            var db = await _db.ConnectAsync();
            Table = await db.CreateTableAsync<Item>("items", Rows.Take(150));
            await Table.AddAsync(Rows.Skip(150));
        }

        public Task DisposeAsync() => Task.CompletedTask;

        public void Dispose() => _db.Dispose();
    }

    public static readonly Dictionary<string, Expression<Func<Item, bool>>> Filters = new()
    {
        ["equal"] = x => x.Id == 42,
        ["not equal"] = x => x.Id != 42,
        ["less"] = x => x.Id < 10,
        ["greater or equal"] = x => x.Score >= 70.5,
        ["float member"] = x => x.Weight > 30f,
        ["bool member"] = x => x.Active,
        ["not bool member"] = x => !x.Active,
        ["bool equals false"] = x => x.Active == false,
        ["and"] = x => x.Id > 10 && x.Id < 20,
        ["or"] = x => x.Id < 3 || x.Id > 296,
        ["not of and"] = x => !(x.Id > 10 && x.Active),
        ["nullable equal"] = x => x.Rank == 7,
        ["nullable not equal keeps nulls"] = x => x.Rank != 7,
        ["nullable less"] = x => x.Rank < 5,
        ["not nullable less keeps nulls"] = x => !(x.Rank < 5),
        ["is null"] = x => x.Rank == null,
        ["is not null"] = x => x.Rank != null,
        ["has value"] = x => x.Rank.HasValue,
        ["value"] = x => x.Rank.HasValue && x.Rank.Value > 45,
        ["nullable double"] = x => x.Price > 0,
        ["nullable string equal"] = x => x.Note == "note 3",
        ["nullable string not equal"] = x => x.Note != "note 3",
        ["two nullables equal"] = x => x.Rank == (int?)(x.Rank),
        ["arithmetic"] = x => x.Id * 2 + 1 == 85,
        ["integer division"] = x => x.Id / 7 == 3,
        ["modulo"] = x => x.Id % 13 == 0,
        ["mixed arithmetic"] = x => x.Id * 0.5 > x.Score,
        ["negation"] = x => -x.Id > -5,
        ["nullable arithmetic"] = x => x.Rank + 1 > 40,
        ["starts with"] = x => x.Name.StartsWith("Alpha"),
        ["ends with"] = x => x.Name.EndsWith("_7"),
        ["contains"] = x => x.Name.Contains("a_1"),
        ["ordinal starts with"] = x => x.Name.StartsWith("beta", StringComparison.Ordinal),
        ["to lower"] = x => x.Name.ToLowerInvariant() == "alpha_2",
        ["to upper"] = x => x.Name.ToUpperInvariant().StartsWith("BETA_1"),
        ["length"] = x => x.Name.Length == 6,
        ["is null or empty"] = x => string.IsNullOrEmpty(x.Name),
        ["null-guarded string call"] = x => x.Note != null && x.Note.EndsWith("e 4"),
        ["renamed column"] = x => x.Category == "green",
        ["array contains"] = x => x.Rank.HasValue && Ranks.Contains(x.Rank.Value),
        ["list contains"] = x => Categories.Contains(x.Category),
        ["enumerable contains"] = x => Enumerable.Contains(Categories, x.Category),
        ["empty list contains"] = x => NoIds.Contains(x.Id),
        ["contains with null"] = x => RanksWithNull.Contains(x.Rank),
        ["not contains"] = x => !Categories.Contains(x.Category),
        ["string compare"] = x => string.CompareOrdinal(x.Name, "beta") > 0,
        ["ordinal string compare"] = x => string.Compare(x.Name, "Beta_3", StringComparison.Ordinal) <= 0 || string.CompareOrdinal("gamma", x.Category) < 0,
        ["constant true"] = x => true,
        ["mixed"] = x => (x.Active || x.Category == "blue") && x.Price != null && x.Price < 5 && !x.Name.Contains("_9"),
    };

    public static TheoryData<string> FilterNames() => [.. Filters.Keys];

    [Theory]
    [MemberData(nameof(FilterNames))]
    public async Task Filter_returns_what_linq_to_objects_returns(string name)
    {
        var filter = Filters[name];
        var expected = _fixture.Rows.Where(filter.Compile()).Select(r => r.Id).ToList();

        var actual = await _fixture.Table.Query().Where(filter).ToListAsync();

        Assert.Equal(expected, actual.Select(r => r.Id));
    }

    [Fact]
    public async Task Captured_variables_are_read_once_when_the_filter_is_translated()
    {
        var min = 295L;
        var query = _fixture.Table.Query().Where(x => x.Id > min);
        min = 0;

        var rows = await query.ToListAsync();

        Assert.Equal([296L, 297L, 298L, 299L], rows.Select(r => r.Id));
    }

    [Fact]
    public async Task Captured_members_of_objects_translate()
    {
        var window = (From: 10L, To: 12L);

        var rows = await _fixture.Table.Query().Where(x => x.Id >= window.From && x.Id <= window.To).ToListAsync();

        Assert.Equal([10L, 11L, 12L], rows.Select(r => r.Id));
    }

    [Fact]
    public void An_untranslatable_call_throws_NotSupportedException_naming_it()
    {
        var ex = Assert.Throws<NotSupportedException>(() => _fixture.Table.Query().Where(x => x.Name.GetHashCode() == 3));

        Assert.Contains("x.Name.GetHashCode()", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trim_without_characters_is_refused_with_the_reason()
    {
        var ex = Assert.Throws<NotSupportedException>(() => _fixture.Table.Query().Where(x => x.Name.Trim() == "a"));

        Assert.Contains("Trim(' ')", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Regex_IsMatch_needs_a_constant_pattern()
    {
        var ex = Assert.Throws<NotSupportedException>(() => _fixture.Table.Query().Where(x => System.Text.RegularExpressions.Regex.IsMatch(x.Name, x.Name)));

        Assert.Contains("constant", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_culture_sensitive_string_comparison_is_refused_naming_the_ordinal_one()
    {
#pragma warning disable CA1309 // the culture-sensitive comparisons are the point
        // By the culture "alpha_1" comes before "Beta"; by code point (SQL's order) after it.
        Assert.True(string.Compare("alpha_1", "Beta", StringComparison.CurrentCulture) < 0 && string.CompareOrdinal("alpha_1", "Beta") > 0);
        foreach (var filter in new System.Linq.Expressions.Expression<Func<Item, bool>>[]
        {
            x => x.Name.CompareTo("Beta") < 0,
            x => string.Compare(x.Name, "Beta") < 0,
            x => string.Compare(x.Name, "Beta", StringComparison.OrdinalIgnoreCase) < 0,
        })
        {
            var ex = Assert.Throws<NotSupportedException>(() => _fixture.Table.Query().Where(filter));
            Assert.Contains("string.CompareOrdinal", ex.Message, StringComparison.Ordinal);
        }
#pragma warning restore CA1309
    }

    [Fact]
    public void A_culture_sensitive_string_call_is_not_translated()
    {
        var ex = Assert.Throws<NotSupportedException>(() => _fixture.Table.Query().Where(x => x.Name.StartsWith("a", StringComparison.OrdinalIgnoreCase)));

        Assert.Contains("StartsWith", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Member_names_map_to_the_columns_the_generator_wrote()
    {
        var properties = typeof(Named).GetProperties(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public);

        Assert.Equal(properties.Select(p => p.Name), Named.ColumnMap.Members.Select(m => m.Member));
        Assert.Equal(Named.ArrowSchema.FieldsList.Select(f => f.Name), properties.Select(p => Named.ColumnMap.ColumnOf(p.Name)));
        Assert.Equal(["id", "image_uri", "html_size", "Custom Name"], properties.Select(p => Named.ColumnMap.ColumnOf(p.Name)));
    }

    [Fact]
    public void A_translated_filter_reads_as_sql_with_csharp_null_semantics()
    {
        var sql = LinqFilterTranslator.ToSql<Item>(x => x.Rank != 7 && x.Category == "red", Item.ArrowSchema, Item.ColumnMap);

        Assert.Equal("(((rank IS NULL) OR (rank <> 7)) AND (cat = 'red'))", sql);
    }
}
