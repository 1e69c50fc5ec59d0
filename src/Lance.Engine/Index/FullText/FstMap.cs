using System.Buffers.Binary;
using System.Text;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// A read-only map from byte strings to <see cref="ulong"/> in the finite-state-transducer layout of
/// the Rust <c>fst</c> crate (format versions 2 and 3), which Lance uses for the token dictionary of
/// an inverted index (<c>_token_fst_bytes</c>): token → token id.
/// </summary>
/// <remarks>
/// Layout: a 16-byte header (<c>u64 version, u64 type</c>), nodes written back to front (a node's
/// address is its last byte), then <c>u64 key count, u64 root address</c> and, from version 3, a
/// <c>u32</c> checksum. A node's state byte says which of three shapes it has: one transition to the
/// node just before it (no output), one transition with an output and an address delta, or any
/// number of transitions (with an optional 256-byte input index above 32 transitions).
/// </remarks>
internal sealed class FstMap
{
    private const int EmptyAddress = 0;
    private const int IndexThreshold = 32;

    // The inputs the fst crate encodes in a node's state byte, most frequent first.
    private static readonly byte[] CommonInputs = BuildCommonInputs();

    private readonly byte[] _data;
    private readonly ulong _version;
    private readonly int _root;

    private FstMap(byte[] data, ulong version, int root, long count)
    {
        _data = data;
        _version = version;
        _root = root;
        Count = count;
    }

    /// <summary>The number of keys.</summary>
    public long Count { get; }

