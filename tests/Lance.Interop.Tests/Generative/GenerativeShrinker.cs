using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Lance.Interop.Tests.Generative;

/// <summary>A failure shrunk to a small table spec that still fails the same way.</summary>
/// <param name="Spec">The minimal spec (replay it with <c>fuzz-tables.mjs {out, seed, replay: spec}</c>).</param>
/// <param name="Failure">The failure the minimal spec still produces.</param>
/// <param name="Replays">How many replays the shrinking took.</param>
public sealed record ShrunkFailure(JsonObject Spec, GenerativeFailure Failure, int Replays);

/// <summary>
/// Shrinks a failing table spec by replaying smaller ones (shorter op list, fewer columns, fewer
/// rows) and keeping each that still fails with the same <see cref="GenerativeFailure.Signature"/>.
/// </summary>
public sealed class GenerativeShrinker(GenerativeDriver driver)
{
    /// <summary>Shrinks <paramref name="spec"/>, which fails as <paramref name="failure"/> does, within <paramref name="budget"/>.</summary>
    public async Task<ShrunkFailure> ShrinkAsync(JsonObject spec, GenerativeFailure failure, TimeSpan budget, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var current = spec;
        var currentFailure = failure;
        int replays = 0;

        async Task<bool> TryAsync(JsonObject candidate)
        {
            if (clock.Elapsed > budget)
            {
                return false;
            }

            replays++;
            SeedOutcome outcome;
            try
            {
                outcome = await driver.ReplayAsync(failure.Seed, candidate, cancellationToken);
            }
            catch (LanceDbPeerException)
            {
                return false; // LanceDB could not replay this candidate at all.
            }

            var same = outcome.Failures.FirstOrDefault(f => f.Signature == failure.Signature);
            if (same is null)
            {
                return false;
            }

            current = candidate;
            currentFailure = same;
            return true;
        }

        bool progress = true;
        while (progress && clock.Elapsed < budget)
        {
            progress = false;
            var ops = current["ops"]!.AsArray();
            if (ops.Count > 0 && (await TryAsync(With(current, "ops", new JsonArray()))
                || (ops.Count > 1 && await TryAsync(With(current, "ops", Slice(ops, 0, ops.Count / 2))))))
            {
                progress = true;
                continue;
            }

            for (int i = ops.Count - 1; i >= 0 && !progress; i--)
            {
                progress = await TryAsync(With(current, "ops", new JsonArray([.. ops.Where((_, j) => j != i).Select(o => o!.DeepClone())])));
            }

            var columns = current["columns"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).Where(n => n != "id").Reverse().ToList();
            foreach (var column in columns)
            {
                progress |= await TryAsync(WithoutColumn(current, column));
            }

            var rows = current["rows"]!.AsArray();
            if (rows.Count > 1)
            {
                progress |= await TryAsync(With(current, "rows", Slice(rows, 0, rows.Count / 2)))
                    || await TryAsync(With(current, "rows", Slice(rows, rows.Count / 2, rows.Count - rows.Count / 2)));
            }
            else if (rows.Count == 1)
            {
                progress |= await TryAsync(With(current, "rows", new JsonArray()));
            }

            var opsNow = current["ops"]!.AsArray();
            for (int i = 0; i < opsNow.Count; i++)
            {
                if (opsNow[i]!["rows"] is JsonArray opRows && opRows.Count > 1)
                {
                    var shorter = opsNow.DeepClone().AsArray();
                    shorter[i]!["rows"] = Slice(opRows, 0, opRows.Count / 2);
                    progress |= await TryAsync(With(current, "ops", shorter));
                    opsNow = current["ops"]!.AsArray();
                }
            }
        }

        return new ShrunkFailure(current, currentFailure, replays);
    }

    private static JsonObject With(JsonObject spec, string property, JsonNode value)
    {
        var copy = spec.DeepClone().AsObject();
        copy[property] = value;
        return copy;
    }

    private static JsonArray Slice(JsonArray array, int start, int count) =>
        new([.. array.Skip(start).Take(count).Select(x => x?.DeepClone())]);

    // The spec without one column: out of the schema, the rows and every op's rows.
    private static JsonObject WithoutColumn(JsonObject spec, string column)
    {
        var copy = spec.DeepClone().AsObject();
        var columns = copy["columns"]!.AsArray();
        columns.Remove(columns.First(c => c!["name"]!.GetValue<string>() == column));
        foreach (var row in copy["rows"]!.AsArray())
        {
            row!.AsObject().Remove(column);
        }

        foreach (var op in copy["ops"]!.AsArray())
        {
            if (op!["rows"] is JsonArray rows)
            {
                foreach (var row in rows)
                {
                    row!.AsObject().Remove(column);
                }
            }
        }

        return copy;
    }
}
