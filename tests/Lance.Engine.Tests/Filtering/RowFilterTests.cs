using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Query.Filtering;

namespace Lance.Engine.Tests.Filtering;

public sealed class RowFilterTests
{
    private const string Source = "/data/t.lance";

    private static int[] Ids(string sql)
    {
        var batch = FilterTestData.Batch();
        var passes = RowFilter.Parse(sql, FilterTestData.Schema, Source).Evaluate(batch);
        var ids = (Int64Array)batch.Column("id");
        return Enumerable.Range(0, batch.Length).Where(i => passes[i]).Select(i => (int)ids.GetValue(i)!.Value).ToArray();
    }

    [Theory]
    [InlineData("i = 7", new[] { 1 })]
    [InlineData("i == 7", new[] { 1 })]
    [InlineData("i <> 7", new[] { 2, 4, 5, 6 })]
    [InlineData("i != 7", new[] { 2, 4, 5, 6 })]
    [InlineData("i < 3", new[] { 2, 6 })]
    [InlineData("i <= 3", new[] { 2, 4, 6 })]
    [InlineData("i > 3", new[] { 1, 5 })]
    [InlineData("i >= 3", new[] { 1, 4, 5 })]
    [InlineData("3 < i", new[] { 1, 5 })]
    [InlineData("id = 1", new[] { 1 })]
    [InlineData("f > 1", new[] { 1, 2, 5 })]
    [InlineData("f = 10", new[] { 5 })]
    [InlineData("f > .5", new[] { 1, 2, 5 })]
    [InlineData("f = 1.5e0", new[] { 1 })]
    [InlineData("w = 0.1", new[] { 1 })]
    [InlineData("u8 > 200", new[] { 4 })]
    [InlineData("s = 'abc'", new[] { 1 })]
    [InlineData("s = \"abc\"", new[] { 1 })]
    [InlineData("s = 'it''s'", new[] { 4 })]
    [InlineData("s > 'a'", new[] { 1, 2, 4, 6 })]
    [InlineData("b", new[] { 1, 4, 6 })]
    [InlineData("NOT b", new[] { 2, 5 })]
    [InlineData("b = true", new[] { 1, 4, 6 })]
    [InlineData("b = FALSE", new[] { 2, 5 })]
    public void Comparisons_follow_sql(string sql, int[] expected) => Assert.Equal(expected, Ids(sql));

    [Theory]
    [InlineData("i > 3 AND f > 5", new[] { 5 })]
    [InlineData("i > 3 OR s = 'a_c'", new[] { 1, 2, 5 })]
    [InlineData("NOT (i > 3)", new[] { 2, 4, 6 })]
    [InlineData("i > 3 OR i IS NULL", new[] { 1, 3, 5 })]
    [InlineData("NOT (i = 7) OR s = 'abc'", new[] { 1, 2, 4, 5, 6 })]
    [InlineData("i = NULL", new int[0])]
    [InlineData("NOT NULL", new int[0])]
    [InlineData("f = NULL OR TRUE", new[] { 1, 2, 3, 4, 5, 6 })]
    [InlineData("(i > 100) AND NULL", new int[0])]
    [InlineData("NOT ((i > 100) AND NULL)", new[] { 1, 2, 4, 5, 6 })]
    [InlineData("b IS TRUE", new[] { 1, 4, 6 })]
    [InlineData("b IS NOT TRUE", new[] { 2, 3, 5 })]
    [InlineData("b IS FALSE", new[] { 2, 5 })]
    [InlineData("b IS NOT FALSE", new[] { 1, 3, 4, 6 })]
    [InlineData("i IS NULL", new[] { 3 })]
    [InlineData("i IS NOT NULL", new[] { 1, 2, 4, 5, 6 })]
    [InlineData("TRUE", new[] { 1, 2, 3, 4, 5, 6 })]
    [InlineData("1 = 1", new[] { 1, 2, 3, 4, 5, 6 })]
    [InlineData("i = i", new[] { 1, 2, 4, 5, 6 })]
    public void Logic_is_three_valued(string sql, int[] expected) => Assert.Equal(expected, Ids(sql));

