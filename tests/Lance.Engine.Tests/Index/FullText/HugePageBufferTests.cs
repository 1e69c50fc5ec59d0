using Lance.Engine.Index.FullText;

namespace Lance.Engine.Tests.Index.FullText;

public class HugePageBufferTests
{
    [Fact]
    public void A_large_buffer_holds_what_is_written_and_refuses_access_once_disposed()
    {
        // 16 MiB of values and one more: native on Linux, a managed array elsewhere.
        var length = (int)(HugePageBuffer<uint>.NativeThreshold / sizeof(uint)) + 1;
        var buffer = new HugePageBuffer<uint>(length);
        Assert.Equal(length, buffer.Length);
        Assert.Equal(OperatingSystem.IsLinux(), buffer.IsNative);
        var span = buffer.Span;
        Assert.Equal(length, span.Length);
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = (uint)i * 7;
        }

        Assert.Equal((uint)(length - 1) * 7, buffer.Span[length - 1]);
        Assert.Equal(7u * 12345, buffer.Span[12345]);
        buffer.Dispose();
        buffer.Dispose();
        if (buffer.IsNative)
        {
            Assert.Throws<ObjectDisposedException>(() => buffer.Span.Length);
        }
    }

    [Fact]
    public void A_small_buffer_is_a_managed_array()
    {
        using var buffer = new HugePageBuffer<uint>(1000);
        Assert.False(buffer.IsNative);
        buffer.Span.Fill(3);
        Assert.Equal(3u, buffer.Span[999]);
        var empty = new HugePageBuffer<uint>(0);
        Assert.Equal(0, empty.Span.Length);
        empty.Dispose();
    }
}
