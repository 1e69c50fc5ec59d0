using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Tests.Support;

namespace Lance.Engine.Tests.Dataset;

public sealed class DatasetTests : IDisposable
{
    private const int Dim = 8;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string TablePath => _temp.Combine("t.lance");

    [Fact]
    public async Task Rows_written_then_reopened_read_back_equal_including_nulls()
    {
        var batch = Batches.Docs(0, 500, Dim);
        await LanceDataset.CreateAsync(TablePath, batch.Schema, [batch]);

        var reopened = await LanceDataset.OpenAsync(TablePath);

        Assert.Equal(Batches.Rows([batch]), Batches.Rows(await Batches.ReadAll(reopened)));
        Assert.Equal(500, reopened.CountRows());
    }

    [Fact]
    public async Task Schema_metadata_and_nullability_survive_a_reopen()
    {
        var batch = Batches.Docs(0, 3, Dim);
        await LanceDataset.CreateAsync(TablePath, batch.Schema, [batch]);

        var schema = (await LanceDataset.OpenAsync(TablePath)).Schema;

        Assert.Equal("tests", schema.Metadata["owner"]);
        Assert.Equal(batch.Schema.FieldsList.Select(f => (f.Name, f.IsNullable)), schema.FieldsList.Select(f => (f.Name, f.IsNullable)));
        Assert.Equal(Dim, ((FixedSizeListType)schema.GetFieldByName("vector").DataType).ListSize);
    }

    [Fact]
    public async Task Each_append_commits_one_new_version_named_the_V2_way()
    {
        var dataset = await LanceDataset.CreateAsync(TablePath, Batches.DocSchema(Dim), [Batches.Docs(0, 10, Dim)]);
        await dataset.AppendAsync([Batches.Docs(10, 10, Dim)]);
        await dataset.AppendAsync([Batches.Docs(20, 5, Dim)]);

        Assert.Equal(3UL, dataset.Version);
        Assert.Equal(25, dataset.CountRows());
        var names = Directory.GetFiles(Path.Combine(TablePath, "_versions")).Select(f => Path.GetFileName(f)!).Order().ToArray();
        Assert.Equal(["18446744073709551612.manifest", "18446744073709551613.manifest", "18446744073709551614.manifest"], names);
    }

    [Fact]
    public async Task An_empty_dataset_has_a_schema_and_no_rows()
    {
        var dataset = await LanceDataset.CreateAsync(TablePath, Batches.DocSchema(Dim));

        Assert.Equal(0, dataset.CountRows());
        Assert.Empty(await Batches.ReadAll(dataset));
        var hits = await dataset.SearchAsync(new VectorSearchRequest("vector", new float[Dim], 5));
        Assert.Equal(0, hits.Length);
    }

    [Fact]
    public async Task Rows_are_cut_into_fragments_of_the_configured_size()
    {
        var batch = Batches.Docs(0, 1000, Dim);
        var dataset = await LanceDataset.CreateAsync(TablePath, batch.Schema, [batch], options: new DatasetWriteOptions { MaxRowsPerFile = 300 });

        var batches = await Batches.ReadAll(dataset);

        Assert.Equal([300, 300, 300, 100], batches.Select(b => b.Length));
        Assert.Equal(Batches.Rows([batch]), Batches.Rows(batches));
        Assert.Equal(4, Directory.GetFiles(Path.Combine(TablePath, "data")).Length);
    }

