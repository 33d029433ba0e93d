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
 * Why C and how it measures: udploop.h (batched sendmmsg/recvmmsg, latency from the kernel's
 * receive timestamps, CPU per answer of this process and SERVER_PID from /proc); the slots and their
 * transaction-ids: xidslots.h.
 * Output, one line: answers/s, p50 ms, p99 ms, lost, gen µs/answer, server µs/answer, idle %.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "xidslots.h"

#define SOLICIT 1
#define ADVERTISE 2
#define OPTION_CLIENTID 1
/* Offset of the MAC's last three bytes in the rebuilt SOLICIT: header 4, option header 4, DUID-LL
 * type 2 + hardware type 2, MAC bytes 0-2. */
#define MAC_LOW (4 + 4 + 4 + 3)

static uint8_t template_bytes[PACKET];
static size_t template_length;

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

static uint32_t xid_of(const uint8_t *m) {
    return (uint32_t) m[1] << 16 | m[2] << 8 | m[3];  /* RFC 8415 §8: transaction-id, 3 bytes */
}

/* The template with this transaction-id and the MAC 52:54:02 + it (the low 3 bytes of xid). */
static size_t build_request(uint8_t *m, uint32_t xid) {
    memcpy(m, template_bytes, template_length);
    m[1] = xid >> 16; m[2] = xid >> 8; m[3] = xid;
    m[MAC_LOW] = xid >> 16; m[MAC_LOW + 1] = xid >> 8; m[MAC_LOW + 2] = xid;
    return template_length;
}

static int is_answer(const uint8_t *m, size_t size) {
    return size >= 4 && m[0] == ADVERTISE;
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
    struct run_args run = slot_args(argv + 4);
    /* Transaction-ids are 3 bytes: xid % window names the slot after they wrap at 2^24 only when
     * window divides 2^24. */
    while (window & (window - 1)) window &= window - 1;
    uint8_t captured[PACKET];
    size_t captured_length = read_capture(argv[1], captured);
    if (captured_length < 4 || captured[0] != SOLICIT) {
        fprintf(stderr, "%s: not a DHCPv6 SOLICIT\n", argv[1]);
        return 2;
    }
    template_length = rebuild(captured, captured_length, template_bytes);

    int s = socket(AF_INET6, SOCK_DGRAM, 0);
    if (s < 0) die("socket");
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex) < 0) die("IPV6_MULTICAST_IF");
    struct sockaddr_in6 client = {.sin6_family = AF_INET6, .sin6_port = htons(546), .sin6_addr = source,
                                  .sin6_scope_id = ifindex};
    if (bind(s, (struct sockaddr *) &client, sizeof client) < 0) die("bind [SOURCE]:546");
    struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_port = htons(547), .sin6_scope_id = ifindex};
    inet_pton(AF_INET6, "ff02::1:2", &to.sin6_addr);
    loop_open(s, &to, sizeof to);

    slots_run("dhcp6gen", run);
    return 0;
}
