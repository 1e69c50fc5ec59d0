using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Lance.Orm.Serialization;

/// <summary>
/// Turns a member value into the fixed-width value Arrow stores, and back. Implemented by small
/// structs so that generic writers and readers inline the conversion: no boxing, no delegate.
/// </summary>
/// <typeparam name="TValue">The member's type.</typeparam>
/// <typeparam name="TStorage">The Arrow value's type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IValueConverter<TValue, TStorage>
    where TStorage : unmanaged
{
    /// <summary>The stored form of <paramref name="value"/>.</summary>
    /// <param name="value">The member value.</param>
    TStorage ToStorage(TValue value);

    /// <summary>The member value of <paramref name="storage"/>.</summary>
    /// <param name="storage">The stored value.</param>
    TValue FromStorage(TStorage storage);
}

/// <summary>
/// <see cref="DateTime"/> ↔ Arrow <c>timestamp[us]</c> without a time zone (pyarrow's and pydantic's
/// naive datetime): the wall-clock value is stored as written, whatever its <see cref="DateTime.Kind"/>,
/// truncated to whole microseconds; it reads back with <see cref="DateTimeKind.Unspecified"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct TimestampConverter : IValueConverter<DateTime, long>
{
    /// <inheritdoc/>
    public long ToStorage(DateTime value) => Math.DivRem(value.Ticks - DateTime.UnixEpoch.Ticks, TimeSpan.TicksPerMicrosecond, out var rest) - (rest < 0 ? 1 : 0);

    /// <inheritdoc/>
    public DateTime FromStorage(long storage) => new(DateTime.UnixEpoch.Ticks + (storage * TimeSpan.TicksPerMicrosecond), DateTimeKind.Unspecified);
}

/// <summary>
/// <see cref="DateTimeOffset"/> ↔ Arrow <c>timestamp[us, tz=UTC]</c>: the instant is stored as UTC
/// microseconds since the Unix epoch (the offset is not kept) and reads back with offset zero.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct TimestampUtcConverter : IValueConverter<DateTimeOffset, long>
{
    /// <inheritdoc/>
    public long ToStorage(DateTimeOffset value) => default(TimestampConverter).ToStorage(value.UtcDateTime);

    /// <inheritdoc/>
    public DateTimeOffset FromStorage(long storage) =>
        new(DateTime.UnixEpoch.Ticks + (storage * TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);
}

/// <summary><see cref="DateOnly"/> ↔ Arrow <c>date32</c> (days since 1970-01-01).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct Date32Converter : IValueConverter<DateOnly, int>
{
    private static readonly int s_epochDay = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    /// <inheritdoc/>
    public int ToStorage(DateOnly value) => value.DayNumber - s_epochDay;

    /// <inheritdoc/>
    public DateOnly FromStorage(int storage) => DateOnly.FromDayNumber(storage + s_epochDay);
}

/// <summary><see cref="TimeOnly"/> ↔ Arrow <c>time64[us]</c> (microseconds since midnight, truncated).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct Time64Converter : IValueConverter<TimeOnly, long>
{
    /// <inheritdoc/>
    public long ToStorage(TimeOnly value) => value.Ticks / TimeSpan.TicksPerMicrosecond;

    /// <inheritdoc/>
    public TimeOnly FromStorage(long storage) => new(storage * TimeSpan.TicksPerMicrosecond);
}

/// <summary>
/// <see cref="TimeSpan"/> ↔ Arrow <c>duration[us]</c> (microseconds, truncated toward zero), the type pyarrow gives a Python
/// <c>timedelta</c>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct DurationConverter : IValueConverter<TimeSpan, long>
{
    /// <inheritdoc/>
    public long ToStorage(TimeSpan value) => value.Ticks / TimeSpan.TicksPerMicrosecond;

    /// <inheritdoc/>
    public TimeSpan FromStorage(long storage) => new(storage * TimeSpan.TicksPerMicrosecond);
}

/// <summary>
/// <see cref="Guid"/> ↔ Arrow <c>fixed_size_binary(16)</c> in RFC 4122 (big-endian) byte order: the
/// bytes of Python's <c>uuid.UUID(...).bytes</c> and of pyarrow's <c>uuid</c> extension type, so
/// <c>550e8400-e29b-…</c> is stored as <c>55 0e 84 00 e2 9b …</c>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct UuidConverter : IValueConverter<Guid, Int128>
{
    /// <inheritdoc/>
    public Int128 ToStorage(Guid value)
    {
        Int128 storage = default;
        value.TryWriteBytes(MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref storage, 1)), bigEndian: true, out _);
        return storage;
    }

    /// <inheritdoc/>
    public Guid FromStorage(Int128 storage) =>
        new(MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref storage, 1)), bigEndian: true);
}

