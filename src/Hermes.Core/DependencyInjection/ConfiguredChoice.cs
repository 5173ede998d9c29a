using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Hermes.DependencyInjection;

/// <summary>
/// Options that are choices are enums in code and names in configuration files (<c>"Optimizer": "adamw"</c>). The
/// configuration binder rejects a name it does not know with an <see cref="InvalidOperationException"/> before any
/// validator runs; this check runs first and reports such a value the way <see cref="HermesOptionsValidator"/> reports
/// the others: the configuration path, the value and the names expected.
/// </summary>
internal static class ConfiguredChoice
{
    /// <summary>The configuration names of <typeparamref name="T"/>'s values, lower-case, as "a, b or c".</summary>
    /// <typeparam name="T">The enum.</typeparam>
    public static string Names<T>()
        where T : struct, Enum => Names(typeof(T));

    /// <summary>
    /// The enum-valued settings under <paramref name="section"/> whose value names no member of the property's enum,
    /// one message each (<c>Hermes:Training:Optimizer = 'sgd' is invalid: expected lamb or adamw.</c>).
    /// </summary>
    /// <param name="section">The section bound to <paramref name="type"/>.</param>
    /// <param name="type">The options type (nested option objects are searched too).</param>
    /// <param name="prefix">The path the messages give to <paramref name="section"/>.</param>
    public static IReadOnlyList<string> Problems(IConfiguration section, Type type, string prefix)
    {
        var problems = new List<string>();
        Collect(section, type, prefix, problems, depth: 0);
        return problems;
    }

    private static void Collect(IConfiguration section, Type type, string prefix, List<string> problems, int depth)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite || p.PropertyType.IsClass))
        {
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (propertyType.IsEnum)
            {
                var value = section[property.Name];
                if (value is not null && !IsMember(propertyType, value))
                {
                    problems.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{prefix}:{property.Name} = '{value}' is invalid: expected {Names(propertyType)}."));
                }
            }
            else if (depth < 4 && propertyType.IsClass && propertyType != typeof(string) && !propertyType.IsArray &&
                     !typeof(System.Collections.IEnumerable).IsAssignableFrom(propertyType))
            {
                Collect(section.GetSection(property.Name), propertyType, $"{prefix}:{property.Name}", problems, depth + 1);
            }
        }
    }

    private static bool IsMember(Type enumType, string value) =>
        !string.IsNullOrWhiteSpace(value) && !char.IsAsciiDigit(value.Trim()[0]) && value.Trim()[0] != '-' &&
        Enum.TryParse(enumType, value, ignoreCase: true, out var parsed) && Enum.IsDefined(enumType, parsed!);

    private static string Names(Type enumType)
    {
        var names = Enum.GetNames(enumType).Select(n => n.ToLowerInvariant()).ToArray();
        return names.Length == 1 ? names[0] : $"{string.Join(", ", names[..^1])} or {names[^1]}";
    }
}
