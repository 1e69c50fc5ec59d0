using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Tests.Support;
using static Lance.Engine.Tests.Support.Items;

namespace Lance.Engine.Tests.Dataset;

public sealed class OperationTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string TablePath => _temp.Combine("items.lance");

    private async Task<LanceDataset> CreateAsync(int rows = 100, int rowsPerFile = 1000)
        => await LanceDataset.CreateAsync(TablePath, Items.Schema, [Range(0, rows)], options: new DatasetWriteOptions { MaxRowsPerFile = rowsPerFile });

    private static List<Row> Expected(int rows) => Items.ToRows(Range(0, rows)).ToList();

    [Fact]
    public async Task Delete_hides_the_matching_rows_through_a_deletion_file_in_one_version()
    {
        var dataset = await CreateAsync();

        var deleted = await dataset.DeleteAsync(Where(id => id % 3 == 0));

        Assert.Equal(34, deleted);
        Assert.Equal(2UL, dataset.Version);
        Assert.Equal(66, dataset.CountRows());
        Assert.Single(Directory.GetFiles(Path.Combine(TablePath, "_deletions"), "*.arrow"));
        var reopened = await LanceDataset.OpenAsync(TablePath);
        Assert.Equal(Expected(100).Where(r => r.Id % 3 != 0), await ReadAsync(reopened));
    }

    [Fact]
    public async Task Deletes_accumulate_and_a_fragment_with_no_rows_left_is_dropped()
    {
        var dataset = await CreateAsync(rows: 100, rowsPerFile: 50);

        await dataset.DeleteAsync(Where(id => id < 10));
        await dataset.DeleteAsync(Where(id => id < 50));

        Assert.Equal(1, dataset.FragmentCount);
        Assert.Equal(Expected(100).Where(r => r.Id >= 50), await ReadAsync(dataset));
    }

    [Fact]
    public async Task A_delete_that_matches_nothing_commits_nothing()
    {
        var dataset = await CreateAsync();

        Assert.Equal(0, await dataset.DeleteAsync(Where(id => id > 1000)));
        Assert.Equal(1UL, dataset.Version);
    }

    [Fact]
    public async Task Update_sets_constant_values_on_matching_rows_and_keeps_the_rest()
    {
        var dataset = await CreateAsync();

        var updated = await dataset.UpdateAsync(Where(id => id >= 90), new Dictionary<string, object?> { ["name"] = "late", ["value"] = null });

        Assert.Equal(10, updated);
        Assert.Equal(2UL, dataset.Version);
        var expected = Expected(100).Select(r => r.Id >= 90 ? r with { Name = "late", Value = null } : r);
        Assert.Equal(expected, await ReadAsync(await LanceDataset.OpenAsync(TablePath)));
    }

    [Fact]
    public async Task Update_can_compute_new_values_from_the_row()
    {
        var dataset = await CreateAsync(rows: 20);

        await dataset.UpdateAsync(null, new Dictionary<string, Func<RecordBatch, IArrowArray>>
        {
            ["value"] = batch => new Int32Array.Builder().AppendRange(((Int64Array)batch.Column("id")).Values.ToArray().Select(id => (int)id * 2)).Build(),
        });

        Assert.Equal(Expected(20).Select(r => r with { Value = (int)r.Id * 2 }), await ReadAsync(dataset));
    }

    [Fact]
    public async Task An_update_with_a_value_of_the_wrong_type_names_the_column_and_commits_nothing()
    {
        var dataset = await CreateAsync();

        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => dataset.UpdateAsync((string?)null, new Dictionary<string, object?> { ["value"] = "many" }));

        Assert.Contains("'value'", error.Message);
        Assert.Contains("'many'", error.Message);
        Assert.Equal(1UL, (await LanceDataset.OpenAsync(TablePath)).Version);
    }

    [Fact]
    public async Task Updating_a_column_that_does_not_exist_lists_the_columns()
    {
        var dataset = await CreateAsync();

        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => dataset.UpdateAsync((string?)null, new Dictionary<string, object?> { ["nope"] = 1 }));

        Assert.Contains("'nope'", error.Message);
        Assert.Contains("id, name, value, vector", error.Message);
    }

    [Fact]
    public async Task Merge_insert_upsert_replaces_matches_and_inserts_new_keys_in_one_version()
    {
        var dataset = await CreateAsync(rows: 10);
        var source = Batch([new Row(3, "three", 33), new Row(7, null, 77), new Row(12, "twelve", 12)]);

        var result = await dataset.MergeInsertAsync(["id"], [source], MergeInsertOptions.Upsert);

        Assert.Equal(new MergeInsertResult(1, 2, 0), result);
        Assert.Equal(2UL, dataset.Version);
        var expected = Expected(10).Where(r => r.Id is not (3 or 7)).Concat(Items.ToRows(source)).OrderBy(r => r.Id);
        Assert.Equal(expected, await ReadAsync(dataset));
    }

    [Fact]
    public async Task Merge_insert_if_not_exists_leaves_matching_rows_alone()
    {
        var dataset = await CreateAsync(rows: 10);

        var result = await dataset.MergeInsertAsync(["id"], [Batch([new Row(3, "three", 33), new Row(12, "twelve", 12)])], MergeInsertOptions.InsertIfNotExists);

        Assert.Equal(new MergeInsertResult(1, 0, 0), result);
        Assert.Equal(Expected(10).Append(new Row(12, "twelve", 12)), await ReadAsync(dataset));
    }

    [Fact]
    public async Task Merge_insert_can_delete_rows_the_source_does_not_have()
    {
        var dataset = await CreateAsync(rows: 10);
        var options = new MergeInsertOptions { WhenMatchedUpdateAll = true, WhenNotMatchedInsertAll = true, WhenNotMatchedBySourceDelete = true };

        var result = await dataset.MergeInsertAsync(["id"], [Batch([new Row(1, "one", 1), new Row(20, "twenty", 20)])], options);

        Assert.Equal(new MergeInsertResult(1, 1, 9), result);
        Assert.Equal([new Row(1, "one", 1), new Row(20, "twenty", 20)], await ReadAsync(dataset));
    }

    [Fact]
    public async Task Merge_insert_on_a_composite_key_matches_both_columns()
    {
        var dataset = await CreateAsync(rows: 10);

        // Row 5 has value 5: (5, 5) matches it; (6, 0) matches nothing, so it is inserted beside row 6.
        var result = await dataset.MergeInsertAsync(["id", "value"], [Batch([new Row(5, "five", 5), new Row(6, "six", 0)])], MergeInsertOptions.Upsert);

        Assert.Equal(new MergeInsertResult(1, 1, 0), result);
        Assert.Equal(11, dataset.CountRows());
    }

    [Fact]
    public async Task Merge_insert_with_a_key_twice_in_the_source_fails_and_commits_nothing()
    {
        var dataset = await CreateAsync(rows: 10);

        var error = await Assert.ThrowsAsync<LanceException>(() => dataset.MergeInsertAsync(["id"], [Batch([new Row(3, "a", 1), new Row(3, "b", 2)])], MergeInsertOptions.Upsert));

        Assert.Contains("(3)", error.Message);
        Assert.Equal(1UL, (await LanceDataset.OpenAsync(TablePath)).Version);
    }

    [Fact]
    public async Task Versions_are_listed_oldest_first_with_their_row_counts()
    {
        var dataset = await CreateAsync(rows: 10);
        await dataset.AppendAsync([Range(10, 5)]);
        await dataset.DeleteAsync(Where(id => id < 2));

        var versions = await dataset.ListVersionsAsync();

        Assert.Equal([1UL, 2UL, 3UL], versions.Select(v => v.Version));
        Assert.Equal([10L, 15L, 13L], versions.Select(v => v.RowCount));
        Assert.True(versions[0].Timestamp <= versions[2].Timestamp);
    }

    [Fact]
    public async Task A_checkout_reads_the_old_version_and_refuses_writes()
    {
        var dataset = await CreateAsync(rows: 10);
        await dataset.DeleteAsync(Where(id => id < 5));

        var old = await dataset.CheckoutAsync(1);

        Assert.True(old.IsReadOnly);
        Assert.Equal(Expected(10), await ReadAsync(old));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => old.AppendAsync([Range(100, 1)]));
        Assert.Contains("read-only view of version 1", error.Message);
    }

    [Fact]
    public async Task Checking_out_a_version_that_does_not_exist_is_a_typed_error_naming_it()
    {
        var dataset = await CreateAsync(rows: 10);

        var error = await Assert.ThrowsAsync<LanceVersionNotFoundException>(() => dataset.CheckoutAsync(7));

        Assert.Equal("7", error.RequestedVersion);
        Assert.Contains("no version 7", error.Message);
    }

    [Fact]
    public async Task Restore_makes_an_old_version_the_newest_as_a_new_version()
    {
        var dataset = await CreateAsync(rows: 10);
        await dataset.DeleteAsync(Where(id => id < 5));
        await dataset.AppendAsync([Range(50, 3)]);

        await dataset.RestoreAsync(1);

        Assert.Equal(4UL, dataset.Version);
        Assert.Equal(Expected(10), await ReadAsync(await LanceDataset.OpenAsync(TablePath)));
        Assert.Equal(8, (await dataset.CheckoutAsync(3)).CountRows());
    }

    [Fact]
    public async Task Restoring_a_checked_out_view_brings_it_back_to_following_the_newest_version()
    {
        var dataset = await CreateAsync(rows: 10);
        await dataset.DeleteAsync(Where(id => id < 5));
        var view = await dataset.CheckoutAsync(1);

        await view.RestoreAsync();

        Assert.False(view.IsReadOnly);
        Assert.Equal(3UL, view.Version);
        await view.AppendAsync([Range(10, 1)]);
        Assert.Equal(11, (await LanceDataset.OpenAsync(TablePath)).CountRows());
    }

    [Fact]
    public async Task Tags_name_versions_for_checkout_and_can_be_deleted()
    {
        var dataset = await CreateAsync(rows: 10);
        await dataset.AppendAsync([Range(10, 5)]);

        await dataset.CreateTagAsync("first", 1);
        await dataset.CreateTagAsync("v2.latest", 2);

        Assert.Equal(new Dictionary<string, ulong> { ["first"] = 1, ["v2.latest"] = 2 }, await dataset.ListTagsAsync());
        Assert.Equal(10, (await dataset.CheckoutAsync("first")).CountRows());
        await Assert.ThrowsAsync<LanceException>(() => dataset.CreateTagAsync("first", 2));
        await Assert.ThrowsAsync<LanceVersionNotFoundException>(() => dataset.CreateTagAsync("later", 9));
        await Assert.ThrowsAsync<ArgumentException>(() => dataset.CreateTagAsync("../escape", 1));
        await dataset.DeleteTagAsync("first");
        Assert.Equal(["v2.latest"], (await dataset.ListTagsAsync()).Keys);
        await Assert.ThrowsAsync<LanceVersionNotFoundException>(() => dataset.CheckoutAsync("first"));
    }

    [Fact]
    public async Task Compaction_merges_small_fragments_and_drops_deleted_rows_keeping_every_row()
    {
        var dataset = await CreateAsync(rows: 10);
        for (var i = 1; i < 6; i++)
        {
            await dataset.AppendAsync([Range(i * 10, 10)]);
        }

        await dataset.DeleteAsync(Where(id => id % 2 == 0));
        var before = await ReadAsync(dataset);

        var result = await dataset.CompactAsync(new CompactionOptions { TargetRowsPerFragment = 100 });

        Assert.Equal(new CompactionResult(6, 1), result);
        Assert.Equal(1, dataset.FragmentCount);
        Assert.Equal(before, await ReadAsync(await LanceDataset.OpenAsync(TablePath)));
        Assert.Equal(30, dataset.CountRows());
        Assert.Equal(new CompactionResult(0, 0), await dataset.CompactAsync(new CompactionOptions { TargetRowsPerFragment = 100 }));
    }

    [Fact]
    public async Task Cleanup_removes_old_versions_and_their_files_but_keeps_what_remaining_versions_need()
    {
        var dataset = await CreateAsync(rows: 10);
        await dataset.AppendAsync([Range(10, 10)]);
        await dataset.CreateTagAsync("keep", 2);
        await dataset.AppendAsync([Range(20, 10)]);
        await dataset.CompactAsync(new CompactionOptions { TargetRowsPerFragment = 100 });
        await dataset.DeleteAsync(Where(id => id == 0));
        var before = await ReadAsync(dataset);

        var result = await dataset.CleanupOldVersionsAsync(TimeSpan.Zero);

        // Versions 1, 3 and 4 go; 2 is tagged, 5 is the newest. Version 2's files stay for it.
        Assert.Equal(3, result.VersionsRemoved);
        Assert.Equal([2UL, 5UL], (await dataset.ListVersionsAsync()).Select(v => v.Version));
        Assert.Equal(before, await ReadAsync(await LanceDataset.OpenAsync(TablePath)));
        Assert.Equal(20, (await dataset.CheckoutAsync(2)).CountRows());
        Assert.Equal(Expected(20), await ReadAsync(await dataset.CheckoutAsync("keep")));
        // The third append's data file (compacted away) and the transaction files of versions 1, 3 and 4.
        Assert.Equal(4, result.FilesRemoved);
    }

    [Fact]
    public async Task Cleanup_removes_files_no_version_references_only_when_told_they_are_not_in_use()
    {
        var dataset = await CreateAsync(rows: 10);
        var orphan = Path.Combine(TablePath, "data", "orphan.lance");
        var tempManifest = Path.Combine(TablePath, "_versions", ".tmp-1234.manifest-part");
        await File.WriteAllTextAsync(orphan, "left by a killed writer");
        await File.WriteAllTextAsync(tempManifest, "half a manifest");

        await dataset.CleanupOldVersionsAsync(TimeSpan.Zero);
        Assert.True(File.Exists(orphan));

        var result = await dataset.CleanupOldVersionsAsync(TimeSpan.Zero, deleteUnverified: true);

        Assert.False(File.Exists(orphan));
        Assert.False(File.Exists(tempManifest));
        Assert.Equal(2, result.FilesRemoved);
        Assert.Equal(Expected(10), await ReadAsync(dataset));
    }

    [Fact]
    public async Task A_column_added_with_a_default_reads_that_value_in_every_row_and_older_versions_do_not_have_it()
    {
        var dataset = await CreateAsync(rows: 30, rowsPerFile: 10);
        await dataset.DeleteAsync(Where(id => id == 3));

        await dataset.AddColumnAsync(new Field("tier", Int16Type.Default, nullable: false), (short)7);

        var reopened = await LanceDataset.OpenAsync(TablePath);
        Assert.Equal(["id", "name", "value", "vector", "tier"], reopened.Schema.FieldsList.Select(f => f.Name));
        var tiers = new List<short?>();
        await foreach (var batch in reopened.ScanAsync(["tier", "id"]))
        {
            tiers.AddRange(((Int16Array)batch.Column(0)).ToList());
        }

        Assert.Equal(Enumerable.Repeat<short?>(7, 29), tiers);
        Assert.Equal(4, (await reopened.CheckoutAsync(2)).Schema.FieldsList.Count);
    }

    [Fact]
    public async Task A_column_computed_from_others_and_an_all_null_column_can_be_added()
    {
        var dataset = await CreateAsync(rows: 20, rowsPerFile: 8);

        await dataset.AddColumnAsync(new Field("double_id", Int64Type.Default, nullable: false), ["id"],
            batch => new Int64Array.Builder().AppendRange(((Int64Array)batch.Column(0)).Values.ToArray().Select(v => v * 2)).Build());
        await dataset.AddColumnAsync(new Field("note", StringType.Default, nullable: true));

        var rows = new List<(long Id, long Double, string? Note)>();
        await foreach (var batch in (await LanceDataset.OpenAsync(TablePath)).ScanAsync(["id", "double_id", "note"]))
        {
            for (var i = 0; i < batch.Length; i++)
            {
                rows.Add((((Int64Array)batch.Column(0)).GetValue(i)!.Value, ((Int64Array)batch.Column(1)).GetValue(i)!.Value, ((StringArray)batch.Column(2)).GetString(i)));
            }
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => ((long)i, i * 2L, (string?)null)), rows);
    }

    [Fact]
    public async Task Adding_a_column_whose_name_is_taken_fails_naming_it()
    {
        var dataset = await CreateAsync(rows: 5);

        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => dataset.AddColumnAsync(new Field("name", StringType.Default, true)));

        Assert.Contains("'name'", error.Message);
    }

    [Fact]
    public async Task Dropped_and_renamed_columns_change_the_schema_without_rewriting_data()
    {
        var dataset = await CreateAsync(rows: 10);
        var files = Directory.GetFiles(Path.Combine(TablePath, "data")).Length;

        await dataset.DropColumnsAsync(["value"]);
        await dataset.RenameColumnAsync("name", "title");

        var reopened = await LanceDataset.OpenAsync(TablePath);
        Assert.Equal(["id", "title", "vector"], reopened.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal(files, Directory.GetFiles(Path.Combine(TablePath, "data")).Length);
        var titles = new List<string?>();
        await foreach (var batch in reopened.ScanAsync(["title"]))
        {
            titles.AddRange(Enumerable.Range(0, batch.Length).Select(i => ((StringArray)batch.Column(0)).GetString(i)));
        }

        Assert.Equal(Expected(10).Select(r => r.Name), titles);
        await Assert.ThrowsAsync<LanceSchemaException>(() => reopened.RenameColumnAsync("title", "id"));
        await Assert.ThrowsAsync<LanceSchemaException>(() => reopened.DropColumnsAsync(["value"]));
    }

    [Fact]
    public async Task A_stream_of_batches_is_cut_into_files_by_bytes()
    {
        var dataset = await CreateAsync(rows: 1);
        var bytesPerRow = 8 + 4 + 8 + 4 + 4; // id, offsets + a few bytes of name, value, vector: roughly

        await dataset.AppendAsync(Stream(20, 100), new DatasetWriteOptions { MaxBytesPerFile = 300 * bytesPerRow });

        Assert.True(dataset.FragmentCount >= 5, $"{dataset.FragmentCount} fragments");
        Assert.Equal(2001, dataset.CountRows());
        Assert.Equal(2UL, dataset.Version);

        static async IAsyncEnumerable<RecordBatch> Stream(int batches, int rows)
        {
            for (var b = 0; b < batches; b++)
            {
                await Task.Yield();
                yield return Range(1 + b * rows, rows);
            }
        }
    }

    [Fact]
    public async Task A_stream_that_fails_midway_commits_nothing_and_leaves_no_data_files()
    {
        var dataset = await CreateAsync(rows: 1);
        var dataFiles = Directory.GetFiles(Path.Combine(TablePath, "data")).Length;

        await Assert.ThrowsAsync<InvalidOperationException>(() => dataset.AppendAsync(Failing(), new DatasetWriteOptions { MaxRowsPerFile = 10 }));

        Assert.Equal(1UL, (await LanceDataset.OpenAsync(TablePath)).Version);
        Assert.Equal(dataFiles, Directory.GetFiles(Path.Combine(TablePath, "data")).Length);

        static async IAsyncEnumerable<RecordBatch> Failing()
        {
            yield return Range(1, 25);
            await Task.Yield();
            throw new InvalidOperationException("source failed");
        }
    }

    [Fact]
    public async Task A_delete_racing_an_append_both_land()
    {
        var first = await CreateAsync(rows: 10);
        var second = await LanceDataset.OpenAsync(TablePath);

        await first.AppendAsync([Range(10, 5)]);
        await second.DeleteAsync(Where(id => id < 3));

        Assert.Equal(3UL, second.Version);
        Assert.Equal(Expected(15).Where(r => r.Id >= 3), await ReadAsync(await LanceDataset.OpenAsync(TablePath)));
    }

    [Fact]
    public async Task Two_deletes_of_the_same_fragment_racing_both_apply_as_the_second_runs_again_on_the_newer_version()
    {
        var first = await CreateAsync(rows: 10);
        var second = await LanceDataset.OpenAsync(TablePath);

        await first.DeleteAsync(Where(id => id < 3));
        Assert.Equal(2, await second.DeleteAsync(Where(id => id > 7)));

        Assert.Equal(3UL, second.Version);
        Assert.Equal(Expected(10).Where(r => r.Id is >= 3 and <= 7), await ReadAsync(await LanceDataset.OpenAsync(TablePath)));
    }

    [Fact]
    public async Task Adding_a_computed_column_while_another_writer_appends_conflicts()
    {
        var first = await CreateAsync(rows: 10);
        var second = await LanceDataset.OpenAsync(TablePath);

        await first.AppendAsync([Range(10, 5)]);

        await Assert.ThrowsAsync<LanceCommitConflictException>(() => second.AddColumnAsync(new Field("x", Int32Type.Default, false), 1));
        Assert.Equal(15, (await LanceDataset.OpenAsync(TablePath)).CountRows());
    }

    [Fact]
    public async Task Overwrite_with_a_new_schema_replaces_rows_and_schema_in_one_version()
    {
        var dataset = await CreateAsync(rows: 10);
        var schema = new Schema([new Field("k", StringType.Default, false)], null);

        await dataset.OverwriteAsync([new RecordBatch(schema, [new StringArray.Builder().Append("a").Append("b").Build()], 2)], schema);

        Assert.Equal(2UL, dataset.Version);
        Assert.Equal(["k"], (await LanceDataset.OpenAsync(TablePath)).Schema.FieldsList.Select(f => f.Name));
        Assert.Equal(2, dataset.CountRows());
        Assert.Equal(10, (await dataset.CheckoutAsync(1)).CountRows());
    }

    [Fact]
    public async Task Update_with_sql_values_computes_each_row_from_its_columns()
    {
        var dataset = await CreateAsync(rows: 20);

        var updated = await dataset.UpdateWithSqlAsync("id >= 10", new Dictionary<string, string> { ["value"] = "value * 10 + 1", ["name"] = "upper(name)" });

        Assert.Equal(10, updated);
        var expected = Expected(20).Select(r => r.Id >= 10 ? r with { Value = r.Value * 10 + 1, Name = r.Name?.ToUpperInvariant() } : r);
        Assert.Equal(expected, await ReadAsync(dataset));
    }

    [Fact]
    public async Task Update_with_a_decimal_literal_stores_it_at_the_columns_scale_as_LanceDB_does()
    {
        var schema = new Schema([new Field("d256", new Decimal256Type(43, 4), true), new Field("d128", new Decimal128Type(20, 3), true)], null);
        var nulls = new RecordBatch(schema, [Lance.Engine.Arrow.ArrowEmpty.CreateNulls(schema.FieldsList[0].DataType, 2), Lance.Engine.Arrow.ArrowEmpty.CreateNulls(schema.FieldsList[1].DataType, 2)], 2);
        var dataset = await LanceDataset.CreateAsync(TablePath, schema, [nulls]);

        await dataset.UpdateWithSqlAsync(null, new Dictionary<string, string> { ["d256"] = "440096969584969702812546577187954064269.1882", ["d128"] = "-12.5" });
        // LanceDB reads a literal with a fraction as a float64: digits past a double's precision are lost.
        var expected256 = new System.Numerics.BigInteger(Math.Round(440096969584969702812546577187954064269.1882 * 1e4, MidpointRounding.AwayFromZero));

        await foreach (var batch in (await LanceDataset.OpenAsync(TablePath)).ScanAsync(["d256", "d128"]))
        {
            var d256 = (Decimal256Array)batch.Column(0);
            var d128 = (Decimal128Array)batch.Column(1);
            for (var i = 0; i < batch.Length; i++)
            {
                Assert.Equal(expected256, new System.Numerics.BigInteger(d256.ValueBuffer.Span.Slice(i * 32, 32), isUnsigned: false, isBigEndian: false));
                Assert.Equal(new System.Numerics.BigInteger(-12500), new System.Numerics.BigInteger(d128.ValueBuffer.Span.Slice(i * 16, 16), isUnsigned: false, isBigEndian: false));
            }
        }

        await Assert.ThrowsAsync<LanceSchemaException>(() => dataset.UpdateWithSqlAsync(null, new Dictionary<string, string> { ["d128"] = "123456789012345678" }));
    }

    [Fact]
    public async Task Update_with_a_timestamp_literal_converts_it_to_the_columns_unit_and_zone()
    {
        var schema = new Schema(
        [
            new Field("s_utc", new TimestampType(TimeUnit.Second, "UTC"), true),
            new Field("ms", new TimestampType(TimeUnit.Millisecond, (string?)null), true),
            new Field("ns", new TimestampType(TimeUnit.Nanosecond, (string?)null), true),
            new Field("ny", new TimestampType(TimeUnit.Second, "America/New_York"), true),
            new Field("d64", Date64Type.Default, true),
        ], null);
        var nulls = new RecordBatch(schema, schema.FieldsList.Select(f => Lance.Engine.Arrow.ArrowEmpty.CreateNulls(f.DataType, 1)).ToList(), 1);
        var dataset = await LanceDataset.CreateAsync(TablePath, schema, [nulls]);
        const string literal = "TIMESTAMP '1970-01-02 00:00:01.5'";

        await dataset.UpdateWithSqlAsync(null, schema.FieldsList.ToDictionary(f => f.Name, _ => literal));

        await foreach (var batch in (await LanceDataset.OpenAsync(TablePath)).ScanAsync(schema.FieldsList.Select(f => f.Name).ToList()))
        {
            long At(int c) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(batch.Column(c).Data.Buffers[1].Span)[batch.Column(c).Offset];
            Assert.Equal(86_401L, At(0));
            Assert.Equal(86_401_500L, At(1));
            Assert.Equal(86_401_500_000_000L, At(2));
            Assert.Equal(86_401L + 5 * 3600, At(3));
            Assert.Equal(86_401_500L, At(4));
        }
    }

    [Fact]
    public async Task An_sql_value_that_does_not_fit_the_column_names_both_and_commits_nothing()
    {
        var dataset = await CreateAsync(rows: 5);

        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => dataset.UpdateWithSqlAsync(null, new Dictionary<string, string> { ["value"] = "name" }));

        Assert.Contains("'value'", error.Message);
        Assert.Contains("'name'", error.Message);
        Assert.Equal(1UL, (await LanceDataset.OpenAsync(TablePath)).Version);
        var parse = await Assert.ThrowsAsync<LanceFilterException>(() => dataset.UpdateWithSqlAsync(null, new Dictionary<string, string> { ["value"] = "value +" }));
        Assert.Contains("value +", parse.Message);
    }

    [Fact]
    public async Task Columns_computed_by_sql_expressions_are_added_in_one_version_with_their_natural_types()
    {
        var dataset = await CreateAsync(rows: 12, rowsPerFile: 5);

        await dataset.AddColumnsAsync(new Dictionary<string, string> { ["double_id"] = "id * 2", ["shout"] = "upper(name)", ["big"] = "value > 5" });

        Assert.Equal(2UL, dataset.Version);
        var schema = (await LanceDataset.OpenAsync(TablePath)).Schema;
        Assert.Equal(["int64", "utf8", "bool"], new[] { "double_id", "shout", "big" }.Select(n => schema.GetFieldByName(n).DataType.Name));
        var rows = new List<(long, string?, bool?)>();
        await foreach (var batch in dataset.ScanAsync(["double_id", "shout", "big"]))
        {
            for (var i = 0; i < batch.Length; i++)
            {
                rows.Add((((Int64Array)batch.Column(0)).GetValue(i)!.Value, ((StringArray)batch.Column(1)).GetString(i), ((BooleanArray)batch.Column(2)).GetValue(i)));
            }
        }

        Assert.Equal(Expected(12).Select(r => (r.Id * 2, r.Name?.ToUpperInvariant(), r.Value is { } v ? v > 5 : (bool?)null)), rows);
    }

    [Fact]
    public async Task Merge_insert_deletes_only_unmatched_rows_that_meet_the_condition()
    {
        var dataset = await CreateAsync(rows: 10);
        var options = new MergeInsertOptions { WhenNotMatchedInsertAll = true, WhenNotMatchedBySourceDelete = true, NotMatchedBySourceCondition = "id < 3" };

        var result = await dataset.MergeInsertAsync(["id"], [Batch([new Row(1, "one", 1)])], options);

        Assert.Equal(new MergeInsertResult(0, 0, 2), result);
        Assert.Equal(Expected(10).Where(r => r.Id is not (0 or 2)), await ReadAsync(dataset));
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("bad magic")]
    public async Task A_damaged_newest_manifest_is_a_format_error_naming_the_file_and_older_versions_still_read(string damage)
    {
        var dataset = await CreateAsync(rows: 10);
        await dataset.AppendAsync([Range(10, 5)]);
        var newest = Directory.GetFiles(Path.Combine(TablePath, "_versions"), "*.manifest").Order(StringComparer.Ordinal).First(); // V2 names: newest sorts first
        var bytes = await File.ReadAllBytesAsync(newest);
        await File.WriteAllBytesAsync(newest, damage == "truncated" ? bytes[..(bytes.Length / 2)] : [.. bytes[..^4], .. "XXXX"u8.ToArray()]);

        var error = await Assert.ThrowsAsync<LanceFormatException>(() => LanceDataset.OpenAsync(TablePath));

        Assert.Contains(Path.GetFileName(newest), error.Message);
        Assert.Equal(Expected(10), await ReadAsync(await LanceDataset.OpenAsync(TablePath, 1)));
    }

    [Fact]
    public async Task A_damaged_data_file_is_a_format_error_naming_the_file()
    {
        var dataset = await CreateAsync(rows: 10);
        var file = Directory.GetFiles(Path.Combine(TablePath, "data")).Single();
        var bytes = await File.ReadAllBytesAsync(file);
        await File.WriteAllBytesAsync(file, bytes[..(bytes.Length - 10)]);

        var error = await Assert.ThrowsAsync<LanceFormatException>(async () => await ReadAsync(await LanceDataset.OpenAsync(TablePath)));

        Assert.Contains(Path.GetFileName(file), error.Message);
    }

    [Fact]
    public async Task Cleanup_removes_index_folders_only_old_versions_used()
    {
        var dataset = await LanceDataset.CreateAsync(TablePath, Items.Schema, [Range(0, 300)]);
        await dataset.CreateIndexAsync("vector", new IvfPqOptions { NumPartitions = 4, NumSubVectors = 1, Name = "v" });
        var first = Directory.GetDirectories(Path.Combine(TablePath, "_indices")).Single();
        await dataset.AppendAsync([Range(300, 50)]);
        await dataset.OptimizeIndexAsync("v");
        var second = Directory.GetDirectories(Path.Combine(TablePath, "_indices")).Single(d => d != first);

        await dataset.CleanupOldVersionsAsync(TimeSpan.Zero);

        Assert.False(Directory.Exists(first));
        Assert.True(Directory.Exists(second));
        Assert.Equal(350, dataset.CountRows());
    }
}
