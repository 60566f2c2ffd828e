using Microsoft.Extensions.Logging;

namespace Shoal.Engine.Trackers;

internal static partial class TrackerLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "announce {Event} to {Url}")]
    public static partial void Announcing(ILogger logger, string url, string @event);

    [LoggerMessage(Level = LogLevel.Information, Message = "tracker {Url}: {Peers} peers, {Seeders} seeders, {Leechers} leechers, next in {Interval}")]
    public static partial void Announced(ILogger logger, string url, int peers, int? seeders, int? leechers, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Warning, Message = "tracker {Url}: {Error}")]
    public static partial void Failed(ILogger logger, string url, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "tracker {Url} warns: {Warning}")]
    public static partial void Warned(ILogger logger, string url, string warning);
}
