namespace Shoal.Engine.Tests.Creation;

/// <summary>A scratch folder for creation tests, deleted on dispose.</summary>
internal sealed class CreationTempDir : IDisposable
{
    public CreationTempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"shoal-creation-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Writes a file of deterministic pseudo-random bytes under the folder and returns its bytes.</summary>
    public byte[] Write(string relative, int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        string full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, bytes);
        return bytes;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
