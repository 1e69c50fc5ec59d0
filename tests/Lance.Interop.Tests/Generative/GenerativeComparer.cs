using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Lance.Engine;

namespace Lance.Interop.Tests.Generative;

/// <summary>What one table's check covered (for the harness's figures).</summary>
public sealed class GenerativeCounts
{
    /// <summary>Tables checked.</summary>
    public int Tables { get; set; }

    /// <summary>Table versions read and compared value by value.</summary>
    public int Versions { get; set; }

    /// <summary>LanceDB operations applied to the tables (the ones it refused not counted).</summary>
    public int Operations { get; set; }

    /// <summary>Filters whose count and ids were compared.</summary>
    public int Filters { get; set; }

    /// <summary>Exact vector searches compared.</summary>
    public int Searches { get; set; }

    /// <summary>Tables our engine wrote to and LanceDB read back.</summary>
    public int Writes { get; set; }

    /// <summary>Cases where LanceDB contradicts itself: <c>countRows(filter)</c> differs from the rows of its own filtered scan, or the handle that wrote the table filters otherwise than the table opened afresh.</summary>
    public List<string> LanceDbContradictions { get; } = [];

    /// <summary>Adds another run's counts to these.</summary>
    public void Add(GenerativeCounts other)
    {
        LanceDbContradictions.AddRange(other.LanceDbContradictions);
        Tables += other.Tables;
        Versions += other.Versions;
        Operations += other.Operations;
        Filters += other.Filters;
        Searches += other.Searches;
        Writes += other.Writes;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Tables} tables, {Versions} versions, {Operations} LanceDB operations, {Filters} filters, {Searches} searches, {Writes} tables written by us";
}

