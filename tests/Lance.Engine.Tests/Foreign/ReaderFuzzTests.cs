using System.Collections.Concurrent;
using System.Diagnostics;
using CsCheck;
using Lance.Engine.DataFiles;
using Lance.Engine.Format;
using Xunit.Abstractions;

namespace Lance.Engine.Tests.Foreign;

/// <summary>
/// Byte-mutation fuzzing of the manifest, data-file (2.x and legacy) and deletion-file readers,
/// seeded with files LanceDB wrote (<see cref="Seeds"/>) and files our writer wrote. Every mutated
/// input must either read or fail with a <see cref="LanceException"/>; anything else (an index out
/// of range, an overflow, an out-of-memory, a read taking over a minute twice) is a crash and fails
/// the test with the input; so is a read that allocates more than 64 MiB plus 1,024 times its
/// input's size; reads over a second are counted as "slow".
/// Each reader gets <c>LANCE_FUZZ_SECONDS</c> seconds (default 20, so about a minute in CI); set it
/// higher to fuzz longer by hand. Counts go to the test output (see docs/reliability.md).
/// </summary>
public sealed class ReaderFuzzTests(ITestOutputHelper output)
{
    private static readonly int Seconds =
        int.TryParse(Environment.GetEnvironmentVariable("LANCE_FUZZ_SECONDS"), out var s) && s > 0 ? s : 20;

    // A read this slow, twice in a row, is a hang. Slower than a second is reported as "slow".
    private static readonly TimeSpan HangCase = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan SlowCase = TimeSpan.FromSeconds(1);

    // The most a read may allocate: this much, plus this many times its input's size.
    private const long MaxAllocation = 64 << 20;
    private const long MaxExpansion = 1024;

    [Fact]
    public void Mutated_manifests_read_or_fail_with_a_LanceException()
    {
        var seeds = Seeds.Manifests.Select(Seeds.Bytes).Concat(OurManifests()).ToList();

        Fuzz("manifest", seeds, bytes => ManifestCodec.Decode(bytes));
    }

    [Fact]
    public void Mutated_data_files_read_or_fail_with_a_LanceException()
    {
        var seeds = Seeds.DataFiles.Select(Seeds.Bytes).Append(OurFormat20File()).ToList();

        Fuzz("data file", seeds, bytes =>
        {
            using var reader = DataFileReader.FromBytes(bytes, "fuzzed.lance");
            reader.Read();
        });
    }

    [Fact]
    public void Mutated_legacy_data_files_read_or_fail_with_a_LanceException()
    {
        // The legacy seeds are among the data files above too; here they get the whole budget, so
        // the legacy reader's metadata, schema copy, page table and pages see many more mutations.
        var seeds = Seeds.DataFiles.Where(f => f.StartsWith("legacy_", StringComparison.Ordinal)).Select(Seeds.Bytes).Append(OurLegacyFile()).ToList();
        Assert.NotEmpty(seeds);

        Fuzz("legacy data file", seeds, bytes =>
        {
            using var reader = DataFileReader.FromBytes(bytes, "fuzzed.lance");
            reader.Read();
        });
    }

    [Fact]
    public void Mutated_deletion_files_read_or_fail_with_a_LanceException()
    {
        var arrow = Seeds.Bytes("deletion-zstd.arrow");
        var roaring = Seeds.Bytes("deletion-roaring.bin");

        Fuzz("deletion file", [arrow, roaring, SmallRoaring()], bytes =>
        {
            // Each input goes to both readers: the file type comes from the manifest, not the bytes.
            DeletionFileReader.Read(bytes, DeletionFileType.ArrowArray, "fuzzed.arrow");
        }, bytes => DeletionFileReader.Read(bytes, DeletionFileType.Bitmap, "fuzzed.bin"));
    }

