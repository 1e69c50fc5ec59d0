using Apache.Arrow;
using Lance.Engine.Arrow;

namespace Lance.Engine.Tests.Format;

/// <summary>Take, empty and null-filled arrays, concatenation and schema checks for every type of the type matrix.</summary>
public class ArrowTypeSupportTests
{
    public static TheoryData<string> ColumnNames() => [.. TypeMatrix.Columns.Select(c => c.Name)];

    private static IArrowArray Column(RecordBatch batch, string name) => batch.Column(batch.Schema.GetFieldIndex(name));

    private static List<string?> Json(IArrowArray array) => Enumerable.Range(0, array.Length).Select(i => ArrowValues.Json(array, i)?.ToJsonString()).ToList();

    [Theory]
    [MemberData(nameof(ColumnNames))]
    public void Take_picks_the_rows_asked_for_in_that_order(string name)
    {
        var batch = TypeMatrix.Batch(0, 40);
        int[] rows = [39, 0, 5, 5, 13, 20, 1];

        var taken = ArrowTake.Take(Column(batch, name), rows);

        var all = Json(Column(batch, name));
        Assert.Equal(rows.Select(r => all[r]), Json(taken));
    }

    [Theory]
    [MemberData(nameof(ColumnNames))]
    public void Take_from_a_slice_honours_its_offset(string name)
    {
        var batch = TypeMatrix.Batch(0, 40);
        var slice = batch.Slice(10, 20);

        var taken = ArrowTake.Take(Column(slice, name), [0, 19, 7]);

        var all = Json(Column(batch, name));
        Assert.Equal([all[10], all[29], all[17]], Json(taken));
    }

    [Theory]
    [MemberData(nameof(ColumnNames))]
    public void Take_of_runs_of_consecutive_rows_from_a_slice_keeps_every_value(string name)
    {
        var batch = TypeMatrix.Batch(0, 40);
        var slice = batch.Slice(3, 30);
        int[] rows = [0, 1, 2, 3, 10, 11, 29, 5, 6];

        var taken = ArrowTake.Take(Column(slice, name), rows);

        var all = Json(Column(batch, name));
        Assert.Equal(rows.Select(r => all[r + 3]), Json(taken));
    }

    [Theory]
    [MemberData(nameof(ColumnNames))]
    public void Null_filled_and_empty_arrays_exist_for_every_type(string name)
    {
        var type = TypeMatrix.Schema.GetFieldByName(name).DataType;

        var nulls = ArrowEmpty.CreateNulls(type, 5);
        var empty = ArrowEmpty.Create(type);

        Assert.Equal(5, nulls.NullCount);
        Assert.All(Json(nulls), Assert.Null);
        Assert.Equal(0, empty.Length);
    }

    [Theory]
    [MemberData(nameof(ColumnNames))]
    public void Concatenation_keeps_every_value(string name)
    {
        var first = TypeMatrix.Batch(0, 15);
        var second = TypeMatrix.Batch(15, 10);

        var joined = ArrowConcat.Concatenate([Column(first, name), Column(second, name)]);

        Assert.Equal(Json(Column(TypeMatrix.Batch(0, 25), name)), Json(joined));
    }

    [Theory]
    [MemberData(nameof(ColumnNames))]
    public void Every_type_is_the_same_type_as_itself_and_described(string name)
    {
        var type = TypeMatrix.Schema.GetFieldByName(name).DataType;

        Assert.True(SchemaAlignment.SameType(type, TypeMatrix.Batch(0, 1).Schema.GetFieldByName(name).DataType));
        Assert.False(string.IsNullOrEmpty(SchemaAlignment.Describe(type)));
    }

    [Fact]
    public void A_nullable_nested_column_left_out_of_a_batch_is_filled_with_nulls()
    {
        var schema = new Schema([TypeMatrix.Schema.GetFieldByName("id"), TypeMatrix.Schema.GetFieldByName("points"), TypeMatrix.Schema.GetFieldByName("outer")], null);
        var partial = new RecordBatch(new Schema([schema.GetFieldByName("id")], null), [Column(TypeMatrix.Batch(0, 3), "id")], 3);

        var aligned = SchemaAlignment.Align(partial, schema, "t");

        Assert.Equal(3, aligned.Column(1).NullCount);
        Assert.Equal(3, aligned.Column(2).NullCount);
    }
}