/// <summary>
/// Compares our engine with LanceDB on one table that fuzz-tables.mjs generated: every version value
/// by value, every filter's count and ids, an exact vector search; then our writes (append, update,
/// delete), made again by LanceDB on a twin copy, read back by LanceDB from both and compared.
/// </summary>
public sealed class GenerativeComparer(LanceDbPeer peer)
{
    /// <summary>Checks table <paramref name="entry"/> of the manifest in database folder <paramref name="db"/>.</summary>
    public async Task<List<GenerativeFailure>> CheckAsync(string db, long seed, JsonElement entry, GenerativeCounts counts, CancellationToken cancellationToken)
    {
        var table = entry.GetProperty("table").GetString()!;
        var storage = entry.GetProperty("storageVersion").GetString()!;
        var stable = entry.GetProperty("stableRowIds").GetBoolean();
        var ops = entry.TryGetProperty("opsApplied", out var applied) ? applied.EnumerateArray().Select(o => o.GetString()!).ToList() : [];
        var failures = new List<GenerativeFailure>();
        void Fail(string stage, string detail, string kind, string? column = null, string? type = null, long? version = null) =>
            failures.Add(new GenerativeFailure(seed, table, storage, stable, stage, detail, kind, column, type, version) { Ops = ops });

        if (entry.TryGetProperty("error", out var error))
        {
            // LanceDB itself could not make the table (not our failure): nothing to compare.
            return failures;
        }

        counts.Tables++;
        counts.Operations += ops.Count;
        var path = Path.Combine(db, table + ".lance");
        foreach (var version in entry.GetProperty("versions").EnumerateArray().Select(v => v.GetInt64()))
        {
            cancellationToken.ThrowIfCancellationRequested();
            counts.Versions++;
            await CompareVersionAsync(db, table, path, version, Fail, contradiction => counts.LanceDbContradictions.Add(
                $"seed {seed}, table {table} (storage {storage}{(stable ? ", stable row ids" : "")}): {contradiction}"));
        }

        LanceDataset latest;
        try
        {
            latest = await LanceDataset.OpenAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Fail("open", Describe(e), KindOf(e));
            return failures;
        }

        foreach (var filter in entry.GetProperty("filters").EnumerateArray())
        {
            if (!filter.TryGetProperty("count", out var count))
            {
                continue; // LanceDB refused the filter: nothing to compare with.
            }

            counts.Filters++;
            var text = filter.GetProperty("filter").GetString()!;
            List<string> ids = [.. filter.GetProperty("ids").EnumerateArray().Select(i => i.GetString()!)];
            if (count.GetInt64() != ids.Count)
            {
                // LanceDB contradicts itself: countRows(filter) is not the number of rows its filtered
                // scan returns. Its scan (the rows) is the judge; the contradiction is reported apart.
                counts.LanceDbContradictions.Add(
                    $"seed {seed}, table {table} (storage {storage}{(stable ? ", stable row ids" : "")}): `{text}`: countRows {count.GetInt64()}, its filtered scan {ids.Count} rows");
            }

            if (await CompareFilterAsync(latest, text, ids.Count, ids, Fail, cancellationToken) is { } ours)
            {
                // LanceDB answered with the table handle that wrote it; a table it opens afresh may answer
                // otherwise (legacy dictionaries: the writer's handle matches nulls as their old values).
                // Where the reopened table answers as we do, LanceDB contradicts itself, not us.
                var (reopened, reopenedError) = await ReopenedAnswerAsync(db, table, text, cancellationToken);
                if (reopenedError is not null)
                {
                    counts.LanceDbContradictions.Add(
                        $"seed {seed}, table {table} (storage {storage}{(stable ? ", stable row ids" : "")}): `{text}`: the writing handle's filtered scan {ids.Count} rows, "
                        + $"the reopened table cannot answer ({reopenedError}); ours {ours.Count}");
                }
                else if (reopened is not null && reopened.SequenceEqual(ours.Ids) && ours.Ids.Count == ours.Count)
                {
                    counts.LanceDbContradictions.Add(
                        $"seed {seed}, table {table} (storage {storage}{(stable ? ", stable row ids" : "")}): `{text}`: the writing handle's filtered scan {ids.Count} rows, "
                        + $"the reopened table's {reopened.Count} (ours {ours.Count}); only the writing handle's: [{string.Join(", ", ids.Except(reopened).Take(5))}]");
                }
                else
                {
                    Fail("filter", ours.Difference, "mismatch", type: ours.Types);
                }
            }
        }

        if (entry.TryGetProperty("search", out var search) && search.ValueKind == JsonValueKind.Object && !search.TryGetProperty("error", out _))
        {
            counts.Searches++;
            await CompareSearchAsync(latest, search, Fail, cancellationToken);
        }

        if (entry.TryGetProperty("write", out var write) && write.ValueKind == JsonValueKind.Object)
        {
            counts.Writes++;
            await CompareWritesAsync(db, table, entry, write, Fail, contradiction => counts.LanceDbContradictions.Add(
                $"seed {seed}, table {table} (storage {storage}{(stable ? ", stable row ids" : "")}): {contradiction}"), cancellationToken);
        }

        return failures;
    }

    private delegate void FailureSink(string stage, string detail, string kind, string? column = null, string? type = null, long? version = null);

