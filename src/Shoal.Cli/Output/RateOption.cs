using System.CommandLine;
using System.Globalization;

namespace Shoal.Cli.Output;

/// <summary>
/// <c>--max-down RATE</c> / <c>--max-up RATE</c>: bytes per second, with an optional binary suffix (K, M, G = 1024^n;
/// "1.5M", "800K"); 0 means no limit.
/// </summary>
internal static class RateOption
{
    public static Option<string> Create(string name, string what) =>
        new(name) { Description = $"Limit {what} to RATE bytes/s (suffix K, M or G: 1024-based, e.g. 1M); 0 = no limit", HelpName = "RATE" };

    /// <summary>
    /// Parses a rate; throws <see cref="CliInputException"/> (exit 2) naming the option when malformed. Accepts an
    /// optional <c>/s</c>, a unit <c>B</c>, and <c>K</c>/<c>KiB</c>, <c>M</c>/<c>MiB</c>, <c>G</c>/<c>GiB</c>: one
    /// meaning (1024-based) for every command, as piece sizes in <c>shoal create</c>.
    /// </summary>
    public static long Parse(string? text, string option)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return 0;
        }
        string t = text.Trim();
        if (t.EndsWith("/s", StringComparison.OrdinalIgnoreCase))
        {
            t = t[..^2];
        }
        if (t.EndsWith("iB", StringComparison.Ordinal))
        {
            t = t[..^2];
        }
        else if (t.EndsWith('B') || t.EndsWith('b'))
        {
            t = t[..^1];
        }
        long unit = t.Length == 0 ? 1 : char.ToUpperInvariant(t[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1 };
        if (unit != 1)
        {
            t = t[..^1];
        }
        if (!double.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value)
            || value < 0 || value * unit > long.MaxValue / 2)
        {
            throw new CliInputException($"{option} '{text}': use bytes per second, e.g. 500K or 2M (K, M, G are 1024-based; 0 = no limit)");
        }
        return (long)(value * unit);
    }
}
