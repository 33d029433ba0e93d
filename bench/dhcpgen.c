/*
 * ProxyDHCP load generator for bench/dhcp-bench.sh: the same program drives bootferry and dnsmasq.
 *
 *   dhcpgen TEMPLATE WARMUP SECONDS WINDOW SERVER_PID broadcast|unicast
 *
 * A closed loop on UDP port 68: WINDOW copies of the captured DISCOVER in TEMPLATE (a fresh xid and
 * MAC each, so no per-MAC rate limit applies) are in flight to port 67 on lo: to 255.255.255.255 as
 * PXE clients send them (RFC 2131 §4.4.1), so each server reads them on the socket that serves real
 * clients, or to 127.0.0.1 as a relay agent sends (RFC 2131 §4.1), which bootferry reads and answers
 * on one socket. Every OFFER that answers an outstanding xid frees its slot for the next DISCOVER.
 * A DISCOVER unanswered after 1 s counts as lost and is replaced. WARMUP seconds of warm-up, then SECONDS measured.
 *
 * Why C: the generator shares the 2 cores with the server it measures, so every microsecond it
 * spends per request is taken from the server. It reads all queued OFFERs with one recvmmsg(2) and
 * sends the DISCOVERs they free with one sendmmsg(2), which costs a fraction of a syscall pair per
 * request. Latency is still per request: the send time of each xid against the kernel's receive
 * timestamp of its OFFER (SO_TIMESTAMPNS, socket(7)), so batching on our side doesn't lengthen it.
 *
 * Output, one line: answers/s, p50 ms, p99 ms, lost, then CPU over the measured seconds as µs per
 * answer for this generator and for SERVER_PID (all its threads, /proc/PID/stat utime+stime, which
 * include the softirq work of loopback delivery done in each process's context), and the share of
 * both cores the machine left idle (/proc/stat).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "cpustat.h"

#define BATCH 64
#define MAX_WINDOW 4096
#define PACKET 1500
/* Below a client's own first retransmission (4 s, RFC 2131 §4.1), above a cold JVM's first answers on
 * a busy machine: with 200 ms, those came late every time, were dropped as late, and the server never
 * saw enough requests to warm up. */
#define LOST_AFTER_NANOS 1000000000LL
#define SWEEP_NANOS 50000000LL
#define BOOTREPLY 2

static long long now_nanos(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);  /* the clock SO_TIMESTAMPNS stamps with */
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static uint8_t template_bytes[PACKET];
static size_t template_length;
static uint8_t out_packets[BATCH][PACKET];
static uint8_t in_packets[BATCH][PACKET];

/* The captured DISCOVER with this xid and a MAC of its own, 52:54:01:xx:xx:xx (RFC 2131 §2: xid at
 * offset 4, chaddr at 28). */
static void discover(uint8_t *m, uint32_t xid) {
    memcpy(m, template_bytes, template_length);
    m[4] = xid >> 24; m[5] = xid >> 16; m[6] = xid >> 8; m[7] = xid;
    m[30] = 1; m[31] = xid >> 16; m[32] = xid >> 8; m[33] = xid;
}

