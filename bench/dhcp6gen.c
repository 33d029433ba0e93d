/*
 * DHCPv6 load generator for bench/dhcp6-bench.sh: the same program drives bootferry and dnsmasq.
 *
 *   dhcp6gen TEMPLATE INTERFACE SOURCE WARMUP SECONDS WINDOW SERVER_PID
 *
 * A closed loop on [SOURCE%INTERFACE]:546: WINDOW copies of the captured EDK2 PXE SOLICIT in
 * TEMPLATE (options 1, 8, 3, 6, 62, 61, 16 "PXEClient:Arch:00007", reference/ipv6) are in flight to
 * [ff02::1:2%INTERFACE]:547 (RFC 8415 §7.1), a fresh transaction-id (RFC 8415 §8) and client each.
 * Every ADVERTISE that answers an outstanding transaction-id frees its slot for the next SOLICIT; one
 * unanswered after 1 s counts as lost and is replaced. WARMUP seconds, then SECONDS measured.
 *
 * Each client has its own DUID and MAC: the captured CLIENTID (EDK2's DUID-UUID) is replaced by a
 * DUID-LL (RFC 8415 §11.4) of MAC 52:54:02:xx:xx:xx, xx the transaction-id. EDK2 itself is known by
 * its EUI-64 link-local source, which one socket cannot vary per request; so SOURCE must be a
 * link-local address that is not EUI-64 (fe80::b:0:0:1): bootferry then finds the MAC in the DUID
 * (dhcp6/ClientMac), and dnsmasq leases per DUID anyway.
 *
 * Why C and how it measures: as bench/dhcpgen.c (batched sendmmsg/recvmmsg, latency from the
 * kernel's receive timestamps, CPU per answer of this process and SERVER_PID from /proc).
 * Output, one line: answers/s, p50 ms, p99 ms, lost, gen µs/answer, server µs/answer, idle %.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
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
#define LOST_AFTER_NANOS 1000000000LL
#define SWEEP_NANOS 50000000LL
#define SOLICIT 1
#define ADVERTISE 2
#define OPTION_CLIENTID 1
/* Offset of the MAC's last three bytes in the rebuilt SOLICIT: header 4, option header 4, DUID-LL
 * type 2 + hardware type 2, MAC bytes 0-2. */
#define MAC_LOW (4 + 4 + 4 + 3)

static long long now_nanos(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);  /* the clock SO_TIMESTAMPNS stamps with */
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static uint8_t template_bytes[PACKET];
static size_t template_length;
static uint8_t out_packets[BATCH][PACKET];
static uint8_t in_packets[BATCH][PACKET];

/* The template with its CLIENTID replaced by a DUID-LL, first; the other options in their order. */
static size_t rebuild(const uint8_t *in, size_t n, uint8_t *out) {
    static const uint8_t duid_ll[] = {0, OPTION_CLIENTID, 0, 10, 0, 3, 0, 1, 0x52, 0x54, 0x02, 0, 0, 0};
    memcpy(out, in, 4);
    memcpy(out + 4, duid_ll, sizeof duid_ll);
    size_t o = 4 + sizeof duid_ll;
    for (size_t i = 4; i + 4 <= n;) {
        unsigned code = in[i] << 8 | in[i + 1], len = in[i + 2] << 8 | in[i + 3];
        if (i + 4 + len > n) {
            fprintf(stderr, "template: option %u overruns the message\n", code);
            exit(2);
        }
        if (code != OPTION_CLIENTID) {
            memcpy(out + o, in + i, 4 + len);
            o += 4 + len;
        }
        i += 4 + len;
    }
    return o;
}

static void solicit(uint8_t *m, uint32_t xid) {
    memcpy(m, template_bytes, template_length);
    m[1] = xid >> 16; m[2] = xid >> 8; m[3] = xid;
    m[MAC_LOW] = xid >> 16; m[MAC_LOW + 1] = xid >> 8; m[MAC_LOW + 2] = xid;
}

int main(int argc, char **argv) {
    if (argc != 8) {
        fprintf(stderr, "usage: dhcp6gen TEMPLATE INTERFACE SOURCE WARMUP SECONDS WINDOW SERVER_PID\n");
        return 2;
    }
    unsigned ifindex = if_nametoindex(argv[2]);
    if (ifindex == 0) die(argv[2]);
    struct in6_addr source;
    if (inet_pton(AF_INET6, argv[3], &source) != 1) {
        fprintf(stderr, "%s: not an IPv6 address\n", argv[3]);
        return 2;
    }
    int warmup = atoi(argv[4]);
    int seconds = atoi(argv[5]);
    int window = atoi(argv[6]);
    int server = atoi(argv[7]);
    if (warmup < 0 || seconds <= 0 || window <= 0 || window > MAX_WINDOW) {
        fprintf(stderr, "WARMUP >= 0, SECONDS > 0 and 0 < WINDOW <= %d\n", MAX_WINDOW);
        return 2;
    }
    FILE *t = fopen(argv[1], "rb");
    if (!t) die(argv[1]);
    uint8_t captured[PACKET];
    size_t captured_length = fread(captured, 1, sizeof captured, t);
    fclose(t);
    if (captured_length < 4 || captured[0] != SOLICIT) {
        fprintf(stderr, "%s: not a DHCPv6 SOLICIT\n", argv[1]);
        return 2;
    }
    template_length = rebuild(captured, captured_length, template_bytes);

    int s = socket(AF_INET6, SOCK_DGRAM, 0);
    if (s < 0) die("socket");
    int one = 1, rcvbuf = 4 << 20;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (setsockopt(s, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) < 0) die("SO_TIMESTAMPNS");
    if (setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex) < 0) die("IPV6_MULTICAST_IF");
    struct timeval timeout = {0, 20000};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    struct sockaddr_in6 client = {.sin6_family = AF_INET6, .sin6_port = htons(546), .sin6_addr = source,
                                  .sin6_scope_id = ifindex};
    if (bind(s, (struct sockaddr *) &client, sizeof client) < 0) die("bind [SOURCE]:546");
    struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_port = htons(547), .sin6_scope_id = ifindex};
    inet_pton(AF_INET6, "ff02::1:2", &to.sin6_addr);

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
    int pending = 0;

    #define FLUSH() do { \
        long long sent_at = now_nanos(); \
        for (int i = 0; i < pending; i++) { \
            uint8_t *m = out_packets[i]; \
            uint32_t x = (uint32_t) m[1] << 16 | m[2] << 8 | m[3]; \
            slot_sent[x % window] = sent_at; \
        } \
        for (int done = 0; done < pending;) { \
            int n = sendmmsg(s, out + done, pending - done, 0); \
            if (n < 0) die("sendmmsg"); \
            done += n; \
        } \
        pending = 0; \
    } while (0)
    /* Slot i sends transaction-ids i, i + window, …, modulo 2^24 (3 bytes): xid % window names the
     * slot as long as window divides 2^24, so WINDOW is rounded to a power of two below. */
    #define QUEUE(slot, xid) do { \
        slot_xid[slot] = (xid) & 0xffffff; \
        solicit(out_packets[pending++], slot_xid[slot]); \
        if (pending == BATCH) FLUSH(); \
    } while (0)
    while (window & (window - 1)) window &= window - 1;

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
            if (in[i].msg_len < 4 || m[0] != ADVERTISE) continue;
            uint32_t xid = (uint32_t) m[1] << 16 | m[2] << 8 | m[3];
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
    fprintf(stderr, "dhcp6gen: %lld datagrams received while measuring, %lld of them duplicates or late\n",
            received_total, unmatched);
    return 0;
}
