#!/usr/bin/env python3
"""Threads, file descriptors and RSS of a running bootferry under three kinds of abuse (issue 18).

usage: abuse-bench.py PID HTTP_PORT TFTP_PORT MODE N
  waiting   N requests for a kernel whose image pull never ends (the registry accepts and never
            answers), each on its own connection from its own 127.0.x.y address
  trickle   N connections that send one byte of a request every 5 s, from 127.0.x.y addresses
            (32 connections each, the default per-client limit, so the total limit is what holds)
  tftp      N RRQs from their own ports that are never acknowledged, 16 per 127.0.x.y address
Prints the server's figures before, then every 5 s for 30 s: what the server holds over time.
"""
import os
import socket
import sys
import time

MAC = "52-54-00-ab-00-01"


def figures(pid):
    status = open(f"/proc/{pid}/status").read().split("\n")
    get = lambda key: next(l.split()[1] for l in status if l.startswith(key + ":"))
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return f"threads {get('Threads')}, fds {fds}, RSS {int(get('VmRSS')) // 1024} MiB"


def source(i, per_address):
    n = i // per_address
    return f"127.0.{1 + n // 250}.{1 + n % 250}"


def main():
    pid, http, tftp, mode, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
    print("idle:", figures(pid), flush=True)
    held = []
    started = time.time()
    for i in range(n):
        try:
            if mode == "tftp":
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.bind((source(i, 16), 0))
                s.sendto(b"\x00\x01vmlinuz\x00octet\x00", ("127.0.0.1", tftp))
            else:
                s = socket.socket()
                s.bind((source(i, 1 if mode == "waiting" else 32), 0))
                s.setblocking(False)
                try:
                    s.connect(("127.0.0.1", http))
                except BlockingIOError:
                    pass
                if mode == "waiting":
                    time.sleep(0.0005)
                    s.setblocking(True)
                    s.sendall(f"GET /boot/{MAC}/kernel HTTP/1.1\r\nHost: b\r\n\r\n".encode())
            held.append(s)
        except OSError as e:
            print(f"client {i}: {e}", flush=True)
            break
    print(f"{len(held)} {mode} clients opened in {time.time() - started:.1f} s", flush=True)
    request = b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
    for tick in range(7):
        if mode == "trickle":
            closed = 0
            for s in held:
                try:
                    s.send(request[tick:tick + 1])
                except OSError:
                    closed += 1
            print(f"  {closed} of {len(held)} closed by the server", flush=True)
        print(f"t+{tick * 5:2d} s:", figures(pid), flush=True)
        time.sleep(5)
    for s in held:
        s.close()


if __name__ == "__main__":
    main()