int main(int argc, char **argv) {
    if (argc != 7 || (strcmp(argv[6], "broadcast") != 0 && strcmp(argv[6], "unicast") != 0)) {
        fprintf(stderr, "usage: dhcpgen TEMPLATE WARMUP SECONDS WINDOW SERVER_PID broadcast|unicast\n");
        return 2;
    }
    int broadcast = strcmp(argv[6], "broadcast") == 0;
    int warmup = atoi(argv[2]);
    int seconds = atoi(argv[3]);
    int window = atoi(argv[4]);
    int server = atoi(argv[5]);
    if (warmup < 0 || seconds <= 0 || window <= 0 || window > MAX_WINDOW) {
        fprintf(stderr, "WARMUP >= 0, SECONDS > 0 and 0 < WINDOW <= %d\n", MAX_WINDOW);
        return 2;
    }
    FILE *t = fopen(argv[1], "rb");
    if (!t) die(argv[1]);
    template_length = fread(template_bytes, 1, sizeof template_bytes, t);
    fclose(t);
    if (template_length < 240) {
        fprintf(stderr, "%s: not a DHCP message\n", argv[1]);
        return 2;
    }

    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) die("socket");
    int one = 1, rcvbuf = 4 << 20;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(s, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (setsockopt(s, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) < 0) die("SO_TIMESTAMPNS");
    struct timeval timeout = {0, 20000};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    struct sockaddr_in client = {.sin_family = AF_INET, .sin_port = htons(68), .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (bind(s, (struct sockaddr *) &client, sizeof client) < 0) die("bind 0.0.0.0:68");
    /* A namespace with only lo has no route for 255.255.255.255: a socket tied to lo needs none. */
    if (setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3) < 0) die("SO_BINDTODEVICE lo");
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(67),
                             .sin_addr.s_addr = htonl(broadcast ? INADDR_BROADCAST : INADDR_LOOPBACK)};

    struct mmsghdr out[BATCH], in[BATCH];
    struct iovec out_iov[BATCH], in_iov[BATCH];
    char control[BATCH][CMSG_SPACE(sizeof(struct timespec))];
    memset(out, 0, sizeof out);
    memset(in, 0, sizeof in);
    for (int i = 0; i < BATCH; i++) {
        out_iov[i] = (struct iovec) {out_packets[i], template_length};
        out[i].msg_hdr.msg_iov = &out_iov[i];
        out[i].msg_hdr.msg_iovlen = 1;
        out[i].msg_hdr.msg_name = &to;
        out[i].msg_hdr.msg_namelen = sizeof to;
        in_iov[i] = (struct iovec) {in_packets[i], PACKET};
        in[i].msg_hdr.msg_iov = &in_iov[i];
        in[i].msg_hdr.msg_iovlen = 1;
    }

    static uint32_t slot_xid[MAX_WINDOW];
    static long long slot_sent[MAX_WINDOW];
    size_t latency_capacity = 1 << 20, count = 0;
    uint32_t *latencies = malloc(latency_capacity * sizeof *latencies);
    long long answered = 0, lost = 0, received_total = 0, unmatched = 0;
    int pending = 0;  /* DISCOVERs prepared in out_packets, not yet sent */

    /* Sends the prepared DISCOVERs, stamping their slots with one send time. */
    #define FLUSH() do { \
        long long sent_at = now_nanos(); \
        for (int i = 0; i < pending; i++) { \
            uint8_t *m = out_packets[i]; \
            uint32_t x = (uint32_t) m[4] << 24 | m[5] << 16 | m[6] << 8 | m[7]; \
            slot_sent[x % window] = sent_at; \
        } \
        for (int done = 0; done < pending;) { \
            int n = sendmmsg(s, out + done, pending - done, 0); \
            if (n < 0) die("sendmmsg"); \
            done += n; \
        } \
        pending = 0; \
    } while (0)
    /* Slot i sends xids i, i + window, i + 2 window...: xid % window names the slot. */
    #define QUEUE(slot, xid) do { \
        slot_xid[slot] = (xid); \
        discover(out_packets[pending++], (xid)); \
        if (pending == BATCH) FLUSH(); \
    } while (0)

    for (int slot = 0; slot < window; slot++) QUEUE(slot, (uint32_t) slot);
    FLUSH();

    long long start = now_nanos();
    long long measure_from = start + warmup * 1000000000LL;
    long long end = measure_from + seconds * 1000000000LL;
    long long next_sweep = start + SWEEP_NANOS;
    int measuring = 0;
    struct cpu_mark first = {0};
    for (;;) {
        long long now = now_nanos();
        if (now >= end) break;
        if (!measuring && now >= measure_from) {
            measuring = 1;
            first = cpu_mark(server);
        }
        if (now >= next_sweep) {
            /* Replace DISCOVERs nobody answered (the reply or the request was dropped). */
            for (int slot = 0; slot < window; slot++) {
                if (now - slot_sent[slot] > LOST_AFTER_NANOS) {
                    if (slot_sent[slot] >= measure_from) lost++;
                    QUEUE(slot, slot_xid[slot] + (uint32_t) window);
                }
            }
            FLUSH();
            next_sweep = now + SWEEP_NANOS;
        }
        for (int i = 0; i < BATCH; i++) {
            in[i].msg_hdr.msg_control = control[i];
            in[i].msg_hdr.msg_controllen = sizeof control[i];
        }
        int n = recvmmsg(s, in, BATCH, MSG_WAITFORONE, NULL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
            die("recvmmsg");
        }
        for (int i = 0; i < n; i++) {
            uint8_t *m = in_packets[i];
            if (measuring) received_total++;
            if (in[i].msg_len < 240 || m[0] != BOOTREPLY) continue;
            uint32_t xid = (uint32_t) m[4] << 24 | m[5] << 16 | m[6] << 8 | m[7];
            uint32_t slot = xid % (uint32_t) window;
            if (slot_xid[slot] != xid) {  /* a duplicate or a late answer */
                if (measuring) unmatched++;
                continue;
            }
            long long received = now;
            for (struct cmsghdr *c = CMSG_FIRSTHDR(&in[i].msg_hdr); c; c = CMSG_NXTHDR(&in[i].msg_hdr, c)) {
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                    struct timespec ts;
                    memcpy(&ts, CMSG_DATA(c), sizeof ts);
                    received = ts.tv_sec * 1000000000LL + ts.tv_nsec;
                }
            }
            if (slot_sent[slot] >= measure_from && received < end) {
                answered++;
                if (count == latency_capacity) {
                    latency_capacity *= 2;
                    latencies = realloc(latencies, latency_capacity * sizeof *latencies);
                    if (!latencies) die("realloc");
                }
                long long l = received - slot_sent[slot];
                latencies[count++] = l < 0 ? 0 : l > UINT32_MAX ? UINT32_MAX : (uint32_t) l;
            }
            QUEUE(slot, xid + (uint32_t) window);
        }
        FLUSH();
    }

    struct cpu_mark last = cpu_mark(server);
    double self_us, server_us, idle;
    cpu_between(&first, &last, answered, &self_us, &server_us, &idle);
    double p50 = quantile_ms(latencies, count, 0.5);
    double p99 = quantile_ms(latencies, count, 0.99);
    printf("%.0f %.3f %.3f %lld %.2f %.2f %.0f\n", answered / (double) seconds, p50, p99, lost,
           self_us, server_us, idle);
    /* For runs that go wrong: what arrived at all, and how much of it answered nothing outstanding. */
    fprintf(stderr, "dhcpgen: %lld datagrams received while measuring, %lld of them duplicates or late\n",
            received_total, unmatched);
    return 0;
}
