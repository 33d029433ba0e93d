/*
 * The closed loop shared by the bench generators (dhcpgen.c, dhcp6gen.c, doragen.c): requests to one
 * server address from one UDP socket, WINDOW clients in flight, warm-up then measured seconds, CPU
 * and latency per answer. The generator builds its packets and says what an answer means; this file
 * moves them.
 *
 * Why C and why batches: the generator shares the 2 cores with the server it measures, so every
 * microsecond it spends per request is taken from the server. It reads all queued answers with one
 * recvmmsg(2) and sends the requests they free with one sendmmsg(2), which costs a fraction of a
 * syscall pair per request. Latency is still per request: a request's send time against the kernel's
 * receive timestamp of its answer (SO_TIMESTAMPNS, socket(7)), so batching on our side doesn't
 * lengthen it.
 *
 * A generator that includes this file defines:
 *   static void request_sent(const uint8_t *packet, long long at);   one of its packets left at `at`
 *   static void sweep(long long now);            every SWEEP_NANOS: replace clients with no answer
 *                                                for LOST_AFTER_NANOS (count_lost)
 *   static void answer(const uint8_t *packet, size_t size, long long at);  a datagram arrived at `at`
 * and builds each request in next_packet(), then queue_packet(its length). It defines _GNU_SOURCE
 * before its first #include (sendmmsg, recvmmsg). xidslots.h defines the three for generators whose
 * clients each wait for one answer (dhcpgen.c, dhcp6gen.c).
 */
#ifndef BENCH_UDPLOOP_H
#define BENCH_UDPLOOP_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "cpustat.h"

#define BATCH 64
#define MAX_WINDOW 4096
#define PACKET 1500
/* Below a DHCP client's own first retransmission (4 s, RFC 2131 §4.1; 1 s for DHCPv6's SOLICIT,
 * RFC 8415 §15), above a cold JVM's first answers on a busy machine: with 200 ms, those came late
 * every time, were dropped as late, and the server never saw enough requests to warm up. */
#define LOST_AFTER_NANOS 1000000000LL
#define SWEEP_NANOS 50000000LL

static void request_sent(const uint8_t *packet, long long at);
static void sweep(long long now);
static void answer(const uint8_t *packet, size_t size, long long at);

/* What one run measured. */
struct loop_result {
    double per_second, p50_ms, p99_ms;  /* answers counted by answered(), over the measured seconds */
    long long lost;                     /* requests of the measured seconds counted by count_lost() */
    long long received;                 /* datagrams received while measuring, answers or not */
    double self_us, server_us, idle;    /* CPU per answer of this process and the server; % idle (cpustat.h) */
};

static int loop_socket;
static long long loop_measure_from, loop_end;
static uint8_t out_packets[BATCH][PACKET];
static struct mmsghdr out_messages[BATCH];
static struct iovec out_iov[BATCH];
static int pending;  /* requests built in out_packets, not yet sent */
static long long answers, lost;
static unsigned *latencies;
static size_t latency_count, latency_capacity;

static long long now_nanos(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);  /* the clock SO_TIMESTAMPNS stamps with */
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Requests go from `sock` to `to`; answers' receive times are the kernel's. */
static void loop_open(int sock, const void *to, socklen_t to_length) {
    int one = 1, rcvbuf = 4 << 20;
    setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (setsockopt(sock, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) < 0) die("SO_TIMESTAMPNS");
    struct timeval timeout = {0, 20000};  /* the loop sweeps even when nothing arrives */
    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    loop_socket = sock;
    memset(out_messages, 0, sizeof out_messages);
    for (int i = 0; i < BATCH; i++) {
        out_iov[i] = (struct iovec) {out_packets[i], 0};
        out_messages[i].msg_hdr.msg_iov = &out_iov[i];
        out_messages[i].msg_hdr.msg_iovlen = 1;
        out_messages[i].msg_hdr.msg_name = (void *) to;
        out_messages[i].msg_hdr.msg_namelen = to_length;
    }
    latency_capacity = 1 << 20;
    latencies = malloc(latency_capacity * sizeof *latencies);
    if (!latencies) die("malloc");
}