    private void Fuzz(string reader, IReadOnlyList<byte[]> seeds, params Action<byte[]>[] reads)
    {
        // Every seed must read cleanly before mutation, or the fuzzer would only test the first check.
        foreach (var seed in seeds)
        {
            try
            {
                reads[0](seed);
            }
            catch (LanceException) when (reads.Length > 1)
            {
                reads[1](seed);
            }
        }

        long cases = 0;
        var outcomes = new ConcurrentDictionary<string, long>();
        var crashes = new ConcurrentBag<string>();
        var gen = Gen.Select(Gen.Int[0, seeds.Count - 1], Mutation.Array[1, 6], Gen.Int[0, reads.Length - 1]);
        gen.Sample((seed, mutations, which) =>
        {
            var bytes = Apply(seeds[seed], mutations);
            Interlocked.Increment(ref cases);
            var clock = Stopwatch.StartNew();
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            string outcome;
            try
            {
                reads[which](bytes);
                outcome = "read";
            }
            catch (LanceException e)
            {
                outcome = e.GetType().Name;
            }
            catch (Exception e)
            {
                crashes.Add($"{e.GetType().Name}: {e.Message} (seed {seed}, mutations {string.Join("; ", mutations)})\n{e.StackTrace}");
                outcome = "crash " + e.GetType().Name;
            }

            // Memory a corrupt input makes the reader take is bounded by its size: a 1 KiB file that
            // makes a reader allocate gigabytes is a crash waiting for a smaller machine.
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            if (allocated > MaxAllocation + (MaxExpansion * (long)bytes.Length))
            {
                crashes.Add($"allocated {allocated / (1 << 20)} MiB for {bytes.Length} bytes (seed {seed}, mutations {string.Join("; ", mutations)})");
            }

            if (clock.Elapsed > SlowCase)
            {
                outcomes.AddOrUpdate("slow (over 1 s)", 1, (_, n) => n + 1);
            }

            if (clock.Elapsed > HangCase)
            {
                // The machine is shared: a slow case counts as a hang only if it is slow again.
                clock.Restart();
                try
                {
                    reads[which](bytes);
                }
                catch (Exception)
                {
                    // Already classified above.
                }

                if (clock.Elapsed > HangCase)
                {
                    crashes.Add($"took {clock.Elapsed.TotalSeconds:0.0} s twice (seed {seed}, mutations {string.Join("; ", mutations)})");
                }
            }

            outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        }, iter: long.MaxValue, time: Seconds, threads: 1);

        output.WriteLine($"{reader}: {cases} mutated inputs in {Seconds} s from {seeds.Count} seeds; "
            + string.Join(", ", outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Key} {o.Value}")) + $"; crashes {crashes.Count}");
        Assert.True(crashes.IsEmpty, $"{crashes.Count} crash(es) of the {reader} reader; first: {crashes.FirstOrDefault()}");
    }

    private static readonly Gen<(int Kind, int Position, int Value)> Mutation =
        Gen.Select(Gen.Int[0, 6], Gen.Int[0, int.MaxValue], Gen.Int);

    private static byte[] Apply(byte[] seed, (int Kind, int Position, int Value)[] mutations)
    {
        var bytes = seed.ToList();
        foreach (var (kind, position, value) in mutations)
        {
            if (bytes.Count == 0)
            {
                break;
            }

            // Aim at the end a third of the time: footers and offset tables live there.
            int at = position % 3 == 0 ? Math.Max(0, bytes.Count - 1 - (position / 3 % 64)) : position % bytes.Count;
            switch (kind)
            {
                case 0: // flip a bit
                    bytes[at] ^= (byte)(1 << (value & 7));
                    break;
                case 1: // a random byte
                    bytes[at] = (byte)value;
                    break;
                case 2: // an extreme little-endian integer (0, -1, huge, small) over 1, 2, 4 or 8 bytes
                    long[] extremes = [0, -1, int.MaxValue, uint.MaxValue, long.MaxValue, 1, 255, 65535, value];
                    var written = BitConverter.GetBytes(extremes[(value & 0x7FFFFFFF) % extremes.Length]);
                    int width = 1 << ((value >> 8) & 3);
                    for (int k = 0; k < width && at + k < bytes.Count; k++)
                    {
                        bytes[at + k] = written[k];
                    }

                    break;
                case 3: // truncate
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 4: // delete a run
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + (value & 15)));
                    break;
                case 5: // insert bytes
                    bytes.InsertRange(at, Enumerable.Repeat((byte)value, 1 + ((value >> 8) & 15)));
                    break;
                default: // copy a run from elsewhere
                    int from = (value & 0x7FFFFFFF) % bytes.Count;
                    int length = Math.Min(8, Math.Min(bytes.Count - from, bytes.Count - at));
                    var run = bytes.GetRange(from, length);
                    for (int k = 0; k < length; k++)
                    {
                        bytes[at + k] = run[k];
                    }

                    break;
            }
        }

        return [.. bytes];
    }

    private static IEnumerable<byte[]> OurManifests()
    {
        var manifest = ManifestCodec.Decode(Seeds.Bytes("index-and-transaction.manifest"));
        yield return ManifestCodec.Encode(manifest);
        manifest.Indices = [];
        yield return ManifestCodec.Encode(manifest);
    }

    // Our 2.0 writer's file of every matrix type (lists, structs, dictionaries), a few rows.
    private static byte[] OurFormat20File()
    {
        using var stream = new MemoryStream();
        var batch = Lance.Engine.Tests.Format.TypeMatrix.Batch(4, 24); // past row 3, whose big_text is 1 MiB
        Lance.Engine.DataFiles.V20.DataFileWriter20.Write(stream, LanceSchema.FromArrow(batch.Schema), [batch]);
        return stream.ToArray();
    }

    private static byte[] OurLegacyFile()
    {
        using var stream = new MemoryStream();
        var batch = Lance.Engine.Tests.Format.TypeMatrix.Batch(4, 24);
        var schema = LanceSchema.FromArrow(batch.Schema);
        var dictionaries = Lance.Engine.Tests.Format.TypeMatrix.DictionaryValues(batch, schema);
        Lance.Engine.DataFiles.Legacy.LegacyFileWriter.Write(stream, schema, dictionaries, [batch], "ours.lance");
        return stream.ToArray();
    }

    // A bitmap with an array container and a run container (cookie 12347).
    private static byte[] SmallRoaring() =>
    [
        0x3B, 0x30, 0x01, 0x00, // cookie 12347, 2 containers
        0x02, // container 1 holds runs
        0x00, 0x00, 0x02, 0x00, // key 0, 3 values
        0x01, 0x00, 0x09, 0x00, // key 1, 10 values
        0x01, 0x00, 0x05, 0x00, 0x09, 0x00, // array: 1, 5, 9
        0x01, 0x00, 0x64, 0x00, 0x09, 0x00, // one run: 100..109
    ];
}

