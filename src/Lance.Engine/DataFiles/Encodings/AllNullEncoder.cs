using System.Runtime.InteropServices;
using Lance.Engine.DataFiles.Nested;
using Lance.Engine.Format;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.DataFiles.Encodings;

/// <summary>
/// Writes pages with no values at all (every row is a null or empty list, or null above one): the
/// all-null layout with its rep/def layers and two buffers holding the raw u16 repetition and
/// definition levels (either may be empty), which Lance reads as a "complex all-null" page.
/// </summary>
internal static class AllNullEncoder
{
    /// <summary>Encodes the levels of a page that holds no values.</summary>
    public static EncodedPage Encode(PageLevels levels)
    {
        var layout = new Enc21.AllNullLayout();
        layout.Layers.AddRange(levels.Layout.LayersInnermostFirst);
        byte[] rep = levels.Rep is null ? [] : MemoryMarshal.AsBytes(levels.Rep.AsSpan()).ToArray();
        byte[] def = levels.Def is null ? [] : MemoryMarshal.AsBytes(levels.Def.AsSpan()).ToArray();
        return new EncodedPage([rep, def], new Enc21.PageLayout { AllNullLayout = layout });
    }
}
