using System.Runtime.CompilerServices;

namespace Lance.Engine.Index;

/// <summary>
/// Which rows a search may return, by fragment: a fragment is excluded (not in the version, or
/// searched another way), fully allowed, or allowed row by row (deletions, a prefilter).
/// Row ids carry the fragment id in their high 32 bits.
/// </summary>
internal sealed class RowMask
{
    private readonly byte[] _states;
    private readonly bool[]?[] _rows;
    private int _allowedPrefix = -1;

    private const byte Excluded = 0;
    private const byte All = 1;
    private const byte Some = 2;

    /// <summary>Creates a mask that excludes every fragment up to <paramref name="maxFragmentId"/> until told otherwise.</summary>
    public RowMask(ulong maxFragmentId)
    {
        var size = checked((int)maxFragmentId + 1);
        _states = new byte[size];
        _rows = new bool[]?[size];
    }

    /// <summary>Allows the rows of a fragment whose flag is true, or every row when <paramref name="allowed"/> is null.</summary>
    public void Allow(ulong fragmentId, bool[]? allowed)
    {
        if (fragmentId >= (ulong)_states.Length)
        {
            return;
        }

        _states[fragmentId] = allowed is null ? All : Some;
        _rows[fragmentId] = allowed;
        _allowedPrefix = -1;
    }

    /// <summary>
    /// How many fragment ids from 0 up are allowed in full: every row of a fragment with a smaller id
    /// may be returned, so a set of rows whose highest fragment id is below this needs no row-by-row check.
    /// </summary>
    public int AllowedPrefix
    {
        get
        {
            if (_allowedPrefix < 0)
            {
                var n = 0;
                while (n < _states.Length && _states[n] == All)
                {
                    n++;
                }

                _allowedPrefix = n;
            }

            return _allowedPrefix;
        }
    }

    /// <summary>Whether the row may be returned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Allows(long rowId)
    {
        var fragment = (ulong)rowId >> 32;
        if (fragment >= (ulong)_states.Length)
        {
            return false;
        }

        return _states[fragment] switch
        {
            All => true,
            Some => (int)(rowId & 0xFFFFFFFF) is var row && row < _rows[fragment]!.Length && _rows[fragment]![row],
            _ => false,
        };
    }
}
