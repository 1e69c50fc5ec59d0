using CsCheck;
using Lance.Engine.Tests.Support;
using static Lance.Engine.Tests.Support.Items;

namespace Lance.Engine.Tests.Dataset;

/// <summary>
/// Random sequences of operations run against a real dataset and against a naive in-memory list of
/// rows; after every step both hold the same rows, and at the end every version reads as the model
/// held it then.
/// </summary>
public sealed class ModelBasedTests
{
    private abstract record Op;

    private sealed record Append(int Count, int RowsPerFile) : Op;

    private sealed record Delete(int Mod, int Rem) : Op;

    private sealed record Update(int Mod, int Rem, int? Value) : Op;

    private sealed record Merge(int[] ExistingPicks, int NewRows, bool Update, bool Insert, bool DeleteBySource) : Op;

    private sealed record Compact(int Target) : Op;

    private sealed record Restore(int Pick) : Op;

    private static readonly Gen<Op> OpGen = Gen.Frequency(
        (4, Gen.Select(Gen.Int[1, 40], Gen.Int[3, 50], (count, perFile) => (Op)new Append(count, perFile))),
        (2, Gen.Select(Gen.Int[2, 7], Gen.Int[0, 6], (mod, rem) => (Op)new Delete(mod, rem % mod))),
        (2, Gen.Select(Gen.Int[2, 5], Gen.Int[0, 4], Gen.Int[-5, 6], (mod, rem, value) => (Op)new Update(mod, rem % mod, value == 6 ? null : value))),
        (2, Gen.Select(Gen.Int[0, 1000].Array[0, 6], Gen.Int[0, 5], Gen.Bool, Gen.Bool, Gen.Int[0, 4],
            (picks, fresh, update, insert, bySource) => (Op)new Merge(picks, fresh, update, insert, bySource == 0))),
        (1, Gen.Int[5, 60].Select(target => (Op)new Compact(target))),
        (1, Gen.Int[0, 1000].Select(pick => (Op)new Restore(pick))));

    [Fact]
    public async Task Random_operation_sequences_match_an_in_memory_model()
    {
        await OpGen.Array[1, 12].SampleAsync(RunAsync, iter: 40, threads: 1, print: ops => string.Join("; ", ops.Select(o => o.ToString())));
    }

    private static async Task RunAsync(Op[] ops)
    {
        using var temp = new TempFolder();
        var path = temp.Combine("model.lance");
        var model = Items.ToRows(Range(0, 10)).ToList();
        var nextId = 10L;
        var dataset = await LanceDataset.CreateAsync(path, Items.Schema, [Range(0, 10)], options: new DatasetWriteOptions { MaxRowsPerFile = 4 });
        var history = new Dictionary<ulong, List<Row>> { [1] = [.. model] };
        foreach (var op in ops)
        {
            switch (op)
            {
                case Append(var count, var perFile):
                    await dataset.AppendAsync([Range(nextId, count)], new DatasetWriteOptions { MaxRowsPerFile = perFile });
                    model.AddRange(Items.ToRows(Range(nextId, count)));
                    nextId += count;
                    break;
                case Delete(var mod, var rem):
                    var deleted = await dataset.DeleteAsync(Where(id => id % mod == rem));
                    Assert.Equal(model.RemoveAll(r => r.Id % mod == rem), deleted);
                    break;
                case Update(var mod, var rem, var value):
                    var updated = await dataset.UpdateAsync(Where(id => id % mod == rem), new Dictionary<string, object?> { ["value"] = value });
                    Assert.Equal(model.Count(r => r.Id % mod == rem), updated);
                    model = model.Select(r => r.Id % mod == rem ? r with { Value = value } : r).ToList();
                    break;
                case Merge merge:
                    var source = merge.ExistingPicks.Select(p => p % nextId).Distinct()
                        .Concat(Enumerable.Range(0, merge.NewRows).Select(i => nextId + i))
                        .Select(id => new Row(id, $"m{id}", (int)(id % 3)))
                        .ToList();
                    nextId += merge.NewRows;
                    var options = new MergeInsertOptions { WhenMatchedUpdateAll = merge.Update, WhenNotMatchedInsertAll = merge.Insert, WhenNotMatchedBySourceDelete = merge.DeleteBySource };
                    await dataset.MergeInsertAsync(["id"], [Batch(source)], options);
                    var sourceIds = source.Select(r => r.Id).ToHashSet();
                    var modelIds = model.Select(r => r.Id).ToHashSet();
                    model = model
                        .Where(r => sourceIds.Contains(r.Id) ? !merge.Update : !merge.DeleteBySource)
                        .Concat(source.Where(r => modelIds.Contains(r.Id) ? merge.Update : merge.Insert))
                        .ToList();
                    break;
                case Compact(var target):
                    await dataset.CompactAsync(new CompactionOptions { TargetRowsPerFragment = target });
                    break;
                case Restore(var pick):
                    var versions = history.Keys.Order().ToList();
                    var version = versions[pick % versions.Count];
                    await dataset.RestoreAsync(version);
                    model = [.. history[version]];
                    break;
            }

            var expected = model.OrderBy(r => r.Id).ToList();
            Assert.Equal(expected, await ReadAsync(dataset));
            Assert.Equal(expected.Count, dataset.CountRows());
            history[dataset.Version] = expected;
        }

        var reopened = await LanceDataset.OpenAsync(path);
        foreach (var (version, rows) in history)
        {
            Assert.Equal(rows, await ReadAsync(await reopened.CheckoutAsync(version)));
        }
    }
}
