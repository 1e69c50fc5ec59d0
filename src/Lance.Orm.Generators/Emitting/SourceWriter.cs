using System;
using System.Text;

namespace Lance.Orm.Generators.Emitting;

/// <summary>The one place that knows about indentation: writes lines of C# at the current depth.</summary>
internal sealed class SourceWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder _builder = new();
    private int _indent;

    public SourceWriter WriteLine(string line)
    {
        if (line.Length > 0)
        {
            for (var i = 0; i < _indent; i++)
            {
                _builder.Append(IndentUnit);
            }

            _builder.Append(line);
        }

        _builder.Append('\n');
        return this;
    }

    public SourceWriter WriteLine() => WriteLine("");

    /// <summary>Writes <c>{</c> and indents what follows.</summary>
    public SourceWriter OpenBlock()
    {
        WriteLine("{");
        _indent++;
        return this;
    }

    /// <summary>Unindents and writes <c>}</c> followed by <paramref name="suffix"/> (such as <c>;</c> or <c>);</c>).</summary>
    public SourceWriter CloseBlock(string suffix = "")
    {
        if (_indent == 0)
        {
            throw new InvalidOperationException("CloseBlock without a matching OpenBlock.");
        }

        _indent--;
        return WriteLine("}" + suffix);
    }

    /// <summary>Indents the lines written until <see cref="Unindent"/> (continuation lines).</summary>
    public SourceWriter Indent()
    {
        _indent++;
        return this;
    }

    public SourceWriter Unindent()
    {
        _indent--;
        return this;
    }

    public override string ToString() => _builder.ToString();
}
