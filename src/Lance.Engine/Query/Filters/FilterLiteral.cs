namespace Lance.Engine.Query;

/// <summary>
/// A constant: null, <see cref="bool"/>, any integer type, <see cref="float"/>, <see cref="double"/>,
/// <see cref="decimal"/>, <see cref="string"/>, <see cref="byte"/>[], <see cref="DateOnly"/> (a date),
/// <see cref="DateTime"/> (a timestamp; UTC unless its kind is local) or <see cref="TimeOnly"/> (a time of day).
/// </summary>
/// <param name="Value">The constant; another type is refused with an <see cref="ArgumentException"/> when the filter is bound.</param>
public sealed record FilterLiteral(object? Value) : FilterNode;
