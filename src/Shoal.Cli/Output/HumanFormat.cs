using System.Globalization;

namespace Shoal.Cli.Output;

/// <summary>Formatting for people: binary sizes and rates.</summary>
internal static class HumanFormat
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

    /// <summary>"512 B", "1.5 MiB", "16 KiB" (whole numbers without decimals).</summary>
    public static string Size(long bytes)
    {
        double value = bytes;
        int unit = 0;
        while (Math.Abs(value) >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        if (unit == 0 || value == Math.Floor(value))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{value:0} {Units[unit]}");
        }
        return string.Create(CultureInfo.InvariantCulture, $"{value:0.00} {Units[unit]}");
    }

    public static string Rate(double bytesPerSecond) => Size((long)bytesPerSecond) + "/s";
}