    [Theory]
    [InlineData("i IN (7, 3)", new[] { 1, 4 })]
    [InlineData("i NOT IN (7, 3)", new[] { 2, 5, 6 })]
    [InlineData("i IN (7, NULL)", new[] { 1 })]
    [InlineData("i NOT IN (7, NULL)", new int[0])]
    [InlineData("s IN ('abc', 'x')", new[] { 1 })]
    [InlineData("f IN (10, 1.5)", new[] { 1, 5 })]
    [InlineData("i IN (f)", new[] { 5, 6 })]
    [InlineData("i BETWEEN 3 AND 7", new[] { 1, 4 })]
    [InlineData("i NOT BETWEEN 3 AND 7", new[] { 2, 5, 6 })]
    [InlineData("i BETWEEN 7 AND 3", new int[0])]
    public void In_and_between(string sql, int[] expected) => Assert.Equal(expected, Ids(sql));

    [Theory]
    [InlineData("s LIKE 'a%'", new[] { 1, 2 })]
    [InlineData("s LIKE 'a_c'", new[] { 1, 2 })]
    [InlineData("s LIKE 'a\\_c'", new[] { 2 })]
    [InlineData("s LIKE 'A\\%C'", new[] { 3 })]
    [InlineData("s LIKE '%''%'", new[] { 4 })]
    [InlineData("s LIKE '%c'", new[] { 1, 2 })]
    [InlineData("s LIKE '%b%'", new[] { 1 })]
    [InlineData("s LIKE '_n_ _'", new[] { 6 })]
    [InlineData("s LIKE 'Ü%✓'", new[] { 6 })]
    [InlineData("s NOT LIKE 'a%'", new[] { 3, 4, 6 })]
    [InlineData("s ILIKE 'a%c'", new[] { 1, 2, 3 })]
    [InlineData("s LIKE 'a!_c' ESCAPE '!'", new[] { 2 })]
    [InlineData("s LIKE '%'", new[] { 1, 2, 3, 4, 6 })]
    public void Like_matches_characters_not_bytes(string sql, int[] expected) => Assert.Equal(expected, Ids(sql));

    [Theory]
    [InlineData("i / 2 = 3", new[] { 1 })]
    [InlineData("i / 2 = -3", new[] { 2 })]
    [InlineData("i % 4 = 3", new[] { 1, 4 })]
    [InlineData("i % 4 = -3", new[] { 2 })]
    [InlineData("i + 1 = 8", new[] { 1 })]
    [InlineData("-i = 7", new[] { 2 })]
    [InlineData("i * 2.5 > 10", new[] { 1, 5 })]
    [InlineData("f / 2 = 0.75", new[] { 1 })]
    [InlineData("i + f > 5", new[] { 1, 5 })]
    [InlineData("i * 1000000000 > 0", new[] { 1, 4, 5 })]
    [InlineData("2147483647 + 1 > 0", new[] { 1, 2, 3, 4, 5, 6 })]
    [InlineData("i - 2 * 3 = 1", new[] { 1 })]
    [InlineData("(i - 2) * 3 = 15", new[] { 1 })]
    [InlineData("abs(i) = 7", new[] { 1, 2 })]
    public void Arithmetic_divides_integers_by_truncation(string sql, int[] expected) => Assert.Equal(expected, Ids(sql));

    [Theory]
    [InlineData("lower(s) = 'a%c'", new[] { 3 })]
    [InlineData("upper(s) = 'ABC'", new[] { 1 })]
    [InlineData("LOWER(s) = 'ünï ✓'", new[] { 6 })]
    [InlineData("length(s) = 3", new[] { 1, 2, 3 })]
    [InlineData("char_length(s) = 5", new[] { 6 })]
    [InlineData("octet_length(s) = 9", new[] { 6 })]
    [InlineData("starts_with(s, 'a')", new[] { 1, 2 })]
    [InlineData("ends_with(s, 'c')", new[] { 1, 2 })]
    [InlineData("contains(s, 'b')", new[] { 1 })]
    [InlineData("starts_with(s, NULL)", new int[0])]
    [InlineData("lower(NULL) IS NULL", new[] { 1, 2, 3, 4, 5, 6 })]
    [InlineData("length(s) > i", new[] { 2, 4, 6 })]
    [InlineData("s || 'x' = 'abcx'", new[] { 1 })]
    public void String_functions(string sql, int[] expected) => Assert.Equal(expected, Ids(sql));