    private async Task CompareVersionAsync(string db, string table, string path, long version, FailureSink fail, Action<string> contradiction)
    {
        using var expected = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(db, $"{table}.v{version}.json")));
        var rows = expected.RootElement.GetProperty("rows").EnumerateArray().ToList();
        var fields = expected.RootElement.GetProperty("schema").EnumerateArray()
            .Select(f => (Name: f.GetProperty("name").GetString()!, Type: f.GetProperty("type").GetString()!)).ToList();
        LanceDataset dataset;
        try
        {
            dataset = await LanceDataset.OpenAsync(path, (ulong)version);
        }
        catch (Exception e)
        {
            fail("open", Describe(e), KindOf(e), version: version);
            return;
        }

        var ours = dataset.Schema.FieldsList.Select(f => f.Name).ToList();
        if (!ours.SequenceEqual(fields.Select(f => f.Name)))
        {
            fail("schema", $"LanceDB's columns [{string.Join(", ", fields.Select(f => f.Name))}], ours [{string.Join(", ", ours)}]", "mismatch", version: version);
            return;
        }

        foreach (var (name, type) in fields)
        {
            // Each column is read on its own (with the id), so one unreadable column does not hide the others.
            try
            {
                var values = await ReadByIdAsync(dataset, name);
                if (values.Count != rows.Count)
                {
                    fail("rows", $"LanceDB has {rows.Count} rows, we read {values.Count}", "mismatch", name, type, version);
                    return;
                }

                foreach (var row in rows)
                {
                    var id = row.GetProperty("id").GetString()!;
                    if (!values.TryGetValue(id, out var actual))
                    {
                        fail("rows", $"row id {id} is missing from our scan", "mismatch", name, type, version);
                        break;
                    }

                    if (ForeignArrowJson.Difference(row.GetProperty(name), actual) is { } difference)
                    {
                        // The handle that wrote the table read it; LanceDB opening it afresh may read
                        // otherwise (legacy dictionaries, whose null keys the file cannot hold).
                        var (same, why) = await ReopenedReadsAsOursAsync(db, table, version, name, values);
                        if (same)
                        {
                            contradiction(why is not null
                                ? $"v{version} column {name} ({type}): the writing handle reads row id {id}{difference}; LanceDB cannot read the reopened table: {why}"
                                : $"v{version} column {name} ({type}): the writing handle reads row id {id}{difference}, the reopened table reads every row as we do");
                        }
                        else if (await PointReadAsync(db, table, version, name, id) is { } point && ForeignArrowJson.Difference(point, actual) is null)
                        {
                            // LanceDB's full scan and its own read of that one row disagree; we read what the latter reads.
                            contradiction($"v{version} column {name} ({type}): LanceDB's full scan reads row id {id}{difference}; its filtered scan (id = {id}) reads the row as we do");
                        }
                        else
                        {
                            fail("read", $"row id {id}{difference}", "mismatch", name, type, version);
                        }

                        break;
                    }
                }
            }
            catch (Exception e)
            {
                fail("read", Describe(e), KindOf(e), name, type, version);
            }
        }
    }

    // A row's value before the update: LanceDB's own read of the table's last version, or for a row the
    // write appends, the value it was appended with (as the appended Arrow file holds it); null when neither has it.
    private static async Task<JsonElement?> ValueBeforeWritesAsync(string db, string table, JsonElement entry, string id, string column, string? appended)
    {
        var last = entry.GetProperty("versions").EnumerateArray().Select(v => v.GetInt64()).Max();
        using var scan = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(db, $"{table}.v{last}.json")));
        foreach (var row in scan.RootElement.GetProperty("rows").EnumerateArray())
        {
            if (row.GetProperty("id").GetString() == id && row.TryGetProperty(column, out var value))
            {
                return value.Clone();
            }
        }

        if (appended is null)
        {
            return null;
        }

        using var stream = File.OpenRead(appended);
        using var reader = new ArrowFileReader(stream);
        while (await reader.ReadNextRecordBatchAsync() is { } batch)
        {
            var ids = batch.Column("id");
            var values = batch.Schema.GetFieldIndex(column) is var c and >= 0 ? batch.Column(c) : null;
            for (int i = 0; values is not null && i < batch.Length; i++)
            {
                if (ForeignArrowJson.Render(ids, i)?.GetValue<string>() == id)
                {
                    return JsonSerializer.SerializeToElement(ForeignArrowJson.Render(values, i));
                }
            }
        }

        return null;
    }

    // Whether LanceDB fails the same way on a table it writes itself from the rows of ours (as our engine
    // reads them), in the same storage version: then the failure to read ours is LanceDB's.
    private async Task<string?> FailsOnItsOwnCopyAsync(string path, string storage, string error, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("lance-own-copy-");
        try
        {
            var dataset = await LanceDataset.OpenAsync(path, cancellationToken);
            var ipc = Path.Combine(folder.FullName, "rows.arrow");
            await using (var file = File.Create(ipc))
            {
                using var writer = new ArrowFileWriter(file, dataset.Schema);
                await foreach (var batch in dataset.ScanAsync(cancellationToken: cancellationToken))
                {
                    await writer.WriteRecordBatchAsync(batch, cancellationToken);
                }

                await writer.WriteEndAsync(cancellationToken);
            }

            var db = Path.Combine(folder.FullName, "db");
            using (await peer.RunAsync("create", new { db, table = "own", ipc, storageVersion = storage }, cancellationToken))
            {
            }

            try
            {
                await peer.ScanAsync(db, "own", cancellationToken: cancellationToken);
                return null;
            }
            catch (LanceDbPeerException e)
            {
                var own = Normalize(e.StandardError.Split('\n').FirstOrDefault(l => l.Contains("Error", StringComparison.Ordinal)) ?? FirstLine(e.Message));
                return own == error ? FirstLine(e.Message) : null;
            }
        }
        catch (LanceDbPeerException)
        {
            return null;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    // What LanceDB's SQL gives for an update's value on one row of the table before our writes, when the
    // update's condition holds for that row; null when it does not, the row is new, or LanceDB fails.
    private async Task<JsonElement?> UpdatedValueAsync(string db, string table, JsonElement update, string expression, string id)
    {
        var where = update.TryGetProperty("where", out var w) && w.ValueKind == JsonValueKind.String ? $"({w.GetString()}) AND id = {id}" : $"id = {id}";
        try
        {
            using var doc = await peer.RunAsync("scan", new { db = Path.GetFullPath(db), table, columns = new Dictionary<string, string> { ["id"] = "id", ["value"] = expression }, filter = where });
            var rows = doc.RootElement.GetProperty("rows");
            return rows.GetArrayLength() == 1 ? rows[0].GetProperty("value").Clone() : null;
        }
        catch (LanceDbPeerException)
        {
            return null;
        }
    }

    // LanceDB's value of one column in one row, read through a filter on the id (a scan path of its own); null when absent.
    private async Task<JsonElement?> PointReadAsync(string db, string table, long? version, string column, string id)
    {
        var scan = await peer.ScanAsync(db, table, ["id", column], filter: $"id = {id}", version: version);
        return scan.Rows.Count == 1 ? scan.Rows[0][column] : null;
    }

    // Whether LanceDB, opening a fresh copy of the table at the version, reads the column's every value as we do.
    // (Also when LanceDB cannot read the reopened table at all: then its writing handle is the only one that reads it.)
    private async Task<(bool Same, string? Failure)> ReopenedReadsAsOursAsync(string db, string table, long version, string column, Dictionary<string, JsonNode?> ours)
    {
        using var copy = TempCopy.DatabaseWith(Path.Combine(db, table + ".lance"), table);
        PeerScan scan;
        try
        {
            scan = await peer.ScanAsync(copy.Path, table, column == "id" ? ["id"] : ["id", column], version: version);
        }
        catch (LanceDbPeerException e)
        {
            return (true, FirstLine(e.Message));
        }

        return (scan.Rows.Count == ours.Count && scan.Rows.All(r =>
            ours.TryGetValue(r["id"].ToString(), out var mine) && ForeignArrowJson.Difference(r[column], mine) is null), null);
    }

    // Our values of one column keyed by the row's id (rendered as the peer renders ids: a decimal string).
    private static async Task<Dictionary<string, JsonNode?>> ReadByIdAsync(LanceDataset dataset, string column)
    {
        var values = new Dictionary<string, JsonNode?>();
        var columns = column == "id" ? new[] { "id" } : ["id", column];
        await foreach (var batch in dataset.ScanAsync(columns))
        {
            var ids = batch.Column(0);
            var array = batch.Column(columns.Length - 1);
            for (int i = 0; i < batch.Length; i++)
            {
                var id = ForeignArrowJson.Render(ids, i)?.GetValue<string>() ?? "null";
                values[id] = ForeignArrowJson.Render(array, i);
            }
        }

        return values;
    }

    // Null when we answer as LanceDB did (or the filter fails, reported here); else our answer.
    private static async Task<FilterAnswer?> CompareFilterAsync(
        LanceDataset dataset, string filter, long count, List<string> ids, FailureSink fail, CancellationToken cancellationToken)
    {
        // A filter's category is the set of column types it compares (besides the id).
        var types = string.Join(", ", dataset.Schema.FieldsList
            .Where(f => f.Name != "id" && Regex.IsMatch(filter, $@"(?<![\w.]){Regex.Escape(f.Name)}(?![\w])"))
            .Select(f => f.DataType.Name).Distinct().Order(StringComparer.Ordinal));
        try
        {
            var ourCount = await dataset.CountRowsAsync(filter, cancellationToken);
            var ourIds = new List<string>();
            await foreach (var batch in dataset.ScanAsync(new ScanRequest { Columns = ["id"], Filter = filter }, cancellationToken))
            {
                for (int i = 0; i < batch.Length; i++)
                {
                    ourIds.Add(ForeignArrowJson.Render(batch.Column(0), i)?.GetValue<string>() ?? "null");
                }
            }

            ourIds.Sort(CompareIds);
            if (ourCount != count || !ourIds.SequenceEqual(ids))
            {
                var missing = ids.Except(ourIds).Take(5);
                var extra = ourIds.Except(ids).Take(5);
                return new FilterAnswer(ourCount, ourIds, types, $"`{filter}`: LanceDB counts {count} (ids {ids.Count}), we count {ourCount} (ids {ourIds.Count}); "
                    + $"only LanceDB's: [{string.Join(", ", missing)}], only ours: [{string.Join(", ", extra)}]");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            fail("filter", $"`{filter}`: {Describe(e)}", KindOf(e), type: types);
        }

        return null;
    }

    // LanceDB's filtered ids on a fresh copy of the table (a new process, a new handle), or its error.
    private async Task<(List<string>? Ids, string? Error)> ReopenedAnswerAsync(string db, string table, string filter, CancellationToken cancellationToken)
    {
        using var copy = TempCopy.DatabaseWith(Path.Combine(db, table + ".lance"), table);
        using var doc = await peer.RunAsync("filter-conformance", new { db = copy.Path, table, filters = new[] { filter } }, cancellationToken);
        var scan = doc.RootElement.GetProperty("results")[0].GetProperty("scan");
        if (!scan.TryGetProperty("ids", out var ids))
        {
            return (null, scan.TryGetProperty("error", out var error) ? Normalize(error.GetString() ?? "error") : "no answer");
        }

        var list = ids.EnumerateArray().Select(i => i.GetString()!).ToList();
        list.Sort(CompareIds);
        return (list, null);
    }

    private sealed record FilterAnswer(long Count, List<string> Ids, string Types, string Difference);

    private static int CompareIds(string a, string b) =>
        long.Parse(a, CultureInfo.InvariantCulture).CompareTo(long.Parse(b, CultureInfo.InvariantCulture));

    private static async Task CompareSearchAsync(LanceDataset dataset, JsonElement search, FailureSink fail, CancellationToken cancellationToken)
    {
        var column = search.GetProperty("column").GetString()!;
        var query = search.GetProperty("query").EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();
        var k = search.GetProperty("k").GetInt32();
        var ids = search.GetProperty("ids").EnumerateArray().Select(i => i.GetString()!).ToList();
        var distances = search.GetProperty("distances").EnumerateArray()
            .Select(d => d.ValueKind == JsonValueKind.Number ? d.GetDouble() : double.Parse(d.GetString()!, CultureInfo.InvariantCulture)).ToList();
        try
        {
            var metric = search.TryGetProperty("metric", out var m) ? m.GetString() switch
            {
                "hamming" => DistanceMetric.Hamming,
                "cosine" => DistanceMetric.Cosine,
                "dot" => DistanceMetric.Dot,
                _ => DistanceMetric.L2,
            } : DistanceMetric.L2;
            var result = await dataset.SearchAsync(new VectorSearchRequest(column, query, k) { Columns = ["id"], Metric = metric }, cancellationToken);
            var ourIds = Enumerable.Range(0, result.Length).Select(i => ForeignArrowJson.Render(result.Column("id"), i)?.GetValue<string>() ?? "null").ToList();
            var ourDistances = (FloatArray)result.Column(LanceDataset.DistanceColumn);
            if (ourIds.Count != ids.Count)
            {
                fail("search", $"k={k} on {column}: LanceDB finds {ids.Count} rows [{string.Join(", ", ids)}], we {ourIds.Count} [{string.Join(", ", ourIds)}]", "mismatch", column);
                return;
            }

            for (int i = 0; i < ids.Count; i++)
            {
                double ours = ourDistances.GetValue(i) ?? double.NaN;
                bool sameDistance = Math.Abs(ours - distances[i]) <= 1e-3 * Math.Max(1, Math.Abs(distances[i])) || ours.Equals(distances[i]);
                // Rows at the same distance may come in either order: only the distance must agree then.
                // (Infinite distances tie with each other: a vector with an infinite item is infinitely far.)
                // Rows at the distance of the k-th may tie with rows beyond k that LanceDB did not return,
                // so at that last distance either library may pick any of them.
                bool Near(double d) => d.Equals(distances[i]) || Math.Abs(d - distances[i]) <= 1e-3 * Math.Max(1, Math.Abs(d));
                bool tie = distances.Count(Near) > 1 || (ids.Count == k && Near(distances[^1]));
                if (!sameDistance || (!tie && ourIds[i] != ids[i]))
                {
                    fail("search", $"k={k} on {column}: neighbour {i} is id {ids[i]} at {distances[i]} for LanceDB, id {ourIds[i]} at {ours} for us", "mismatch", column);
                    return;
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            fail("search", $"on {column}: {Describe(e)}", KindOf(e), column);
        }
    }

    // Our engine appends, updates and deletes on one copy; LanceDB does the same on a twin copy; LanceDB
    // then reads both, and every value must agree.
    private async Task CompareWritesAsync(
        string db, string table, JsonElement entry, JsonElement write, FailureSink fail, Action<string> contradiction, CancellationToken cancellationToken)
    {
        var source = Path.Combine(db, table + ".lance");
        using var ours = TempCopy.DatabaseWith(source, table);
        using var twin = TempCopy.DatabaseWith(source, table);
        var ipc = entry.TryGetProperty("append", out var append) && append.ValueKind == JsonValueKind.String ? append.GetString() : null;
        JsonElement? update = write.TryGetProperty("update", out var u) && u.ValueKind == JsonValueKind.Object ? u : null;
        var delete = write.TryGetProperty("delete", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        using var twinResult = await peer.RunAsync("fuzz-tables", new { twin = new { db = twin.Path, table, ipc, update, delete } }, cancellationToken);
        var done = twinResult.RootElement.GetProperty("done").EnumerateArray().Select(x => x.GetString()!).ToHashSet();

        var stage = "write:open";
        try
        {
            var dataset = await LanceDataset.OpenAsync(Path.Combine(ours.Path, table + ".lance"), cancellationToken);
            if (done.Contains("add"))
            {
                stage = "write:add";
                using var stream = File.OpenRead(ipc!);
                using var reader = new ArrowFileReader(stream);
                var batches = new List<RecordBatch>();
                while (await reader.ReadNextRecordBatchAsync(cancellationToken) is { } batch)
                {
                    batches.Add(batch);
                }

                await dataset.AppendAsync(batches, cancellationToken: cancellationToken);
            }

            if (done.Contains("update"))
            {
                stage = "write:update";
                var where = update!.Value.TryGetProperty("where", out var w) && w.ValueKind == JsonValueKind.String ? w.GetString() : null;
                var values = update.Value.GetProperty("valuesSql").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
                await dataset.UpdateWithSqlAsync(where, values, cancellationToken);
            }

            if (done.Contains("delete"))
            {
                stage = "write:delete";
                await dataset.DeleteAsync(delete!, cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            fail(stage, Describe(e), KindOf(e));
            return;
        }

        PeerScan theirs;
        PeerScan mine;
        try
        {
            theirs = await peer.ScanAsync(twin.Path, table, cancellationToken: cancellationToken);
        }
        catch (LanceDbPeerException e)
        {
            // LanceDB cannot read its own twin after its own writes: nothing of LanceDB's to compare with.
            contradiction($"after [{string.Join(", ", done)}], LanceDB cannot read its own twin: {FirstLine(e.Message)}");
            return;
        }

        try
        {
            mine = await peer.ScanAsync(ours.Path, table, cancellationToken: cancellationToken);
        }
        catch (LanceDbPeerException e)
        {
            var error = Normalize(e.StandardError.Split('\n').FirstOrDefault(l => l.Contains("Error", StringComparison.Ordinal)) ?? FirstLine(e.Message));
            if (await FailsOnItsOwnCopyAsync(Path.Combine(ours.Path, table + ".lance"), entry.GetProperty("storageVersion").GetString()!, error, cancellationToken) is { } own)
            {
                // LanceDB cannot read the same rows from a table it writes itself either.
                contradiction($"after our [{string.Join(", ", done)}], LanceDB cannot read the table, nor a table it writes itself from the same rows: {own}");
                return;
            }

            fail("write:lancedb-read", $"after our [{string.Join(", ", done)}], LanceDB cannot read the table: {FirstLine(e.Message)}", "LanceDB: " + error);
            return;
        }

        var byId = mine.Rows.ToDictionary(r => r.Values["id"].GetString() ?? "null");
        var ourValues = new Dictionary<string, Dictionary<string, JsonNode?>>();
        if (mine.Rows.Count != theirs.Rows.Count)
        {
            fail("write:rows", $"after [{string.Join(", ", done)}], LanceDB reads {theirs.Rows.Count} rows from its twin, {mine.Rows.Count} from ours", "mismatch");
            return;
        }

        foreach (var row in theirs.Rows)
        {
            var id = row.Values["id"].GetString() ?? "null";
            if (!byId.TryGetValue(id, out var other))
            {
                fail("write:rows", $"after [{string.Join(", ", done)}], row id {id} is missing from our table as LanceDB reads it", "mismatch");
                return;
            }

            foreach (var (column, value) in row.Values)
            {
                var actual = other.Values.TryGetValue(column, out var a) ? JsonNode.Parse(a.GetRawText()) : null;
                if (ForeignArrowJson.Difference(value, actual) is { } difference)
                {
                    var type = theirs.Schema.FirstOrDefault(f => f.Name == column)?.Type;
                    var legacyDictionary = entry.GetProperty("storageVersion").GetString() == "legacy" && type?.StartsWith("Dictionary<", StringComparison.Ordinal) == true;
                    if (update is { } set && !set.GetProperty("valuesSql").TryGetProperty(column, out _)
                        && await ValueBeforeWritesAsync(db, table, entry, id, column, done.Contains("add") ? ipc : null) is { } before && ForeignArrowJson.Difference(before, actual) is null)
                    {
                        // LanceDB's update rewrote a value it was not asked to set (we keep the value the row had).
                        contradiction($"after [{string.Join(", ", done)}], column {column} ({type}): LanceDB's update (which sets only {string.Join(", ", set.GetProperty("valuesSql").EnumerateObject().Select(p => p.Name))}) changed row id {id}{difference}; LanceDB read the row as we keep it before the update");
                        continue;
                    }

                    if (update is { } setting && setting.GetProperty("valuesSql").TryGetProperty(column, out var expression)
                        && await UpdatedValueAsync(db, table, setting, expression.GetString()!, id) is { } expected && ForeignArrowJson.Difference(expected, actual) is null)
                    {
                        // LanceDB's update stored something other than what its own SQL gives for that row (we store that).
                        contradiction($"after [{string.Join(", ", done)}], column {column} ({type}): LanceDB's update set row id {id}{difference}, though LanceDB evaluates `{expression.GetString()}` on that row to what we stored");
                        continue;
                    }

                    if (update is { } setBy && setBy.GetProperty("valuesSql").TryGetProperty(column, out var setExpression)
                        && await UpdatedValueAsync(db, table, setBy, setExpression.GetString()!, id) is { } sql && ForeignArrowJson.Difference(sql, JsonNode.Parse(value.GetRawText())) is not null
                        && (ourValues.TryGetValue(column, out var read) ? read : ourValues[column] = await ReadByIdAsync(await LanceDataset.OpenAsync(Path.Combine(ours.Path, table + ".lance"), cancellationToken), column)) is { } oursRead
                        && oursRead.TryGetValue(id, out var stored)
                        && (ForeignArrowJson.Difference(sql, stored) is null || (legacyDictionary && sql.ValueKind == JsonValueKind.String && sql.GetString() == "" && stored is null)))
                    {
                        // LanceDB's update stored something other than what its own SQL gives for that row; we
                        // store that value (a legacy dictionary's "" reads as null, to LanceDB as to us, also
                        // where LanceDB's createTable wrote it).
                        contradiction($"after [{string.Join(", ", done)}], column {column} ({type}): LanceDB's update set row id {id}{difference}, though LanceDB evaluates `{setExpression.GetString()}` on that row to {sql.GetRawText()}, which we store");
                        continue;
                    }

                    if (await PointReadAsync(twin.Path, table, null, column, id) is { } point && ForeignArrowJson.Difference(point, actual) is null)
                    {
                        // LanceDB's full scan of its twin and its own read of that one row disagree; the row reads as ours.
                        contradiction($"after [{string.Join(", ", done)}], column {column} ({type}): LanceDB's full scan of its twin reads row id {id}{difference}; its filtered scan (id = {id}) of the twin reads the row as LanceDB reads ours");
                        continue;
                    }

fail("write:rows", $"after [{string.Join(", ", done)}], row id {id}{difference} (LanceDB reading its twin, then ours)", "mismatch", column, type);
                    return;
                }
            }
        }
    }

    /// <summary>An exception's category: its type and its message with paths, column names and numbers left out.</summary>
    private static string KindOf(Exception e) => $"{e.GetType().Name}: {Normalize(FirstLine(e.Message))}";

    private static string Normalize(string message)
    {
        var text = Regex.Replace(message, @"'?/[^\s']+'?", "<path>");
        text = Regex.Replace(text, @"\b(c\d+|a\d+_\d+)(_r)*\b", "<col>");
        text = Regex.Replace(text, @"-?\d+(\.\d+)?", "N");
        text = Regex.Replace(text, @"`[^`]*`", "<expr>");
        return text.Length <= 160 ? text : text[..160];
    }

    private static string Describe(Exception e) => $"{e.GetType().Name}: {FirstLine(e.Message)}";

    private static string FirstLine(string text)
    {
        var line = text.Split('\n')[0];
        return line.Length <= 400 ? line : line[..400] + "…";
    }
}
