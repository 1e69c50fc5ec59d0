using System.Buffers.Binary;

namespace Lance.Engine.Query.Filtering;

/// <summary>
/// Wall-clock time in a named zone to UTC, to the second as LanceDB (chrono-tz) does it.
/// <see cref="TimeZoneInfo"/> rounds every offset to whole minutes, so before 1883 in
/// America/New_York (local mean time, -4:56:02) it is 58 seconds off; the zone's own tz database
/// file has the exact offset, and corrects the time where the two differ by less than a minute.
/// From 2100 on, chrono-tz's last tabulated offset holds (see <see cref="TableEnd"/>).
/// </summary>
internal static class ZoneTime
{
    // Checked against LanceDB 0.31: wall-clock noon in July 2099 is summer time in New York, in July 2100
    // and 2145 it is standard time; Sydney stays at +11 from its October 2099 change on.
    private static readonly DateTime TableEnd = new(2100, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
    private static readonly DateTime LastTabulated = new(2099, 12, 31, 23, 59, 59, DateTimeKind.Utc);

    /// <summary>The UTC time of <paramref name="wall"/> (a time without a zone) in <paramref name="zone"/>.</summary>
    /// <exception cref="TimeZoneNotFoundException">The zone is unknown.</exception>
    /// <exception cref="ArgumentException">The time does not exist in the zone (skipped by a clock change).</exception>
    public static DateTime ToUtc(DateTime wall, string zone)
    {
        wall = DateTime.SpecifyKind(wall, DateTimeKind.Unspecified);
        var info = TimeZoneInfo.FindSystemTimeZoneById(zone);
        if (wall >= TableEnd)
        {
            // chrono-tz tabulates each zone's transitions up to the end of 2099 and keeps the last offset
            // for ever after (no daylight saving in New York from 2100, summer time all year in Sydney);
            // TimeZoneInfo would go on applying the zone's rule.
            return DateTime.SpecifyKind(wall - info.GetUtcOffset(LastTabulated), DateTimeKind.Utc);
        }

        var utc = DateTime.SpecifyKind(TimeZoneInfo.ConvertTimeToUtc(wall, info), DateTimeKind.Utc);
        if (ExactOffset(zone, utc) is not { } exact)
        {
            return utc;
        }

        var rounded = wall - DateTime.SpecifyKind(utc, DateTimeKind.Unspecified);
        return exact != rounded && (exact - rounded).Duration() < TimeSpan.FromMinutes(1)
            ? DateTime.SpecifyKind(wall - exact, DateTimeKind.Utc)
            : utc;
    }

    // The zone's offset at the instant, to the second, from its TZif file (RFC 8536); null when the
    // file cannot be found or read (then TimeZoneInfo's offset stands).
    private static TimeSpan? ExactOffset(string zone, DateTime utc)
    {
        if (zone.Contains("..", StringComparison.Ordinal) || Path.IsPathRooted(zone))
        {
            return null;
        }

        var folder = Environment.GetEnvironmentVariable("TZDIR") is { Length: > 0 } dir ? dir : "/usr/share/zoneinfo";
        var path = Path.Combine(folder, zone);
        byte[] bytes;
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var seconds = (long)Math.Floor((utc - DateTime.UnixEpoch).TotalSeconds);
        return Offset(bytes, seconds) is { } offset ? TimeSpan.FromSeconds(offset) : null;
    }

    private static int? Offset(ReadOnlySpan<byte> file, long instant)
    {
        if (file.Length < 44 || file[0] != (byte)'T' || file[1] != (byte)'Z' || file[2] != (byte)'i' || file[3] != (byte)'f')
        {
            return null;
        }

        // The version 1 block has 32-bit transition times; version 2+ files repeat the data with 64-bit ones.
        var (v1Length, _) = Block(file, 4);
        var wide = file[4] >= (byte)'2' && file.Length >= 44 + v1Length + 44;
        var start = wide ? 44 + v1Length : 0;
        var timeSize = wide ? 8 : 4;
        var (length, counts) = Block(file[start..], timeSize);
        if (file.Length < start + 44 + length)
        {
            return null;
        }

        var data = file[(start + 44)..];
        var (timeCount, typeCount) = (counts.TimeCount, counts.TypeCount);
        if (typeCount == 0)
        {
            return null;
        }

        // Before the first transition the zone is in time type 0 (local mean time, usually).
        var type = 0;
        for (var i = 0; i < timeCount; i++)
        {
            var at = timeSize == 8 ? BinaryPrimitives.ReadInt64BigEndian(data[(i * 8)..]) : BinaryPrimitives.ReadInt32BigEndian(data[(i * 4)..]);
            if (at > instant)
            {
                break;
            }

            type = data[(timeCount * timeSize) + i];
        }

        if (type >= typeCount)
        {
            return null;
        }

        return BinaryPrimitives.ReadInt32BigEndian(data[((timeCount * (timeSize + 1)) + (type * 6))..]);
    }

    // The length of a data block after its 44-byte header, and the counts the header gives.
    private static (int Length, (int TimeCount, int TypeCount) Counts) Block(ReadOnlySpan<byte> header, int timeSize)
    {
        var count = new int[6];
        for (var i = 0; i < count.Length; i++)
        {
            count[i] = BinaryPrimitives.ReadInt32BigEndian(header[(20 + (i * 4))..]);
        }

        var (isUtc, isStd, leap, time, type, chars) = (count[0], count[1], count[2], count[3], count[4], count[5]);
        var length = (time * timeSize) + time + (type * 6) + chars + (leap * (timeSize + 4)) + isStd + isUtc;
        return (length, (time, type));
    }
}
