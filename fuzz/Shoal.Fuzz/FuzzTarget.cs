namespace Shoal.Fuzz;

/// <summary>One fuzz target: takes arbitrary bytes and throws <see cref="OracleException"/> (or anything else)
/// only when the code under test broke a promise.</summary>
internal delegate void FuzzTarget(ReadOnlySpan<byte> data);

/// <summary>Raised by a target when a property failed; any exception escaping a target is a finding.</summary>
internal sealed class OracleException(string message) : Exception(message);

internal static class Oracle
{
    public static void Check(bool condition, string property)
    {
        if (!condition)
        {
            throw new OracleException(property);
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> and fails when it allocated more than a budget proportional to the input:
    /// hostile input must never make a parser reserve memory it was only promised.
    /// </summary>
    public static T WithinBudget<T>(int inputLength, long bytesPerInputByte, Func<T> action, string what)
    {
        long budget = 1024 * 1024 + (long)inputLength * bytesPerInputByte;
        long before = GC.GetAllocatedBytesForCurrentThread();
        var result = action();
        long used = GC.GetAllocatedBytesForCurrentThread() - before;
        Check(used <= budget, $"{what} allocated {used} bytes for {inputLength} input bytes (budget {budget})");
        return result;
    }
}