    /// <summary>Reads a map from its bytes.</summary>
    /// <exception cref="LanceIndexException">The bytes are not an fst of a supported version.</exception>
    public static FstMap Parse(byte[] data, string source)
    {
        if (data.Length < 32)
        {
            throw new LanceIndexException($"The token dictionary of '{source}' is too short to be an fst ({data.Length} bytes).");
        }

        var version = BinaryPrimitives.ReadUInt64LittleEndian(data);
        if (version is < 2 or > 3)
        {
            throw new LanceIndexException($"The token dictionary of '{source}' has fst format version {version}; versions 2 and 3 are supported.");
        }

        var end = version >= 3 ? data.Length - 4 : data.Length;
        var root = (long)BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(end - 8));
        var count = (long)BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(end - 16));
        if (root < 0 || root >= end)
        {
            throw new LanceIndexException($"The token dictionary of '{source}' has a root address ({root}) outside the file.");
        }

        return new FstMap(data, version, (int)root, count);
    }

    /// <summary>The value of <paramref name="key"/>, when present.</summary>
    public bool TryGetValue(string key, out ulong value)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        var node = Read(_root);
        ulong output = 0;
        foreach (var b in bytes)
        {
            var found = -1;
            for (var i = 0; i < node.Count; i++)
            {
                if (Input(node, i) == b)
                {
                    found = i;
                    break;
                }
            }

            if (found < 0)
            {
                value = 0;
                return false;
            }

            output += Output(node, found);
            node = Read(Target(node, found));
        }

        value = output + node.FinalOutput;
        return node.IsFinal;
    }

    /// <summary>Every key with its value, in byte order.</summary>
    public IEnumerable<(string Key, ulong Value)> Entries()
    {
        var path = new List<byte>();
        var stack = new Stack<(Node Node, int Next, ulong Output, int Depth)>();
        var root = Read(_root);
        if (root.IsFinal)
        {
            yield return ("", root.FinalOutput);
        }

        stack.Push((root, 0, 0, 0));
        while (stack.Count > 0)
        {
            var (node, next, output, depth) = stack.Pop();
            if (next >= node.Count)
            {
                continue;
            }

            stack.Push((node, next + 1, output, depth));
            path.RemoveRange(depth, path.Count - depth);
            path.Add(Input(node, next));
            var sum = output + Output(node, next);
            var child = Read(Target(node, next));
            if (child.IsFinal)
            {
                yield return (Encoding.UTF8.GetString(path.ToArray()), sum + child.FinalOutput);
            }

            stack.Push((child, 0, sum, depth + 1));
        }
    }

    private Node Read(int address)
    {
        if (address == EmptyAddress)
        {
            return new Node(NodeKind.EmptyFinal, address, 0, 0, 0, 0, 0, true, 0);
        }

        var state = _data[address];
        switch (state >> 6)
        {
            case 0b11:
            {
                var common = state & 0x3F;
                var inputLength = common == 0 ? 1 : 0;
                return new Node(NodeKind.OneTransNext, address, common, inputLength, 0, 0, 1, false, 0);
            }

            case 0b10:
            {
                var common = state & 0x3F;
                var inputLength = common == 0 ? 1 : 0;
                var sizes = _data[address - inputLength - 1];
                return new Node(NodeKind.OneTrans, address, common, inputLength, sizes >> 4, sizes & 0xF, 1, false, 0);
            }

            default:
            {
                var isFinal = (state & 0x40) != 0;
                var n = state & 0x3F;
                var ntransLength = n == 0 ? 1 : 0;
                if (n == 0)
                {
                    n = _data[address - 1];
                    if (n == 1)
                    {
                        n = 256;
                    }
                }

                var sizes = _data[address - ntransLength - 1];
                var tsize = sizes >> 4;
                var osize = sizes & 0xF;
                ulong final = 0;
                if (isFinal && osize > 0)
                {
                    var at = address - ntransLength - 1 - TransitionBytes(n, tsize) - (n * osize) - osize;
                    final = Unpack(at, osize);
                }

                return new Node(NodeKind.AnyTrans, address, n, ntransLength, tsize, osize, n, isFinal, final);
            }
        }
    }

    private int TransitionBytes(int ntrans, int tsize) => ntrans + (ntrans * tsize) + IndexBytes(ntrans);

    private int IndexBytes(int ntrans) => _version >= 2 && ntrans > IndexThreshold ? 256 : 0;

    private byte Input(Node node, int i) => node.Kind switch
    {
        NodeKind.OneTransNext or NodeKind.OneTrans => node.Common != 0 ? CommonInputs[node.Common - 1] : _data[node.Address - 1],
        _ => _data[node.Address - node.ExtraLength - 1 - IndexBytes(node.Count) - i - 1],
    };

    private ulong Output(Node node, int i)
    {
        switch (node.Kind)
        {
            case NodeKind.OneTrans when node.OutputSize > 0:
                return Unpack(node.Address - node.ExtraLength - 1 - node.TransitionSize - node.OutputSize, node.OutputSize);
            case NodeKind.AnyTrans when node.OutputSize > 0:
                return Unpack(node.Address - node.ExtraLength - 1 - TransitionBytes(node.Count, node.TransitionSize) - (i * node.OutputSize) - node.OutputSize, node.OutputSize);
            default:
                return 0;
        }
    }

    private int Target(Node node, int i)
    {
        switch (node.Kind)
        {
            case NodeKind.OneTransNext:
                return node.Address - node.ExtraLength - 1;
            case NodeKind.OneTrans:
            {
                var end = node.Address - node.ExtraLength - 1 - node.TransitionSize - node.OutputSize;
                return Delta(node.Address - node.ExtraLength - 1 - node.TransitionSize, node.TransitionSize, end);
            }

            default:
            {
                var finalSize = node.IsFinal ? node.OutputSize : 0;
                var end = node.Address - node.ExtraLength - 1 - TransitionBytes(node.Count, node.TransitionSize) - (node.Count * node.OutputSize) - finalSize;
                var at = node.Address - node.ExtraLength - 1 - IndexBytes(node.Count) - node.Count - (i * node.TransitionSize) - node.TransitionSize;
                return Delta(at, node.TransitionSize, end);
            }
        }
    }

    private int Delta(int at, int size, int end)
    {
        var delta = (long)Unpack(at, size);
        return delta == EmptyAddress ? EmptyAddress : checked((int)(end - delta));
    }

    private ulong Unpack(int at, int size)
    {
        ulong value = 0;
        for (var k = 0; k < size; k++)
        {
            value |= (ulong)_data[at + k] << (8 * k);
        }

        return value;
    }

    private static byte[] BuildCommonInputs()
    {
        var first = "te/oasripcnw.hlm-du012g=:bf3y5&_4v9678k%?xCDASFIBEjPTzRNM+LOqHGWUV,YKJZXQ;)(~[]$!'*@"u8.ToArray();
        var seen = new bool[256];
        var table = new List<byte>(256);
        foreach (var b in first)
        {
            seen[b] = true;
            table.Add(b);
        }

        for (var b = 0; b < 256; b++)
        {
            if (!seen[b])
            {
                table.Add((byte)b);
            }
        }

        return [.. table];
    }

    private enum NodeKind
    {
        EmptyFinal,
        OneTransNext,
        OneTrans,
        AnyTrans,
    }

    // Common: the common-input index (one-transition nodes) or the transition count (any-transition nodes);
    // ExtraLength: the bytes between the state byte and the pack sizes (an explicit input, or an explicit count).
    private readonly record struct Node(NodeKind Kind, int Address, int Common, int ExtraLength, int TransitionSize, int OutputSize, int Count, bool IsFinal, ulong FinalOutput);
}
