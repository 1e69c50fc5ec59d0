using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace Lance.Orm.Generators.Helpers;

/// <summary>
/// An immutable array compared by its elements, so that specs holding lists stay equal across
/// compilations and the incremental pipeline can cache them.
/// </summary>
internal sealed class ImmutableEquatableArray<T> : IEquatable<ImmutableEquatableArray<T>>, IReadOnlyList<T>
    where T : IEquatable<T>
{
    private readonly T[] _values;

    public ImmutableEquatableArray(IEnumerable<T> values) => _values = values.ToArray();

    public static ImmutableEquatableArray<T> Empty { get; } = new(Array.Empty<T>());

    public int Count => _values.Length;

    public T this[int index] => _values[index];

    public bool Equals(ImmutableEquatableArray<T>? other) =>
        other is not null && (ReferenceEquals(this, other) || _values.SequenceEqual(other._values));

    public override bool Equals(object? obj) => obj is ImmutableEquatableArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = 17;
        foreach (var value in _values)
        {
            hash = unchecked((hash * 31) + (value is null ? 0 : value.GetHashCode()));
        }

        return hash;
    }

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _values.GetEnumerator();
}

internal static class ImmutableEquatableArray
{
    public static ImmutableEquatableArray<T> ToImmutableEquatableArray<T>(this IEnumerable<T> values)
        where T : IEquatable<T> => new(values);
}