    [Theory]
    [InlineData("CAST(i AS double) > 3.5", new[] { 1, 5 })]
    [InlineData("CAST(f AS int) = 1", new[] { 1 })]
    [InlineData("CAST(i AS string) = '7'", new[] { 1 })]
    [InlineData("CAST(i AS bigint unsigned) = 7", new[] { 1 })]
    [InlineData("CAST(-1.5 AS int) = -1", new[] { 1, 2, 3, 4, 5, 6 })]
    [InlineData("CAST(i AS boolean)", new[] { 1, 2, 4, 5 })]
    [InlineData("CAST('2024-01-01' AS date) > date '2023-01-01'", new[] { 1, 2, 3, 4, 5, 6 })]
    public void Casts(string sql, int[] expected) => Assert.Equal(expected, Ids(sql));

    [Theory]
    [InlineData("d = date '2024-02-29'", new[] { 2 })]
    [InlineData("d > date '2024-01-01'", new[] { 2, 5 })]
    [InlineData("d < date '2000-01-01'", new[] { 6 })]
    [InlineData("d BETWEEN date '2023-12-31' AND date '2024-01-01'", new[] { 1, 4 })]
    [InlineData("ts > timestamp '2024-01-01 00:00:00'", new[] { 1, 5 })]
    [InlineData("ts >= timestamp '2024-01-01 00:00:00'", new[] { 1, 2, 5 })]
    [InlineData("ts = timestamp '2024-01-01T10:00:00'", new[] { 1 })]
    [InlineData("ts < timestamp '1970-01-01 00:00:00.000001'", new[] { 6 })]
    [InlineData("ts > d", new[] { 1, 4, 5, 6 })]
    [InlineData("CAST(ts AS date) = d", new[] { 1, 4, 6 })]
    public void Dates_and_timestamps(string sql, int[] expected) => Assert.Equal(expected, Ids(sql));

    [Theory]
    [InlineData("meta.author = 'ann'", new[] { 1, 5 })]
    [InlineData("meta.year > 2020", new[] { 2, 4, 6 })]
    [InlineData("meta.author IS NULL", new[] { 3, 4 })]
    [InlineData("meta IS NULL", new[] { 3 })]
    [InlineData("`meta`.`year` = 2024", new[] { 6 })]
    [InlineData("`i` = 7", new[] { 1 })]
    public void Struct_fields_and_back_quoted_names(string sql, int[] expected) => Assert.Equal(expected, Ids(sql));

    [Fact]
    public void Cast_to_decimal_with_precision_and_scale_compares_exactly()
    {
        var schema = new Schema([new Field("c9", new Decimal128Type(28, 21), true)], null);
        var values = new Decimal128Array.Builder(new Decimal128Type(28, 21))
            .Append(8402102.910676168105485632618m).Append(8402102.910676168105485632619m).AppendNull().Append(-1.5m).Build();
        var batch = new RecordBatch(schema, [values], 4);
        bool[] Eval(string sql) => RowFilter.Parse(sql, schema, Source).Evaluate(batch);

        Assert.Equal([true, false, false, false], Eval("c9 = CAST('8402102.910676168105485632618' AS DECIMAL(28, 21))"));
        Assert.Equal([true, false, false, false], Eval("c9 = cast('8402102.910676168105485632618' as numeric(28,21))"));
        Assert.Equal([true, true, false, false], Eval("c9 > CAST(8402102.91 AS DECIMAL(38, 21))"));
        Assert.Equal([false, false, false, true], Eval("c9 = CAST('-1.5' AS DECIMAL(40, 3))"));
        Assert.Equal([false, false, false, true], Eval("c9 < CAST(-1 AS DECIMAL(5))"));
        Assert.Equal([false, false, false, true], Eval("c9 = CAST('-1.5' AS DECIMAL)"));
        Assert.Equal([false, false, false, true], Eval("CAST(c9 AS DECIMAL(10, 1)) = CAST('-1.5' AS DECIMAL(4, 2))"));
        Assert.Equal([false, false, false, true], Eval("c9 = CAST('-1.46' AS DECIMAL(4, 1))"));
        Assert.ThrowsAny<LanceFilterException>(() => Eval("c9 = CAST('123.4' AS DECIMAL(3, 1))"));
        Assert.ThrowsAny<LanceFilterException>(() => Eval("c9 = CAST('x' AS DECIMAL(3, 1))"));
        Assert.ThrowsAny<LanceFilterException>(() => Eval("c9 = CAST('1' AS DECIMAL(3, 4))"));
    }

