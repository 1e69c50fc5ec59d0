using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// Builds a map from byte strings to <see cref="ulong"/> in the finite-state-transducer layout that
/// <see cref="FstMap"/> reads (the Rust <c>fst</c> crate's format version 3, which Lance's token
/// dictionaries use): keys go in strictly ascending byte order; equal suffixes share nodes.
/// </summary>
/// <remarks>
/// The construction is the classic one for sorted input: the path of the last key stays open, each
/// new key freezes the part of it that the new key does not share, and outputs move toward the root
/// (a transition keeps the smaller of the outputs that pass through it; the rest is pushed down).
/// Frozen nodes are written bottom-up, so every transition points to a lower address; a node is
/// written once and reused wherever an identical node is needed.
/// </remarks>
internal sealed class FstBuilder
{
    private const int Version = 3;
    private const int IndexThreshold = 32;
    private const long EmptyAddress = 0;
    private const long NoAddress = 1;

    private static readonly byte[] CommonRank = BuildCommonRanks();

    private readonly ArrayBufferWriter<byte> _output = new(1024);
    private readonly List<Pending> _open = [new Pending()];
    private readonly Dictionary<NodeKey, long> _registry = new();

    // The key a compiled node is looked up by (reused: a copy is made only for a node the registry does not hold yet), and
    // the open nodes compiled and free for reuse (most keys open a few nodes and freeze as many).
    private readonly NodeKey _probe = new();
    private readonly Stack<Pending> _spare = new();
    private byte[] _previous = [];
    private bool _any;
    private long _lastAddress = NoAddress;
    private long _count;

    /// <summary>Creates an empty builder.</summary>
    public FstBuilder()
    {
        Span<byte> header = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(header, Version);
        BinaryPrimitives.WriteUInt64LittleEndian(header[8..], 0); // the map type
        Write(header);
    }

    /// <summary>Adds <paramref name="key"/> with <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentException">The key is not above the previous key in byte order.</exception>
    public void Add(ReadOnlySpan<byte> key, ulong value)
    {
        if (_any && key.SequenceCompareTo(_previous) <= 0)
        {
            throw new ArgumentException("Keys must be added in strictly ascending byte order.", nameof(key));
        }

        _any = true;
        _previous = key.ToArray();
        _count++;
        if (key.IsEmpty)
        {
            _open[0].IsFinal = true;
            _open[0].FinalOutput = value;
            return;
        }

        // Walk the shared prefix, keeping on each shared transition the smaller output.
        var shared = 0;
        while (shared < key.Length && _open[shared].HasLast && _open[shared].LastInput == key[shared])
        {
            var node = _open[shared];
            var common = Math.Min(node.LastOutput, value);
            var pushDown = node.LastOutput - common;
            node.LastOutput = common;
            value -= common;
            shared++;
            if (pushDown != 0)
            {
                _open[shared].AddPrefix(pushDown);
            }
        }

        FreezeFrom(shared);
        _open[^1].SetLast(key[shared], value);
        for (var i = shared + 1; i < key.Length; i++)
        {
            var next = NewPending();
            next.SetLast(key[i], 0);
            _open.Add(next);
        }

        var final = NewPending();
        final.IsFinal = true;
        _open.Add(final);
    }

    /// <summary>Writes the root and the footer; returns the map's bytes.</summary>
    public byte[] Finish()
    {
        FreezeFrom(0);
        var root = Compile(_open[0]);
        Span<byte> footer = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(footer, (ulong)_count);
        BinaryPrimitives.WriteUInt64LittleEndian(footer[8..], (ulong)root);
        Write(footer);
        var sum = Crc32C(_output.WrittenSpan);
        var masked = ((sum >> 15) | (sum << 17)) + 0xA282EAD8;
        Span<byte> check = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(check, masked);
        Write(check);
        return _output.WrittenSpan.ToArray();
    }

    /// <summary>The map of <paramref name="entries"/> (any order; keys distinct).</summary>
    public static byte[] Build(IEnumerable<(byte[] Key, ulong Value)> entries)
    {
        var builder = new FstBuilder();
        foreach (var (key, value) in entries.OrderBy(e => e.Key, ByteOrder.Instance))
        {
            builder.Add(key, value);
        }

        return builder.Finish();
    }

