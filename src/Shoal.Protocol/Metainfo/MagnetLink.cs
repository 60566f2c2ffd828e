namespace Shoal.Protocol.Metainfo;

/// <summary>A BEP 9 magnet URI: <c>magnet:?xt=urn:btih:HASH&amp;dn=NAME&amp;tr=URL&amp;x.pe=HOST:PORT</c>.</summary>
public sealed partial record MagnetLink(InfoHash InfoHash, string? DisplayName, IReadOnlyList<string> Trackers, IReadOnlyList<string> Peers);