    [Fact]
    public void Binary_columns_compare_with_hex_literals()
    {
        var schema = new Schema([new Field("bin", BinaryType.Default, true)], null);
        var bins = new BinaryArray.Builder().Append([1, 2]).AppendNull().Append([0xAB]).Build();
        var batch = new RecordBatch(schema, [bins], 3);

        Assert.Equal([false, false, true], RowFilter.Parse("bin = X'ab'", schema, Source).Evaluate(batch));
        Assert.Equal([true, false, false], RowFilter.Parse("bin < x'0203'", schema, Source).Evaluate(batch));
    }

    [Fact]
    public void Columns_lists_the_top_level_columns_read_in_schema_order()
    {
        var filter = RowFilter.Parse("meta.year > 1 AND s = 'x' OR i IS NULL", FilterTestData.Schema, Source);

        Assert.Equal(["i", "s", "meta"], filter.Columns);
    }

    [Fact]
    public void Evaluate_reads_a_batch_holding_only_the_filter_columns()
    {
        var full = FilterTestData.Batch();
        var narrow = new RecordBatch(new Schema([full.Schema.GetFieldByName("i")], null), [full.Column("i")], full.Length);

        var passes = RowFilter.Parse("i > 3", FilterTestData.Schema, Source).Evaluate(narrow);

        Assert.Equal([true, false, false, false, true, false], passes);
    }

    [Fact]
    public void Evaluate_respects_an_array_offset()
    {
        var full = FilterTestData.Batch();
        var sliced = full.Slice(2, 3); // ids 3, 4, 5

        var passes = RowFilter.Parse("i IS NULL OR s = 'it''s' OR meta.author = 'ann'", FilterTestData.Schema, Source).Evaluate(sliced);

        Assert.Equal([true, true, true], passes);
    }

    [Fact]
    public void Changing_a_result_does_not_change_the_next_evaluation_of_the_same_column()
    {
        var batch = FilterTestData.Batch();
        var filter = RowFilter.Parse("b", FilterTestData.Schema, Source);
        var first = filter.Evaluate(batch);
        System.Array.Fill(first, false);

        Assert.Equal([true, false, false, true, false, true], filter.Evaluate(batch));
    }

    [Fact]
    public void A_tree_from_code_evaluates_like_the_same_sql()
    {
        var tree = new BinaryExpression(
            BinaryOperator.And,
            new BinaryExpression(BinaryOperator.Greater, new ColumnExpression("i"), new LiteralExpression(0L)),
            new LikeExpression(new ColumnExpression("s"), new LiteralExpression("a%"), Negated: false, CaseInsensitive: false));
        var batch = FilterTestData.Batch();

        var fromTree = RowFilter.FromExpression(tree, FilterTestData.Schema, Source).Evaluate(batch);
        var fromSql = RowFilter.Parse(tree.ToSql(), FilterTestData.Schema, Source).Evaluate(batch);

        Assert.Equal(fromSql, fromTree);
        Assert.Equal([true, false, false, false, false, false], fromTree);
    }
}