    // Compiles the open nodes deeper than `depth` (deepest first) and points depth's pending transition at them.
    private void FreezeFrom(int depth)
    {
        var address = NoAddress;
        while (depth + 1 < _open.Count)
        {
            var node = _open[^1];
            _open.RemoveAt(_open.Count - 1);
            if (address != NoAddress)
            {
                node.CloseLast(address);
            }

            address = Compile(node);
            node.Reset();
            _spare.Push(node);
        }

        if (address != NoAddress)
        {
            _open[depth].CloseLast(address);
        }
    }

    private Pending NewPending() => _spare.TryPop(out var node) ? node : new Pending();

    private long Compile(Pending node)
    {
        if (node.IsFinal && node.Transitions.Count == 0 && node.FinalOutput == 0)
        {
            return EmptyAddress;
        }

        _probe.Set(node.IsFinal, node.FinalOutput, CollectionsMarshal.AsSpan(node.Transitions));
        if (_registry.TryGetValue(_probe, out var existing))
        {
            return existing;
        }

        var start = _output.WrittenCount;
        var transitions = node.Transitions;
        if (transitions.Count == 1 && !node.IsFinal)
        {
            var t = transitions[0];
            var common = CommonIndex(t.Input);
            if (t.Target == _lastAddress && t.Output == 0)
            {
                // One transition to the node written just before, no output: the state byte (and the input) only.
                if (common == 0)
                {
                    WriteByte(t.Input);
                }

                WriteByte((byte)(0b11_000000 | common));
            }
            else
            {
                var outputSize = t.Output == 0 ? 0 : PackSize(t.Output);
                Pack(t.Output, outputSize);
                var delta = t.Target == EmptyAddress ? 0 : (ulong)(start - t.Target);
                var targetSize = PackSize(delta);
                Pack(delta, targetSize);
                WriteByte((byte)((targetSize << 4) | outputSize));
                if (common == 0)
                {
                    WriteByte(t.Input);
                }

                WriteByte((byte)(0b10_000000 | common));
            }
        }
        else
        {
            WriteAnyTransitions(node, start);
        }

        _lastAddress = _output.WrittenCount - 1;
        _registry[_probe.Copy()] = _lastAddress;
        return _lastAddress;
    }

    private void WriteAnyTransitions(Pending node, long start)
    {
        var transitions = node.Transitions;
        var targetSize = 1;
        var outputSize = PackSize(node.FinalOutput);
        var anyOutput = node.FinalOutput != 0;
        foreach (var t in transitions)
        {
            targetSize = Math.Max(targetSize, PackSize(t.Target == EmptyAddress ? 0 : (ulong)(start - t.Target)));
            outputSize = Math.Max(outputSize, PackSize(t.Output));
            anyOutput |= t.Output != 0;
        }

        if (anyOutput)
        {
            if (node.IsFinal)
            {
                Pack(node.FinalOutput, outputSize);
            }

            for (var i = transitions.Count - 1; i >= 0; i--)
            {
                Pack(transitions[i].Output, outputSize);
            }
        }

        for (var i = transitions.Count - 1; i >= 0; i--)
        {
            var t = transitions[i];
            Pack(t.Target == EmptyAddress ? 0 : (ulong)(start - t.Target), targetSize);
        }

        for (var i = transitions.Count - 1; i >= 0; i--)
        {
            WriteByte(transitions[i].Input);
        }

        if (transitions.Count > IndexThreshold)
        {
            Span<byte> index = stackalloc byte[256];
            index.Fill(255);
            for (var i = 0; i < transitions.Count; i++)
            {
                index[transitions[i].Input] = (byte)i;
            }

            Write(index);
        }

        WriteByte((byte)((targetSize << 4) | (anyOutput ? outputSize : 0)));
        var state = (byte)(node.IsFinal ? 0b01_000000 : 0);
        if (transitions.Count is > 0 and <= 0b111111)
        {
            state |= (byte)transitions.Count;
        }
        else
        {
            WriteByte(transitions.Count == 256 ? (byte)1 : (byte)transitions.Count);
        }

        WriteByte(state);
    }

    private void WriteByte(byte value)
    {
        _output.GetSpan(1)[0] = value;
        _output.Advance(1);
    }

    private void Write(ReadOnlySpan<byte> bytes) => _output.Write(bytes);

    private void Pack(ulong value, int size)
    {
        for (var k = 0; k < size; k++)
        {
            WriteByte((byte)(value >> (8 * k)));
        }
    }

    private static int PackSize(ulong value) => value == 0 ? 1 : (64 - BitOperations.LeadingZeroCount(value) + 7) / 8;