    [Fact]
    public async Task A_projection_reads_only_the_named_columns_in_that_order()
    {
        var batch = Batches.Docs(0, 20, Dim);
        var dataset = await LanceDataset.CreateAsync(TablePath, batch.Schema, [batch]);

        var read = (await Batches.ReadAll(dataset, ["score", "id"])).Single();

        Assert.Equal(["score", "id"], read.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal(19L, ((Int64Array)read.Column(1)).GetValue(19));
    }

    [Fact]
    public async Task Overwrite_commits_a_version_with_only_the_new_rows()
    {
        await LanceDataset.CreateAsync(TablePath, Batches.DocSchema(Dim), [Batches.Docs(0, 50, Dim)]);

        var dataset = await LanceDataset.CreateAsync(TablePath, Batches.DocSchema(Dim), [Batches.Docs(100, 7, Dim)], WriteMode.Overwrite);

        Assert.Equal(2UL, dataset.Version);
        Assert.Equal(7, dataset.CountRows());
    }

    [Fact]
    public async Task Creating_over_an_existing_dataset_fails_and_keeps_its_rows()
    {
        await LanceDataset.CreateAsync(TablePath, Batches.DocSchema(Dim), [Batches.Docs(0, 50, Dim)]);

        await Assert.ThrowsAsync<LanceException>(() => LanceDataset.CreateAsync(TablePath, Batches.DocSchema(Dim), [Batches.Docs(0, 5, Dim)]));

        Assert.Equal(50, (await LanceDataset.OpenAsync(TablePath)).CountRows());
    }

    [Fact]
    public async Task Opening_a_missing_folder_throws_table_not_found()
    {
        var ex = await Assert.ThrowsAsync<LanceTableNotFoundException>(() => LanceDataset.OpenAsync(_temp.Combine("nope.lance")));
        Assert.Contains("nope", ex.Message);
    }

    [Fact]
    public async Task Opening_a_folder_that_is_not_a_dataset_throws_a_format_error()
    {
        Directory.CreateDirectory(TablePath);
        await File.WriteAllTextAsync(Path.Combine(TablePath, "notes.txt"), "hello");

        var ex = await Assert.ThrowsAsync<LanceFormatException>(() => LanceDataset.OpenAsync(TablePath));
        Assert.Contains("not a Lance dataset", ex.Message);
    }

    [Fact]
    public async Task A_corrupt_manifest_is_reported_as_a_format_error()
    {
        await LanceDataset.CreateAsync(TablePath, Batches.DocSchema(Dim), [Batches.Docs(0, 5, Dim)]);
        var manifest = Directory.GetFiles(Path.Combine(TablePath, "_versions"), "*.manifest").Single();
        await File.WriteAllBytesAsync(manifest, [1, 2, 3, 4, 5]);

        await Assert.ThrowsAsync<LanceFormatException>(() => LanceDataset.OpenAsync(TablePath));
    }

    [Fact]
    public async Task Appending_vectors_of_another_dimension_fails_and_commits_nothing()
    {
        var dataset = await LanceDataset.CreateAsync(TablePath, Batches.DocSchema(Dim), [Batches.Docs(0, 10, Dim)]);

        var ex = await Assert.ThrowsAsync<LanceSchemaException>(() => dataset.AppendAsync([Batches.Docs(10, 10, Dim + 1)]));

        Assert.Contains("'vector'", ex.Message);
        Assert.Contains("[8]", ex.Message);
        Assert.Contains("[9]", ex.Message);
        var reopened = await LanceDataset.OpenAsync(TablePath);
        Assert.Equal(1UL, reopened.Version);
        Assert.Equal(10, reopened.CountRows());
    }

    [Fact]
    public async Task Appending_a_column_the_table_lacks_names_it()
    {
        var dataset = await LanceDataset.CreateAsync(TablePath, new Schema([new Field("id", Int64Type.Default, false)], null));
        var batch = new RecordBatch(
            new Schema([new Field("id", Int64Type.Default, false), new Field("extra", Int32Type.Default, true)], null),
            [new Int64Array.Builder().Append(1).Build(), new Int32Array.Builder().Append(2).Build()], 1);

        var ex = await Assert.ThrowsAsync<LanceSchemaException>(() => dataset.AppendAsync([batch]));
        Assert.Contains("'extra'", ex.Message);
    }

    [Theory]
    [InlineData("time64")]
    [InlineData("time32")]
    [InlineData("duration")]
    public async Task Appending_times_or_durations_of_another_unit_fails_naming_both_and_commits_nothing(string kind)
    {
        (IArrowType Table, IArrowArray Rows) pair = kind switch
        {
            "time64" => (new Time64Type(TimeUnit.Nanosecond), new Time64Array.Builder(new Time64Type(TimeUnit.Microsecond)).Append(5L).Build()),
            "time32" => (new Time32Type(TimeUnit.Second), new Time32Array.Builder(new Time32Type(TimeUnit.Millisecond)).Append(5).Build()),
            _ => (DurationType.Millisecond, new DurationArray.Builder(DurationType.Microsecond).Append(5L).Build()),
        };
        var dataset = await LanceDataset.CreateAsync(TablePath, new Schema([new Field("t", pair.Table, true)], null));
        var batch = new RecordBatch(new Schema([new Field("t", pair.Rows.Data.DataType, true)], null), [pair.Rows], 1);

        var ex = await Assert.ThrowsAsync<LanceSchemaException>(() => dataset.AppendAsync([batch]));

        Assert.Contains("'t'", ex.Message);
        Assert.Contains(kind, ex.Message);
        Assert.Equal(0, (await LanceDataset.OpenAsync(TablePath)).CountRows());
    }

    [Fact]
    public async Task A_null_in_a_non_nullable_column_is_rejected()
    {
        var schema = new Schema([new Field("id", Int64Type.Default, false)], null);
        var dataset = await LanceDataset.CreateAsync(TablePath, schema);
        var batch = new RecordBatch(new Schema([new Field("id", Int64Type.Default, true)], null), [new Int64Array.Builder().Append(1).AppendNull().Build()], 2);

        var ex = await Assert.ThrowsAsync<LanceSchemaException>(() => dataset.AppendAsync([batch]));
        Assert.Contains("'id'", ex.Message);
    }

    [Fact]
    public async Task Columns_given_in_another_order_are_matched_by_name()
    {
        var schema = new Schema([new Field("a", Int64Type.Default, false), new Field("b", StringType.Default, true)], null);
        var dataset = await LanceDataset.CreateAsync(TablePath, schema);
        var swapped = new RecordBatch(
            new Schema([new Field("b", StringType.Default, true), new Field("a", Int64Type.Default, false)], null),
            [new StringArray.Builder().Append("x").Build(), new Int64Array.Builder().Append(42).Build()], 1);

        await dataset.AppendAsync([swapped]);

        var row = Batches.Rows(await Batches.ReadAll(dataset)).Single();
        Assert.Equal([42L, "x"], row);
    }

    [Fact]
    public async Task Two_writers_appending_at_once_both_land()
    {
        await LanceDataset.CreateAsync(TablePath, Batches.DocSchema(Dim));
        var first = await LanceDataset.OpenAsync(TablePath);
        var second = await LanceDataset.OpenAsync(TablePath);

        await Task.WhenAll(
            Task.Run(async () => { for (var i = 0; i < 15; i++) await first.AppendAsync([Batches.Docs(i * 10, 10, Dim)]); }),
            Task.Run(async () => { for (var i = 0; i < 15; i++) await second.AppendAsync([Batches.Docs(1000 + (i * 10), 10, Dim)]); }));

        var reopened = await LanceDataset.OpenAsync(TablePath);
        Assert.Equal(31UL, reopened.Version);
        Assert.Equal(300, reopened.CountRows());
        var ids = Batches.Rows(await Batches.ReadAll(reopened, ["id"])).Select(r => (long)r[0]!).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 150).Concat(Enumerable.Range(1000, 150)).Select(i => (long)i), ids);
    }

    [Fact]
    public async Task A_dataset_hand_written_for_LanceDB_opens_with_its_deletions_applied()
    {
        var source = Path.Combine(AppContext.BaseDirectory, "fixtures", "handcrafted-2.1", "miniblock-nulls-deletion", "hand.lance");
        CopyFolder(source, TablePath);

        var dataset = await LanceDataset.OpenAsync(TablePath);

        Assert.Equal(2UL, dataset.Version);
        Assert.Equal(997, dataset.CountRows());
        var ids = Batches.Rows(await Batches.ReadAll(dataset, ["id"])).Select(r => (long)r[0]!).ToList();
        Assert.DoesNotContain(3L, ids);
        Assert.DoesNotContain(5L, ids);
        Assert.Contains(6L, ids);
    }

    private static void CopyFolder(string source, string target)
    {
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }
}
