using Shoal.Engine.Storage;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine.Tests.Storage;

public class FileLayoutTests
{
    private static FileLayout Layout(params long[] lengths)
    {
        var files = new List<TorrentFile>();
        long offset = 0;
        for (int i = 0; i < lengths.Length; i++)
        {
            files.Add(new TorrentFile([$"f{i}"], lengths[i], offset, IsPadding: false));
            offset += lengths[i];
        }
        return new FileLayout(files);
    }

    [Fact]
    public void Range_inside_one_file_is_one_segment()
    {
        FileLayout layout = Layout(100, 50);
        Assert.Equal([new FileSegment(0, 10, 0, 20, false)], layout.MapToList(10, 20));
        Assert.Equal([new FileSegment(1, 5, 0, 45, false)], layout.MapToList(105, 45));
    }

    [Fact]
    public void Range_across_boundaries_is_split_and_skips_zero_length_files()
    {
        FileLayout layout = Layout(10, 0, 5, 0, 0, 20);
        Assert.Equal(
            [new FileSegment(0, 8, 0, 2, false), new FileSegment(2, 0, 2, 5, false), new FileSegment(5, 0, 7, 3, false)],
            layout.MapToList(8, 10));
    }

    [Fact]
    public void Range_starting_exactly_at_a_file_start_after_empty_files_maps_to_the_non_empty_file()
    {
        FileLayout layout = Layout(10, 0, 0, 7);
        Assert.Equal([new FileSegment(3, 0, 0, 7, false)], layout.MapToList(10, 7));
    }

    [Fact]
    public void Pad_files_are_flagged()
    {
        var files = new List<TorrentFile>
        {
            new(["a"], 6, 0),
            new([".pad", "10"], 10, 6, IsPadding: true),
            new(["b"], 16, 16),
        };
        var layout = new FileLayout(files);
        Assert.Equal(
            [new FileSegment(0, 4, 0, 2, false), new FileSegment(1, 0, 2, 10, true), new FileSegment(2, 0, 12, 4, false)],
            layout.MapToList(4, 16));
    }

    [Fact]
    public void Range_past_the_end_is_refused()
    {
        FileLayout layout = Layout(10, 10);
        Assert.Throws<ArgumentOutOfRangeException>(() => layout.MapToList(15, 6));
        Assert.Empty(layout.MapToList(20, 0));
    }

    [Fact]
    public void Segments_cover_every_range_exactly_against_a_naive_mapping()
    {
        var rng = new Random(42);
        long[] lengths = Enumerable.Range(0, 40).Select(_ => (long)(rng.Next(4) == 0 ? 0 : rng.Next(1, 50))).ToArray();
        FileLayout layout = Layout(lengths);
        long total = lengths.Sum();
        var owner = new List<(int File, long Offset)>();
        for (int f = 0; f < lengths.Length; f++)
        {
            for (long o = 0; o < lengths[f]; o++)
            {
                owner.Add((f, o));
            }
        }
        for (int trial = 0; trial < 500; trial++)
        {
            long start = rng.NextInt64(total);
            int len = (int)rng.NextInt64(total - start + 1);
            int covered = 0;
            foreach (FileSegment s in layout.Map(start, len))
            {
                Assert.True(s.Length > 0);
                Assert.Equal(covered, s.BufferOffset);
                for (int i = 0; i < s.Length; i++)
                {
                    Assert.Equal(owner[(int)(start + covered + i)], (s.FileIndex, s.FileOffset + i));
                }
                covered += s.Length;
            }
            Assert.Equal(len, covered);
        }
    }
}
