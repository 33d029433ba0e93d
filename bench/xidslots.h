/*
 * The clients shared by dhcpgen.c and dhcp6gen.c on top of udploop.h: WINDOW slots, each with one
 * request in flight. Slot i sends transaction ids i, i + window, i + 2 window…, so xid % window names
 * the slot an answer belongs to. An answer to the slot's outstanding xid frees it for the next
 * request; a request unanswered for LOST_AFTER_NANOS counts as lost and is replaced.
 *
 * A generator that includes this file defines:
 *   static uint32_t xid_of(const uint8_t *packet);           the transaction id of a request or answer
 *   static size_t build_request(uint8_t *packet, uint32_t xid);  writes a request with this xid (as
 *                                                   many low bits of it as the protocol carries), its length
 *   static int is_answer(const uint8_t *packet, size_t size);    whether a datagram is an answer to match
 * Its main reads WARMUP SECONDS WINDOW SERVER_PID with slot_args, then calls slots_run.
 */
#ifndef BENCH_XIDSLOTS_H
#define BENCH_XIDSLOTS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "udploop.h"

static uint32_t xid_of(const uint8_t *packet);
static size_t build_request(uint8_t *packet, uint32_t xid);
static int is_answer(const uint8_t *packet, size_t size);

static int window;
static uint32_t slot_xid[MAX_WINDOW];
static long long slot_sent[MAX_WINDOW];
static long long unmatched;  /* answers to no outstanding xid while measuring */

/* What the command line says besides the window, which slot_args sets. */
struct run_args {
    int warmup, seconds, server;
};

/* WARMUP SECONDS WINDOW SERVER_PID from args[0..3]; exits on values out of range. */
static struct run_args slot_args(char **args) {
    struct run_args a = {.warmup = atoi(args[0]), .seconds = atoi(args[1]), .server = atoi(args[3])};
    window = atoi(args[2]);
    if (a.warmup < 0 || a.seconds <= 0 || window <= 0 || window > MAX_WINDOW) {
        fprintf(stderr, "WARMUP >= 0, SECONDS > 0 and 0 < WINDOW <= %d\n", MAX_WINDOW);
        exit(2);
    }
    return a;
}

/* Up to PACKET bytes of a captured message. */
static size_t read_capture(const char *path, uint8_t *into) {
    FILE *f = fopen(path, "rb");
    if (!f) die(path);
    size_t length = fread(into, 1, PACKET, f);
    fclose(f);
    return length;
}

/* The slot's next request, queued. */
static void request(int slot, uint32_t xid) {
    uint8_t *m = next_packet();
    size_t length = build_request(m, xid);
    slot_xid[slot] = xid_of(m);
    queue_packet(length);
}

static void request_sent(const uint8_t *m, long long at) {
    slot_sent[xid_of(m) % (uint32_t) window] = at;
}

/* Replaces requests nobody answered (the answer or the request was dropped). */
static void sweep(long long now) {
    for (int slot = 0; slot < window; slot++) {
        if (now - slot_sent[slot] > LOST_AFTER_NANOS) {
            count_lost(slot_sent[slot]);
            request(slot, slot_xid[slot] + (uint32_t) window);
        }
    }
}

static void answer(const uint8_t *m, size_t size, long long at) {
    if (!is_answer(m, size)) return;
    uint32_t xid = xid_of(m);
    uint32_t slot = xid % (uint32_t) window;
    if (slot_xid[slot] != xid) {  /* a duplicate or a late answer */
        if (measured(at)) unmatched++;
        return;
    }
    answered(slot_sent[slot], at);
    request((int) slot, xid + (uint32_t) window);
}

/* Every slot's first request, then the loop (loop_open first). Prints one line: answers/s, p50 ms,
 * p99 ms, lost, gen µs/answer, server µs/answer, idle %; and, on stderr for runs that go wrong, what
 * arrived at all and how much of it answered nothing outstanding. */
static void slots_run(const char *name, struct run_args a) {
    for (int slot = 0; slot < window; slot++) request(slot, (uint32_t) slot);
    struct loop_result r = loop_run(a.server, a.warmup, a.seconds);
    printf("%.0f %.3f %.3f %lld %.2f %.2f %.0f\n", r.per_second, r.p50_ms, r.p99_ms, r.lost, r.self_us,
           r.server_us, r.idle);
    fprintf(stderr, "%s: %lld datagrams received while measuring, %lld of them duplicates or late\n", name,
            r.received, unmatched);
}

#endif
