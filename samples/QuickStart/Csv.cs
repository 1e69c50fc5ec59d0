using System.Globalization;
using System.Text;

namespace QuickStart;

/// <summary>Reads the sample's CSV file (RFC 4180: quoted fields, doubled quotes).</summary>
internal static class Csv
{
    public static IEnumerable<Doc> ReadDocs(string path)
    {
        var lines = File.ReadAllLines(path);
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var fields = Split(line);
            yield return new Doc
            {
                Id = long.Parse(fields[0], CultureInfo.InvariantCulture),
                Text = fields[1],
                Score = double.Parse(fields[2], CultureInfo.InvariantCulture),
                Published = bool.Parse(fields[3]),
            };
        }
    }

    private static List<string> Split(string line)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else current.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }

        fields.Add(current.ToString());
        return fields;
    }
}
