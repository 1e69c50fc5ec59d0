using Lance.Engine.Dataset;
using Lance.Engine.Storage;

namespace Lance.Engine.Tests.Storage;

public class HugePagesTests
{
    [Theory]
    [InlineData(0, 1024)]
    [InlineData(0, HugePages.PrefaultMinBytes)]
    [InlineData(13, (5 << 20) + 7)]
    [InlineData(4096, 9 << 20)]
    public void Prefaulting_a_managed_buffer_keeps_its_bytes_and_leaves_it_writable(int offset, int length)
    {
        var array = GC.AllocateUninitializedArray<byte>(offset + length + 100);
        for (var i = 0; i < array.Length; i++)
        {
            array[i] = (byte)(i * 31);
        }

        HugePages.Prefault(array.AsMemory(offset, length));

        for (var i = 0; i < array.Length; i++)
        {
            Assert.Equal((byte)(i * 31), array[i]);
        }

        array.AsSpan(offset, length).Fill(5);
        Assert.Equal(5, array[offset + length - 1]);
        Assert.Equal((byte)((offset + length) * 31), array[offset + length]);
    }

    [Fact]
    public void Prefaulting_native_column_memory_leaves_it_usable()
    {
        using var memory = new NativeColumnMemory(HugePages.PrefaultMinBytes + 4097);
        HugePages.Prefault(memory.Memory);
        var span = memory.GetSpan();
        span.Fill(9);
        Assert.Equal(9, span[^1]);
        Assert.Equal(9, span[0]);
    }
}
