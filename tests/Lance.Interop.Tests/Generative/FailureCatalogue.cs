using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Lance.Interop.Tests.Generative;

/// <summary>
/// The failures found, one category per <see cref="GenerativeFailure.Signature"/> (its first case,
/// how often it was seen, and its shrunk spec once shrunk), with the figures of the run.
/// </summary>
public sealed class FailureCatalogue
{
    private readonly Dictionary<string, Category> _categories = [];
    private readonly SortedSet<string> _refused = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _excluded = new(StringComparer.Ordinal);

    /// <summary>Seeds run.</summary>
    public int Seeds { get; private set; }

    /// <summary>What was compared.</summary>
    public GenerativeCounts Counts { get; } = new();

    /// <summary>Distinct categories found.</summary>
    public int CategoryCount => _categories.Count;

    /// <summary>Adds one seed's outcome; returns the failures that opened a new category.</summary>
    public List<GenerativeFailure> Add(SeedOutcome outcome)
    {
        Seeds++;
        Counts.Add(outcome.Counts);
        _refused.UnionWith(outcome.TypesRefused);
        _excluded.UnionWith(outcome.Excluded);
        var fresh = new List<GenerativeFailure>();
        foreach (var failure in outcome.Failures)
        {
            if (Add(failure, outcome.Specs.GetValueOrDefault(failure.Table)))
            {
                fresh.Add(failure);
            }
        }

        return fresh;
    }

    /// <summary>Adds one failure (with its table's replay spec when known); true when its category is new.</summary>
    public bool Add(GenerativeFailure failure, JsonObject? spec)
    {
        if (_categories.TryGetValue(failure.Signature, out var known))
        {
            known.Count++;
            return false;
        }

        _categories[failure.Signature] = new Category(failure, spec);
        return true;
    }

    /// <summary>
    /// Shrinks each category's first case (only those whose signature contains one of <paramref name="only"/>, when given),
    /// <paramref name="each"/> at most, stopping at <paramref name="until"/> on <paramref name="clock"/>.
    /// </summary>
    public async Task ShrinkAsync(GenerativeShrinker shrinker, TimeSpan each, TimeSpan until, Stopwatch clock, Action<string> log, IReadOnlyList<string>? only = null)
    {
        foreach (var category in _categories.Values.Where(c => c.Spec is not null && c.Shrunk is null))
        {
            if (only is not null && !only.Any(o => category.First.Signature.Contains(o, StringComparison.Ordinal)))
            {
                continue;
            }

            if (clock.Elapsed > until)
            {
                break;
            }

            category.Shrunk = await shrinker.ShrinkAsync(category.Spec!, category.First, each);
            log($"shrunk [{category.First.Signature}] in {category.Shrunk.Replays} replays: {category.Shrunk.Spec.ToJsonString()}");
        }
    }

    /// <summary>The figures and every category, with its minimal spec where shrunk.</summary>
    public string Render()
    {
        var text = new StringBuilder();
        text.AppendLine($"{Seeds} seeds: {Counts}; {_categories.Values.Sum(c => c.Count)} failures in {_categories.Count} categories.");
        foreach (var line in _excluded)
        {
            text.AppendLine($"  never drawn: {line}");
        }

        foreach (var line in _refused)
        {
            text.AppendLine($"  refused by LanceDB or apache-arrow (left out of the table): {line}");
        }

        foreach (var line in Counts.LanceDbContradictions)
        {
            text.AppendLine($"  LanceDB contradicts itself (not counted against us): {line}");
        }

        foreach (var (signature, category) in _categories)
        {
            text.AppendLine();
            text.AppendLine($"[{signature}] ×{category.Count}");
            text.AppendLine($"  first: {category.First}");
            if (category.Shrunk is { } shrunk)
            {
                text.AppendLine($"  shrunk ({shrunk.Replays} replays): {shrunk.Failure}");
                text.AppendLine($"  minimal spec: {shrunk.Spec.ToJsonString()}");
            }
        }

        return text.ToString();
    }

    private sealed class Category(GenerativeFailure first, JsonObject? spec)
    {
        public GenerativeFailure First { get; } = first;

        public JsonObject? Spec { get; } = spec;

        public int Count { get; set; } = 1;

        public ShrunkFailure? Shrunk { get; set; }
    }
}
