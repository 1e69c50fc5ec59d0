using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Lance.Orm.Generators.Helpers;
using Lance.Orm.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Lance.Orm.Generators.Parsing;

/// <summary>Reads a model declaration's symbols into a <see cref="ModelSpec"/>. Judges nothing: validation does.</summary>
internal static class ModelParser
{
    private const string LanceModelName = "ILanceModel";

    /// <summary>
    /// Cheap syntax test: a class or record whose base list names <c>ILanceModel</c> (not the
    /// generic one, which a hand-written model implements itself).
    /// </summary>
    public static bool IsCandidate(SyntaxNode node, CancellationToken cancellationToken) =>
        node is ClassDeclarationSyntax or RecordDeclarationSyntax
        && ((TypeDeclarationSyntax)node).BaseList is { } baseList
        && baseList.Types.Any(static t => SimpleName(t.Type) == LanceModelName);

    /// <summary>
    /// The spec of the model declared by <paramref name="context"/>'s node, or null when the node
    /// does not really list <c>Lance.Orm.ILanceModel</c> or another part of the same type does too
    /// (each model is generated once).
    /// </summary>
    public static ModelSpec? Parse(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        var declaration = (TypeDeclarationSyntax)context.Node;
        var semanticModel = context.SemanticModel;
        if (KnownTypes.Resolve(semanticModel.Compilation) is not { } known
            || semanticModel.GetDeclaredSymbol(declaration, cancellationToken) is not { } type
            || !ListsLanceModel(declaration, semanticModel, known, cancellationToken)
            || !IsFirstDeclarationListingLanceModel(type, declaration, cancellationToken))
        {
            return null;
        }

        var containing = new List<ContainingTypeSpec>();
        string? nonPartial = IsPartial(type, cancellationToken) ? null : type.Name;
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            containing.Insert(0, new ContainingTypeSpec(Keyword(outer), outer.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)));
            if (nonPartial is null && !IsPartial(outer, cancellationToken))
            {
                nonPartial = outer.Name;
            }
        }

        var fullyQualifiedName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        return new ModelSpec(
            Name: type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
            Namespace: type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
            Keyword: Keyword(type),
            FullyQualifiedName: fullyQualifiedName,
            HintName: HintName(fullyQualifiedName),
            ContainingTypes: containing.ToImmutableEquatableArray(),
            IsPartial: nonPartial is null,
            NonPartialTypeName: nonPartial,
            IsGeneric: type.IsGenericType || containing.Any(static c => c.Name.Contains('<')),
            HasModelBase: type.BaseType is { } baseType && baseType.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i, known.LanceModel)),
            HasParameterlessConstructor: !type.IsAbstract && (type.IsValueType || type.InstanceConstructors.Any(static c => c.Parameters.Length == 0)),
            Location: LocationInfo.From(declaration.Identifier.GetLocation()),
            Members: ParseMembers(type, known, cancellationToken).ToImmutableEquatableArray(),
            RequiredUnmappedMembers: RequiredUnmappedMembers(type, known).ToImmutableEquatableArray(),
            Distance: ParseResultMember(type, known.DistanceAttribute),
            Relevance: ParseResultMember(type, known.RelevanceAttribute),
            Score: ParseResultMember(type, known.ScoreAttribute),
            QueryIndex: ParseQueryIndexMember(type, known.QueryIndexAttribute));
    }

    private static IEnumerable<MemberSpec> ParseMembers(INamedTypeSymbol type, KnownTypes known, CancellationToken cancellationToken)
    {
        // Base members first, as a reader of the class hierarchy would list them; an override or
        // a 'new' property counts once, in the most derived type.
        var seen = new HashSet<string>();
        var levels = new List<List<MemberSpec>>();
        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            var level = new List<MemberSpec>();
            foreach (var property in current.GetMembers().OfType<IPropertySymbol>())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!seen.Add(property.Name) || !IsMapped(property, inherited: !SymbolEqualityComparer.Default.Equals(current, type), known))
                {
                    continue;
                }

                level.Add(ParseMember(property, known, cancellationToken));
            }

            levels.Insert(0, level);
        }

        return levels.SelectMany(static l => l);
    }

    private static IEnumerable<string> RequiredUnmappedMembers(INamedTypeSymbol type, KnownTypes known)
    {
        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                var required = member is IPropertySymbol { IsRequired: true } property
                    ? !IsMapped(property, inherited: !SymbolEqualityComparer.Default.Equals(current, type), known)
                    : member is IFieldSymbol { IsRequired: true };
                if (required)
                {
                    yield return member.Name;
                }
            }
        }
    }

    private static bool IsMapped(IPropertySymbol property, bool inherited, KnownTypes known) =>
        property.DeclaredAccessibility == Accessibility.Public
        && !property.IsStatic
        && !property.IsIndexer
        && property.GetMethod is not null
        && property.SetMethod is { } setter
        && (!inherited || setter.DeclaredAccessibility != Accessibility.Private)
        && !property.GetAttributes().Any(a => KnownTypes.Is(a.AttributeClass, known.IgnoreAttribute)
            || KnownTypes.Is(a.AttributeClass, known.DistanceAttribute)
            || KnownTypes.Is(a.AttributeClass, known.RelevanceAttribute)
            || KnownTypes.Is(a.AttributeClass, known.ScoreAttribute)
            || KnownTypes.Is(a.AttributeClass, known.QueryIndexAttribute));

    /// <summary>
    /// The settable float or double property marked with <paramref name="attribute"/> (<c>[Distance]</c>,
    /// <c>[Relevance]</c> or <c>[Score]</c>), if any (others so marked are left unmapped).
    /// </summary>
    private static DistanceSpec? ParseResultMember(INamedTypeSymbol type, INamedTypeSymbol? attribute)
    {
        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            foreach (var property in current.GetMembers().OfType<IPropertySymbol>())
            {
                if (property.IsStatic || property.SetMethod is null || property.DeclaredAccessibility != Accessibility.Public
                    || !property.GetAttributes().Any(a => KnownTypes.Is(a.AttributeClass, attribute)))
                {
                    continue;
                }

                var propertyType = property.Type;
                var nullable = false;
                if (propertyType is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } wrapper)
                {
                    propertyType = wrapper.TypeArguments[0];
                    nullable = true;
                }

                if (propertyType.SpecialType is SpecialType.System_Single or SpecialType.System_Double)
                {
                    return new DistanceSpec(property.Name, propertyType.SpecialType == SpecialType.System_Double, nullable);
                }
            }
        }

        return null;
    }

    /// <summary>The settable <c>int</c> or <c>int?</c> property marked <c>[QueryIndex]</c>, if any (others so marked are left unmapped).</summary>
    private static QueryIndexSpec? ParseQueryIndexMember(INamedTypeSymbol type, INamedTypeSymbol? attribute)
    {
        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            foreach (var property in current.GetMembers().OfType<IPropertySymbol>())
            {
                if (property.IsStatic || property.SetMethod is null || property.DeclaredAccessibility != Accessibility.Public
                    || !property.GetAttributes().Any(a => KnownTypes.Is(a.AttributeClass, attribute)))
                {
                    continue;
                }

                if (property.Type.SpecialType == SpecialType.System_Int32)
                {
                    return new QueryIndexSpec(property.Name, IsNullable: false);
                }

                if (property.Type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } wrapper
                    && wrapper.TypeArguments[0].SpecialType == SpecialType.System_Int32)
                {
                    return new QueryIndexSpec(property.Name, IsNullable: true);
                }
            }
        }

        return null;
    }

    private static MemberSpec ParseMember(IPropertySymbol property, KnownTypes known, CancellationToken cancellationToken)
    {
        var type = Classify(property.Type, known);
        var syntax = property.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken);
        var (identifier, typeSyntax) = syntax switch
        {
            PropertyDeclarationSyntax p => (LocationInfo.From(p.Identifier.GetLocation()), LocationInfo.From(p.Type)),
            ParameterSyntax p => (LocationInfo.From(p.Identifier.GetLocation()), LocationInfo.From(p.Type)),
            _ => (LocationInfo.From(property.Locations.FirstOrDefault()), LocationInfo.From(property.Locations.FirstOrDefault())),
        };

        string? columnName = null;
        LocationInfo? columnLocation = null;
        var options = ColumnOptions.None;
        VectorSpec? vector = null;
        SourceSpec? source = null;
        var isKey = false;
        foreach (var attribute in property.GetAttributes())
        {
            isKey |= KnownTypes.Is(attribute.AttributeClass, known.KeyAttribute) || KnownTypes.Is(attribute.AttributeClass, known.DataAnnotationsKeyAttribute);
            var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
            var argumentSyntax = attributeSyntax?.ArgumentList?.Arguments.FirstOrDefault();
            var arguments = attribute.ConstructorArguments;
            if (KnownTypes.Is(attribute.AttributeClass, known.ColumnAttribute))
            {
                columnName = arguments.Length == 1 ? arguments[0].Value as string : null;
                columnLocation = LocationInfo.From(attributeSyntax);
                foreach (var named in attribute.NamedArguments)
                {
                    options = (named.Key, named.Value.Value) switch
                    {
                        ("AsInteger", bool asInteger) => options with { AsInteger = asInteger },
                        ("Precision", int precision) => options with { Precision = precision },
                        ("Scale", int scale) => options with { Scale = scale },
                        _ => options,
                    };
                }
            }
            else if (KnownTypes.Is(attribute.AttributeClass, known.SourceAttribute))
            {
                source = new SourceSpec(arguments.Length == 1 ? arguments[0].Value as string : null, LocationInfo.From(attributeSyntax));
            }
            else if (KnownTypes.Is(attribute.AttributeClass, known.VectorAttribute) && arguments.Length is 1 or 2)
            {
                vector = new VectorSpec(
                    Dimensions: arguments[arguments.Length - 1].Value is int dimensions ? dimensions : 0,
                    Function: arguments[0].Value is INamedTypeSymbol function ? ParseFunction(function, known) : null,
                    Location: LocationInfo.From(attributeSyntax),
                    ArgumentLocation: LocationInfo.From(argumentSyntax) ?? LocationInfo.From(attributeSyntax));
            }
        }

        return new MemberSpec(
            Name: property.Name,
            Type: type,
            TypeDisplay: property.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat.AddMiscellaneousOptions(
                SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier)),
            ColumnName: columnName ?? ColumnNaming.ToSnakeCase(property.Name),
            IsRequired: property.IsRequired,
            Location: identifier,
            TypeLocation: typeSyntax,
            ColumnAttributeLocation: columnLocation,
            Options: options,
            Vector: vector,
            Source: source,
            IsKey: isKey);
    }

    private static FunctionSpec ParseFunction(INamedTypeSymbol function, KnownTypes known)
    {
        string? name = null;
        var dimensions = 0;

        // [EmbeddingFunction] is inherited: the nearest declaration wins.
        for (var current = function; current is not null && name is null; current = current.BaseType)
        {
            foreach (var attribute in current.GetAttributes())
            {
                if (!KnownTypes.Is(attribute.AttributeClass, known.EmbeddingFunctionAttribute))
                {
                    continue;
                }

                name = attribute.ConstructorArguments.FirstOrDefault().Value as string ?? "";
                foreach (var named in attribute.NamedArguments)
                {
                    if (named.Key == "Dimensions" && named.Value.Value is int value)
                    {
                        dimensions = value;
                    }
                }
            }
        }

        return new FunctionSpec(
            FullyQualifiedName: function.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            DisplayName: function.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
            RegistryName: name,
            Dimensions: dimensions,
            ImplementsInterface: known.EmbeddingFunction is { } iface
                && function.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i, iface)),
            HasPublicParameterlessConstructor: !function.IsAbstract
                && function.TypeKind == TypeKind.Class
                && function.InstanceConstructors.Any(static c => c.Parameters.Length == 0 && c.DeclaredAccessibility == Accessibility.Public),
            IsGenerator: known.IsTextEmbeddingGenerator(function) || function.AllInterfaces.Any(known.IsTextEmbeddingGenerator),
            // The interface itself stands for "the app's generator": a short name rather than its generic spelling.
            TypeName: known.IsTextEmbeddingGenerator(function)
                ? "embedding-generator"
                : function.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted)));
    }

    private static TypeSpec Classify(ITypeSymbol type, KnownTypes known, bool asElement = false)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            var inner = Classify(nullable.TypeArguments[0], known, asElement);
            return inner.IsValueType ? inner with { IsNullable = true } : TypeSpec.Simple(TypeShape.Unsupported, Display(type), true);
        }

        // Reference types are nullable unless annotated otherwise (oblivious code may store nulls).
        var referenceNullable = type.NullableAnnotation != NullableAnnotation.NotAnnotated;
        var name = Display(type);
        switch (type.SpecialType)
        {
            case SpecialType.System_Int64 or SpecialType.System_Int32 or SpecialType.System_Int16 or SpecialType.System_SByte
                or SpecialType.System_UInt64 or SpecialType.System_UInt32 or SpecialType.System_UInt16 or SpecialType.System_Byte
                or SpecialType.System_Single or SpecialType.System_Double:
                return TypeSpec.Simple(TypeShape.Primitive, name, false);
            case SpecialType.System_Boolean:
                return TypeSpec.Simple(TypeShape.Boolean, name, false);
            case SpecialType.System_String:
                return TypeSpec.Simple(TypeShape.String, name, referenceNullable, valueType: false);
            case SpecialType.System_Decimal:
                return TypeSpec.Simple(TypeShape.Decimal, name, false);
            case SpecialType.System_DateTime:
                return Converted(name, "long", "TimestampConverter");
        }

        if (type is IArrayTypeSymbol { Rank: 1 } array)
        {
            if (array.ElementType.SpecialType == SpecialType.System_Byte)
            {
                return TypeSpec.Simple(TypeShape.Binary, "byte", referenceNullable, valueType: false);
            }

            return List(ListContainer.Array, array.ElementType, referenceNullable, known, asElement);
        }

        if (type is not INamedTypeSymbol named)
        {
            return TypeSpec.Simple(TypeShape.Unsupported, name, type.IsReferenceType && referenceNullable, type.IsValueType);
        }

        var definition = named.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        switch (definition)
        {
            case "global::System.Half":
                return TypeSpec.Simple(TypeShape.Primitive, definition, false);
            case "global::System.DateTimeOffset":
                return Converted(definition, "long", "TimestampUtcConverter");
            case "global::System.DateOnly":
                return Converted(definition, "int", "Date32Converter");
            case "global::System.TimeOnly":
                return Converted(definition, "long", "Time64Converter");
            case "global::System.TimeSpan":
                return Converted(definition, "long", "DurationConverter");
            case "global::System.Guid":
                return Converted(definition, "global::System.Int128", "UuidConverter");
            case "global::System.Collections.Generic.List<T>":
                return List(ListContainer.List, named.TypeArguments[0], referenceNullable, known, asElement);
            case "global::System.ReadOnlyMemory<T>":
                var element = Classify(named.TypeArguments[0], known, asElement: true);
                return new TypeSpec(TypeShape.Memory, name, false, true, ListContainer.None, element, null, null, ImmutableEquatableArray<string>.Empty);
        }

        if (named.TypeKind == TypeKind.Enum && named.EnumUnderlyingType is { } underlying)
        {
            var seen = new HashSet<object?>();
            var members = named.GetMembers().OfType<IFieldSymbol>()
                .Where(static f => f.HasConstantValue)
                .Where(f => seen.Add(f.ConstantValue))
                .Select(static f => f.Name);
            return new TypeSpec(TypeShape.Enum, name, false, true, ListContainer.None, null, Display(underlying), null, members.ToImmutableEquatableArray());
        }

        if (named.TypeKind is TypeKind.Class or TypeKind.Struct && named.SpecialType == SpecialType.None)
        {
            if (named.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i, known.LanceModel)))
            {
                return TypeSpec.Simple(TypeShape.Struct, name, named.IsReferenceType && referenceNullable, named.IsValueType);
            }

            if (named.Locations.Any(static l => l.IsInSource))
            {
                return TypeSpec.Simple(TypeShape.NotAModel, name, named.IsReferenceType && referenceNullable, named.IsValueType);
            }
        }

        return TypeSpec.Simple(TypeShape.Unsupported, name, type.IsReferenceType && referenceNullable, type.IsValueType);
    }

    private static TypeSpec Converted(string clrType, string storage, string converter) =>
        new(TypeShape.Converted, clrType, false, true, ListContainer.None, null, storage, converter, ImmutableEquatableArray<string>.Empty);

    private static TypeSpec List(ListContainer container, ITypeSymbol elementType, bool nullable, KnownTypes known, bool asElement)
    {
        var element = Classify(elementType, known, asElement: true);
        var supported = !asElement && element.Shape switch
        {
            TypeShape.Primitive => !element.IsNullable,
            TypeShape.String => true,
            TypeShape.Struct => !element.IsValueType || !element.IsNullable,
            _ => false,
        };
        var name = container == ListContainer.Array
            ? Display(elementType) + "[]"
            : $"global::System.Collections.Generic.List<{Display(elementType)}>";
        return new TypeSpec(supported ? TypeShape.List : element.Shape == TypeShape.NotAModel ? TypeShape.NotAModel : TypeShape.Unsupported,
            name, nullable, false, container, element, null, null, ImmutableEquatableArray<string>.Empty);
    }

    private static string Display(ITypeSymbol type) =>
        type.WithNullableAnnotation(NullableAnnotation.None).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

    private static bool ListsLanceModel(TypeDeclarationSyntax declaration, SemanticModel semanticModel, KnownTypes known, CancellationToken cancellationToken) =>
        declaration.BaseList!.Types.Any(t =>
            SimpleName(t.Type) == LanceModelName
            && KnownTypes.Is(semanticModel.GetTypeInfo(t.Type, cancellationToken).Type as INamedTypeSymbol, known.LanceModel));

    private static bool IsFirstDeclarationListingLanceModel(INamedTypeSymbol type, TypeDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        // Other parts are judged by syntax alone: a second part naming some other 'ILanceModel'
        // only moves where the model is generated from, never whether it is.
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax other)
            {
                continue;
            }

            if (other == declaration)
            {
                return true;
            }

            if (IsCandidate(other, cancellationToken))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsPartial(INamedTypeSymbol type, CancellationToken cancellationToken) =>
        type.DeclaringSyntaxReferences.Any(r =>
            r.GetSyntax(cancellationToken) is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));

    private static string Keyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };

    private static string? SimpleName(TypeSyntax type) => type switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        QualifiedNameSyntax qualified => SimpleName(qualified.Right),
        AliasQualifiedNameSyntax alias => SimpleName(alias.Name),
        _ => null,
    };

    private static string HintName(string fullyQualifiedName)
    {
        var chars = fullyQualifiedName.Replace("global::", "").ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!char.IsLetterOrDigit(chars[i]) && chars[i] != '.' && chars[i] != '_')
            {
                chars[i] = '_';
            }
        }

        return new string(chars) + ".LanceModel.g.cs";
    }
}