/* Sends the requests built so far, all stamped with one send time (request_sent). */
static void flush(void) {
    long long sent_at = now_nanos();
    for (int i = 0; i < pending; i++) request_sent(out_packets[i], sent_at);
    for (int done = 0; done < pending;) {
        int n = sendmmsg(loop_socket, out_messages + done, pending - done, 0);
        if (n < 0) die("sendmmsg");
        done += n;
    }
    pending = 0;
}

/* Where the next request is built. */
static uint8_t *next_packet(void) {
    return out_packets[pending];
}

/* The request built in next_packet() is `length` bytes and ready to go. */
static void queue_packet(size_t length) {
    out_iov[pending].iov_len = length;
    if (++pending == BATCH) flush();
}

/* Whether a time is in the measured seconds (or after: answers that come too late). */
static int measured(long long t) {
    return t >= loop_measure_from;
}

/* A client whose request left at `sent` got what it waited for at `received`: counted, with its
 * latency, when it left in the measured seconds and the answer came before their end. */
static void answered(long long sent, long long received) {
    if (!measured(sent) || received >= loop_end) return;
    answers++;
    if (latency_count == latency_capacity) {
        latency_capacity *= 2;
        latencies = realloc(latencies, latency_capacity * sizeof *latencies);
        if (!latencies) die("realloc");
    }
    long long l = received - sent;
    latencies[latency_count++] = l < 0 ? 0 : l > UINT32_MAX ? UINT32_MAX : (unsigned) l;
}

/* A client whose request left at `sent` got no answer in time. */
static void count_lost(long long sent) {
    if (measured(sent)) lost++;
}

/* The kernel's receive time of `m`, or `fallback` when it gave none. */
static long long received_at(struct msghdr *m, long long fallback) {
    for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            struct timespec ts;
            memcpy(&ts, CMSG_DATA(c), sizeof ts);
            return ts.tv_sec * 1000000000LL + ts.tv_nsec;
        }
    }
    return fallback;
}

/* Sends what the generator queued, then runs WARMUP + SECONDS seconds: answers to answer(), a sweep
 * every SWEEP_NANOS, and the CPU of this process and of `server` over the measured seconds. */
static struct loop_result loop_run(int server, int warmup, int seconds) {
    static uint8_t in_packets[BATCH][PACKET];
    static struct mmsghdr in[BATCH];
    static struct iovec in_iov[BATCH];
    static char control[BATCH][CMSG_SPACE(sizeof(struct timespec))];
    memset(in, 0, sizeof in);
    for (int i = 0; i < BATCH; i++) {
        in_iov[i] = (struct iovec) {in_packets[i], PACKET};
        in[i].msg_hdr.msg_iov = &in_iov[i];
        in[i].msg_hdr.msg_iovlen = 1;
    }
    flush();

    long long start = now_nanos();
    loop_measure_from = start + warmup * 1000000000LL;
    loop_end = loop_measure_from + seconds * 1000000000LL;
    long long next_sweep = start + SWEEP_NANOS, received = 0;
    int measuring = 0;
    struct cpu_mark first = {0};
    for (;;) {
        long long now = now_nanos();
        if (now >= loop_end) break;
        if (!measuring && now >= loop_measure_from) {
            measuring = 1;
            first = cpu_mark(server);
        }
        if (now >= next_sweep) {
            sweep(now);
            flush();
            next_sweep = now + SWEEP_NANOS;
        }
        for (int i = 0; i < BATCH; i++) {
            in[i].msg_hdr.msg_control = control[i];
            in[i].msg_hdr.msg_controllen = sizeof control[i];
        }
        int n = recvmmsg(loop_socket, in, BATCH, MSG_WAITFORONE, NULL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
            die("recvmmsg");
        }
        if (measuring) received += n;
        for (int i = 0; i < n; i++) answer(in_packets[i], in[i].msg_len, received_at(&in[i].msg_hdr, now));
        flush();
    }

    struct cpu_mark last = cpu_mark(server);
    struct loop_result r = {.lost = lost, .received = received};
    cpu_between(&first, &last, answers, &r.self_us, &r.server_us, &r.idle);
    r.per_second = answers / (double) seconds;
    r.p50_ms = quantile_ms(latencies, latency_count, 0.5);
    r.p99_ms = quantile_ms(latencies, latency_count, 0.99);
    return r;
}

#endif
