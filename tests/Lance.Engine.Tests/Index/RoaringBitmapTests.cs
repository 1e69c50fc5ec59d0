using Lance.Engine.Format;
using Lance.Engine.Index;

namespace Lance.Engine.Tests.Index;

public sealed class RoaringBitmapTests
{
    [Fact]
    public void A_small_set_round_trips_through_array_containers()
    {
        uint[] values = [0, 1, 7, 65535, 65536, 200_000];

        Assert.Equal(values, RoaringBitmap.Deserialize(RoaringBitmap.Serialize(values)));
    }

    [Fact]
    public void A_dense_set_round_trips_through_a_bitmap_container()
    {
        var values = Enumerable.Range(0, 5000).Select(i => (uint)(i * 2)).ToArray();

        Assert.Equal(values, RoaringBitmap.Deserialize(RoaringBitmap.Serialize(values)));
    }

    [Fact]
    public void The_serialised_form_starts_with_the_portable_no_run_cookie()
    {
        var bytes = RoaringBitmap.Serialize([3u]);

        Assert.Equal(new byte[] { 0x3A, 0x30, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 3, 0 }, bytes);
    }

    [Fact]
    public void A_manifest_with_an_index_section_round_trips()
    {
        var manifest = new Manifest { Version = 3 };
        manifest.Indices.Add(new IndexMetadata { Uuid = Guid.NewGuid(), Fields = [2], Name = "vector_idx", DatasetVersion = 2, Fragments = [0, 1, 5], DetailsTypeUrl = "x/y", Details = [1, 2], IndexVersion = 1 });

        var decoded = ManifestCodec.Decode(ManifestCodec.Encode(manifest));

        var index = Assert.Single(decoded.Indices);
        var expected = manifest.Indices[0];
        Assert.Equal((expected.Uuid, expected.Name, 2UL, "x/y", (int?)1), (index.Uuid, index.Name, index.DatasetVersion, index.DetailsTypeUrl, index.IndexVersion));
        Assert.Equal(expected.Fragments, index.Fragments);
        Assert.Equal(expected.Fields, index.Fields);
        Assert.Equal(0UL, decoded.IndexSectionPosition);
    }
}
