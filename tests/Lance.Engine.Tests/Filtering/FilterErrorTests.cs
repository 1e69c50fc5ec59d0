using Lance.Engine.Query.Filtering;

namespace Lance.Engine.Tests.Filtering;

public sealed class FilterErrorTests
{
    private const string Source = "/data/t.lance";

    private static LanceFilterException Fails(string sql)
        => Assert.Throws<LanceFilterException>(() => RowFilter.Parse(sql, FilterTestData.Schema, Source));

    [Fact]
    public void Unknown_column_is_named_with_the_tables_columns_and_its_position()
    {
        var ex = Fails("i > 1 AND nope = 3");

        Assert.Equal(10, ex.Position);
        Assert.Contains("no column 'nope'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Columns: id, i, s, f, b, d, ts, meta, u8, w", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Source, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Comparing_an_integer_column_with_a_string_names_the_column_and_both_types()
    {
        var ex = Fails("id = 'x'");

        Assert.Equal(5, ex.Position);
        Assert.Contains("column 'id' (int64)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("the string 'x'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("i = 7.5", "column 'i' (int32)")]
    [InlineData("i = 3000000000", "column 'i' (int32)")]
    [InlineData("s = 1", "column 's' (utf8)")]
    [InlineData("b = 1", "column 'b' (bool")]
    [InlineData("i IN (1.5)", "column 'i' (int32)")]
    [InlineData("d < '2024-02-01'", "write date '2024-02-01'")]
    [InlineData("ts = '2024-01-01 10:00:00'", "write timestamp '2024-01-01 10:00:00'")]
    public void Literals_the_column_type_cannot_hold_are_errors_as_in_LanceDB(string sql, string expected)
        => Assert.Contains(expected, Fails(sql).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("i > ", 4, "expected an expression, found the end of the filter")]
    [InlineData("i > 1 AND", 9, "expected an expression")]
    [InlineData("(i > 1", 6, "expected ')'")]
    [InlineData("i > 1 i < 2", 6, "expected AND, OR or the end of the filter, found 'i'")]
    [InlineData("s = 'abc", 4, "the string is not closed")]
    [InlineData("i IN ()", 6, "at least one value")]
    [InlineData("i BETWEEN 1 OR 2", 12, "expected AND")]
    [InlineData("i # 2", 2, "unexpected character '#'")]
    [InlineData("", 0, "empty")]
    [InlineData("s IS 3", 5, "expected NULL, TRUE or FALSE")]
    [InlineData("CAST(i AS widget) = 1", 0, "unknown type 'widget'")]
    [InlineData("frobnicate(s)", 0, "unknown function 'frobnicate'")]
    [InlineData("lower(s, s) = 'a'", 0, "lower takes 1 argument, not 2")]
    [InlineData("sqrt(s) > 1", 5, "sqrt needs a number, but column 's' is string")]
    [InlineData("sqrt(i, i) > 1", 0, "sqrt takes 1 argument, not 2")]
    [InlineData("round(f, 1.5) > 1", 9, "round needs a whole number of decimal places")]
    [InlineData("log(2, f, f) > 1", 0, "log takes 1 or 2 arguments, not 3")]
    [InlineData("power(i) > 1", 0, "power takes 2 arguments, not 1")]
    [InlineData("nullif(i) IS NULL", 0, "nullif takes 2 arguments, not 1")]
    [InlineData("greatest(i, s) > 1", 12, "greatest cannot join column 's' (string) with the arguments before it")]
    [InlineData("d = date '2024-13-01'", 9, "expected a date")]
    [InlineData("i + 1", 2, "must be true or false")]
    [InlineData("s LIKE i", 7, "pattern of LIKE must be a string")]
    [InlineData("i AND b", 0, "AND needs a boolean operand, but column 'i' is int32")]
    [InlineData("meta.nope = 1", 0, "has no field 'nope'. Fields: author, year")]
    public void Errors_say_what_was_expected_and_where(string sql, int position, string expected)
    {
        var ex = Fails(sql);

        Assert.Equal(position, ex.Position);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_message_shows_the_filter_with_a_caret_under_the_error()
    {
        var ex = Fails("i > 1 AND nope = 3");

        var lines = ex.Message.Split(Environment.NewLine);
        Assert.Equal("  i > 1 AND nope = 3", lines[1]);
        Assert.Equal("            ^", lines[2]);
    }

    [Fact]
    public void Integer_division_by_zero_fails_at_evaluation_with_the_position()
    {
        var filter = RowFilter.Parse("i / 0 = 1", FilterTestData.Schema, Source);

        var ex = Assert.Throws<LanceFilterException>(() => filter.Evaluate(FilterTestData.Batch()));

        Assert.Equal(2, ex.Position);
        Assert.Contains("division by zero", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_string_that_does_not_cast_fails_at_evaluation()
    {
        var filter = RowFilter.Parse("CAST(s AS int) = 1", FilterTestData.Schema, Source);

        var ex = Assert.Throws<LanceFilterException>(() => filter.Evaluate(FilterTestData.Batch()));

        Assert.Contains("cannot cast the string 'abc' to int", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tree_filter_error_has_no_position_and_shows_the_filter_as_sql()
    {
        var tree = new BinaryExpression(BinaryOperator.Equal, new ColumnExpression("id"), new LiteralExpression("x"));

        var ex = Assert.Throws<LanceFilterException>(() => RowFilter.FromExpression(tree, FilterTestData.Schema, Source));

        Assert.Equal(-1, ex.Position);
        Assert.Contains("column 'id' (int64)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("(id = 'x')", ex.Message, StringComparison.Ordinal);
    }
}
