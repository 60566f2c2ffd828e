namespace Shoal.Engine.Storage;

/// <summary>Why a storage operation failed; lets the session put the torrent into a typed error state.</summary>
public enum StorageErrorKind
{
    /// <summary>Any other I/O failure.</summary>
    Io,

    /// <summary>The disk (or quota) is full.</summary>
    DiskFull,

    /// <summary>The OS refused access to a file or folder.</summary>
    PermissionDenied,

    /// <summary>A file that must exist (seeding) is missing.</summary>
    FileMissing,

    /// <summary>A file path would resolve outside the download folder.</summary>
    PathEscape,

    /// <summary>A write was attempted on storage opened read-only for seeding.</summary>
    ReadOnly,

    /// <summary>Data that should be on disk is shorter than expected.</summary>
    ShortRead,
}

/// <summary>
/// A storage failure with a one-line message fit for users ("disk full writing X", "permission denied: X").
/// The original exception, if any, is kept as <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class StorageException(StorageErrorKind kind, string message, string? path = null, Exception? inner = null)
    : IOException(message, inner)
{
    public StorageErrorKind Kind { get; } = kind;

    /// <summary>The file or folder concerned, when there is one.</summary>
    public string? FilePath { get; } = path;

    /// <summary>Wraps an OS error raised while doing <paramref name="action"/> ("writing", "reading", "opening") on a path.</summary>
    internal static StorageException Wrap(Exception ex, string action, string path) => ex switch
    {
        StorageException se => se,
        UnauthorizedAccessException => new(StorageErrorKind.PermissionDenied, $"permission denied: {path}", path, ex),
        FileNotFoundException or DirectoryNotFoundException =>
            new(StorageErrorKind.FileMissing, $"file missing: {path}", path, ex),
        IOException io when IsDiskFull(io) => new(StorageErrorKind.DiskFull, $"disk full {action} {path}", path, ex),
        _ => new(StorageErrorKind.Io, $"I/O error {action} {path}: {ex.Message}", path, ex),
    };

    /// <summary>
    /// ENOSPC (28) / EDQUOT (122) on Unix, where .NET puts errno in HResult; ERROR_DISK_FULL (112) and
    /// ERROR_HANDLE_DISK_FULL (39) on Windows as HRESULTs.
    /// </summary>
    private static bool IsDiskFull(IOException io)
    {
        int hr = io.HResult;
        if (OperatingSystem.IsWindows())
        {
            int code = hr & 0xFFFF;
            return code is 112 or 39;
        }
        return hr is 28 or 122 || io.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);
    }
}
