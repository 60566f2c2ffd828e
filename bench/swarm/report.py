#!/usr/bin/python3
"""Summarises swarm-bench runs. Usage: report.py OUT.md [--png OUT.png] RESULTS.tsv [RESULTS.tsv ...]
One section per scenario (seeder + payload): per-leecher medians (wall, CPU, peak RSS, MiB/s, storage I/O, the
seeder's CPU while serving, and for Shoal allocated MiB and GC collections per GiB) and each leecher's ratio to the
best *other* leecher (below 1 means better than every other client). Then the issue's targets that these runs can
answer, and every run. PNG (needs matplotlib): median MiB/s and CPU seconds per leecher, one group per scenario."""
import argparse, csv, datetime, statistics, subprocess

ap = argparse.ArgumentParser()
ap.add_argument('md')
ap.add_argument('--png')
ap.add_argument('tsv', nargs='+')
a = ap.parse_args()


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=10).stdout.strip()
    except Exception:
        return '?'


rows = []
for path in a.tsv:
    rows += list(csv.DictReader(open(path), delimiter='\t'))


def scenario(r):
    return f"{r['seeder']} seeder, {r['size_mb']} MiB {r['mode']}, piece {r['piece_kb']} KiB"


def num(r, key):
    v = r.get(key)
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


scenarios = list(dict.fromkeys(scenario(r) for r in rows))
summary = {}   # (scenario, leecher) -> dict
for sc in scenarios:
    srows = [r for r in rows if scenario(r) == sc]
    for n in dict.fromkeys(r['leecher'] for r in srows):
        mine = [r for r in srows if r['leecher'] == n]
        ok = [r for r in mine if r['status'] == 'ok']
        gib = float(mine[0]['size_mb']) / 1024
        per_gib = lambda k: (lambda v: v / gib if v is not None else None)(med([num(r, k) for r in ok]))
        summary[sc, n] = dict(
            runs=len(mine), ok=len(ok),
            wall=med([num(r, 'wall_s') for r in ok]),
            cpu=med([num(r, 'user_s') + num(r, 'sys_s') for r in ok]),
            rss=med([num(r, 'rss_mb') for r in ok]),
            rate=med([num(r, 'mib_s') for r in ok]),
            read=med([num(r, 'read_mb') for r in ok]),
            write=med([num(r, 'write_mb') for r in ok]),
            seed_cpu=med([num(r, 'seeder_cpu_s') for r in ok]),
            alloc=per_gib('alloc_mb'), gc0=per_gib('gc0'), gc1=per_gib('gc1'), gc2=per_gib('gc2'))


def ratio(sc, n, key):
    mine = summary[sc, n][key]
    others = [s[key] for (c, m), s in summary.items() if c == sc and m != n and s[key]]
    return f'{mine / min(others):.2f}' if mine and others else '–'


def f(v, fmt='{:.2f}'):
    return fmt.format(v) if v is not None else '–'


cpu_model = sh("lscpu | sed -n 's/^Model name: *//p' | head -1")
mem_mib = sh("free -m | awk '/^Mem:/{print $2}'")
LOAD = ' '.join(open('/proc/loadavg').read().split()[:3])
lines = [
    f"# Swarm benchmark, {datetime.date.today().isoformat()}",
    '',
    f"Machine: {sh('nproc')} CPUs ({cpu_model}), {mem_mib} MiB RAM, kernel {sh('uname -r')}; "
    f"load average at report time: {LOAD}.",
    "Everything on 127.0.0.1 through opentracker; one leecher at a time, leechers alternating run by run; medians of "
    "the ok runs. CPU = user + sys of the leecher's process tree; RSS = peak resident set; read/write = storage I/O "
    "of the leecher (/proc io counters); seeder CPU = the seeder's CPU seconds while serving that leecher; "
    "alloc and GCs per GiB: Shoal only (SHOAL_STATS=1). Ratios compare with the best *other* leecher in the same "
    "scenario (below 1 = better than all of them).",
]
for sc in scenarios:
    lines += ['', f'## {sc}', '',
              '| leecher | ok/runs | wall s | CPU s | peak RSS MiB | MiB/s | wall vs best other | CPU vs best other '
              '| read MiB | write MiB | seeder CPU s | alloc MiB/GiB | GC 0/1/2 per GiB |',
              '|---|---|---|---|---|---|---|---|---|---|---|---|---|']
    for (c, n), s in summary.items():
        if c != sc:
            continue
        gcs = '/'.join(f(s[k], '{:.0f}') for k in ('gc0', 'gc1', 'gc2')) if s['gc0'] is not None else '–'
        lines.append(f"| {n} | {s['ok']}/{s['runs']} | {f(s['wall'])} | {f(s['cpu'])} | {f(s['rss'], '{:.0f}')} | "
                     f"{f(s['rate'], '{:.1f}')} | {ratio(sc, n, 'wall')} | {ratio(sc, n, 'cpu')} | "
                     f"{f(s['read'], '{:.0f}')} | {f(s['write'], '{:.0f}')} | {f(s['seed_cpu'])} | "
                     f"{f(s['alloc'], '{:.1f}')} | {gcs} |")


