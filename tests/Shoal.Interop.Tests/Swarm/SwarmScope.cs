using System.Text;
using Shoal.Interop.Tests.Infrastructure;

namespace Shoal.Interop.Tests.Swarm;

/// <summary>
/// Everything one swarm test starts: a temp folder, and every process by name, so that a failure message carries the
/// output of all of them and disposal kills each one by its own PID.
/// </summary>
public sealed class SwarmScope : IDisposable
{
    /// <summary>
    /// The swarm tests run one at a time: each starts several clients, and on a two-core machine running them all at
    /// once would make the timeouts, not the clients, decide the outcome.
    /// </summary>
    public const string Collection = "swarm";

    /// <summary>How long any single transfer may take before the test fails (generous: the machine is shared).</summary>
    public static readonly TimeSpan TransferTimeout = TimeSpan.FromSeconds(120);

    private readonly List<(string Name, Func<string> Describe, IDisposable Owner)> _members = [];
    private readonly List<string> _notes = [];

    public SwarmScope(string prefix = "shoal-swarm") => Dir = new TempDir(prefix);

    public TempDir Dir { get; }

    public string Path => Dir.Path;

    public T Add<T>(string name, T member) where T : IDisposable
    {
        Func<string> describe = member switch
        {
            ShoalProcess s => s.Describe,
            LibtorrentPeer l => () => Describe(l.Process),
            Aria2 a => () => Describe(a.Process),
            Transmission t => t.Describe,
            HostilePeer h => h.Describe,
            ExternalProcess p => () => Describe(p),
            OpenTracker o => () => OperatingSystem.IsWindows() ? "" : $"opentracker http {o.HttpPort} udp {o.UdpPort}\n{o.Log}",
            _ => () => member.ToString() ?? "",
        };
        _members.Add((name, describe, member));
        return member;
    }

    /// <summary>Adds a line shown in the failure report (e.g. the contents of a trace file).</summary>
    public void Note(string text) => _notes.Add(text);

    /// <summary>The captured output of every member, for assertion messages.</summary>
    public string Report()
    {
        var sb = new StringBuilder();
        foreach (var (name, describe, _) in _members)
        {
            sb.Append("===== ").Append(name).AppendLine(" =====");
            sb.AppendLine(Tail(describe(), 12_000));
        }
        foreach (var n in _notes)
        {
            sb.AppendLine(Tail(n, 8_000));
        }
        return sb.ToString();
    }

    /// <summary>Runs <paramref name="wait"/>; a timeout or failure is rethrown with the whole swarm's output.</summary>
    public async Task Expect(string what, Func<Task> wait)
    {
        try
        {
            await wait();
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new Xunit.Sdk.XunitException($"{what}: {e.Message}\n{Report()}");
        }
    }

    private static string Describe(ExternalProcess p) =>
        $"--- stdout ---\n{Tail(p.StandardOutput, 6000)}\n--- stderr ---\n{Tail(p.StandardError, 6000)}"
        + (p.HasExited ? $"\n(exited {p.ExitCode})" : "\n(running)");

    private static string Tail(string s, int max) => s.Length <= max ? s : "[...]" + s[^max..];

    public void Dispose()
    {
        for (int i = _members.Count - 1; i >= 0; i--)
        {
            _members[i].Owner.Dispose();
        }
        Dir.Dispose();
    }
}
