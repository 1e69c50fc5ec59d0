using Lance.Engine.Format;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.DataFiles.Encodings;

/// <summary>A page ready for disk: its buffers in order and the layout that describes them.</summary>
/// <param name="Buffers">The page's buffers, written in this order, each 64-byte aligned.</param>
/// <param name="Layout">The 2.1 page layout.</param>
internal sealed record EncodedPage(IReadOnlyList<ReadOnlyMemory<byte>> Buffers, Enc21.PageLayout Layout);