    private static int CommonIndex(byte input)
    {
        var index = CommonRank[input] + 1;
        return index > 0b111111 ? 0 : index;
    }

    private static uint Crc32C(ReadOnlySpan<byte> bytes)
    {
        var crc = uint.MaxValue;
        while (bytes.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(bytes));
            bytes = bytes[8..];
        }

        foreach (var b in bytes)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }

    private static byte[] BuildCommonRanks()
    {
        var first = "te/oasripcnw.hlm-du012g=:bf3y5&_4v9678k%?xCDASFIBEjPTzRNM+LOqHGWUV,YKJZXQ;)(~[]$!'*@"u8;
        var rank = new byte[256];
        var seen = new bool[256];
        var next = 0;
        foreach (var b in first)
        {
            seen[b] = true;
            rank[b] = (byte)next++;
        }

        for (var b = 0; b < 256; b++)
        {
            if (!seen[b])
            {
                rank[b] = (byte)next++;
            }
        }

        return rank;
    }

    private readonly record struct Transition(byte Input, ulong Output, long Target);

    // A node of the open path: its finished transitions and the one still being extended (the "last").
    private sealed class Pending
    {
        public List<Transition> Transitions { get; } = [];

        public bool IsFinal { get; set; }

        public ulong FinalOutput { get; set; }

        public bool HasLast { get; private set; }

        public byte LastInput { get; private set; }

        public ulong LastOutput { get; set; }

        public void SetLast(byte input, ulong output)
        {
            HasLast = true;
            LastInput = input;
            LastOutput = output;
        }

        public void CloseLast(long target)
        {
            if (HasLast)
            {
                Transitions.Add(new Transition(LastInput, LastOutput, target));
                HasLast = false;
            }
        }

        /// <summary>Empties the node for reuse.</summary>
        public void Reset()
        {
            Transitions.Clear();
            IsFinal = false;
            FinalOutput = 0;
            HasLast = false;
            LastInput = 0;
            LastOutput = 0;
        }

        public void AddPrefix(ulong prefix)
        {
            if (IsFinal)
            {
                FinalOutput += prefix;
            }

            for (var i = 0; i < Transitions.Count; i++)
            {
                Transitions[i] = Transitions[i] with { Output = Transitions[i].Output + prefix };
            }

            if (HasLast)
            {
                LastOutput += prefix;
            }
        }
    }

    // A compiled node's identity: finality, final output and transitions (a node the registry holds is written once).
    private sealed class NodeKey : IEquatable<NodeKey>
    {
        private Transition[] _transitions = [];
        private int _count;
        private int _hash;
        private bool _isFinal;
        private ulong _finalOutput;

        private ReadOnlySpan<Transition> Transitions => _transitions.AsSpan(0, _count);

        /// <summary>Makes this key the one of a node with these contents (the transitions are copied).</summary>
        public void Set(bool isFinal, ulong finalOutput, ReadOnlySpan<Transition> transitions)
        {
            if (_transitions.Length < transitions.Length)
            {
                _transitions = new Transition[Math.Max(transitions.Length, 2 * _transitions.Length)];
            }

            transitions.CopyTo(_transitions);
            _count = transitions.Length;
            _isFinal = isFinal;
            _finalOutput = finalOutput;
            var hash = new HashCode();
            hash.Add(isFinal);
            hash.Add(finalOutput);
            foreach (var t in transitions)
            {
                hash.Add(t);
            }

            _hash = hash.ToHashCode();
        }

        /// <summary>A key of its own with this key's contents (for the registry).</summary>
        public NodeKey Copy() => new() { _transitions = Transitions.ToArray(), _count = _count, _hash = _hash, _isFinal = _isFinal, _finalOutput = _finalOutput };

        public bool Equals(NodeKey? other)
            => other is not null && other._hash == _hash && other._isFinal == _isFinal && other._finalOutput == _finalOutput
               && other.Transitions.SequenceEqual(Transitions);

        public override bool Equals(object? obj) => Equals(obj as NodeKey);

        public override int GetHashCode() => _hash;
    }

    /// <summary>Orders byte strings as unsigned bytes, shorter first on a common prefix.</summary>
    public sealed class ByteOrder : IComparer<byte[]>
    {
        /// <summary>The one instance.</summary>
        public static readonly ByteOrder Instance = new();

        /// <inheritdoc />
        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