/// <summary>An enum ↔ its underlying integer, for enums stored as integers (<c>[Column(AsInteger = true)]</c>).</summary>
/// <typeparam name="TEnum">The enum type.</typeparam>
/// <typeparam name="TUnderlying">Its underlying integer type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct EnumIntegerConverter<TEnum, TUnderlying> : IValueConverter<TEnum, TUnderlying>
    where TEnum : unmanaged, Enum
    where TUnderlying : unmanaged
{
    /// <inheritdoc/>
    public TUnderlying ToStorage(TEnum value) => Unsafe.As<TEnum, TUnderlying>(ref value);

    /// <inheritdoc/>
    public TEnum FromStorage(TUnderlying storage) => Unsafe.As<TUnderlying, TEnum>(ref storage);
}

/// <summary>
/// <see cref="decimal"/> ↔ Arrow <c>decimal128(precision, scale)</c>: a 128-bit two's complement
/// integer holding the value times 10^scale. Values are rounded half-to-even to the scale; a value
/// with more than <c>precision</c> digits throws <see cref="LanceSchemaException"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct Decimal128Converter : IValueConverter<decimal, Int128>
{
    private static readonly Int128[] s_powers = CreatePowers();
    private readonly int _precision;
    private readonly int _scale;

    /// <summary>A converter for <c>decimal128(<paramref name="precision"/>, <paramref name="scale"/>)</c>.</summary>
    /// <param name="precision">The number of significant digits, 1 to 38.</param>
    /// <param name="scale">The number of digits after the point, 0 to 28 and at most <paramref name="precision"/>.</param>
    public Decimal128Converter(int precision, int scale)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(precision, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(precision, 38);
        ArgumentOutOfRangeException.ThrowIfNegative(scale);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scale, Math.Min(28, precision));
        _precision = precision;
        _scale = scale;
    }

    /// <inheritdoc/>
    public Int128 ToStorage(decimal value)
    {
        var rounded = decimal.Round(value, _scale, MidpointRounding.ToEven);
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(rounded, bits);
        var mantissa = ((Int128)(uint)bits[2] << 64) | ((Int128)(uint)bits[1] << 32) | (uint)bits[0];
        var valueScale = (bits[3] >> 16) & 0xFF;
        var shift = _scale - valueScale;
        if (_precision < shift ? mantissa != 0 : mantissa >= s_powers[_precision - shift])
        {
            throw new LanceSchemaException(
                $"The decimal {value} has more than {_precision} digits, so it does not fit decimal128({_precision}, {_scale}). " +
                "Declare a larger precision or a smaller scale with [Column(Precision = ..., Scale = ...)].");
        }

        var scaled = mantissa * s_powers[shift];
        return bits[3] < 0 ? -scaled : scaled;
    }

    /// <inheritdoc/>
    public decimal FromStorage(Int128 storage)
    {
        var negative = storage < 0;
        var magnitude = (UInt128)(negative ? -storage : storage);
        var scale = _scale;

        // A decimal holds 96 bits: drop trailing zeros (or, beyond that, digits) until the value fits.
        while (magnitude >> 96 != 0 && scale > 0)
        {
            magnitude /= 10;
            scale--;
        }

        if (magnitude >> 96 != 0)
        {
            throw new LanceSchemaException($"A decimal128 value of {(negative ? "-" : "")}{magnitude} does not fit System.Decimal.");
        }

        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), (int)(uint)(magnitude >> 64), negative, (byte)scale);
    }

    private static Int128[] CreatePowers()
    {
        var powers = new Int128[39];
        powers[0] = 1;
        for (var i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * 10;
        }

        return powers;
    }
}
