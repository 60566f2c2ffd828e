#!/usr/bin/python3
"""Summarises swarm-bench runs. Usage: report.py RESULTS.tsv OUT.md [OUT.png]
Markdown: machine, configuration, per-leecher medians (wall, CPU, peak RSS, MiB/s) and each leecher's ratio to the
best *other* leecher (wall and CPU; below 1 means better than every other client), then every run.
PNG (needs matplotlib): median MiB/s and CPU seconds per leecher."""
import csv, datetime, statistics, subprocess, sys


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=10).stdout.strip()
    except Exception:
        return '?'


rows = list(csv.DictReader(open(sys.argv[1]), delimiter='\t'))
md_path = sys.argv[2]
png_path = sys.argv[3] if len(sys.argv) > 3 else None
ok = [r for r in rows if r['status'] == 'ok']
leechers = list(dict.fromkeys(r['leecher'] for r in rows))


def med(name, key):
    vals = [float(r[key]) for r in ok if r['leecher'] == name]
    return statistics.median(vals) if vals else None


summary = {}
for n in leechers:
    wall, user, sys_, rss, rate = (med(n, k) for k in ('wall_s', 'user_s', 'sys_s', 'rss_mb', 'mib_s'))
    cpu = statistics.median([float(r['user_s']) + float(r['sys_s']) for r in ok if r['leecher'] == n]) if wall else None
    summary[n] = dict(wall=wall, cpu=cpu, rss=rss, rate=rate,
                      runs=sum(1 for r in rows if r['leecher'] == n),
                      ok=sum(1 for r in ok if r['leecher'] == n))


def ratio(n, key):
    mine = summary[n][key]
    others = [s[key] for m, s in summary.items() if m != n and s[key]]
    return f'{mine / min(others):.2f}' if mine and others else '–'


def f(v, fmt='{:.2f}'):
    return fmt.format(v) if v is not None else '–'


first = rows[0] if rows else {}
cpu_model = sh("lscpu | sed -n 's/^Model name: *//p' | head -1")
mem_mib = sh("free -m | awk '/^Mem:/{print $2}'")
lines = [
    f"# Swarm benchmark, {datetime.date.today().isoformat()}",
    '',
    f"Machine: {sh('nproc')} CPUs ({cpu_model}), {mem_mib} MiB RAM, "
    f"kernel {sh('uname -r')}.",
    f"Payload: {first.get('size_mb', '?')} MiB {first.get('mode', '?')}, piece {first.get('piece_kb', '?')} KiB; "
    f"seeder: {first.get('seeder', '?')}; everything on 127.0.0.1 through opentracker; one leecher at a time, "
    "leechers alternating run by run. CPU = user + sys of the leecher's process tree; RSS = peak resident set.",
    '',
    '| leecher | ok/runs | wall s (median) | CPU s | peak RSS MiB | MiB/s | wall vs best other | CPU vs best other |',
    '|---|---|---|---|---|---|---|---|',
]
for n in leechers:
    s = summary[n]
    lines.append(f"| {n} | {s['ok']}/{s['runs']} | {f(s['wall'])} | {f(s['cpu'])} | {f(s['rss'], '{:.0f}')} | "
                 f"{f(s['rate'], '{:.1f}')} | {ratio(n, 'wall')} | {ratio(n, 'cpu')} |")
lines += ['', '## Every run', '', '| leecher | run | status | wall s | user s | sys s | peak RSS MiB | MiB/s |',
          '|---|---|---|---|---|---|---|---|']
for r in rows:
    lines.append(f"| {r['leecher']} | {r['run']} | {r['status']} | {r['wall_s']} | {r['user_s']} | {r['sys_s']} | "
                 f"{r['rss_mb']} | {r['mib_s']} |")
if png_path:
    lines += ['', f'![throughput and CPU]({png_path.rsplit("/", 1)[-1]})']
open(md_path, 'w').write('\n'.join(lines) + '\n')
print('\n'.join(lines[:8 + len(leechers)]))

if png_path:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    names = [n for n in leechers if summary[n]['wall']]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.bar(names, [summary[n]['rate'] for n in names], color='tab:blue')
    ax1.set_title('throughput (MiB/s, median)')
    ax2.bar(names, [summary[n]['cpu'] for n in names], color='tab:orange')
    ax2.set_title('CPU seconds (user+sys, median)')
    for ax in (ax1, ax2):
        ax.tick_params(axis='x', rotation=20)
    fig.suptitle(f"{first.get('size_mb', '?')} MiB {first.get('mode', '')}, seeder {first.get('seeder', '')}")
    fig.tight_layout()
    fig.savefig(png_path, dpi=100)