def find(seeder, mode, leecher):
    for (c, n), s in summary.items():
        if n == leecher and c.startswith(f'{seeder} seeder') and f' {mode},' in c and s['wall']:
            return s
    return None


targets = []
sl, best = find('libtorrent', 'single', 'shoal'), None
others = [find('libtorrent', 'single', n) for n in ('libtorrent', 'aria2c', 'transmission')]
others = [o for o in others if o]
if sl and others:
    best = min(o['wall'] for o in others)
    targets.append(f"1. leecher wall time vs best other: {sl['wall']:.2f} s / {best:.2f} s = "
                   f"**{sl['wall'] / best:.2f}** (target <= 0.90)")
aria = find('libtorrent', 'single', 'aria2c')
if sl and aria:
    targets.append(f"2. leecher CPU vs aria2c: {sl['cpu']:.2f} s / {aria['cpu']:.2f} s = **{sl['cpu'] / aria['cpu']:.2f}** "
                   f"(target <= 1); peak RSS {sl['rss']:.0f} MiB (target <= 64)")
s2l, l2l = find('shoal', 'single', 'libtorrent'), find('libtorrent', 'single', 'libtorrent')
if s2l and l2l:
    targets.append(f"3. shoal->libtorrent vs libtorrent->libtorrent: {s2l['wall']:.2f} s / {l2l['wall']:.2f} s = "
                   f"**{s2l['wall'] / l2l['wall']:.2f}** (target <= 1)")
s2s = find('shoal', 'single', 'shoal')
if s2s and l2l:
    targets.append(f"4. shoal->shoal vs libtorrent->libtorrent: {s2s['wall']:.2f} s / {l2l['wall']:.2f} s = "
                   f"**{s2s['wall'] / l2l['wall']:.2f}** (target <= 0.80)")
if targets:
    lines += ['', '## Targets (issue 5)', ''] + targets

lines += ['', '## Every run', '',
          '| scenario | leecher | run | status | wall s | user s | sys s | peak RSS MiB | MiB/s | read MiB | write MiB '
          '| seeder CPU s | alloc MiB | gc0 | gc1 | gc2 |',
          '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|']
for r in rows:
    lines.append(f"| {scenario(r)} | {r['leecher']} | {r['run']} | {r['status']} | {r['wall_s']} | {r['user_s']} | "
                 f"{r['sys_s']} | {r['rss_mb']} | {r['mib_s']} | {r.get('read_mb', '–')} | {r.get('write_mb', '–')} | "
                 f"{r.get('seeder_cpu_s', '–')} | {r.get('alloc_mb', '–')} | {r.get('gc0', '–')} | {r.get('gc1', '–')} | "
                 f"{r.get('gc2', '–')} |")
if a.png:
    lines += ['', f'![throughput and CPU]({a.png.rsplit("/", 1)[-1]})']
open(a.md, 'w').write('\n'.join(lines) + '\n')
print('\n'.join(line for line in lines if not line.startswith('| ') or 'seeder,' not in line))

if a.png:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    items = [(c, n, s) for (c, n), s in summary.items() if s['wall']]
    labels = [f"{c.split(' seeder')[0]}->{n}\n{c.split(', ')[1]}" for c, n, _ in items]
    colours = ['tab:red' if n == 'shoal' or c.startswith('shoal') else 'tab:blue' for c, n, _ in items]
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(max(8, len(items) * 1.1), 8))
    ax1.bar(range(len(items)), [s['rate'] for _, _, s in items], color=colours)
    ax1.set_title('throughput, MiB/s (median; red = Shoal involved)')
    ax2.bar(range(len(items)), [s['cpu'] for _, _, s in items], color=colours)
    ax2.set_title("leecher CPU seconds (user+sys, median)")
    for ax in (ax1, ax2):
        ax.set_xticks(range(len(items)))
        ax.set_xticklabels(labels, fontsize=7)
    fig.suptitle(f"Shoal swarm benchmark {datetime.date.today().isoformat()} ({sh('nproc')} CPUs, loopback)")
    fig.tight_layout()
    fig.savefig(a.png, dpi=100)
