using Apache.Arrow.Types;

namespace Lance.Orm.Serialization;

/// <summary>The Arrow type of each fixed-width value type a model member may have.</summary>
internal static class ArrowPrimitive<T>
    where T : unmanaged
{
    /// <summary>The Arrow type that stores <typeparamref name="T"/>; the JIT folds the chain per instantiation.</summary>
    public static readonly IArrowType Type =
        typeof(T) == typeof(long) ? Int64Type.Default
        : typeof(T) == typeof(int) ? Int32Type.Default
        : typeof(T) == typeof(short) ? Int16Type.Default
        : typeof(T) == typeof(sbyte) ? Int8Type.Default
        : typeof(T) == typeof(ulong) ? UInt64Type.Default
        : typeof(T) == typeof(uint) ? UInt32Type.Default
        : typeof(T) == typeof(ushort) ? UInt16Type.Default
        : typeof(T) == typeof(byte) ? UInt8Type.Default
        : typeof(T) == typeof(Half) ? HalfFloatType.Default
        : typeof(T) == typeof(float) ? FloatType.Default
        : typeof(T) == typeof(double) ? DoubleType.Default
        : throw new NotSupportedException($"{typeof(T)} has no fixed-width Arrow type of its own; pass the Arrow type explicitly.");
}
