#!/usr/bin/python3
"""Runs one leecher command in its own session and measures it.
Usage: run_measured.py --timeout S --result FILE [--log FILE] [--marker PATH] -- CMD...
The run ends when CMD exits (ok only with exit code 0) or, with --marker, when PATH appears (the client's completion
hook made it; the client is then stopped). Written to FILE as one line:
  status wall_s user_s sys_s peak_rss_kb exit_code read_bytes write_bytes
wall_s runs from launch to completion. user/sys come from wait4() on the client, which includes every descendant it
waited for; peak_rss_kb is the larger of wait4's ru_maxrss and the peak of the summed RSS of the whole session
(sampled every 50 ms), so a wrapper script does not hide the real client's memory. read_bytes/write_bytes are the
storage I/O of the client's process tree (/proc/self/io of this script after the client is reaped: the kernel adds a
reaped child's counters to its parent's; this script itself does no storage I/O while measuring)."""
import argparse, os, signal, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument('--timeout', type=float, default=600)
ap.add_argument('--result', required=True)
ap.add_argument('--log', default='/dev/null')
ap.add_argument('--marker')
ap.add_argument('cmd', nargs=argparse.REMAINDER)
a = ap.parse_args()
cmd = a.cmd[1:] if a.cmd[:1] == ['--'] else a.cmd
page_kb = os.sysconf('SC_PAGE_SIZE') // 1024


def session_rss_kb(sid):
    total = 0
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open(f'/proc/{pid}/stat') as f:
                fields = f.read().rsplit(')', 1)[1].split()
            if int(fields[3]) == sid:          # field 6 (session) counted after the ')' of comm
                total += int(fields[21]) * page_kb  # field 24: rss in pages
        except (OSError, IndexError, ValueError):
            pass
    return total


def self_io():
    vals = {}
    try:
        with open('/proc/self/io') as f:
            for line in f:
                k, v = line.split(':')
                vals[k.strip()] = int(v)
    except OSError:
        pass
    return vals.get('read_bytes', 0), vals.get('write_bytes', 0)


log = open(a.log, 'ab')
io0 = self_io()
t0 = time.monotonic()
p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop_session(sig):
    try:
        os.killpg(p.pid, sig)
    except ProcessLookupError:
        pass


signal.signal(signal.SIGTERM, lambda *_: (stop_session(signal.SIGKILL), sys.exit(143)))
signal.signal(signal.SIGINT, lambda *_: (stop_session(signal.SIGKILL), sys.exit(130)))

status, wall, ru, rc, peak = 'timeout', None, None, -1, 0
while True:
    pid, st, usage = os.wait4(p.pid, os.WNOHANG)
    now = time.monotonic()
    if pid == p.pid:
        wall = now - t0
        ru = usage
        rc = os.waitstatus_to_exitcode(st)
        status = 'ok' if rc == 0 and not a.marker else f'exit{rc}'
        if a.marker and os.path.exists(a.marker):
            status = 'ok'
        break
    peak = max(peak, session_rss_kb(p.pid))
    if a.marker and os.path.exists(a.marker):
        wall = now - t0
        status = 'ok'
        break
    if now - t0 > a.timeout:
        wall = now - t0
        break
    time.sleep(0.05)

if ru is None:                       # completed by marker or timed out: stop the client, then collect its usage
    stop_session(signal.SIGTERM)
    end = time.monotonic() + 10
    while True:
        pid, st, usage = os.wait4(p.pid, os.WNOHANG)
        if pid == p.pid:
            ru, rc = usage, os.waitstatus_to_exitcode(st)
            break
        if time.monotonic() > end:
            stop_session(signal.SIGKILL)
            _, st, ru = os.wait4(p.pid, 0)
            rc = os.waitstatus_to_exitcode(st)
            break
        time.sleep(0.05)
stop_session(signal.SIGKILL)          # anything the client left behind in its session
peak = max(peak, ru.ru_maxrss)
log.flush()
io1 = self_io()
with open(a.result, 'w') as f:
    f.write(f'{status} {wall:.3f} {ru.ru_utime:.3f} {ru.ru_stime:.3f} {peak} {rc} {io1[0] - io0[0]} {io1[1] - io0[1]}\n')
